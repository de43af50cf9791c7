"""The default autoencoder reconstructs the sample better than PCA with the same code size."""

from __future__ import annotations

import pytest

TASK = "autoencoder"
pytestmark = pytest.mark.slow


def test_default_reaches_the_floor(default_run):
    metrics, stderr = default_run
    assert metrics["test"]["r2"] >= 0.98, metrics["test"]
    assert "Warning:" not in stderr


def test_default_beats_pca(default_run):
    metrics, _ = default_run
    assert metrics["baseline"]["model"] == "pca"
    versus = metrics["versus_baseline"]["test"]["r2"]
    assert versus["difference"] > 0 and versus["ci"][0] > 0, versus
