"""The shape of every predictions table: ``predictions.csv`` and ``pmtk predict``'s output.

Below the task contract: :meth:`pmtk.core.contract.task.Task.prediction_frame` uses it, and so does
the loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.contract.targets import Targets


def prediction_frame(
    ids: pd.Series, scores: np.ndarray, targets: Targets, labels: pd.Series | None = None
) -> pd.DataFrame:
    """One row per example: ``id``, ``label`` (if known), ``predicted`` and scores.

    Binary: ``score`` is the probability of the positive class. Multiclass:
    ``score`` is the probability of the predicted class, plus ``p_<class>``
    columns. Regression: ``predicted`` is the value. Survival: see :func:`survival_columns`.
    """
    import pandas as pd

    frame = pd.DataFrame({"id": ids.to_numpy()})
    if targets.kind == "survival":
        return survival_columns(frame, scores, targets, labels)
    if labels is not None:
        frame["label"] = labels.to_numpy()
    if targets.kind == "binary":
        probability = scores.reshape(-1)
        frame["predicted"] = np.where(probability >= 0.5, *targets.class_names[::-1])
        frame["score"] = probability.round(6)
    elif targets.kind == "multiclass":
        frame["predicted"] = np.array(targets.class_names)[scores.argmax(axis=1)]
        frame["score"] = scores.max(axis=1).round(6)
        for index, name in enumerate(targets.class_names):
            frame[f"p_{name}"] = scores[:, index].round(6)
    else:
        frame["predicted"] = scores.reshape(len(frame), -1)[:, 0]
    return frame


def survival_columns(
    frame: pd.DataFrame, scores: np.ndarray, targets: Targets, labels: pd.Series | None
) -> pd.DataFrame:
    """Survival predictions: ``time`` and ``event`` (if known), ``risk_score`` (the log
    relative hazard: higher means an earlier event) and ``survival_<h>``, the predicted
    probability of being event-free at each horizon ``h`` (Breslow baseline hazard).
    """
    from pmtk.core.contract.targets import is_survival
    from pmtk.core.evaluation.survival import survival_probability

    if labels is not None and is_survival(labels):
        frame["time"] = [label.time for label in labels]
        frame["event"] = [label.event for label in labels]
    eta = np.asarray(scores, dtype=float).reshape(-1)
    frame["risk_score"] = eta.round(6)
    info = targets.survival or {}
    if info.get("baseline_hazard"):
        probabilities = survival_probability(info["baseline_hazard"], eta, info["horizons"])
        for index, horizon in enumerate(info["horizons"]):
            frame[f"survival_{horizon:g}"] = probabilities[:, index].round(6)
    return frame
