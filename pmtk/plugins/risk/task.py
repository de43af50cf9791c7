"""The risk task: a disease-risk model on a tabular cohort (CSV, TSV or Parquet)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.task import RunContext, Task, TaskOption
from pmtk.plugins.risk.features import model_inputs

if TYPE_CHECKING:
    import keras
    import numpy as np
    import pandas as pd
    import tensorflow as tf

    from pmtk.plugins.risk.derivation import RiskDerivation


class RiskTask(Task):
    """Predicts an outcome (binary, multi-class or continuous) from one row per person."""

    name = "risk"
    description = "Disease-risk model on a tabular cohort (CSV, TSV, Parquet)."
    default_model = "mlp"
    default_encoder = "mlp"
    sample_data = "risk/cohort.csv"
    baseline_inputs = "the cohort's columns (imputed, standardised, categories one-hot)"
    options = (
        TaskOption(
            "target",
            str,
            None,
            "Outcome column (required with --data; the bundled sample uses 'disease').",
        ),
        TaskOption(
            "id_column", str, None, "Column of row ids: kept in predictions, never a feature."
        ),
        TaskOption("exclude", str, None, "Comma-separated columns to leave out."),
        TaskOption(
            "categorical", str, None, "Comma-separated columns to treat as categories (codes)."
        ),
        TaskOption("hidden_units", str, "64,32", "Widths of the MLP's hidden layers."),
        TaskOption("dropout_rate", float, 0.2, "Dropout after each hidden layer (mlp)."),
        TaskOption(
            "nonfinite_as_missing",
            bool,
            False,
            "Treat inf, -inf and numbers too large for a float (1e400) as missing values "
            "instead of stopping.",
        ),
        TaskOption(
            "time_column",
            str,
            None,
            "Survival outcome: follow-up time column (positive numbers, any unit); needs "
            "--event-column.",
        ),
        TaskOption(
            "event_column",
            str,
            None,
            "Survival outcome: event column (1/0, true/false, yes/no: event or censored).",
        ),
        TaskOption(
            "horizons",
            str,
            None,
            "Survival: comma-separated times for time-dependent AUROC, calibration and predicted "
            "survival (default: the median follow-up).",
        ),
        TaskOption(
            "importance_repeats",
            int,
            5,
            "Shuffles per column for permutation importance (0 skips importance.csv).",
        ),
    )

    def read(self, path: Path, context: RunContext, *, require_labels: bool = True) -> pd.DataFrame:
        """Reads a cohort file; see ``reading.training_examples`` and ``prediction_examples``."""
        from pmtk.plugins.risk.reading import prediction_examples, read_table, training_examples

        raw = read_table(Path(path), context)
        if require_labels:
            return training_examples(
                raw, context.options, str(path), group_column=context.group_column,
                subgroup_column=context.options.get("subgroup_column"),
            )  # fmt: skip
        return prediction_examples(raw, context.derived, str(path))

    def read_parts(
        self, path: Path, context: RunContext, *, require_labels: bool = True
    ) -> Iterator[pd.DataFrame]:
        """The cohort in parts when it is a Parquet, CSV or TSV file past
        ``PMTK_STREAMING_ROWS`` rows (a CSV's estimated from its first block) or a Parquet
        folder, each part's examples made as :meth:`read` makes a whole file's (see
        ``risk.cohort_parts``); else :meth:`read` as one part."""
        from pmtk.plugins.risk.cohort_parts import cohort_parts

        parts = cohort_parts(Path(path), context, require_labels=require_labels)
        if parts is None:
            yield self.read(path, context, require_labels=require_labels)
        else:
            yield from parts

    def load_model(self, path: Path):
        """Registers the risk model's custom layers and loss, then loads it."""
        import pmtk.plugins.risk.layers  # noqa: F401
        import pmtk.plugins.risk.losses  # noqa: F401

        return super().load_model(path)

    def derivation(self, context: RunContext) -> RiskDerivation:
        """The column schema and training statistics, accumulated part by part (see
        ``risk.derivation``)."""
        from pmtk.plugins.risk.derivation import RiskDerivation

        return RiskDerivation(context.options)

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """The column schema and training statistics the model's preprocessing is built from:
        :meth:`derivation` on one part.

        Also the columns the run used, so ``config.json`` records them: ``target`` (with
        the bundled sample's default resolved) and ``id_column`` (given or detected).
        """
        derivation = self.derivation(context)
        derivation.extend(train)
        return derivation.aggregate(context.targets)

    def dataset(
        self, examples: pd.DataFrame, targets: np.ndarray | None, context: RunContext
    ) -> tf.data.Dataset:
        """One dict of named raw column values per row (NaN / '' where missing)."""
        import tensorflow as tf

        inputs = model_inputs(examples, context.derived)
        if targets is None:
            return tf.data.Dataset.from_tensor_slices(inputs)
        return tf.data.Dataset.from_tensor_slices((inputs, targets))

    def compile_options(self, kind: str) -> dict[str, Any]:
        """Survival: the Cox partial likelihood (DeepSurv); other kinds: the loop's default."""
        if kind != "survival":
            return super().compile_options(kind)
        from pmtk.plugins.risk.losses import CoxPartialLikelihood

        return {"loss": CoxPartialLikelihood(), "metrics": []}

    def finish(self, model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
        """Brier score and calibration table (binary), and ``importance.csv``."""
        from pmtk.plugins.risk.report import finish

        return finish(self, model, context, splits)
