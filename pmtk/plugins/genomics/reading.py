"""Reading labelled DNA sequences in the three layouts of the genomics task.

(a) a folder of FASTA files, one per class (class = file stem); (b) one FASTA file
whose record descriptions carry ``label=<class>``; (c) a CSV/TSV table with
``sequence`` and ``label`` columns. FASTA may be gzip-compressed. Records are
parsed with Biopython's ``SimpleFastaParser`` (plain strings, no per-record objects).
"""

from __future__ import annotations

import gzip
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from pmtk.core.data.tables import group_column as column_groups
from pmtk.core.data.tables import read_text_table
from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.contract.reader import Reader

    #: The task's reader for a file name, or None (``RunContext.reader_for``).
    ReaderFor = Callable[[str], Reader | None]

FASTA_SUFFIXES = (".fa", ".fasta", ".fna")
#: Endings of the built-in FASTA reader (registered through ``pmtk_register_readers``).
FASTA_EXTENSIONS = FASTA_SUFFIXES + tuple(suffix + ".gz" for suffix in FASTA_SUFFIXES)
TABLE_SUFFIXES = (".csv", ".tsv")
_JUNK = {".ds_store", "thumbs.db", "desktop.ini"}


def is_fasta(path: Path) -> bool:
    """Whether the file name ends in a FASTA suffix, optionally followed by ``.gz``."""
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(FASTA_SUFFIXES)


def record_reader(path: Path, reader_for: ReaderFor | None) -> Callable | None:
    """The function reading ``(title, sequence)`` records from ``path``, or None.

    Readers are the task's (``pmtk_register_readers`` for task ``genomics``), which the loop
    hands over as ``context.reader_for``, so a plugin can add a sequence format; without
    them, plain FASTA only.
    """
    if reader_for is None:
        return read_fasta if is_fasta(path) else None
    reader = reader_for(path.name)
    return None if reader is None else reader.read


def fasta_stem(path: Path) -> str:
    """The file name without its FASTA suffix and ``.gz`` (``bound.fa.gz`` -> ``bound``)."""
    name = path.name.removesuffix(".gz").removesuffix(".GZ")
    return name[: name.rfind(".")]


def read_fasta(path: Path) -> list[tuple[str, str]]:
    """Every ``(title, sequence)`` record of a FASTA file, plain or gzip-compressed.

    Raises:
        DataError: Unreadable file, bad gzip data, text that is not FASTA, or no records.
    """
    records = list(iter_fasta(path))
    if not records:
        raise DataError(f"{path} holds no FASTA records; add records ('>id' lines) or remove it.")
    return records


def iter_fasta(path: Path) -> Iterator[tuple[str, str]]:
    """The ``(title, sequence)`` records of a FASTA file one at a time, in file order.

    Raises:
        DataError: Unreadable file, bad gzip data or text that is not FASTA (when met).
    """
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    try:
        with _open_text(path) as handle:
            first = _first_line(handle, path)
            if first is not None:
                yield from SimpleFastaParser(chain([first], handle))
    except (OSError, EOFError, zlib.error) as error:
        kind = "gzip-compressed FASTA" if path.name.lower().endswith(".gz") else "FASTA"
        raise DataError(
            f"{path} is not a readable {kind} file ({error}); fix or replace it."
        ) from None


def _open_text(path: Path):
    # Undecodable bytes become U+FFFD (one character), so positions in errors stay right.
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _first_line(handle, path: Path) -> str | None:
    """The first non-blank line, which must be a '>' header; None for a blank file.

    SimpleFastaParser silently skips any text before the first '>', so a file that
    starts with something else (a CSV saved as .fa, say) is reported here instead.
    """
    for line in handle:
        if line.strip():
            if not line.startswith(">"):
                raise DataError(
                    f"{path} is not FASTA: its first line is {line.strip()[:40]!r}, not a "
                    "'>id' header; fix the file or give it the right extension."
                )
            return line
    return None


