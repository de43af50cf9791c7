"""Calibration of classifier scores: reliability tables and temperature scaling.

A reliability table puts the mean predicted probability of each score bin beside the
observed rate of the outcome in it; a calibrated model has the two equal. Temperature
scaling divides the model's log-odds (binary) or log-probabilities (multi-class) by one
number fitted on the validation split; it changes no ranking (AUROC stays) but makes the
probabilities honest. The scaled model is saved with built-in Keras layers only, so
``pmtk predict`` returns calibrated scores without custom code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import keras

#: Equal-width probability bins of a reliability table.
CALIBRATION_BINS = 10
#: Probabilities are clipped to [EPSILON, 1 - EPSILON] before taking logarithms.
EPSILON = 1e-7
#: Name of the layer holding 1 / temperature in a calibrated model.
LAYER_NAME = "temperature_scaling"


def reliability_table(
    outcome: np.ndarray, probability: np.ndarray, bins: int = CALIBRATION_BINS
) -> list[dict[str, Any]]:
    """Observed outcome rate against mean predicted probability in equal-width bins.

    Empty bins are kept (``n`` 0, rates None) so every table has the same rows.

    Args:
        outcome: 1 where the outcome happened (or the prediction was right), else 0.
        probability: The predicted probability of that outcome.
        bins: Number of bins over 0..1.

    Returns:
        One row per bin: ``bin`` (``"0.0-0.1"``), ``n``, ``mean_predicted``, ``observed_rate``.
    """
    outcome = np.asarray(outcome).astype(int).reshape(-1)
    probability = np.clip(np.asarray(probability, dtype=float).reshape(-1), 0.0, 1.0)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # the bin assignment of sklearn.calibration.calibration_curve(strategy="uniform")
    index = np.searchsorted(edges[1:-1], probability)
    table = []
    for number in range(bins):
        chosen = index == number
        count = int(chosen.sum())
        row = {"bin": f"{edges[number]:.1f}-{edges[number + 1]:.1f}", "n": count,
               "mean_predicted": None, "observed_rate": None}  # fmt: skip
        if count:
            row["mean_predicted"] = _round(probability[chosen].mean())
            row["observed_rate"] = _round(outcome[chosen].mean())
        table.append(row)
    return table


def calibration_table(kind: str, truth: np.ndarray, scores: np.ndarray) -> list[dict[str, Any]]:
    """The reliability table of one split: the positive class, or the top label.

    Args:
        kind: ``binary`` or ``multiclass``.
        truth: Encoded class indices.
        scores: Positive-class probabilities (binary) or class probabilities.

    Returns:
        For binary targets, observed positive rate per bin of predicted risk; for
        multi-class, the top-label table: how often the most probable class is right,
        per bin of its probability.
    """
    truth = np.asarray(truth).astype(int)
    if kind == "binary":
        return reliability_table(truth, np.asarray(scores).reshape(-1))
    scores = np.asarray(scores)
    return reliability_table(scores.argmax(axis=1) == truth, scores.max(axis=1))


def expected_calibration_error(table: list[dict[str, Any]]) -> float | None:
    """Mean absolute gap between predicted and observed rates, weighted by bin size."""
    total = sum(row["n"] for row in table)
    if total == 0:
        return None
    gap = sum(
        row["n"] * abs(row["mean_predicted"] - row["observed_rate"]) for row in table if row["n"]
    )
    return _round(gap / total)


def log_scores(kind: str, scores: np.ndarray) -> np.ndarray:
    """Log-odds (binary) or log-probabilities (multi-class) of clipped scores."""
    if kind == "binary":
        probability = np.clip(np.asarray(scores, dtype=float).reshape(-1), EPSILON, 1 - EPSILON)
        return np.log(probability) - np.log1p(-probability)
    return np.log(np.clip(np.asarray(scores, dtype=float), EPSILON, 1.0))


def apply_temperature(kind: str, scores: np.ndarray, temperature: float) -> np.ndarray:
    """Scores after dividing their log-odds / log-probabilities by ``temperature``.

    Returns:
        Scores shaped like ``scores`` (float32, as the model returns them).
    """
    from scipy.special import expit, softmax

    scaled = log_scores(kind, scores) / temperature
    if kind == "binary":
        return expit(scaled).reshape(np.shape(scores)).astype("float32")
    return softmax(scaled, axis=1).astype("float32")


def fit_temperature(kind: str, truth: np.ndarray, scores: np.ndarray) -> float:
    """The temperature that minimises the log-loss of ``scores`` (the validation split).

    Args:
        kind: ``binary`` or ``multiclass``.
        truth: Encoded class indices of the validation split.
        scores: The model's validation scores.

    Returns:
        The temperature, between 0.05 and 20 (1 means the scores were left as they were).
    """
    from scipy.optimize import minimize_scalar
    from sklearn.metrics import log_loss

    truth = np.asarray(truth).astype(int)
    labels = [0, 1] if kind == "binary" else list(range(np.shape(scores)[1]))

    def loss(log_temperature: float) -> float:
        scaled = apply_temperature(kind, scores, float(np.exp(log_temperature)))
        return log_loss(truth, np.clip(scaled, EPSILON, 1 - EPSILON), labels=labels)

    found = minimize_scalar(loss, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return round(float(np.exp(found.x)), 6)


def calibrated_model(model: keras.Model, kind: str, temperature: float) -> keras.Model:
    """``model`` followed by temperature scaling, built from built-in Keras layers and ops.

    The result loads with plain ``keras.saving.load_model`` in safe mode.
    """
    import keras
    from keras import layers, ops

    if kind == "binary":
        probability = ops.clip(model.output, EPSILON, 1 - EPSILON)
        logits, activation = ops.log(probability) - ops.log(1 - probability), "sigmoid"
    else:
        logits, activation = ops.log(ops.clip(model.output, EPSILON, 1.0)), "softmax"
    scaled = layers.Rescaling(1.0 / temperature, name=LAYER_NAME)(logits)
    output = layers.Activation(activation, name="calibrated", dtype="float32")(scaled)
    return keras.Model(model.inputs, output, name=f"{model.name}_calibrated")


def calibration_results(
    kind: str,
    truth: np.ndarray,
    scores: np.ndarray,
    before: np.ndarray | None = None,
    temperature: float | None = None,
) -> dict[str, Any]:
    """The ``calibration`` entry of ``metrics.json`` for the test split.

    Args:
        kind: ``binary`` or ``multiclass``.
        truth: Encoded test classes.
        scores: The test scores the run reports (calibrated when ``temperature`` is set).
        before: The test scores before temperature scaling, if it was applied.
        temperature: The fitted temperature, or None without ``--calibrate``.

    Returns:
        ``{"test": table, "ece": ..., "temperature": ..., "uncalibrated": {...}}``; the
        uncalibrated part (table, ``ece``, ``brier``, ``loss``) only with a temperature.
    """
    from pmtk.core.evaluation.metrics import evaluate

    table = calibration_table(kind, truth, scores)
    result: dict[str, Any] = {
        "test": table,
        "ece": expected_calibration_error(table),
        "method": "temperature" if temperature is not None else None,
        "temperature": temperature,
    }
    if before is not None:
        old_table = calibration_table(kind, truth, before)
        old = evaluate(kind, truth, before)
        result["uncalibrated"] = {
            "test": old_table,
            "ece": expected_calibration_error(old_table),
            "brier": old["brier"],
            "loss": old["loss"],
        }
    return result


def _round(value: float) -> float:
    return round(float(value), 6)
