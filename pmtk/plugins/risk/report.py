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

from pmtk.plugins.risk.features import FEATURE_PREFIX

if TYPE_CHECKING:
    import keras
    import pandas as pd

    from pmtk.core.contract.task import RunContext, Task


class _Predictor:
    """Scores a frame of feature columns with the trained model, through ``Task.dataset``."""

    def __init__(self, task: Task, model: keras.Model, context: RunContext) -> None:
        self.task, self.model, self.context = task, model, context

    def fit(self, *args: Any) -> _Predictor:  # scikit-learn's scorer checks only that it exists
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        from pmtk.core.data.batching import batches

        dataset = self.task.dataset(frame, None, self.context)
        return self.model.predict(batches(dataset, self.context.options["batch_size"]), verbose=0)


def _scorer(kind: str, y_true: np.ndarray, num_classes: int) -> tuple[str, Any]:
    """The metric importance is measured on (higher is better) and a scorer for it."""
    from sklearn import metrics

    both = len(np.unique(y_true)) == num_classes
    if kind == "regression":
        return "r2", lambda model, x, y: metrics.r2_score(y, model.predict(x).reshape(-1))
    if kind == "binary" and both:
        return "auroc", lambda model, x, y: metrics.roc_auc_score(y, model.predict(x).reshape(-1))
    if kind == "multiclass" and both:
        return "macro_auroc", lambda model, x, y: metrics.roc_auc_score(
            y, model.predict(x), multi_class="ovr", average="macro"
        )
    labels = list(range(num_classes))

    def neg_log_loss(model, x, y) -> float:
        scores = model.predict(x)
        scores = np.column_stack([1 - scores[:, 0], scores[:, 0]]) if kind == "binary" else scores
        return -metrics.log_loss(y, np.clip(scores, 1e-7, 1), labels=labels)

    return "neg_log_loss", neg_log_loss


def permutation_table(
    task: Task, model: keras.Model, context: RunContext, split: Any, kind: str, num_classes: int
) -> pd.DataFrame:
    """Drop in the test metric when one raw column is shuffled, per feature column."""
    import pandas as pd
    from sklearn.inspection import permutation_importance

    columns = [c for c in split.examples.columns if c.startswith(FEATURE_PREFIX)]
    metric, scorer = _scorer(kind, split.targets, num_classes)
    result = permutation_importance(
        _Predictor(task, model, context),
        split.examples[columns],
        split.targets,
        scoring=scorer,
        n_repeats=context.options["importance_repeats"],
        random_state=context.options["seed"],
    )
    table = pd.DataFrame(
        {
            "feature": [c.removeprefix(FEATURE_PREFIX) for c in columns],
            "importance": result.importances_mean.round(6),
            "importance_std": result.importances_std.round(6),
            "metric": metric,
        }
    )
    return table.sort_values("importance", ascending=False, kind="stable")


def _target_kind(context: RunContext, splits: dict[str, Any]) -> tuple[str, int]:
    """The run's target kind and class count."""
    targets = context.targets
    return targets.kind, len(targets.class_names) or 1


def bounded_split(split: Any, seed: int, limit: int | None = None) -> Any:
    """The test split whole, or a seeded uniform sample of ``limit`` rows in file order.

    Args:
        split: A ``SplitData`` with ``examples`` and ``targets``.
        seed: The run's seed.
        limit: Rows kept at most (default ``pmtk.core.data.streaming.IMPORTANCE_ROWS``).
    """
    from dataclasses import replace

    from pmtk.core.data.streaming import IMPORTANCE_ROWS

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
    repeats = context.options.get("importance_repeats", 0)
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
