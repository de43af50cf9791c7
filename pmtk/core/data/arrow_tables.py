"""Parquet and CSV/TSV tables read in batches through pyarrow: never loaded whole.

- :func:`open_table`: a ``pyarrow.dataset`` over one file or a folder of Parquet files, with
  schemas checked to agree across files; a CSV/TSV file gets fixed column types
  (:func:`csv_format`) so that a later block cannot disagree with the first one;
- :func:`open_table_in_parts`: that table when the data is read in parts;
- :func:`table_rows`: its row count (a CSV's estimated from its first block);
- :func:`scan_batches` and :func:`record_batches`: its rows in batches, in file order;
- :func:`part_batches`: those batches as the parts of a table read in parts (two at least);
- :func:`carves_validation`: whether its ``split`` column names no validation row.

Peak memory depends on the batch size, not on the number of rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pmtk.core.data import csv_blocks
from pmtk.core.data.part_threshold import in_parts
from pmtk.core.data.splits import column_names_validation
from pmtk.core.errors import DataError
from pmtk.core.runtime.progress import progress

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds

#: Rows per batch read from disk.
BATCH_ROWS = 65_536
#: Batches and files pyarrow reads ahead: small, so memory does not grow with the file count.
READAHEAD = {"batch_readahead": 2, "fragment_readahead": 1}
_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv"}
#: Bytes of a CSV/TSV read to infer its column types and estimate its rows (one pyarrow block).
CSV_BLOCK_BYTES = 1 << 20


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


#: File endings read in parts past the threshold (besides a folder of Parquet files).
PART_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv")


def open_table_in_parts(path: Path, empty: str) -> tuple[ds.Dataset, int] | None:
    """The table of ``path`` and its row count when it is read in parts, else None (the
    task's whole-file reader then reads it, and says what is wrong with a file it cannot read).

    A folder of Parquet files is always read in parts; a Parquet, CSV or TSV file past
    :func:`pmtk.core.data.part_threshold.part_threshold` rows.

    Args:
        path: The ``--data`` path.
        empty: The end of the sentence for a table without rows ("add one row per sample").

    Raises:
        DataError: A Parquet folder that cannot be read, or a table in parts without rows.
    """
    import pyarrow as pa

    folder = path.is_dir()
    if folder and not any(p.suffix.lower() in (".parquet", ".pq") for p in path.rglob("*")):
        return None
    if not (folder or path.suffix.lower() in PART_SUFFIXES):
        return None
    try:
        table = open_table(path)
        rows = table_rows(table)
    except (OSError, pa.ArrowException, DataError) as error:
        if not folder:
            return None
        raise DataError(f"{path} holds a Parquet file that cannot be read ({error}).") from None
    if not folder and not in_parts(rows):
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
    return csv_blocks.estimated_rows(table, CSV_BLOCK_BYTES)


def csv_format(path: Path, text_columns: Collection[str] = ()) -> ds.CsvFileFormat:
    """How a CSV/TSV file streams, in blocks of :data:`CSV_BLOCK_BYTES`
    (:func:`pmtk.core.data.csv_blocks.csv_format`)."""
    return csv_blocks.csv_format(path, text_columns, block_bytes=CSV_BLOCK_BYTES)


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
        yield from csv_blocks.csv_batches(table, columns, BATCH_ROWS, READAHEAD)
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


def part_batches(table: ds.Dataset, columns: list[str], rows: int) -> Iterator[pa.RecordBatch]:
    """The table's columns in the parts a task yields when it reads the table in parts.

    Batches of :func:`scan_batches` (at most :data:`BATCH_ROWS` rows), cut so that a table
    of ``rows`` rows (two or more) gives at least two parts: data read in parts (past
    ``PMTK_STREAMING_ROWS``, ``0`` in the parity tests) is then never one part, which the
    loop would hold and split as data read whole.

    Args:
        table: The table (:func:`open_table`).
        columns: The columns read.
        rows: Its rows, as :func:`table_rows` counts them.
    """
    size = max(1, min(BATCH_ROWS, -(-rows // 2)))
    for batch in scan_batches(table, columns):
        for start in range(0, batch.num_rows, size):
            yield batch.slice(start, size)


def carves_validation(table: ds.Dataset) -> bool:
    """Whether the table's ``split`` column names no validation row, so that
    :func:`pmtk.core.data.splits.carve_validation` applies to every part (a pass over that
    one column, stopped at the first validation row)."""
    if "split" not in table.schema.names:
        return False
    batches = scan_batches(table, ["split"])
    return not column_names_validation(batch.column("split").to_pandas() for batch in batches)
