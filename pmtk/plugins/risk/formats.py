"""Reading a cohort file into a raw pandas table: CSV/TSV (any text table) and Parquet.

Text tables are read with every value as text, so the column kinds are decided
in one place (``features.infer_kind``) instead of by pandas' guesses.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

TEXT_EXTENSIONS = (".csv", ".tsv", ".tab", ".txt", ".csv.gz", ".tsv.gz", ".tab.gz", ".txt.gz")
PARQUET_EXTENSIONS = (".parquet", ".pq")
#: Read as missing, besides pandas' defaults (empty, NA, N/A, NaN, NULL, None, ...):
#: ``?`` is the missing marker of many public (UCI) clinical tables, ``.`` that of SAS exports.
EXTRA_MISSING = ["?", "."]
_SEPARATORS = (",", "\t", ";")
_SNIFF_BYTES = 65536


def _opener(path: Path):
    return gzip.open if path.name.lower().endswith(".gz") else open


def _head(path: Path) -> bytes:
    try:
        with _opener(path)(path, "rb") as handle:
            return handle.read(_SNIFF_BYTES)
    except (OSError, EOFError) as error:
        raise DataError(f"{path} cannot be read ({error}); check the file.") from None


def _separator(path: Path, header: str) -> str:
    """The separator the header line uses most; the extension decides a tie."""
    name = path.name.lower().removesuffix(".gz")
    preferred = "\t" if name.endswith((".tsv", ".tab")) else ","
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(counts.values())
    return preferred if counts[preferred] == best else max(counts, key=counts.get)


def read_text_table(path: Path) -> pd.DataFrame:
    """Reads a CSV/TSV file (optionally gzipped) with every value as text.

    The separator (comma, tab or semicolon) is taken from the header line.

    Raises:
        DataError: The file is empty, binary, or cannot be parsed as a table.
    """
    import pandas as pd

    head = _head(Path(path))
    if not head.strip():
        raise DataError(f"{path} is empty; give a table with a header row and one row per person.")
    if b"\x00" in head:
        raise DataError(f"{path} is not a text table (it holds binary data); give a CSV or TSV.")
    encoding = "utf-8-sig"
    try:
        head.decode(encoding)
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            encoding = "latin-1"  # Windows exports; latin-1 reads any byte
    header = head.decode(encoding, errors="ignore").splitlines()[0]
    try:
        raw = pd.read_csv(
            path,
            sep=_separator(Path(path), header),
            dtype=str,
            na_values=EXTRA_MISSING,
            skipinitialspace=True,
            encoding=encoding,
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty; give a table with a header row.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        reason = str(error).strip().splitlines()[-1]
        raise DataError(
            f"{path} cannot be parsed as a table ({reason}); check that every row has as many "
            "fields as the header and that quotes are closed."
        ) from None
    raw.attrs["row_label"] = ("line", 2)  # header is line 1
    return _clean_header(raw)


def read_parquet_table(path: Path) -> pd.DataFrame:
    """Reads a Parquet file with pyarrow.

    Raises:
        DataError: The file is not a readable Parquet file.
    """
    import pandas as pd
    import pyarrow

    try:
        raw = pd.read_parquet(path)
    except (OSError, ValueError, pyarrow.ArrowException) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(
            f"{path} is not a readable Parquet file ({reason}); re-export it or give a CSV."
        ) from None
    raw = raw.reset_index(drop=raw.index.name is None)
    raw.attrs["row_label"] = ("row", 1)
    return _clean_header(raw)


def _clean_header(raw: pd.DataFrame) -> pd.DataFrame:
    raw.columns = [str(column).strip() for column in raw.columns]
    return raw
