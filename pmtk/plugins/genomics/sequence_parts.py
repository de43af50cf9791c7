"""Labelled DNA sequences in parts: one reader per layout, for data of every size.

(a) a folder of FASTA files, one per class (class = file stem); (b) one FASTA file whose
record descriptions carry ``label=<class>``; (c) a CSV/TSV table with ``sequence`` and
``label`` columns (and optional ``id``, ``split``). Data holding more records than
``PMTK_STREAMING_ROWS`` is read in parts of about ``chunking.CHUNK_BASES`` bases (a folder's
files interleaved), else as one part, by the same code: every part is the examples table the
whole data gives for its records, its bases checked. A folder whose record ids repeat gives
every id as ``<class>/<id>``: read whole, the part tells; read in parts, one scan of the ids
(kept for the passes that follow).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pmtk.core.data.part_threshold import in_parts
from pmtk.core.data.tables import group_column as column_groups
from pmtk.core.data.tables import read_text_table, text_table_chunks
from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.genomics.chunking import (
    TABLE_WIDTH,
    batched,
    chunk_records,
    count_lines,
    files_signature,
    interleaved,
    repeated_hashes,
)
from pmtk.plugins.genomics.encoding import check_sequences, example_where
from pmtk.plugins.genomics.reading import (
    TABLE_SUFFIXES,
    FileFields,
    class_files,
    fasta_stem,
    iter_fasta,
    no_records,
    read_fasta,
    record_reader,
    records_frame,
)

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.plugins.genomics.reading import ReaderFor


def sequence_parts(
    path: Path,
    *,
    require_labels: bool = True,
    group_column: str | None = None,
    reader_for: ReaderFor | None = None,
    note: bool = True,
) -> Iterator[pd.DataFrame]:
    """The examples of any of the three layouts, part by part (one part when small).

    Args:
        path: A folder of per-class FASTA files, one labelled FASTA file, or a CSV/TSV.
        require_labels: False when predicting: labels may be absent.
        group_column: Column (table) or description key (FASTA) whose groups stay in one split.
        reader_for: The task's reader for a file name (``context.reader_for``); None reads
            plain FASTA only.
        note: Whether to say which files of a folder are not FASTA (once per run).

    Yields:
        Examples tables with columns ``id``, ``sequence`` and, where known, ``label``,
        ``group``, ``split``; ``file`` (folder layout) or ``row`` (table) say where each
        sequence came from; ``attrs["row_label"]`` names the part's first record or row.

    Raises:
        DataError: Unknown layout or malformed data (an invalid base included), naming the
            file and the record or row.
    """
    options = {"require_labels": require_labels, "group_column": group_column}
    if path.is_dir():
        parts = folder_parts(path, reader_for=reader_for, note=note, **options)
    elif path.name.lower().removesuffix(".gz").endswith(TABLE_SUFFIXES):
        parts = table_parts(path, **options)
    else:
        read = record_reader(path, reader_for)
        if read is None:
            if group_column is not None:
                raise OptionError(
                    f"--group-column needs a FASTA or CSV/TSV file; {path} is neither."
                )
            raise DataError(
                f"{path} is neither FASTA (.fa, .fasta, .fna, optionally .gz) nor a CSV/TSV "
                "table; point --data at a folder of per-class FASTA files, a FASTA file with "
                "label=<class> descriptions, or a table with sequence,label columns."
            )
        whole = read is not read_fasta or not in_parts(count_lines(path, b">"))
        parts = fasta_parts(path, read, whole=whole, **options)
    for part in parts:
        check_sequences(part["sequence"], lambda index, part=part: example_where(part, index, path))
        yield part


def read_sequences(
    path: Path,
    *,
    require_labels: bool = True,
    group_column: str | None = None,
    reader_for: ReaderFor | None = None,
) -> pd.DataFrame:
    """Every example of ``path``: :func:`sequence_parts` joined (the one part when small)."""
    import pandas as pd

    options = {"require_labels": require_labels, "group_column": group_column}
    parts = list(sequence_parts(path, reader_for=reader_for, **options))
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"id": []})


def fasta_parts(
    path: Path,
    read: Callable,
    *,
    whole: bool = True,
    label: str | None = None,
    require_labels: bool = True,
    group_column: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Layout (b), and each file of (a): one FASTA file's examples (see ``records_frame``).

    Args:
        path: The file.
        read: Its reader: Biopython's records are read one at a time; a plugin's reader
            returns the whole file, which is then one part.
        whole: One part, else parts of about ``CHUNK_BASES`` bases.
        label: The class of every record (folder layout), else read from ``label=``.
        require_labels: Whether every record must have a label.
        group_column: Description key whose value is the record's group.

    Raises:
        DataError: As ``records_frame``, or no records in a FASTA file.
    """
    fasta = read is read_fasta
    records = iter_fasta(path) if fasta else read(path)
    fields, number = FileFields(), 1
    for batch in batched(records, whole or not fasta, size=lambda record: len(record[1])):
        yield records_frame(
            batch, path, label=label, require_labels=require_labels,
            group_column=group_column, first_number=number, fields=fields,
        )  # fmt: skip
        number += len(batch)
    if number == 1 and fasta:
        raise no_records(path)


