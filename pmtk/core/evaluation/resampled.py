"""Split metrics of many bootstrap resamples at once.

A bootstrap resample is the original examples, each counted 0, 1, 2... times, so its
metric equals the metric with those counts as sample weights. Given a matrix of counts
(one row per resample) every metric here is a few matrix products over the original
examples instead of one scikit-learn call per resample: 1,000 resamples cost about what
ten calls do. Each function equals scikit-learn's metric with ``sample_weight`` (the
tests compare them on random weights); the point estimates in ``metrics.json`` still come
from scikit-learn itself (:mod:`pmtk.core.evaluation.metrics`).
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-7  # the probability clip of pmtk.core.evaluation.metrics


def weighted_metrics(
    kind: str, y_true: np.ndarray, scores: np.ndarray, weights: np.ndarray
) -> dict[str, np.ndarray]:
    """Every metric of :func:`pmtk.core.evaluation.metrics.evaluate`, once per row of ``weights``.

    Args:
        kind: ``binary``, ``multiclass`` or ``regression``.
        y_true: Class indices or values, shape (n,).
        scores: Model outputs as ``evaluate`` takes them.
        weights: Counts, shape (resamples, n).

    Returns:
        Per metric name, shape (resamples,); NaN where the metric is undefined.
    """
    y_true = np.asarray(y_true)
    total = weights.sum(axis=1)
    if kind == "regression":
        error = scores.reshape(-1) - y_true
        squared = weights @ error**2
        spread = weights @ y_true**2 - (weights @ y_true) ** 2 / total
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(spread > 1e-12 * np.maximum(total, 1), 1 - squared / spread, np.nan)
        return {
            "mae": weights @ np.abs(error) / total,
            "rmse": np.sqrt(squared / total),
            "r2": np.where((weights > 0).sum(axis=1) > 1, r2, np.nan),
        }
    if kind == "binary":
        p = np.clip(scores.reshape(-1), _EPS, 1 - _EPS)
        y = y_true.astype(float)
        return {
            "accuracy": weights @ ((p >= 0.5) == y) / total,
            "auroc": weighted_auroc(y, p, weights),
            "auprc": weighted_average_precision(y, p, weights),
            "loss": weights @ -(y * np.log(p) + (1 - y) * np.log(1 - p)) / total,
            "brier": weights @ (p - y) ** 2 / total,
        }
    probabilities = scores / scores.sum(axis=1, keepdims=True)
    labels = y_true.astype(int)
    onehot = np.eye(probabilities.shape[1])[labels]
    picked = np.clip(probabilities[np.arange(len(labels)), labels], np.finfo(float).eps, 1)
    per_class = [weighted_auroc(onehot[:, c], probabilities[:, c], weights)
                 for c in range(probabilities.shape[1])]  # fmt: skip
    return {
        "accuracy": weights @ (probabilities.argmax(axis=1) == labels) / total,
        "macro_auroc": np.mean(per_class, axis=0),  # NaN when any class is absent
        "loss": weights @ -np.log(picked) / total,
        "brier": weights @ ((probabilities - onehot) ** 2).mean(axis=1) / total,
    }


def _by_score(y: np.ndarray, scores: np.ndarray, weights: np.ndarray, descending: bool):
    """Positive and negative weight per distinct score, in score order: two (resamples, k)."""
    order = np.argsort(-scores if descending else scores, kind="mergesort")
    ordered = scores[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    positive = np.add.reduceat(weights[:, order] * y[order], starts, axis=1)
    negative = np.add.reduceat(weights[:, order] * (1 - y[order]), starts, axis=1)
    return positive, negative


def weighted_auroc(y: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Area under the ROC curve per resample (ties count one half), NaN with one class.

    Equals ``sklearn.metrics.roc_auc_score(y, scores, sample_weight=w)`` for each row.
    """
    positive, negative = _by_score(y, scores, weights, descending=False)
    below = np.cumsum(negative, axis=1) - negative  # negatives scored strictly lower
    pairs = positive.sum(axis=1) * negative.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        area = (positive * (below + negative / 2)).sum(axis=1) / pairs
    return np.where(pairs > 0, area, np.nan)


def weighted_average_precision(y: np.ndarray, scores: np.ndarray, weights: np.ndarray):
    """Average precision per resample, NaN without positives or negatives.

    Equals ``sklearn.metrics.average_precision_score(y, scores, sample_weight=w)``:
    the precision at each distinct threshold, weighted by the recall it adds.
    """
    positive, negative = _by_score(y, scores, weights, descending=True)
    true_positives = np.cumsum(positive, axis=1)
    predicted = true_positives + np.cumsum(negative, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, true_positives / predicted, 0.0)
        average = (positive * precision).sum(axis=1) / true_positives[:, -1]
    defined = (true_positives[:, -1] > 0) & (negative.sum(axis=1) > 0)
    return np.where(defined, average, np.nan)
