"""Permutation importance of a survival run: the drop in test C-index per shuffled column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.plugins.risk.features import FEATURE_PREFIX

if TYPE_CHECKING:
    import keras
    import pandas as pd

    from pmtk.core.contract.task import RunContext, Task


def c_index_scorer(model: Any, x: Any, y: np.ndarray) -> float:
    """Harrell's C-index (lifelines) of the model's risk scores; higher is better."""
    from lifelines.utils import concordance_index

    return concordance_index(y[:, 0], -np.ravel(model.predict(x)), y[:, 1])


def survival_importance(task: Task, model: keras.Model, context: RunContext,
                        split: Any) -> pd.DataFrame:  # fmt: skip
    """``importance.csv`` of a survival run: the usual columns, metric ``c_index``."""
    import pandas as pd
    from sklearn.inspection import permutation_importance

    from pmtk.plugins.risk.importance import Predictor

    columns = [c for c in split.examples.columns if c.startswith(FEATURE_PREFIX)]
    result = permutation_importance(
        Predictor(task, model, context), split.examples[columns],
        np.asarray(split.targets, dtype=float), scoring=c_index_scorer,
        n_repeats=context.options["importance_repeats"], random_state=context.options["seed"],
    )  # fmt: skip
    table = pd.DataFrame({"feature": [c.removeprefix(FEATURE_PREFIX) for c in columns],
                          "importance": result.importances_mean.round(6),
                          "importance_std": result.importances_std.round(6),
                          "metric": "c_index"})  # fmt: skip
    return table.sort_values("importance", ascending=False, kind="stable")
