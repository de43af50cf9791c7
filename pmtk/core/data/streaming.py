"""Tables bigger than memory: Parquet/CSV read in batches, hash splits, streaming statistics.

The in-memory path (pandas into ``from_tensor_slices``) stays the default for small tables,
where it is faster. This module holds the pieces a task uses when the table does not fit:

- :func:`open_table`: a ``pyarrow.dataset`` over one file or a folder of Parquet files, with
  schemas checked to agree across files; a CSV/TSV file gets fixed column types (see
  :func:`csv_format`) so that a later block cannot disagree with the first one;
- :func:`table_rows`: the row count that decides whether a table streams (a CSV's is estimated);
- :func:`hash_splits`: train/val/test by a stable hash of the id or group, so no table is kept;
- :class:`RunningMoments` and :func:`category_counts`: means, variances and vocabularies
  from one pass over the training rows;
- :func:`incremental_pca`: scikit-learn's ``IncrementalPCA`` fitted batch by batch;
- :func:`tf_batches`: a ``tf.data.Dataset`` that streams one split's rows;
- :func:`bounded_sample`: at most ``limit`` rows of a split for permutation importance;
- :func:`streaming_threshold` and :func:`streams`: when a task leaves its in-memory path.

Peak memory depends on the batch size, not on the number of rows.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data import csv_blocks as streaming_csv
from pmtk.core.data.csv_blocks import csv_error, missing_markers  # noqa: F401  (importable here)
from pmtk.core.data.splits import batch_splits, column_names_validation, hash_splits  # noqa: F401
from pmtk.core.errors import DataError, OptionError
from pmtk.core.runtime.progress import progress

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds

#: Rows per batch read from disk.
BATCH_ROWS = 65_536
#: Batches and files pyarrow reads ahead: small, so memory does not grow with the file count.
READAHEAD = {"batch_readahead": 2, "fragment_readahead": 1}
#: Permutation importance uses at most this many test rows (stated in metrics.json).
IMPORTANCE_ROWS = 10_000
#: Environment variable giving the row threshold (``0`` streams every run, as tests do).
THRESHOLD_VARIABLE = "PMTK_STREAMING_ROWS"
#: Tables (or training splits) with more rows than this stream; fewer stay in memory.
DEFAULT_THRESHOLD = 200_000
_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv"}
#: Bytes of a CSV/TSV read to infer its column types and estimate its rows (one pyarrow block).
CSV_BLOCK_BYTES = 1 << 20


def streaming_threshold() -> int:
    """The row count above which tasks stream instead of loading (``PMTK_STREAMING_ROWS``).

    Raises:
        OptionError: The variable is set to something other than a whole number >= 0.
    """
    text = os.environ.get(THRESHOLD_VARIABLE, "").strip()
    if not text:
        return DEFAULT_THRESHOLD
    if not text.isdigit():
        raise OptionError(
            f"{THRESHOLD_VARIABLE} must be a whole number of rows (0 or more); got '{text}'. "
            f"Unset it to use the default, {DEFAULT_THRESHOLD:,}."
        )
    return int(text)


def streams(rows: int) -> bool:
    """True when ``rows`` rows are past :func:`streaming_threshold` (so they stream)."""
    return rows > streaming_threshold()


def open_table(path: Path, text_columns: Collection[str] = ()) -> ds.Dataset:
    """A ``pyarrow.dataset`` over a Parquet/CSV/TSV file or a folder of Parquet files.

    Args:
        path: The file or folder.
        text_columns: Columns of a CSV/TSV read as text whatever they hold (ids, groups,
            columns named categorical); ignored for Parquet, whose types are written down.

    Raises:
        DataError: Unknown format, files of one dataset whose schemas differ (names the
            file and the column), or a CSV/TSV whose header cannot be read.
    """
    import pyarrow.dataset as ds

    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".parquet", ".pq"))
        if not files:
            raise DataError(f"{path} holds no .parquet files; pass a file or a Parquet folder.")
        _check_schemas(files)
        return ds.dataset([str(f) for f in files], format=_parquet_format())
    if suffix not in _FORMATS:
        raise DataError(f"{path} is not CSV, TSV or Parquet; convert it to one of them.")
    if _FORMATS[suffix] == "parquet":
        return ds.dataset(str(path), format=_parquet_format())
    return ds.dataset(str(path), format=csv_format(path, text_columns))


#: File endings a task streams (besides a folder of Parquet files).
STREAMED_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv")


def open_streamed_table(path: Path, empty: str) -> tuple[ds.Dataset, int] | None:
    """The table of ``path`` and its row count when it streams, else None (the task's
    in-memory reader then reads it, and says what is wrong with a file it cannot read).

    A folder of Parquet files always streams; a Parquet, CSV or TSV file past
    :func:`streaming_threshold` rows.

    Args:
        path: The ``--data`` path.
        empty: The end of the sentence for a table without rows ("add one row per sample").

    Raises:
        DataError: A Parquet folder that cannot be read, or a streamed table without rows.
    """
    import pyarrow as pa

    folder = path.is_dir()
    if folder and not any(p.suffix.lower() in (".parquet", ".pq") for p in path.rglob("*")):
        return None
    if not (folder or path.suffix.lower() in STREAMED_SUFFIXES):
        return None
    try:
        table = open_table(path)
        rows = table_rows(table)
    except (OSError, pa.ArrowException, DataError) as error:
        if not folder:
            return None
        raise DataError(f"{path} holds a Parquet file that cannot be read ({error}).") from None
    if not folder and not streams(rows):
        return None
    if rows == 0:
        raise DataError(f"{path} has no data rows; {empty}.")
    return table, rows


def table_rows(table: ds.Dataset) -> int:
    """Rows of a table, to decide whether it streams: exact for Parquet (file metadata),
    estimated for a CSV/TSV bigger than :data:`CSV_BLOCK_BYTES`.

    Counting a CSV's rows is a pass over the whole file, as long as the statistics pass
    itself; the rows per byte of its first block times its size is enough to tell 50,000
    from 5 million rows. A file of one block is counted exactly, so small files (and tests)
    decide on the true count.
    """
    import pyarrow.dataset as ds

    if not isinstance(table.format, ds.CsvFileFormat):
        return table.count_rows()
    return streaming_csv.estimated_rows(table, CSV_BLOCK_BYTES)


def csv_format(path: Path, text_columns: Collection[str] = ()) -> ds.CsvFileFormat:
    """How a CSV/TSV file streams, in blocks of :data:`CSV_BLOCK_BYTES`
    (:func:`pmtk.core.data.csv_blocks.csv_format`)."""
    return streaming_csv.csv_format(path, text_columns, block_bytes=CSV_BLOCK_BYTES)


def _parquet_format() -> ds.ParquetFileFormat:
    """Parquet read without ``pre_buffer``: with it, pyarrow buffers the column chunks of
    many row groups ahead of the reader, so memory grew with the file (peak pool 229 MB for
    2M rows vs 42 MB for 200k; 50 vs 27 MB without it)."""
    import pyarrow.dataset as ds

    options = ds.ParquetFragmentScanOptions(pre_buffer=False)
    return ds.ParquetFileFormat(default_fragment_scan_options=options)


def _check_schemas(files: list[Path]) -> None:
    import pyarrow.parquet as pq

    first = pq.read_schema(files[0])
    for file in files[1:]:
        schema = pq.read_schema(file)
        for field in first:
            if field.name not in schema.names:
                raise DataError(
                    f"{file} has no column '{field.name}', which {files[0].name} has; every "
                    "Parquet file of one dataset needs the same columns."
                )
            other = schema.field(field.name).type
            if other != field.type:
                raise DataError(
                    f"{file}: column '{field.name}' is {other}, but {field.type} in "
                    f"{files[0].name}; write every file of the dataset with the same types."
                )
        extra = sorted(set(schema.names) - set(first.names))
        if extra:
            raise DataError(
                f"{file} has column(s) {', '.join(extra)} that {files[0].name} lacks; every "
                "Parquet file of one dataset needs the same columns."
            )


def record_batches(
    table: ds.Dataset, columns: list[str], description: str | None = None
) -> Iterator[pa.RecordBatch]:
    """The table's rows in batches of at most :data:`BATCH_ROWS`, with a progress display."""
    batches = scan_batches(table, columns)
    if description is None:
        yield from batches
        return
    total = table_rows(table)
    yield from progress(((b.num_rows, b) for b in batches), total, description, weights=True)


