"""The default genomics model finds the bundled motif at least as well as a linear model."""

from __future__ import annotations

import pytest

TASK = "genomics"
pytestmark = pytest.mark.slow


def test_default_reaches_the_floor(default_run):
    metrics, stderr = default_run
    assert metrics["test"]["auroc"] >= 0.9, metrics["test"]
    assert "Warning:" not in stderr


def test_default_is_not_worse_than_logistic_regression(default_run):
    metrics, _ = default_run
    assert metrics["baseline"]["inputs"] == "one-hot bases at each position"
    versus = metrics["versus_baseline"]["test"]["auroc"]
    assert versus["difference"] >= -0.02, versus
    assert versus["ci"][1] >= 0, versus
