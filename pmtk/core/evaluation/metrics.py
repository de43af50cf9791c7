"""Evaluation metrics per target kind, computed with scikit-learn on predicted scores."""

from __future__ import annotations

import numpy as np


def json_number(value: float) -> float | None:
    """A metric as ``metrics.json`` stores it: rounded to 6 places, ``None`` when undefined (NaN).

    A size-1 array is accepted too (one resample's value).
    """
    value = float(np.asarray(value).reshape(-1)[0])
    return None if np.isnan(value) else round(value, 6)


def evaluate(kind: str, y_true: np.ndarray, scores: np.ndarray) -> dict[str, float | None]:
    """Metrics of one split, named as in PRODUCT.md.

    Args:
        kind: ``binary``, ``multiclass`` or ``regression``.
        y_true: Class indices or values.
        scores: Model outputs: positive-class probabilities (binary), class
            probabilities (multiclass) or predicted values (regression).

    Returns:
        binary: ``accuracy``, ``auroc``, ``auprc``, ``loss``, ``brier``; multiclass:
        ``accuracy``, ``macro_auroc``, ``loss``, ``brier`` (mean over classes of the
        one-vs-rest Brier scores); regression: ``mae``, ``rmse``, ``r2``. A metric that
        is undefined on this split (one class only) is ``None``.
    """
    from sklearn import metrics

    y_true, scores = np.asarray(y_true), np.asarray(scores)

    if kind == "regression":
        predicted = scores.reshape(-1)
        return {
            "mae": json_number(metrics.mean_absolute_error(y_true, predicted)),
            "rmse": json_number(metrics.root_mean_squared_error(y_true, predicted)),
            "r2": json_number(metrics.r2_score(y_true, predicted)) if len(y_true) > 1 else None,
        }
    single_class = len(np.unique(y_true)) < 2
    if kind == "binary":
        probability = np.clip(scores.reshape(-1), 1e-7, 1 - 1e-7)
        return {
            "accuracy": json_number(metrics.accuracy_score(y_true, probability >= 0.5)),
            "auroc": None
            if single_class
            else json_number(metrics.roc_auc_score(y_true, probability)),
            "auprc": None
            if single_class
            else json_number(metrics.average_precision_score(y_true, probability)),
            "loss": json_number(metrics.log_loss(y_true, probability, labels=[0, 1])),
            "brier": json_number(metrics.brier_score_loss(y_true, probability, pos_label=1)),
        }
    labels = list(range(scores.shape[1]))
    probabilities = scores / scores.sum(axis=1, keepdims=True)
    present = np.unique(y_true)
    macro_auroc = None
    if len(present) == len(labels):
        macro_auroc = json_number(
            metrics.roc_auc_score(
                y_true, probabilities, multi_class="ovr", average="macro", labels=labels
            )
        )
    return {
        "accuracy": json_number(metrics.accuracy_score(y_true, probabilities.argmax(axis=1))),
        "macro_auroc": macro_auroc,
        "loss": json_number(metrics.log_loss(y_true, probabilities, labels=labels)),
        "brier": json_number(
            np.mean((probabilities - np.eye(len(labels))[y_true.astype(int)]) ** 2)
        ),
    }