def records_frame(
    records: list[tuple[str, str]],
    path: Path,
    *,
    label: str | None = None,
    require_labels: bool = True,
    group_column: str | None = None,
    first_number: int = 1,
    with_split: bool | None = None,
) -> pd.DataFrame:
    """The examples table of one FASTA file's records.

    The record id is the first word of the title; ``key=value`` words after it
    are fields (``label=bound split=test donor=d7``).

    Args:
        records: ``(title, sequence)`` pairs.
        path: The file, for messages.
        label: The class of every record (folder layout); else read from ``label=``.
        require_labels: Whether every record must have a label.
        group_column: Description key whose value is the record's group.
        first_number: The number of the first record in its file (a streamed chunk's
            records continue the count), for ids of unnamed records and for messages.
        with_split: Whether every record must have ``split=`` (None: when any has it).

    Raises:
        DataError: A record lacks ``label=`` (or the group key), or only some have ``split=``.
    """
    titles = [title for title, _ in records]
    ids = [title.split(None, 1)[0] if title else "" for title in titles]
    if "" in ids:
        ids = [record_id or f"record_{n}" for n, record_id in enumerate(ids, first_number)]
    columns = {"id": ids, "sequence": [sequence for _, sequence in records]}
    fields = _Descriptions(titles, ids, path, first_number)
    if label is not None:
        columns["label"] = [label] * len(ids)
    elif require_labels or fields.has("label"):
        columns["label"] = fields.column("label", "label=<class> in its description")
    if group_column is not None:
        columns["group"] = fields.column(group_column, f"{group_column}=<group>")
    if with_split is None:
        with_split = fields.has("split")
    if require_labels and with_split:
        columns["split"] = fields.column("split", "split=train|val|test")
    # Python strings stay as they are (object dtype): no copy into and back out of Arrow.
    import pandas as pd

    return pd.DataFrame(columns, dtype=object)


class _Descriptions:
    """``key=value`` fields of FASTA titles, read with one regular expression per key."""

    def __init__(self, titles: list[str], ids: list[str], path: Path, first: int = 1) -> None:
        self.text = "\n".join(titles)  # titles never hold a newline
        self.ids = ids
        self.path = path
        self.first = first

    def has(self, key: str) -> bool:
        """Whether any title mentions ``key=`` (a quick substring test)."""
        return f"{key}=" in self.text

    def column(self, key: str, wanted: str) -> list[str]:
        """The value of ``key`` in every title.

        Raises:
            DataError: A title lacks it; names the first such record.
        """
        # One match per line: the id, then (optionally) the first " key=value" after it.
        pattern = re.compile(rf"^\S*(?:.*?\s{re.escape(key)}=(\S+))?.*$", re.MULTILINE)
        values = pattern.findall(self.text) if self.has(key) else [""] * len(self.ids)
        if "" in values:
            missing = values.index("")
            raise missing_field(self.path, self.ids[missing], self.first + missing, wanted)
        return values


def missing_field(path: Path, record: str, number: int, wanted: str) -> DataError:
    """The error for a FASTA record whose description lacks a field every record needs."""
    return DataError(
        f"{path}: record '{record}' (number {number}) has no {wanted}; add it to every "
        "record's description, or use one FASTA file per class in a folder."
    )


def read_folder(
    folder: Path,
    *,
    require_labels: bool = True,
    group_column: str | None = None,
    reader_for: ReaderFor | None = None,
) -> pd.DataFrame:
    """Layout (a): one FASTA file per class, class = file stem.

    Raises:
        DataError: No FASTA files, FASTA mixed with tables or class sub-folders, or a bad file.
    """
    frames = []
    for path in class_files(folder, reader_for):
        read = record_reader(path, reader_for)
        frame = records_frame(read(path), path, label=fasta_stem(path), group_column=group_column)
        frame["file"] = str(path)
        frames.append(frame)
    import pandas as pd

    examples = pd.concat(frames, ignore_index=True)
    if examples["id"].duplicated().any():
        # Record ids repeat across class files: prefix the file stem to keep ids unique.
        examples["id"] = examples["label"] + "/" + examples["id"]
    if not require_labels:
        examples = examples.drop(columns="split", errors="ignore")
    return examples


def class_files(folder: Path, reader_for: ReaderFor | None, *, note: bool = True) -> list[Path]:
    """The FASTA files at the top of ``folder``, after checking that it holds one layout only.

    Args:
        folder: The folder.
        reader_for: The task's reader for a file name, or None.
        note: Whether to print a note about the files that are not FASTA.
    """
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    readable = lambda p: record_reader(p, reader_for) is not None  # noqa: E731
    fasta = [p for p in entries if p.is_file() and readable(p)]
    tables = [p for p in entries if p.is_file() and p.name.lower().endswith(TABLE_SUFFIXES)]
    nested = [d for d in entries if d.is_dir() and any(readable(p) for p in d.rglob("*"))]
    if fasta and (tables or nested):
        other = (tables or nested)[0].name
        raise DataError(
            f"{folder} mixes layouts: FASTA files next to {other}; use one layout, either one "
            "FASTA file per class in this folder or a single CSV/TSV passed as --data."
        )
    if not fasta:
        hint = (
            f"pass the table itself (--data {tables[0]})"
            if tables
            else "put one FASTA file per class (.fa, .fasta, .fna, optionally .gz) directly in it"
        )
        raise DataError(f"{folder} holds no FASTA files at its top level; {hint}.")
    ignored = [p for p in entries if p.is_file() and p not in fasta and p.name.lower() not in _JUNK]
    if ignored and note:
        print(
            f"Note: ignored {len(ignored)} file(s) that are not FASTA, e.g. {ignored[0].name}",
            file=sys.stderr,
        )
    return fasta


