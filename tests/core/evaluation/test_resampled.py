"""Vectorised resample metrics equal scikit-learn's sample-weighted metrics, ties included."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

from pmtk.core.evaluation.resampled import weighted_metrics

N = 60


@pytest.fixture
def weights() -> np.ndarray:
    """Five bootstrap resamples as counts (some examples drawn 0 times, some several)."""
    rng = np.random.default_rng(7)
    return rng.multinomial(N, np.ones(N) / N, size=5).astype(float)


def _check(result: dict, reference, weights: np.ndarray) -> None:
    for row, w in enumerate(weights):
        for name, expected in reference(w).items():
            assert result[name][row] == pytest.approx(expected, abs=1e-9), name


def test_binary_with_tied_scores(weights):
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, N), np.round(rng.random(N), 1)  # rounding makes many ties
    result = weighted_metrics("binary", y, p, weights)
    _check(result, lambda w: {
        "accuracy": sk.accuracy_score(y, p >= 0.5, sample_weight=w),
        "auroc": sk.roc_auc_score(y, p, sample_weight=w),
        "auprc": sk.average_precision_score(y, p, sample_weight=w),
        "loss": sk.log_loss(y, np.clip(p, 1e-7, 1 - 1e-7), sample_weight=w),
        "brier": sk.brier_score_loss(y, np.clip(p, 1e-7, 1 - 1e-7), sample_weight=w),
    }, weights)  # fmt: skip


def test_multiclass(weights):
    rng = np.random.default_rng(1)
    y, p = rng.integers(0, 3, N), rng.dirichlet([1, 1, 1], N)
    result = weighted_metrics("multiclass", y, p, weights)
    _check(result, lambda w: {
        "accuracy": sk.accuracy_score(y, p.argmax(1), sample_weight=w),
        "macro_auroc": sk.roc_auc_score(y, p, multi_class="ovr", sample_weight=w),
        "loss": sk.log_loss(y, p, sample_weight=w, labels=[0, 1, 2]),
    }, weights)  # fmt: skip


def test_regression(weights):
    rng = np.random.default_rng(2)
    y = rng.normal(size=N)
    predicted = y + rng.normal(0, 0.5, N)
    result = weighted_metrics("regression", y, predicted.reshape(-1, 1), weights)
    _check(result, lambda w: {
        "mae": sk.mean_absolute_error(y, predicted, sample_weight=w),
        "rmse": sk.root_mean_squared_error(y, predicted, sample_weight=w),
        "r2": sk.r2_score(y, predicted, sample_weight=w),
    }, weights)  # fmt: skip


def test_undefined_where_a_resample_has_one_class():
    y, p = np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    weights = np.array([[1.0, 1, 1, 1], [2, 2, 0, 0]])
    result = weighted_metrics("binary", y, p, weights)
    assert result["auroc"][0] == pytest.approx(0.75)
    assert np.isnan(result["auroc"][1]) and np.isnan(result["auprc"][1])
    assert result["accuracy"][1] == pytest.approx(1.0)
