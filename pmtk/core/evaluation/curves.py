"""Points of the ROC and precision-recall curves, their 95% bands, and the confusion matrix.

They are stored in ``metrics.json`` (at most ``MAX_POINTS`` per curve) so that
``pmtk report`` can draw a finished run again without its model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmtk.core.evaluation import bootstrap

#: Curves are thinned to at most this many points.
MAX_POINTS = 200
#: False-positive rates (ROC) and recalls (PR) where the bootstrap band is taken.
GRID = np.round(np.linspace(0.0, 1.0, 51), 2)
#: Resamples of the bands (fewer than the metrics' intervals: a band is only drawn).
BAND_RESAMPLES = 200


def roc_points(truth: np.ndarray, probability: np.ndarray) -> dict[str, list[float]]:
    """``fpr`` and ``tpr`` of the ROC curve (one-vs-rest for a class's probability)."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(truth, probability)
    return _thin({"fpr": fpr, "tpr": tpr})


def pr_points(truth: np.ndarray, probability: np.ndarray) -> dict[str, list[float]]:
    """``recall`` and ``precision`` of the precision-recall curve."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, _ = precision_recall_curve(truth, probability)
    return _thin({"recall": recall[::-1], "precision": precision[::-1]})


def _band_statistic(truth: np.ndarray, probability: np.ndarray):
    """Maps count weights (resamples x examples) to TPR and precision on ``GRID``."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    names = [f"roc:{x}" for x in GRID] + [f"pr:{x}" for x in GRID]

    def one(weights: np.ndarray) -> np.ndarray:
        chosen = weights > 0
        if len(np.unique(truth[chosen])) < 2:
            return np.full(len(names), np.nan)
        part_truth, part, part_weights = truth[chosen], probability[chosen], weights[chosen]
        fpr, tpr, _ = roc_curve(part_truth, part, sample_weight=part_weights)
        precision, recall, _ = precision_recall_curve(part_truth, part, sample_weight=part_weights)
        return np.concatenate(
            [np.interp(GRID, fpr, tpr), np.interp(GRID, recall[::-1], precision[::-1])]
        )

    def statistic(weights: np.ndarray) -> dict[str, np.ndarray]:
        values = np.stack([one(row) for row in np.atleast_2d(weights)])
        return {name: values[:, index] for index, name in enumerate(names)}

    return statistic


def bands(
    truth: np.ndarray, probability: np.ndarray, groups: Any, resamples: int, seed: int
) -> dict[str, Any] | None:
    """Pointwise 95% bootstrap bands of TPR (per FPR) and precision (per recall).

    Returns:
        ``{"grid": [...], "roc": {"low", "high"}, "pr": {"low", "high"}}``, or None when
        the split is too small to resample or ``resamples`` is 0.
    """
    truth, probability = np.asarray(truth).astype(int), np.asarray(probability).reshape(-1)
    if resamples == 0 or len(truth) < bootstrap.MIN_EXAMPLES or len(np.unique(truth)) < 2:
        return None
    found = bootstrap.split_intervals(
        lambda rows: _band_statistic(truth[rows], probability[rows]),
        len(truth),
        groups,
        min(resamples, BAND_RESAMPLES),
        seed,
    )
    result: dict[str, Any] = {"grid": GRID.tolist()}
    for curve in ("roc", "pr"):
        # rates: a band moved to the whole split's estimate stays inside [0, 1]
        pairs = [[max(0.0, b[0]), min(1.0, b[1])] if (b := found[f"{curve}:{x}"]) else
                 [None, None] for x in GRID]  # fmt: skip
        result[curve] = {"low": [p[0] for p in pairs], "high": [p[1] for p in pairs]}
    return result


def curve_results(
    kind: str,
    truth: np.ndarray,
    scores: np.ndarray,
    baseline: np.ndarray | None,
    *,
    groups: Any,
    resamples: int,
    seed: int,
) -> dict[str, Any] | None:
    """The ``curves`` entry of ``metrics.json`` for the test split (classification only).

    Binary: the positive class; multi-class: the class the model is most often asked
    about is not special, so the micro-average of one-vs-rest curves is drawn.
    """
    truth = np.asarray(truth).astype(int)
    if len(np.unique(truth)) < 2:
        return None
    if kind == "binary":
        flat_truth, flat = truth, np.asarray(scores).reshape(-1)
        other = None if baseline is None else np.asarray(baseline).reshape(-1)
    else:
        eye = np.eye(np.shape(scores)[1], dtype=int)[truth]
        flat_truth, flat = eye.reshape(-1), np.asarray(scores).reshape(-1)
        other = None if baseline is None else np.asarray(baseline).reshape(-1)
        groups = None  # micro-averaged rows are not examples; bands resample rows
    result: dict[str, Any] = {
        "average": "positive class" if kind == "binary" else "micro (one-vs-rest)",
        "roc": {"model": roc_points(flat_truth, flat)},
        "pr": {"model": pr_points(flat_truth, flat)},
        "prevalence": round(float(flat_truth.mean()), 6),
        "band": bands(flat_truth, flat, groups, resamples, seed),
    }
    if other is not None:
        result["roc"]["baseline"] = roc_points(flat_truth, other)
        result["pr"]["baseline"] = pr_points(flat_truth, other)
    return result


def confusion(kind: str, truth: np.ndarray, scores: np.ndarray, class_names: list[str]) -> dict:
    """Counts of true class (rows) against predicted class (columns) at 0.5 / the argmax."""
    from sklearn.metrics import confusion_matrix

    scores = np.asarray(scores)
    if kind == "binary":
        predicted = (scores.reshape(-1) >= 0.5).astype(int)
    else:
        predicted = scores.argmax(axis=1)
    labels = list(range(len(class_names)))
    matrix = confusion_matrix(np.asarray(truth).astype(int), predicted, labels=labels)
    return {"labels": list(class_names), "matrix": matrix.tolist()}


def _thin(points: dict[str, np.ndarray]) -> dict[str, list[float]]:
    length = len(next(iter(points.values())))
    keep = np.unique(np.linspace(0, length - 1, min(length, MAX_POINTS)).round().astype(int))
    return {name: [round(float(v), 5) for v in values[keep]] for name, values in points.items()}
