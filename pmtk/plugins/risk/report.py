"""What a risk run adds to the loop's outputs: Brier score, calibration table, importance.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.plugins.risk.features import FEATURE_PREFIX

if TYPE_CHECKING:
    import keras
    import pandas as pd

    from pmtk.core.task import RunContext, Task

CALIBRATION_BINS = 10


def _round(value: float) -> float:
    return round(float(value), 6)


def calibration_table(y_true: np.ndarray, risk: np.ndarray, bins: int = CALIBRATION_BINS) -> list:
    """Observed outcome rate against mean predicted risk in ``bins`` equal-width risk bins.

    Empty bins are kept (``n`` 0, rates None) so every table has the same rows.
    """
    from sklearn.calibration import calibration_curve

    observed, predicted = calibration_curve(y_true, risk, n_bins=bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, bins + 1)
    # the same bin assignment calibration_curve uses, to count the people per bin
    counts = np.bincount(np.searchsorted(edges[1:-1], risk), minlength=bins)
    rates = iter(zip(observed, predicted, strict=True))
    table = []
    for index, count in enumerate(counts):
        row = {"bin": f"{edges[index]:.1f}-{edges[index + 1]:.1f}", "n": int(count),
               "mean_predicted": None, "observed_rate": None}  # fmt: skip
        if count:
            rate, mean = next(rates)
            row |= {"mean_predicted": _round(mean), "observed_rate": _round(rate)}
        table.append(row)
    return table


class _Predictor:
    """Scores a frame of feature columns with the trained model, through ``Task.dataset``."""

    def __init__(self, task: Task, model: keras.Model, context: RunContext) -> None:
        self.task, self.model, self.context = task, model, context

    def fit(self, *args: Any) -> _Predictor:  # scikit-learn's scorer checks only that it exists
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        from pmtk.core.batching import batches

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


def finish(task: Task, model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
    """Adds ``brier`` (every split) and ``calibration`` (test) for binary targets, and
    writes ``importance.csv`` (permutation importance on the test split).

    Returns:
        Extra metrics per split name.
    """
    from sklearn.metrics import brier_score_loss

    kind, num_classes = _target_kind(context, splits)
    extra: dict[str, dict[str, Any]] = {}
    if kind == "binary":
        predictor = _Predictor(task, model, context)
        for name, split in splits.items():
            risk = predictor.predict(split.examples).reshape(-1)
            extra[name] = {"brier": _round(brier_score_loss(split.targets, risk))}
            if name == "test":
                extra[name]["calibration"] = calibration_table(split.targets, risk)
    if context.options.get("importance_repeats", 0) > 0:
        table = permutation_table(task, model, context, splits["test"], kind, num_classes)
        table.to_csv(context.run_dir / "importance.csv", index=False)
    return extra
