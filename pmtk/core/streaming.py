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
import re
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.errors import DataError, OptionError
from pmtk.core.progress import progress

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
_CONVERSION = re.compile(
    r"CSV column #(?P<column>\d+): (?:Row #(?P<row>\d+): )?CSV conversion error to "
    r"(?P<type>\w+): invalid value '(?P<value>.*)'"
)


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
    file = table.files[0]
    size = os.path.getsize(file)
    options = table.format.default_fragment_scan_options
    first = _first_block(file, options.read_options, table.format.parse_options,
                         options.convert_options)  # fmt: skip
    if size <= CSV_BLOCK_BYTES:
        return first.num_rows
    return round(first.num_rows * size / CSV_BLOCK_BYTES)


def missing_markers() -> list[str]:
    """The cell texts read as missing: pandas' defaults and ``tables.EXTRA_MISSING``, as the
    in-memory CSV reader has them."""
    from pandas._libs.parsers import STR_NA_VALUES

    from pmtk.core.tables import EXTRA_MISSING

    return sorted(set(STR_NA_VALUES) | set(EXTRA_MISSING))


def csv_format(path: Path, text_columns: Collection[str] = ()) -> ds.CsvFileFormat:
    """How a CSV/TSV file streams: its separator, header and one fixed type per column.

    pyarrow infers types from the first block, and a later block can disagree (an integer
    column holding 3.5 further down, a column empty at the top). So the types are fixed:
    a column numeric in the first block is read as float64, a column empty there takes
    the type of its first value further down, dates keep their type (tasks leave them
    out), everything else and ``text_columns`` are read as text. A text value in a numeric
    column then stops the read with :func:`csv_error`. Missing values are read as the
    in-memory reader reads them (:func:`missing_markers`).

    Raises:
        DataError: The file is empty, binary, or its header names a column twice.
    """
    import pyarrow as pa
    import pyarrow.csv as csv
    import pyarrow.dataset as ds
    import pyarrow.types as types

    from pmtk.core import tables

    head = tables._head(path)
    encoding = tables._encoding(head)
    header = head.decode(encoding, errors="ignore").splitlines()[0]
    separator = tables._separator(path, header)
    names = tables._header_names(header, separator)
    tables._check_header_names(path, names)
    read = csv.ReadOptions(column_names=names, skip_rows=1, block_size=CSV_BLOCK_BYTES,
                           encoding="utf8" if encoding == "utf-8-sig" else encoding)  # fmt: skip
    parse = csv.ParseOptions(delimiter=separator)
    missing = {"null_values": missing_markers(), "strings_can_be_null": True}
    inferred = _first_block(path, read, parse, csv.ConvertOptions(**missing)).schema
    kinds, empty = {}, []
    for field in inferred:
        if field.name in text_columns:
            kinds[field.name] = pa.string()
        elif types.is_integer(field.type) or types.is_floating(field.type):
            kinds[field.name] = pa.float64()
        elif types.is_null(field.type):
            empty.append(field.name)
        elif types.is_temporal(field.type):
            kinds[field.name] = field.type
        else:
            kinds[field.name] = pa.string()
    kinds |= _typed_by_first_value(path, empty, read, parse, missing)
    convert = csv.ConvertOptions(column_types=kinds, **missing)
    return ds.CsvFileFormat(parse_options=parse, read_options=read, convert_options=convert)


def _first_block(path, read, parse, convert) -> pa.RecordBatch:
    """The first block of a CSV/TSV file as pyarrow reads and types it."""
    import pyarrow as pa
    import pyarrow.csv as csv

    try:
        with csv.open_csv(path, read_options=read, parse_options=parse,
                          convert_options=convert) as reader:  # fmt: skip
            batch = reader.read_next_batch()
    except StopIteration:
        return pa.record_batch([pa.array([], pa.null()) for _ in read.column_names],
                               names=read.column_names)  # fmt: skip
    except (OSError, pa.ArrowInvalid) as error:
        raise csv_error(path, error, read.column_names) from None
    return batch


def _typed_by_first_value(path, columns: list[str], read, parse, missing) -> dict:
    """float64 or text for columns empty in the first block, by their first value further on
    (one read of those columns, stopped once each has a value; float64 when none has)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as csv

    found = dict.fromkeys(columns, pa.float64())
    pending = set(columns)
    if not pending:
        return found
    convert = csv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()),
                                 include_columns=columns, **missing)  # fmt: skip
    with csv.open_csv(path, read_options=read, parse_options=parse,
                      convert_options=convert) as reader:  # fmt: skip
        for batch in reader:
            for column in sorted(pending):
                values = pc.drop_null(batch.column(column))
                if len(values):
                    found[column] = pa.float64() if _is_number(values[0].as_py()) else pa.string()
                    pending.discard(column)
            if not pending:
                break
    return found


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def csv_error(path: Path, error: Exception, names: list[str]) -> DataError:
    """A pyarrow CSV error as one sentence: the file, the column and line of a value that
    is not a number in a numeric column, and what to do."""
    message = str(error).strip()
    match = _CONVERSION.search(message)
    if match is None:
        reason = (message.splitlines() or [type(error).__name__])[0][:160]
        return DataError(
            f"{path} cannot be read as a CSV/TSV table ({reason}); check that every row has as "
            "many fields as the header and that quotes are closed."
        )
    column = names[int(match["column"])] if int(match["column"]) < len(names) else "?"
    where = f" at line {match['row']}" if match["row"] else ""
    numeric = match["type"] in ("double", "float", "int64")
    expected, wanted = ("numbers", "a number") if numeric else (match["type"], match["type"])
    return DataError(
        f"{path}: column '{column}' holds '{match['value'][:40]}'{where}, where the rows above "
        f"it hold {expected}; write {wanted} there (or leave the cell empty for a missing "
        f"value), or leave the column out with --exclude {column}."
    )


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
        yield from _csv_batches(table, columns)
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


def _csv_batches(table: ds.Dataset, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """A CSV's batches; a value that is not of its column's type is a :func:`csv_error`."""
    import pyarrow as pa

    try:
        yield from table.to_batches(columns=columns, batch_size=BATCH_ROWS, **READAHEAD)
    except pa.ArrowInvalid as error:
        raise csv_error(Path(table.files[0]), error, table.schema.names) from None


def hash_splits(keys: Any, *, val_fraction: float, test_fraction: float, seed: int) -> np.ndarray:
    """``train``/``val``/``test`` per key from a stable 64-bit hash of the key and the seed.

    The same key always lands in the same split (so a group stays together and no table of
    assignments is needed); the shares approach the fractions as the number of keys grows.
    """
    import pandas as pd

    values = np.asarray(keys).astype(str).astype(object)
    hashed = pd.util.hash_array(values, hash_key=f"pmtk{seed:012d}"[-16:], categorize=False)
    unit = hashed.astype(np.float64) / 2.0**64
    return np.where(
        unit < test_fraction, "test", np.where(unit < test_fraction + val_fraction, "val", "train")
    )


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