def scan_batches(table: ds.Dataset, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """The table's columns in batches of at most :data:`BATCH_ROWS`, in file order.

    Parquet files are read one after the other with ``ParquetFile.iter_batches``, without
    ``pre_buffer``: the dataset scanner reads row groups ahead of a slow consumer regardless
    of ``batch_readahead``, so its memory grew with the file (pyarrow pool peak 26 MB for 200k
    rows, 153 MB for 2M behind a consumer as slow as a training step; 57 MB for both here).
    """
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if isinstance(table.format, ds.CsvFileFormat):
        yield from streaming_csv.csv_batches(table, columns, BATCH_ROWS, READAHEAD)
        return
    if not isinstance(table.format, ds.ParquetFileFormat):
        yield from table.to_batches(columns=columns, batch_size=BATCH_ROWS, **READAHEAD)
        return
    for file in table.files:
        reader = pq.ParquetFile(file, pre_buffer=False)
        try:
            yield from reader.iter_batches(batch_size=BATCH_ROWS, columns=columns)
        finally:
            reader.close()


def carves_validation(table: ds.Dataset) -> bool:
    """Whether the table's ``split`` column names no validation row, so that
    :func:`pmtk.core.data.splits.carve_validation` applies to every part (a pass over that
    one column, stopped at the first validation row)."""
    if "split" not in table.schema.names:
        return False
    batches = scan_batches(table, ["split"])
    return not column_names_validation(batch.column("split").to_pandas() for batch in batches)


class RunningMoments:
    """Count, mean and variance per column, updated batch by batch (missing values skipped).

    Uses Chan et al.'s parallel update, so batches of any size give the one-pass result of
    ``np.nanmean`` and ``np.nanvar`` up to rounding.
    """

    def __init__(self, columns: int) -> None:
        self.count = np.zeros(columns)
        self.mean = np.zeros(columns)
        self.m2 = np.zeros(columns)

    def update(self, batch: np.ndarray) -> None:
        """Adds the rows of a 2-D float array."""
        batch = np.asarray(batch, dtype=np.float64)
        observed = np.isfinite(batch)
        count = observed.sum(axis=0)
        safe = np.where(observed, batch, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, safe.sum(axis=0) / np.maximum(count, 1), 0.0)
            m2 = (np.where(observed, batch - mean, 0.0) ** 2).sum(axis=0)
        total = self.count + count
        delta = mean - self.mean
        share = np.divide(count, total, out=np.zeros_like(total), where=total > 0)
        self.mean = self.mean + delta * share
        self.m2 = self.m2 + m2 + delta**2 * self.count * share
        self.count = total

    @property
    def variance(self) -> np.ndarray:
        """Population variance per column (0 where fewer than 2 values were seen)."""
        return np.divide(self.m2, self.count, out=np.zeros_like(self.m2), where=self.count > 1)


def category_counts(batches: Iterator[Any], column: str, limit: int = 1000) -> Counter:
    """Value counts of a text column over batches (at most ``limit`` distinct values kept)."""
    counts: Counter = Counter()
    for batch in batches:
        values = batch.column(column).to_pylist()
        counts.update(str(v) for v in values if v is not None)
        if len(counts) > 10 * limit:
            counts = Counter(dict(counts.most_common(limit)))
    return Counter(dict(counts.most_common(limit)))


def incremental_pca(batches: Iterator[np.ndarray], components: int) -> Any:
    """``IncrementalPCA`` fitted batch by batch (batches smaller than ``components`` are merged).

    Returns:
        The fitted ``sklearn.decomposition.IncrementalPCA``.
    """
    from sklearn.decomposition import IncrementalPCA

    pca = IncrementalPCA(n_components=components)
    pending: list[np.ndarray] = []
    for batch in batches:
        pending.append(np.asarray(batch, dtype=np.float64))
        if sum(len(p) for p in pending) >= max(components, 2):
            pca.partial_fit(np.concatenate(pending))
            pending = []
    if pending and sum(len(p) for p in pending) >= components:
        pca.partial_fit(np.concatenate(pending))
    return pca


def tf_batches(
    table: ds.Dataset,
    features: list[str],
    target: str | None,
    split: tuple[str, str, dict[str, float], int] | None = None,
) -> Any:
    """An unbatched ``tf.data.Dataset`` of ``(features, target)`` streamed from disk.

    Args:
        table: From :func:`open_table`.
        features: Numeric feature columns (missing values become NaN).
        target: The target column, or None for features only.
        split: ``(key_column, name, {"val": f, "test": f}, seed)`` to keep one split's rows.
    """
    import tensorflow as tf

    columns = features + ([target] if target else []) + ([split[0]] if split else [])

    def generate() -> Iterator[Any]:
        for batch in scan_batches(table, list(dict.fromkeys(columns))):
            keep = np.ones(batch.num_rows, dtype=bool)
            if split is not None:
                key, name, fractions, seed = split
                keep = hash_splits(batch.column(key).to_numpy(zero_copy_only=False),
                                   val_fraction=fractions["val"],
                                   test_fraction=fractions["test"], seed=seed) == name  # fmt: skip
            matrix = np.column_stack([_floats(batch.column(c))[keep] for c in features]).astype(
                np.float32
            )
            if target is None:
                yield matrix
            else:
                yield matrix, _floats(batch.column(target))[keep].astype(np.float32)

    width = len(features)
    matrix_spec = tf.TensorSpec((None, width), tf.float32)
    signature = matrix_spec if target is None else (matrix_spec, tf.TensorSpec((None,), tf.float32))
    return tf.data.Dataset.from_generator(generate, output_signature=signature).unbatch()


def _floats(column: Any) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def bounded_sample(
    rows: Iterator[np.ndarray], limit: int = IMPORTANCE_ROWS, seed: int = 0
) -> np.ndarray:
    """At most ``limit`` rows drawn uniformly from a stream (reservoir sampling by batch)."""
    rng = np.random.default_rng(seed)
    kept: np.ndarray | None = None
    keys: np.ndarray | None = None
    for batch in rows:
        batch_keys = rng.random(len(batch))
        if kept is None:
            kept, keys = batch, batch_keys
        else:
            kept, keys = np.concatenate([kept, batch]), np.concatenate([keys, batch_keys])
        if len(kept) > limit:
            order = np.argsort(keys)[:limit]
            kept, keys = kept[order], keys[order]
    return np.empty((0,)) if kept is None else kept


class Reservoir:
    """At most ``limit`` rows of a stream of tables, drawn uniformly (seeded), in stream order.

    Each row gets a random key and the ``limit`` smallest keys are kept, so the sample is
    uniform whatever the batch sizes; memory stays below twice ``limit`` rows.
    """

    def __init__(self, limit: int, seed: int) -> None:
        self.limit = limit
        self.rng = np.random.default_rng(seed)
        self.parts: list[Any] = []
        self.keys: list[np.ndarray] = []

    def add(self, frame: Any) -> None:
        """Offers every row of a ``pandas.DataFrame``."""
        self.parts.append(frame)
        self.keys.append(self.rng.random(len(frame)))
        if sum(len(k) for k in self.keys) > 2 * self.limit:
            self._prune()

    def _prune(self) -> None:
        import pandas as pd

        frame = pd.concat(self.parts, ignore_index=True)
        keys = np.concatenate(self.keys)
        keep = np.sort(np.argsort(keys, kind="stable")[: self.limit])
        self.parts, self.keys = [frame.iloc[keep].reset_index(drop=True)], [keys[keep]]

    def rows(self) -> Any:
        """The sample as one ``pandas.DataFrame`` (empty when nothing was offered)."""
        import pandas as pd

        if not self.parts:
            return pd.DataFrame()
        self._prune()
        return self.parts[0]
