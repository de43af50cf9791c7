"""The autoencoder task: compresses a numeric feature table to a small code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.task import RunContext, Task, TaskOption
from pmtk.plugins.autoencoder.sample import SAMPLE_DATA, column_options

if TYPE_CHECKING:
    import keras
    import numpy as np
    import pandas as pd

    from pmtk.core.contract.derivation import Derivation


class AutoencoderTask(Task):
    """Learns a code of ``--latent-dim`` numbers per row that reconstructs the row's features."""

    name = "autoencoder"
    description = "Compresses a feature table (CSV, TSV, Parquet) to a small code, vs PCA."
    default_model = "pca_residual"
    target_kind = "reconstruction"
    sample_data = SAMPLE_DATA
    options = (
        TaskOption(
            "id_column",
            str,
            None,
            "Column of row ids kept with the codes (default: row number; sample_id for the "
            "bundled sample).",
        ),
        TaskOption(
            "color_column",
            str,
            None,
            "Column colouring the code plot; not a feature (default: none; cell_type for the "
            "bundled sample).",
        ),
        TaskOption("exclude", str, None, "Comma-separated columns that are not features."),
        TaskOption("latent_dim", int, 16, "Size of the code (at most the number of features)."),
        TaskOption(
            "hidden_units",
            str,
            "128,64",
            "Encoder hidden layer sizes, comma-separated; the decoder mirrors them.",
        ),
        TaskOption(
            "nonfinite_as_missing",
            bool,
            False,
            "Treat inf, -inf and numbers too large for a float (1e400) as missing values "
            "instead of stopping.",
        ),
        TaskOption(
            "denoise",
            float,
            0.0,
            "Std of Gaussian noise added to standardised inputs while training (0: off).",
        ),
    )

    def load_model(self, path: Path):
        """Registers the autoencoder's custom layers, then loads it."""
        import pmtk.plugins.autoencoder.layers  # noqa: F401

        return super().load_model(path)

    def read(self, path: Path, context: RunContext, *, require_labels: bool = True):
        """Reads the table; features are all numeric columns (training) or the run's (predict)."""
        from pmtk.plugins.autoencoder import reading
        from pmtk.plugins.autoencoder.models import check_options

        table = reading.read_table(path, context)
        options, derived = context.options, context.derived
        if not require_labels and derived.get("features"):
            id_column = options.get("id_column") or derived.get("id_column")
            return reading.prediction_examples(table, str(path), derived["features"], id_column)
        options = {**options, **column_options(options, path)}  # a copy: the context is read-only
        examples = reading.training_examples(
            table, str(path), options, group_column=context.group_column
        )
        check_options(options, len(reading.feature_names(examples)), str(path))
        return examples

    def read_parts(
        self, path: Path, context: RunContext, *, require_labels: bool = True
    ) -> Iterator[pd.DataFrame]:
        """The table part by part when it is a Parquet, CSV or TSV file past
        ``PMTK_STREAMING_ROWS`` rows or a folder of Parquet files (see
        ``autoencoder.table_parts``); else :meth:`read` as one part."""
        from pmtk.plugins.autoencoder.table_parts import table_in_parts

        parts = table_in_parts(Path(path), context, require_labels=require_labels)
        if parts is None:
            yield self.read(path, context, require_labels=require_labels)
        else:
            yield from parts

    def derivation(self, context: RunContext) -> Derivation:
        """Feature names, means, variances and the PCA of the training rows, learned part by
        part (``autoencoder.derivation``)."""
        from pmtk.plugins.autoencoder.derivation import FeatureDerivation

        return FeatureDerivation(context)

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """:meth:`derivation` on one part: the feature columns, in order, the id and colour
        columns the run used, the standardisation and the PCA.

        ``pmtk predict`` reads the features and ids with them; ``config.json`` records the
        bundled sample's column defaults here, as resolved.
        """
        derivation = self.derivation(context)
        derivation.extend(train)
        return derivation.aggregate(context.targets)

    def dataset(self, examples: pd.DataFrame, targets: Any, context: RunContext):
        """Unbatched raw feature vectors (float32, NaN where missing)."""
        import tensorflow as tf

        from pmtk.plugins.autoencoder.reading import feature_matrix

        return tf.data.Dataset.from_tensor_slices(feature_matrix(examples))

    def compile_options(self, kind: str) -> dict[str, Any]:
        """No compiled loss: the model's ``ReconstructionLoss`` layer adds it.

        That loss is the mean squared error on the standardised scale over observed
        entries; it needs the standardised input and its missing-value mask, which
        exist only inside the model, so the raw targets Keras would pass are unused.
        """
        return {"loss": None, "metrics": []}

    def prediction_frame(
        self,
        examples: pd.DataFrame,
        scores: dict[str, np.ndarray],
        targets: Any,
        labels: pd.Series | None,
    ) -> pd.DataFrame:
        """``id`` and the codes ``z1..zk`` of every row."""
        from pmtk.plugins.autoencoder.codes import code_frame

        return code_frame(examples["id"], scores["code"])

    def finish(self, model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
        """Writes embeddings.csv, encoder.keras and codes.png; returns the metrics vs PCA."""
        from pmtk.plugins.autoencoder.report import finish

        return finish(model, context, splits)