def read_table(
    path: Path, *, require_labels: bool = True, group_column: str | None = None
) -> pd.DataFrame:
    """Layout (c): a CSV/TSV with ``sequence`` and ``label`` (and optional ``id``, ``split``).

    The table (optionally ``.gz``) is read by :func:`pmtk.core.data.tables.read_text_table`
    (encoding and separator from the file, a column named twice refused); a missing-value
    marker is an empty cell.

    Raises:
        DataError: Unreadable table, a missing column, or an empty label.
    """
    # Only an empty cell is empty: "NA" or "None" may be a class or a sequence name.
    table = read_text_table(path, as_text=True, missing_markers=False).fillna("")
    check_table_columns(path, list(table.columns), require_labels)
    return table_frame(table, path, 2, require_labels=require_labels, group_column=group_column)


def check_table_columns(path: Path, columns: list[str], require_labels: bool) -> None:
    """Raises a DataError when a sequence table lacks ``sequence`` (or ``label``)."""
    needed = ["sequence"] + (["label"] if require_labels else [])
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DataError(
            f"{path} has no '{missing[0]}' column; the table needs columns "
            f"{','.join(needed)} (found: {', '.join(columns) or 'none'})."
        )


def table_frame(
    table: pd.DataFrame,
    path: Path,
    first_row: int,
    *,
    require_labels: bool = True,
    group_column: str | None = None,
) -> pd.DataFrame:
    """The examples of some rows of a sequence table (text cells, empty = ``""``).

    Args:
        table: The rows, as read.
        path: The table, for messages.
        first_row: The file line of the first row (2: line 1 is the header).
        require_labels: Whether every row needs a label.
        group_column: The ``--group-column``, or None.

    Raises:
        DataError: An empty label, or no such group column.
    """
    import pandas as pd

    lines = range(first_row, first_row + len(table))
    rows = [f"row_{n}" for n in lines]  # line numbers; line 1 is the header
    ids = table["id"].str.strip() if "id" in table.columns else rows
    frame = pd.DataFrame({"id": ids, "sequence": table["sequence"].str.strip()})
    frame["row"] = lines
    if "label" in table.columns:
        labels = table["label"].str.strip()
        if require_labels and (labels == "").any():
            row = int((labels == "").to_numpy().nonzero()[0][0]) + first_row
            raise DataError(f"{path}, row {row}: the label is empty; give every sequence a label.")
        frame["label"] = labels
    if group_column is not None:
        frame["group"] = column_groups(table, group_column, str(path))
    if "split" in table.columns and require_labels:
        frame["split"] = table["split"]
    return frame


def read_sequences(
    path: Path,
    *,
    require_labels: bool = True,
    group_column: str | None = None,
    reader_for: ReaderFor | None = None,
) -> pd.DataFrame:
    """Reads any of the three layouts into an examples table.

    Args:
        path: A folder of per-class FASTA files, one labelled FASTA file, or a CSV/TSV.
        require_labels: False when predicting: labels may be absent.
        group_column: Column (table) or description key (FASTA) whose groups stay in one split.
        reader_for: The task's reader for a file name (``context.reader_for``); None reads
            plain FASTA only.

    Returns:
        Columns ``id``, ``sequence`` and, where known, ``label``, ``group``, ``split``;
        ``file`` (folder layout) or ``row`` (table) say where each sequence came from.

    Raises:
        DataError: Unknown layout or malformed data, naming the file and what to do.
    """
    if path.is_dir():
        return read_folder(
            path, require_labels=require_labels, group_column=group_column, reader_for=reader_for
        )
    if path.name.lower().removesuffix(".gz").endswith(TABLE_SUFFIXES):
        return read_table(path, require_labels=require_labels, group_column=group_column)
    read = record_reader(path, reader_for)
    if read is not None:
        return records_frame(
            read(path), path, require_labels=require_labels, group_column=group_column
        )
    if group_column is not None:
        raise OptionError(f"--group-column needs a FASTA or CSV/TSV file; {path} is neither.")
    raise DataError(
        f"{path} is neither FASTA (.fa, .fasta, .fna, optionally .gz) nor a CSV/TSV table; "
        "point --data at a folder of per-class FASTA files, a FASTA file with label=<class> "
        "descriptions, or a table with sequence,label columns."
    )
