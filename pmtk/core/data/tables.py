"""Reading tables (CSV, TSV, Parquet) for the tabular tasks, with one set of error messages.

Tasks register these functions as readers (``pmtk_register_readers``), so a plugin
can add another table format for them with a ``Reader`` of its own. pandas is
imported inside the functions, so registering them stays cheap.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import lzma
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

_TEXT = (".csv", ".tsv", ".tab", ".txt")
_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
TEXT_EXTENSIONS = _TEXT + tuple(ext + suffix for ext in _TEXT for suffix in _COMPRESSED)
PARQUET_EXTENSIONS = (".parquet", ".pq")
#: Read as missing besides pandas' defaults (empty, NA, NaN, NULL, ...): ``?`` marks missing
#: values in many public (UCI) tables, ``.`` in SAS exports.
EXTRA_MISSING = ["?", "."]
#: Rows per part of a table read in parts (``pmtk predict`` on a table of any size).
CHUNK_ROWS = 65_536
_SEPARATORS = (",", "\t", ";")
_SNIFF_BYTES = 65536


def read_text_table(
    path: Path, *, as_text: bool = False, missing_markers: bool = True
) -> pd.DataFrame:
    """Reads a CSV or TSV file (optionally .gz/.bz2/.xz); the separator comes from the header.

    Args:
        path: The file.
        as_text: Keep every value as text (the caller infers column kinds itself);
            otherwise pandas infers numeric columns.
        missing_markers: Read ``NA``, ``None``, ``?``, ``.`` and pandas' other markers as
            missing; False keeps them as text and only an empty cell is empty (``""``), for
            tables of names and paths such as an image manifest.

    Returns:
        The table; ``attrs["row_label"]`` is ``("line", 2)``: data starts on file line 2.

    Raises:
        DataError: The file is empty, binary, or not a well-formed table.
    """
    import pandas as pd

    path = Path(path)
    options = _text_options(path, as_text, missing_markers)
    try:
        table = pd.read_csv(path, **options)
    except pd.errors.EmptyDataError:
        raise _empty(path) from None
    except (OSError, ValueError, EOFError, UnicodeDecodeError) as error:
        raise _malformed(path, error) from None
    return _read_text(table, path, as_text, first_line=2)


def text_table_chunks(
    path: Path, *, as_text: bool = False, missing_markers: bool = True, rows: int | None = None
) -> Iterator[pd.DataFrame]:
    """:func:`read_text_table` in parts of at most ``rows`` rows, in file order.

    Each part is read as the whole file would be (so column kinds are inferred per part)
    and numbers its rows by their file line (``attrs["row_label"]``).

    Raises:
        DataError: As :func:`read_text_table`, on the part where the problem is.
    """
    import pandas as pd

    path = Path(path)
    options = _text_options(path, as_text, missing_markers)
    line = 2
    try:
        with pd.read_csv(path, chunksize=rows or CHUNK_ROWS, **options) as reader:
            for table in reader:
                yield _read_text(table, path, as_text, first_line=line)
                line += len(table)
    except pd.errors.EmptyDataError:
        raise _empty(path) from None
    except (OSError, ValueError, EOFError, UnicodeDecodeError) as error:
        raise _malformed(path, error) from None


def text_header(path: Path) -> list[str]:
    """The column names of a CSV or TSV file's header, stripped, read without its rows.

    Raises:
        DataError: The file is empty or binary, or its header names a column twice.
    """
    path = Path(path)
    head = _head(path)
    encoding = _encoding(head)
    header = head.decode(encoding, errors="ignore").splitlines()[0]
    names = _header_names(header, _separator(path, header))
    _check_header_names(path, names)
    return names


def _text_options(path: Path, as_text: bool, missing_markers: bool) -> dict:
    """``pandas.read_csv`` arguments for ``path``, after checking its head and header."""
    head = _head(path)
    encoding = _encoding(head)
    header = head.decode(encoding, errors="ignore").splitlines()[0]
    separator = _separator(path, header)
    _check_header_names(path, _header_names(header, separator))
    return {
        "sep": separator,
        "dtype": str if as_text else None,
        "na_values": EXTRA_MISSING if missing_markers else None,
        "keep_default_na": missing_markers,
        "skipinitialspace": True,
        "encoding": encoding,
    }


def _malformed(path: Path, error: BaseException) -> DataError:
    reason = (str(error).strip().splitlines() or [type(error).__name__])[-1][:160]
    return DataError(
        f"{path} cannot be read as a CSV/TSV table ({reason}); check that every row has as "
        "many fields as the header and that quotes are closed."
    )


def _read_text(table: pd.DataFrame, path: Path, as_text: bool, first_line: int) -> pd.DataFrame:
    if not as_text:
        for column in table.select_dtypes(include="object").columns:
            parsed = parse_numbers(table[column])
            if parsed.notna().sum() == table[column].notna().sum():
                table[column] = parsed  # numbers pandas 2 leaves as text, such as 1e400
    table.attrs["row_label"] = ("line", first_line)
    return _clean_header(table, path)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Text to float64, NaN where a value is not a number.

    Numbers too large for a float (``1e400``) become infinite, as Python's ``float`` reads
    them; pandas 2 would leave them unparsed, hiding them from the non-finite check.
    """
    import pandas as pd

    text = values.astype(object).where(values.notna(), None)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    failed = numbers.isna() & values.notna()
    if failed.any():
        numbers[failed] = [_float_or_nan(value) for value in text[failed]]
    return numbers


