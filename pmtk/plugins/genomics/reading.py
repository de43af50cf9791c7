"""FASTA records as examples: the file formats of two of the genomics task's layouts.

(a) a folder of FASTA files, one per class (class = file stem); (b) one FASTA file
whose record descriptions carry ``label=<class>``. FASTA may be gzip-compressed. Records are
parsed with Biopython's ``SimpleFastaParser`` (plain strings, no per-record objects), one at a
time, so a file is read whole or in parts by the same code
(:mod:`pmtk.plugins.genomics.sequence_parts`, which also reads layout (c), a table).
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

from pmtk.core.errors import DataError

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
        raise no_records(path)
    return records


def no_records(path: Path) -> DataError:
    """The error for a FASTA file without records."""
    return DataError(f"{path} holds no FASTA records; add records ('>id' lines) or remove it.")


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
    fields: FileFields | None = None,
) -> pd.DataFrame:
    """The examples table of some records of one FASTA file (all of them, or one part).

    The record id is the first word of the title; ``key=value`` words after it
    are fields (``label=bound split=test donor=d7``).

    Args:
        records: ``(title, sequence)`` pairs.
        path: The file, for messages.
        label: The class of every record (folder layout); else read from ``label=``.
        require_labels: Whether every record must have a label.
        group_column: Description key whose value is the record's group.
        first_number: The number of the first record in its file (a later part's records
            continue the count), for ids of unnamed records and for messages.
        fields: Which optional fields the file's first part carried (a file read in parts
            passes the same one for every part); None for a file read whole.

    Raises:
        DataError: A record lacks ``label=`` (or the group key), or only some have ``split=``.
    """
    titles = [title for title, _ in records]
    ids = [title.split(None, 1)[0] if title else "" for title in titles]
    if "" in ids:
        ids = [record_id or f"record_{n}" for n, record_id in enumerate(ids, first_number)]
    columns = {"id": ids, "sequence": [sequence for _, sequence in records]}
    descriptions = _Descriptions(titles, ids, path, first_number)
    fields = FileFields() if fields is None else fields
    if label is not None:
        columns["label"] = [label] * len(ids)
    elif require_labels or fields.carries("label", descriptions):
        columns["label"] = descriptions.column("label", FileFields.WANTED["label"])
    if group_column is not None:
        columns["group"] = descriptions.column(group_column, f"{group_column}=<group>")
    if require_labels and fields.carries("split", descriptions):
        columns["split"] = descriptions.column("split", FileFields.WANTED["split"])
    # Python strings stay as they are (object dtype): no copy into and back out of Arrow.
    import pandas as pd

    frame = pd.DataFrame(columns, dtype=object)
    frame.attrs["row_label"] = ("record", first_number)
    return frame


class FileFields:
    """Which optional fields (``label=`` when predicting, ``split=``) a FASTA file carries.

    Every record of a file carries such a field or none does; the file's first part decides,
    and a later part that mentions a field the first part lacked is refused as the whole
    file would be (naming the file's first record).
    """

    WANTED = {"label": "label=<class> in its description", "split": "split=train|val|test"}

    def __init__(self) -> None:
        self.carried: dict[str, bool] = {}
        self.first: tuple[Path, str] | None = None

    def carries(self, key: str, descriptions: _Descriptions) -> bool:
        """Whether the records carry ``key=`` (then every one must).

        Raises:
            DataError: A later part mentions ``key=`` and the file's first part did not.
        """
        if self.first is None:
            self.first = (descriptions.path, descriptions.ids[0] if descriptions.ids else "")
        if key not in self.carried:
            self.carried[key] = descriptions.has(key)
        elif not self.carried[key] and descriptions.has(key):
            raise missing_field(*self.first, 1, self.WANTED[key])
        return self.carried[key]


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
