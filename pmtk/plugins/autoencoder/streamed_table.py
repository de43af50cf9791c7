"""The autoencoder on a feature table bigger than memory: read in batches, never loaded whole.

A Parquet, CSV or TSV file past ``PMTK_STREAMING_ROWS`` rows, or a folder of Parquet files
at any size, streams; smaller files keep the in-memory path (faster). One pass over the
table checks it (numeric features, finite values, ids present, split values) and counts the
rows of each split; splits come from a stable hash of the group, else the id, else the row
number (``pmtk.core.data.splits.hash_splits``). The model's statistics and PCA start come from
``autoencoder.streamed`` (one-pass moments, ``IncrementalPCA``) and its report from
``autoencoder.streamed_report``.

Repeated ids are refused within a batch of rows (:data:`pmtk.core.data.arrow_tables.BATCH_ROWS`),
not across the whole table: that would need every id in memory.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.options import RunOptions
from pmtk.core.contract.targets import Targets
from pmtk.core.data.arrow_tables import (
    carves_validation,
    open_table,
    open_table_in_parts,
    scan_batches,
)
from pmtk.core.data.sampling import IMPORTANCE_ROWS, Reservoir
from pmtk.core.data.splits import SPLITS, batch_splits
from pmtk.core.data.statistics import RunningMoments
from pmtk.core.data.tables import finite_values
from pmtk.core.errors import DataError, OptionError
from pmtk.core.loop.streamed import StreamedExamples
from pmtk.plugins.autoencoder.models import VARIANCE_FLOOR, check_options
from pmtk.plugins.autoencoder.reading import FEATURE_PREFIX, listed_names, numeric_features
from pmtk.plugins.autoencoder.sample import column_options

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import tensorflow as tf

    from pmtk.core.contract.task import RunContext

_TEXT = (".csv", ".tsv")


def open_features(path: Path, context: RunContext) -> StreamedFeatures | None:
    """The streamed feature table of ``path``, or None when the in-memory path reads it.

    Raises:
        DataError, OptionError: What the in-memory path would refuse (see the module).
    """
    if context.options.get("subgroup_column"):
        return None  # subgroups are computed on the in-memory table
    opened = open_table_in_parts(path, "add one row per sample")
    if opened is None:
        return None
    table, rows = opened
    options = {**context.options, **column_options(context.options, path)}
    if path.suffix.lower() in _TEXT:  # ids and groups stay as written, whatever they hold
        text = {options.get("id_column"), context.group_column, "split"} - {None}
        table = open_table(path, text)
    return StreamedFeatures(table, path, context, options, rows)


class StreamedFeatures(StreamedExamples):
    """A numeric feature table read batch by batch (see the module docstring)."""

    def __init__(
        self, table: Any, path: Path, context: RunContext, options: dict, rows: int
    ) -> None:
        self.table, self.data_path, self.source = table, path, str(path)
        self.options, self.estimated_rows = options, rows
        self.group_column = context.group_column
        self.row_label = ("line", 2) if path.suffix.lower() in _TEXT else ("row", 1)
        self.features = self._features(table.schema)
        self.carve = carves_validation(table)
        check_options(options, len(self.features), self.source)
        self.targets = Targets("reconstruction")
        self.nonfinite = 0  # values --nonfinite-as-missing turned missing in the first pass
        self.split_counts = self._scan()
        self.derived = {"features": list(self.features)} | column_options(context.options, path)

    def _features(self, schema: pa.Schema) -> list[str]:
        """The feature columns, with the in-memory path's checks and messages."""
        header = schema.empty_table().to_pandas()
        excluded = [c.strip() for c in (self.options.get("exclude") or "").split(",") if c.strip()]
        named = [("--id-column", self.options.get("id_column")),
                 ("--color-column", self.options.get("color_column"))]  # fmt: skip
        for flag, column in named + [("--exclude", column) for column in excluded]:
            if column is not None and column not in header.columns:
                raise OptionError(
                    f"{self.source} has no column '{column}' ({flag}); its columns are: "
                    f"{listed_names(header.columns)}."
                )
        group = self.group_column
        if group is not None and group not in header.columns:
            raise DataError(
                f"{self.source} has no column '{group}' (--group-column); its columns are: "
                f"{listed_names(header.columns)}."
            )
        aside = {*(column for _, column in named), *excluded, group, "split"}
        candidates = [c for c in header.columns if c not in aside]
        return numeric_features(candidates, header, self.source)

    # ------------------------------------------------------------------ reading batches

    def _columns(self) -> list[str]:
        names = self.table.schema.names
        extra = [self.options.get("id_column"), self.group_column, self.options.get("color_column")]
        extra += ["split"] if "split" in names else []
        return list(dict.fromkeys([*self.features, *(c for c in extra if c is not None)]))

    def decoded(self) -> Iterator[tuple[pd.DataFrame, np.ndarray, np.ndarray]]:
        """Every row, batch by batch in file order: ``id``, ``row`` and (when set) ``color``
        columns, the raw float64 feature matrix (NaN where missing) and each row's split."""
        offset = 0
        for batch in scan_batches(self.table, self._columns()):
            frame = self._frame(batch, offset)
            matrix = self._matrix(batch, offset)
            yield frame, matrix, self._splits(batch, frame, offset)
            offset += batch.num_rows

    def _frame(self, batch: pa.RecordBatch, offset: int) -> pd.DataFrame:
        import pandas as pd

        rows = np.arange(offset, offset + batch.num_rows)
        frame = pd.DataFrame({"id": self._ids(batch, offset), "row": rows})
        color = self.options.get("color_column")
        if color is not None:
            frame["color"] = batch.column(color).to_pandas()
        return frame

    def _ids(self, batch: pa.RecordBatch, offset: int) -> np.ndarray:
        import pandas as pd

        column = self.options.get("id_column")
        if column is None:
            return np.arange(offset + 1, offset + batch.num_rows + 1).astype(str)
        ids = batch.column(column).to_pandas()
        if ids.isna().any():
            row = offset + int(np.flatnonzero(ids.isna().to_numpy())[0])
            raise DataError(
                f"{self.source}: {self._where(row)} has no value in the id column '{column}'; "
                "give every row an id."
            )
        ids = ids.astype(str)
        repeated = np.flatnonzero(pd.Series(ids).duplicated().to_numpy())
        if len(repeated):  # within this batch only: see the module docstring
            row = int(repeated[0])
            first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
            raise DataError(
                f"{self.source}: {self._where(offset + row)} repeats the id of "
                f"{self._where(offset + first)} in column '{column}'; ids must be unique."
            )
        return ids.to_numpy()

    def _matrix(self, batch: pa.RecordBatch, offset: int) -> np.ndarray:
        import pandas as pd

        columns = [batch.column(name).to_numpy(zero_copy_only=False) for name in self.features]
        matrix = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
        infinite = np.isinf(matrix)
        if infinite.any():
            if self.options.get("nonfinite_as_missing"):
                self.nonfinite += int(infinite.sum())
                return np.where(infinite, np.nan, matrix)
            stand_in = pd.DataFrame(index=range(len(matrix)))
            stand_in.attrs["row_label"] = (self.row_label[0], self.row_label[1] + offset)
            finite_values(pd.DataFrame(matrix, columns=self.features), stand_in, self.source)
        return matrix

    def _splits(self, batch: pa.RecordBatch, frame: pd.DataFrame, offset: int) -> np.ndarray:
        fixed = batch.column("split").to_pandas() if "split" in batch.schema.names else None
        if self.group_column is not None:
            keys = batch.column(self.group_column).to_pandas().astype(str).to_numpy()
        else:  # the id, else the row number
            keys = frame["id"].to_numpy()
        return batch_splits(
            keys,
            self.options,
            fixed,
            lambda row: self._where(offset + row),
            self.source,
            carve=self.carve,
        )

    def _where(self, row: int) -> str:
        return f"{self.row_label[0]} {row + self.row_label[1]}"

    # ------------------------------------------------------------------ the checking pass

    def _scan(self) -> dict[str, int]:
        """One pass: checks every row, counts the splits, finds constant features."""
        from pmtk.core.runtime.progress import progress

        counts = dict.fromkeys(SPLITS, 0)
        moments = RunningMoments(len(self.features))
        batches = ((len(m), (f, m, s)) for f, m, s in self.decoded())
        for _, matrix, split in progress(batches, self.estimated_rows, "Checking the table",
                                         weights=True):  # fmt: skip
            moments.update(matrix)
            for name in SPLITS:
                counts[name] += int((split == name).sum())
        for name, count in counts.items():
            if count == 0:
                raise DataError(
                    f"{self.source}: the {name} split is empty; add rows (or groups), or fix "
                    "the 'split' column."
                )
        constant = [f for f, v in zip(self.features, moments.variance, strict=True)
                    if v <= VARIANCE_FLOOR]  # fmt: skip
        if constant:
            print(
                f"Warning: {self.source}: constant column(s) {listed_names(constant)} carry no "
                "information; they are kept, standardised to 0 and reconstructed as their mean.",
                file=sys.stderr,
            )
        if self.nonfinite:
            print(
                f"Note: {self.source}: {self.nonfinite} infinite or too large value(s) are "
                "treated as missing (--nonfinite-as-missing).",
                file=sys.stderr,
            )
        return counts

    # ------------------------------------------------------------------ what the loop reads

    def dataset(self, name: str, context: RunContext) -> tf.data.Dataset:
        """One split's unbatched ``(x, x)`` feature vectors (float32, NaN where missing)."""
        import tensorflow as tf

        def generate() -> Iterator[np.ndarray]:
            for _, matrix, split in self.decoded():
                part = matrix[split == name]
                if len(part):
                    yield part.astype(np.float32)

        spec = tf.TensorSpec((None, len(self.features)), tf.float32)
        rows = tf.data.Dataset.from_generator(generate, output_signature=spec).unbatch()
        # Known from the checking pass: Keras counts its steps, the statistics their rows.
        rows = rows.apply(tf.data.experimental.assert_cardinality(self.split_counts[name]))
        return rows.map(lambda x: (x, x))

    def batches(self, context: RunContext) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
        """Every row in batches: features, the same features as targets, split names."""
        for _, matrix, split in self.decoded():
            values = matrix.astype(np.float32)
            yield values, values, split

    def chunks(self, name: str, context: RunContext) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """One split's examples tables (``id``, ``row``, features) and features, by batches."""
        for frame, matrix, split in self.decoded():
            chosen = split == name
            if chosen.any():
                yield self._examples(frame[chosen], matrix[chosen]), matrix[chosen]

    def _examples(self, frame: pd.DataFrame, matrix: np.ndarray) -> pd.DataFrame:
        import pandas as pd

        columns = [f"{FEATURE_PREFIX}{name}" for name in self.features]
        values = pd.DataFrame(matrix, columns=columns, index=frame.index)
        return pd.concat([frame, values], axis=1).reset_index(drop=True)

    def sample(self, name: str) -> tuple[pd.DataFrame, np.ndarray]:
        """A seeded uniform sample of at most :data:`IMPORTANCE_ROWS` rows of a split (one
        pass over the table, made when asked)."""
        from pmtk.plugins.autoencoder.reading import feature_matrix

        reservoir = Reservoir(IMPORTANCE_ROWS, RunOptions.from_mapping(self.options).seed)
        for examples, _ in self.chunks(name, None):
            reservoir.add(examples)
        rows = reservoir.rows().reset_index(drop=True)
        return rows, feature_matrix(rows).astype(np.float64) if len(rows) else np.empty((0,))

    def test_groups(self) -> np.ndarray | None:
        """None: the autoencoder's intervals resample rows."""
        return None
