"""The clinical part of a run's evaluation: calibration, decision curve, operating point,
subgroups, curves and the confusion matrix, gathered for ``metrics.json``.

Each piece lives in its own module; this one decides which apply to a target kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pmtk.core.evaluation import calibration, curves, decision, subgroups


@dataclass
class Scored:
    """What the clinical evaluation needs of a run.

    Attributes:
        kind: ``binary``, ``multiclass`` or ``regression``.
        truth: Per split, encoded targets.
        scores: Per split, the scores the run reports (calibrated with ``--calibrate``).
        class_names: Class names in output order.
        baseline: The baseline's test scores, if the task has a baseline.
        before: Test scores before temperature scaling, if it was applied.
        temperature: The fitted temperature, if any.
        groups: Group (patient) of each test example, or None.
        subgroup_values: Subgroup of each test example, or None.
    """

    kind: str
    truth: dict[str, np.ndarray]
    scores: dict[str, np.ndarray]
    class_names: list[str]
    baseline: np.ndarray | None = None
    before: np.ndarray | None = None
    temperature: float | None = None
    groups: Any = None
    subgroup_values: np.ndarray | None = None


def clinical_results(
    scored: Scored,
    *,
    resamples: int,
    seed: int,
    target_sensitivity: float,
    subgroup_column: str | None,
) -> dict[str, Any]:
    """The ``metrics.json`` entries beside the split metrics.

    Args:
        scored: Targets and scores of the run.
        resamples: Bootstrap resamples for the intervals (the run's ``--bootstrap``).
        seed: Seed of the resampling.
        target_sensitivity: Sensitivity the binary operating point reaches on validation.
        subgroup_column: The column ``scored.subgroup_values`` came from, or None.

    Returns:
        Classification: ``calibration``, ``curves``, ``confusion_matrix`` and
        ``class_counts``; binary adds ``decision_curve`` and ``operating_point``; any
        kind adds ``subgroups`` when a subgroup column is set.
    """
    kind, truth, scores = scored.kind, scored.truth, scored.scores
    found: dict[str, Any] = {}
    if kind in ("binary", "multiclass"):
        found["calibration"] = calibration.calibration_results(
            kind, truth["test"], scores["test"], scored.before, scored.temperature
        )
        found["curves"] = {
            "test": curves.curve_results(kind, truth["test"], scores["test"], scored.baseline,
                                         groups=scored.groups, resamples=resamples, seed=seed)
        }  # fmt: skip
        found["confusion_matrix"] = {
            "test": curves.confusion(kind, truth["test"], scores["test"], scored.class_names)
        }
        found["class_counts"] = {
            name: _class_counts(values, scored.class_names) for name, values in truth.items()
        }
    if kind == "binary":
        found["decision_curve"] = {
            "test": decision.decision_curve(truth["test"], scores["test"], scored.baseline)
        }
        found["operating_point"] = decision.operating_point(
            truth, scores, float(target_sensitivity),
            groups=scored.groups, resamples=resamples, seed=seed,
        )  # fmt: skip
    if scored.subgroup_values is not None:
        found["subgroups"] = {
            "column": subgroup_column,
            "test": subgroups.subgroup_metrics(
                kind, scored.subgroup_values, truth["test"], scores["test"],
                groups=scored.groups, resamples=resamples, seed=seed,
            ),
        }  # fmt: skip
    return found


def _class_counts(values: np.ndarray, class_names: list[str]) -> dict[str, int]:
    counts = np.bincount(np.asarray(values).astype(int), minlength=len(class_names))
    return {name: int(count) for name, count in zip(class_names, counts, strict=True)}
