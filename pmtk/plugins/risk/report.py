"""What a risk run adds to the loop's outputs: importance.csv (permutation importance).

The Brier score and the calibration table come from the core for every classification
task (``pmtk.core.evaluation.calibration``), so risk has no calibration code of its own. Importance
is measured on at most ``IMPORTANCE_ROWS`` test rows (a seeded uniform sample, the number
stated in ``metrics.json``): each column is predicted ``--importance-repeats`` times, so on
every test row this work would outlast training on a large cohort.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.plugins.risk.importance import permutation_table

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.task import RunContext, Task


def _target_kind(context: RunContext, splits: dict[str, Any]) -> tuple[str, int]:
    """The run's target kind and class count."""
    targets = context.targets
    return targets.kind, len(targets.class_names) or 1


def bounded_split(split: Any, seed: int, limit: int | None = None) -> Any:
    """The test split whole, or a seeded uniform sample of ``limit`` rows in file order.

    Args:
        split: A ``SplitData`` with ``examples`` and ``targets``.
        seed: The run's seed.
        limit: Rows kept at most (default ``pmtk.core.data.sampling.IMPORTANCE_ROWS``).
    """
    from dataclasses import replace

    from pmtk.core.data.sampling import IMPORTANCE_ROWS

    limit = IMPORTANCE_ROWS if limit is None else limit
    if len(split.examples) <= limit:
        return split
    keep = np.sort(np.random.default_rng(seed).choice(len(split.examples), limit, replace=False))
    examples = split.examples.iloc[keep].reset_index(drop=True)
    return replace(split, examples=examples, targets=np.asarray(split.targets)[keep])


def finish(task: Task, model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
    """Writes ``importance.csv`` (permutation importance on at most 10,000 test rows).

    Returns:
        ``{"importance": {"rows": N, "repeats": R}}``: the test rows importance used. Brier
        score and calibration are the core's, as for every task.
    """
    kind, num_classes = _target_kind(context, splits)
    repeats = context.options.task_option("importance_repeats")
    if repeats <= 0:
        return {}
    test = bounded_split(splits["test"], context.options["seed"])
    if kind == "survival":
        from pmtk.plugins.risk.survival_importance import survival_importance

        table = survival_importance(task, model, context, test)
    else:
        table = permutation_table(task, model, context, test, kind, num_classes)
    table.to_csv(context.run_dir / "importance.csv", index=False)
    return {"importance": {"rows": len(test.examples), "repeats": repeats}}
