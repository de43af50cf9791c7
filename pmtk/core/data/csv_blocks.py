"""CSV/TSV tables read in blocks: fixed column types, row estimates, one-sentence errors.

:mod:`pmtk.core.data.arrow_tables` reads Parquet and CSV/TSV alike; this module holds what
only a text table needs. pyarrow infers a CSV's column types from its first block, and a later
block may disagree, so :func:`csv_format` fixes one type per column from that block;
:func:`estimated_rows` tells a big file from a small one without reading it all; and
:func:`csv_error` turns pyarrow's conversion errors into the file, column and line.

The block size is the caller's (``pmtk.core.data.arrow_tables.CSV_BLOCK_BYTES``), so a test
that makes it small there makes it small here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds

_CONVERSION = re.compile(
    r"CSV column #(?P<column>\d+): (?:Row #(?P<row>\d+): )?CSV conversion error to "
    r"(?P<type>\w+): invalid value '(?P<value>.*)'"
)


def missing_markers() -> list[str]:
    """The cell texts read as missing: pandas' defaults and ``tables.EXTRA_MISSING``, as the
    in-memory CSV reader has them."""
    from pandas._libs.parsers import STR_NA_VALUES

    from pmtk.core.data.tables import EXTRA_MISSING

    return sorted(set(STR_NA_VALUES) | set(EXTRA_MISSING))


def csv_format(
    path: Path, text_columns: Collection[str] = (), *, block_bytes: int = 1 << 20
) -> ds.CsvFileFormat:
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

    from pmtk.core.data import tables

    head = tables._head(path)
    encoding = tables._encoding(head)
    header = head.decode(encoding, errors="ignore").splitlines()[0]
    separator = tables._separator(path, header)
    names = tables._header_names(header, separator)
    tables._check_header_names(path, names)
    read = csv.ReadOptions(column_names=names, skip_rows=1, block_size=block_bytes,
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


def estimated_rows(table: ds.Dataset, block_bytes: int) -> int:
    """Rows of a CSV/TSV dataset: its first block's rows per byte times the file size, or
    the exact count when the file is one block (see ``pmtk.core.data.arrow_tables.table_rows``)."""
    file = table.files[0]
    size = os.path.getsize(file)
    options = table.format.default_fragment_scan_options
    first = _first_block(file, options.read_options, table.format.parse_options,
                         options.convert_options)  # fmt: skip
    if size <= block_bytes:
        return first.num_rows
    return round(first.num_rows * size / block_bytes)


def csv_batches(
    table: ds.Dataset, columns: list[str], batch_rows: int, readahead: dict[str, int]
) -> Iterator[pa.RecordBatch]:
    """A CSV's batches; a value that is not of its column's type is a :func:`csv_error`."""
    import pyarrow as pa

    try:
        yield from table.to_batches(columns=columns, batch_size=batch_rows, **readahead)
    except pa.ArrowInvalid as error:
        raise csv_error(Path(table.files[0]), error, table.schema.names) from None
