"""Permutation importance: the drop in a test metric when one feature column is shuffled.

The model is scored through ``Task.dataset`` (:class:`Predictor`), so a shuffled column goes
through the same in-model preprocessing as at training.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.plugins.risk.features import FEATURE_PREFIX

if TYPE_CHECKING:
    import keras
    import pandas as pd

    from pmtk.core.contract.task import RunContext, Task


class Predictor:
    """Scores a frame of feature columns with the trained model, through ``Task.dataset``."""

    def __init__(self, task: Task, model: keras.Model, context: RunContext) -> None:
        self.task, self.model, self.context = task, model, context

    def fit(self, *args: Any) -> Predictor:  # scikit-learn's scorer checks only that it exists
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The model's scores of the rows of ``frame``."""
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
        Predictor(task, model, context),
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