def folder_parts(
    folder: Path,
    *,
    require_labels: bool = True,
    group_column: str | None = None,
    reader_for: ReaderFor | None = None,
    note: bool = True,
) -> Iterator[pd.DataFrame]:
    """Layout (a): one FASTA file per class, class = file stem; read in parts, the files
    are interleaved in proportion to their records.

    Raises:
        DataError: No FASTA files, FASTA mixed with tables or class sub-folders, or a bad file.
    """
    import pandas as pd

    files = class_files(folder, reader_for, note=note)
    readers = [record_reader(file, reader_for) for file in files]
    counts = [count_lines(file, b">") if read is read_fasta else 0
              for file, read in zip(files, readers, strict=True)]  # fmt: skip
    whole = not in_parts(sum(counts)) or any(read is not read_fasta for read in readers)
    parts = [_class_parts(file, read, whole, require_labels, group_column)
             for file, read in zip(files, readers, strict=True)]  # fmt: skip
    if whole:
        frames = [frame for part in parts for frame in part]
        if frames:
            examples = pd.concat(frames, ignore_index=True)
            yield _prefixed(examples, bool(examples["id"].duplicated().any()))
        return
    for part, count in zip(parts, counts, strict=True):
        if count == 0:  # an empty or unreadable file: its error, as when read whole
            next(part, None)
    prefix = _ids_repeat(files_signature(files))
    for frame in interleaved(parts, counts):
        yield _prefixed(frame, prefix)


def _class_parts(file: Path, read: Callable, whole: bool, require_labels: bool,
                 group_column: str | None) -> Iterator[pd.DataFrame]:  # fmt: skip
    """One class file's examples, with the file they came from."""
    for frame in fasta_parts(file, read, whole=whole, label=fasta_stem(file),
                             require_labels=require_labels, group_column=group_column):  # fmt: skip
        frame["file"] = str(file)
        frame.attrs["row_label"] = (f"{file.name}, record", frame.attrs["row_label"][1])
        yield frame


def _prefixed(frame: pd.DataFrame, prefix: bool) -> pd.DataFrame:
    """Ids as ``<class>/<id>`` when some id repeats across the folder's files."""
    if prefix:
        frame["id"] = frame["label"] + "/" + frame["id"]
    return frame


@lru_cache(maxsize=4)
def _ids_repeat(signature: tuple) -> bool:
    """Whether a record id occurs twice in the class files of ``signature`` (one scan)."""
    import pandas as pd

    hashes = [
        pd.util.hash_array(frame["id"].to_numpy(dtype=object))
        for file, *_ in signature
        for frame in fasta_parts(
            Path(file), read_fasta, whole=False, label="", require_labels=False
        )
    ]
    return len(repeated_hashes(hashes)) > 0


def table_parts(
    path: Path, *, require_labels: bool = True, group_column: str | None = None
) -> Iterator[pd.DataFrame]:
    """Layout (c): a CSV/TSV with ``sequence`` and ``label`` (and optional ``id``, ``split``).

    The table (optionally ``.gz``) is read by :mod:`pmtk.core.data.tables` (encoding and
    separator from the file, a column named twice refused), whole or ``rows`` at a time; a
    missing-value marker is an empty cell.

    Raises:
        DataError: Unreadable table, a missing column, or an empty label.
    """
    # Only an empty cell is empty: "NA" or "None" may be a class or a sequence name.
    text = {"as_text": True, "missing_markers": False}
    if in_parts(max(count_lines(path) - 1, 0)):
        tables = text_table_chunks(path, rows=chunk_records(TABLE_WIDTH), **text)
    else:
        tables = iter([read_text_table(path, **text)])
    for table in tables:
        check_table_columns(path, list(table.columns), require_labels)
        first_row = table.attrs["row_label"][1]
        yield table_frame(table.fillna(""), path, first_row, require_labels=require_labels,
                          group_column=group_column)  # fmt: skip


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
    frame.attrs["row_label"] = ("row", first_row)
    return frame
