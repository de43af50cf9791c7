"""The table formats the autoencoder reads: CSV/TSV text tables and Parquet.

Each reader takes a path and returns a pandas table with one row per sample.
They are registered through ``pmtk_register_readers``, so a plugin can add a
format (for example AnnData ``.h5ad``) with a ``Reader`` of its own. pandas is
imported inside the readers, so registering them stays cheap.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
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
_SEPARATORS = (",", "\t", ";")


def read_text_table(path: Path) -> pd.DataFrame:
    """Reads a CSV or TSV file (optionally .gz/.bz2/.xz); the separator comes from the header.

    Raises:
        DataError: The file is empty, binary, or not a well-formed table.
    """
    import pandas as pd

    path = Path(path)
    header = _header(path)
    try:
        table = pd.read_csv(
            path,
            sep=_separator(path, header),
            na_values=EXTRA_MISSING,
            skipinitialspace=True,
            encoding="utf-8-sig",
            encoding_errors="replace",  # a stray Latin-1 byte in a label must not stop the read
        )
    except pd.errors.EmptyDataError:
        raise _empty(path) from None
    except (OSError, ValueError, EOFError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[-1][:160]
        raise DataError(
            f"{path} cannot be read as a CSV/TSV table ({reason}); check that every row has as "
            "many fields as the header and that quotes are closed."
        ) from None
    return _clean_header(table)


def read_parquet_table(path: Path) -> pd.DataFrame:
    """Reads a Parquet file with pyarrow; a named index becomes a column.

    Raises:
        DataError: The file is not a readable Parquet file.
    """
    import pandas as pd

    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as error:  # pyarrow's errors derive from these
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
        raise DataError(
            f"{path} cannot be read as a Parquet table ({reason}); re-export it or give a CSV."
        ) from None
    return _clean_header(table.reset_index(drop=table.index.name is None))


def _header(path: Path) -> str:
    """The first line of a text table (decompressed), after checking it is text."""
    opener = _COMPRESSED.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as handle:
            head = handle.read(65536)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise DataError(f"{path} cannot be read ({error}); check the file.") from None
    if not head.strip():
        raise _empty(path)
    if b"\x00" in head:
        raise DataError(
            f"{path} cannot be read as a CSV/TSV table (it holds binary data); give a text "
            "table or a Parquet file."
        )
    return head.decode("utf-8-sig", errors="replace").splitlines()[0]


def _separator(path: Path, header: str) -> str:
    """The separator the header uses most; the extension decides a tie."""
    name = path.name.lower()
    preferred = "," if name.endswith(".csv") or ".csv." in name else "\t"
    counts = {separator: header.count(separator) for separator in _SEPARATORS}
    return preferred if counts[preferred] == max(counts.values()) else max(counts, key=counts.get)


def _empty(path: Path) -> DataError:
    return DataError(f"{path} is empty; give a table with a header row and one row per sample.")


def _clean_header(table: pd.DataFrame) -> pd.DataFrame:
    table.columns = [str(column).strip() for column in table.columns]
    return table