def _float_or_nan(value: object) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        return float("nan")


def read_parquet_table(path: Path) -> pd.DataFrame:
    """Reads a Parquet file with pyarrow; a named index becomes a column.

    Returns:
        The table; ``attrs["row_label"]`` is ``("row", 1)``.

    Raises:
        DataError: The file is not a readable Parquet file.
    """
    import pandas as pd
    import pyarrow

    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError, pyarrow.ArrowException) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
        raise DataError(
            f"{path} cannot be read as a Parquet table ({reason}); re-export it or give a CSV."
        ) from None
    table = table.reset_index(drop=table.index.name is None)
    table.attrs["row_label"] = ("row", 1)
    return _clean_header(table, path)


def parquet_table_chunks(path: Path, rows: int | None = None) -> Iterator[pd.DataFrame]:
    """:func:`read_parquet_table` in parts of at most ``rows`` rows (default
    :data:`CHUNK_ROWS`), in file order.

    Each part numbers its rows from the file's first row (``attrs["row_label"]``).

    Raises:
        DataError: The file is not a readable Parquet file.
    """
    import pyarrow
    import pyarrow.parquet as pq

    first = 1
    try:
        with pq.ParquetFile(path, pre_buffer=False) as reader:
            for batch in reader.iter_batches(batch_size=rows or CHUNK_ROWS):
                table = batch.to_pandas()
                table = table.reset_index(drop=table.index.name is None)
                table.attrs["row_label"] = ("row", first)
                first += len(table)
                yield _clean_header(table, path)
    except (OSError, ValueError, pyarrow.ArrowException) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
        raise DataError(
            f"{path} cannot be read as a Parquet table ({reason}); re-export it or give a CSV."
        ) from None


def _head(path: Path) -> bytes:
    """The first bytes of a text table (decompressed), after checking it is text."""
    opener = _COMPRESSED.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise DataError(f"{path} cannot be read ({error}); check the file.") from None
    if not head.strip():
        raise _empty(path)
    if b"\x00" in head:
        raise DataError(
            f"{path} cannot be read as a CSV/TSV table (it holds binary data); give a text "
            "table or a Parquet file."
        )
    return head


