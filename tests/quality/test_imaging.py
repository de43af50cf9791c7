"""The default imaging model learns the bundled sample and beats logistic regression on pixels."""

from __future__ import annotations

import pytest

TASK = "imaging"
pytestmark = pytest.mark.slow


def test_default_reaches_the_floor(default_run):
    metrics, stderr = default_run
    assert metrics["test"]["auroc"] >= 0.95, metrics["test"]
    assert metrics["ci"]["test"]["auroc"][0] > 0.8
    assert "Warning:" not in stderr


def test_default_beats_its_baseline(default_run):
    metrics, _ = default_run
    assert metrics["baseline"]["inputs"] == "pixels downsampled to 32x32"
    versus = metrics["versus_baseline"]["test"]["auroc"]
    assert versus["ci"][0] > 0, versus