def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), or Latin-1 for Windows exports (it reads any byte)."""
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "latin-1"
    return "utf-8-sig"


def _separator(path: Path, header: str) -> str:
    """The separator the header uses most; the extension decides a tie."""
    name = path.name.lower()
    preferred = "\t" if ".tsv" in name or ".tab" in name else ","
    counts = {separator: header.count(separator) for separator in _SEPARATORS}
    return preferred if counts[preferred] == max(counts.values()) else max(counts, key=counts.get)


def _empty(path: Path) -> DataError:
    return DataError(f"{path} is empty; give a table with a header row and one row per example.")


def _clean_header(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    table.columns = [str(column).strip() for column in table.columns]
    _check_header_names(path, list(table.columns))
    return table


def _header_names(header: str, separator: str) -> list[str]:
    """Column names as written in the header line (pandas renames a repeat to ``age.1``)."""
    try:
        return [name.strip() for name in next(csv.reader([header], delimiter=separator))]
    except (csv.Error, StopIteration):
        return []


def _check_header_names(path: Path, names: list[str]) -> None:
    """Refuses a header that names a column twice: which of the two is meant is unknowable."""
    seen: dict[str, int] = {}
    for number, name in enumerate(names, 1):
        if name in seen and name:
            raise DataError(
                f"{path}: the header names the column '{name}' twice (columns {seen[name]} and "
                f"{number}); rename or remove one of them."
            )
        seen[name] = number


def where(table: pd.DataFrame, position: int) -> str:
    """How to point the user at a row: ``line N`` of a text file, ``row N`` otherwise.

    Rows are named by their place in the file, never by an id, so messages carry no
    patient identifiers.
    """
    unit, offset = table.attrs.get("row_label", ("row", 1))
    return f"{unit} {position + offset}"


def finite_values(
    values: pd.DataFrame,
    table: pd.DataFrame,
    source: str,
    *,
    as_missing: bool = False,
    option_hint: bool = True,
) -> pd.DataFrame:
    """Checks numeric columns for ``inf``, ``-inf`` and overflowing numbers such as ``1e400``.

    Args:
        values: Float columns, named as in the file, rows in file order.
        table: The table as read (for its row numbering).
        source: The file, for messages.
        as_missing: Turn non-finite values into missing ones (with a notice) instead of
            refusing them (``--nonfinite-as-missing``).
        option_hint: Mention ``--nonfinite-as-missing`` in the error.

    Returns:
        ``values``, with non-finite entries made NaN when ``as_missing``.

    Raises:
        DataError: A non-finite value, naming the column and its first row.
    """
    import numpy as np

    infinite = np.isinf(values.to_numpy(dtype="float64"))
    if not infinite.any():
        return values
    columns = [str(values.columns[i]) for i in np.flatnonzero(infinite.any(axis=0))]
    if as_missing:
        shown = ", ".join(f"'{c}'" for c in columns[:5]) + (" and more" if len(columns) > 5 else "")
        print(
            f"Note: {source}: {int(infinite.sum())} infinite or too large value(s) in column(s) "
            f"{shown} are treated as missing (--nonfinite-as-missing).",
            file=sys.stderr,
        )
        return values.mask(infinite)
    row, column = (int(i) for i in np.argwhere(infinite)[0])
    hint = ", or pass --nonfinite-as-missing to treat such values as missing" if option_hint else ""
    raise DataError(
        f"{source}: column '{values.columns[column]}' has an infinite or too large value "
        f"(inf, -inf or beyond 1.8e308) at {where(table, row)}; replace it with a number or "
        f"leave the cell empty for a missing value{hint}."
    )


def group_column(table: pd.DataFrame, column: str | None, source: str) -> pd.Series | None:
    """The ``--group-column`` of a table, as text, for the examples' ``group`` column.

    Returns:
        None when no column is named.

    Raises:
        DataError: The column is not in the table; lists the columns.
    """
    if column is None:
        return None
    if column not in table.columns:
        raise DataError(
            f"{source} has no column '{column}' (--group-column); its columns are: "
            f"{', '.join(map(str, table.columns))}."
        )
    return table[column].astype(str)
