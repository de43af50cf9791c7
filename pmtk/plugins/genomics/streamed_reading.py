"""Genomics data read in chunks of records, for runs bigger than memory.

Each source yields examples tables (the columns :func:`reading.read_sequences` or
:func:`genome_data.read_genome_examples` give) a chunk at a time, in a fixed order, so a
pass over the data holds one chunk: a labelled FASTA file, a folder of per-class FASTA
files, a CSV/TSV table (pandas ``chunksize``), or BED intervals whose windows are cut from
``--genome`` chunk by chunk. Records are parsed by the readers of the in-memory path
(Biopython's ``SimpleFastaParser``, ``intervals.iter_bed``), never by a second parser.

A folder's class files (FASTA or BED) are interleaved in proportion to their record counts,
so every stretch of the stream holds every class (the training shuffle buffer is bounded).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

#: Bases (records x the run's length) per chunk: a chunk's one-hot rows stay near 32 MB.
CHUNK_BASES = 2_000_000
#: Records per chunk at most (and while the length is not yet known, the bases read).
CHUNK_RECORDS = 65_536
_FEWEST_RECORDS = 64
#: Bases per sequence assumed for the rows of a table chunk before the run's length is known.
_GUESSED_WIDTH = 500
_SCAN_BYTES = 1 << 20


def chunk_records(width: int | None) -> int:
    """Records per chunk for sequences of ``width`` bases (None: not known yet)."""
    if width is None:
        return CHUNK_RECORDS
    return max(_FEWEST_RECORDS, min(CHUNK_RECORDS, CHUNK_BASES // max(width, 1)))


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def count_lines(path: Path, starting: bytes | None = None) -> int:
    """Lines of a (gzip) text file, or those starting with ``starting``, by a byte scan.

    Unreadable files count 0: the reader that follows says what is wrong with them.
    """
    count, previous = 0, b"\n"
    try:
        with _open_bytes(path) as handle:
            while block := handle.read(_SCAN_BYTES):
                if starting is None:
                    count += block.count(b"\n")
                else:
                    count += block.count(b"\n" + starting) + (
                        previous + block[:1] == b"\n" + starting
                    )
                previous = block[-1:]
        if starting is None and previous not in (b"\n", b""):
            count += 1  # a last line without a newline
    except (OSError, EOFError, ValueError):
        return 0
    return count


def _batched(records: Iterable[Any], width: int | None, size=len) -> Iterator[list]:
    """Records in lists of :func:`chunk_records`; with no width, also at most
    :data:`CHUNK_BASES` bases read (``size`` of a record)."""
    limit = chunk_records(width)
    chunk, bases = [], 0
    for record in records:
        chunk.append(record)
        bases += size(record) if width is None else 0
        if len(chunk) >= limit or bases >= CHUNK_BASES:
            yield chunk
            chunk, bases = [], 0
    if chunk:
        yield chunk


def interleaved(parts: list[Iterator[pd.DataFrame]], counts: list[int]) -> Iterator[pd.DataFrame]:
    """Chunks of several files merged in proportion to their record counts."""
    taken = [0] * len(parts)
    live = [index for index, count in enumerate(counts) if count > 0]
    while live:
        index = min(live, key=lambda i: (taken[i] / counts[i], i))
        chunk = next(parts[index], None)
        if chunk is None:
            live.remove(index)
            continue
        taken[index] += len(chunk)
        yield chunk


class FastaSource:
    """Layout (b), one FASTA with ``label=`` fields, or (a), a folder of class files."""

    def __init__(self, path: Path, group_column: str | None, files: list[Path] | None) -> None:
        self.path, self.group_column = path, group_column
        self.files = files  # the folder's class files, or None for one labelled file
        self.prefix_ids = False  # a folder whose record ids repeat: ids become <class>/<id>
        self.with_split: bool | None = None

    def count(self) -> int:
        """Records, from a scan for '>' at line starts."""
        return sum(self.counts())

    def counts(self) -> list[int]:
        """Records per file."""
        return [count_lines(f, b">") for f in (self.files or [self.path])]

    def frames(self, width: int | None) -> Iterator[pd.DataFrame]:
        """Examples in chunks; a folder's files interleaved."""
        if self.files is None:
            yield from self._file_frames(self.path, None, width)
            return
        from pmtk.plugins.genomics.reading import fasta_stem

        parts = [self._file_frames(f, fasta_stem(f), width) for f in self.files]
        yield from interleaved(parts, self.counts())

    def _file_frames(self, path: Path, label: str | None, width: int | None):
        from pmtk.plugins.genomics.reading import iter_fasta, missing_field, records_frame

        number = 1
        for records in _batched(iter_fasta(path), width, size=lambda r: len(r[1])):
            frame = records_frame(records, path, label=label, group_column=self.group_column,
                                  first_number=number, with_split=self.with_split)  # fmt: skip
            if self.with_split is None:
                self.with_split, self.first_record = "split" in frame, (path, frame["id"].iloc[0])
            elif not self.with_split and any(" split=" in f" {t}" for t, _ in records):
                raise missing_field(*self.first_record, 1, "split=train|val|test")
            number += len(records)
            if label is not None:
                frame["file"] = str(path)
                frame["key"] = label + "/" + frame["id"]  # stable split key whatever the ids
            yield self.fix_ids(frame)
        if number == 1:
            raise DataError(
                f"{path} holds no FASTA records; add records ('>id' lines) or remove it."
            )

    def fix_ids(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Ids as the in-memory reader gives them (``<class>/<id>`` once ids repeat)."""
        if self.prefix_ids and "key" in frame:
            frame["id"] = frame["key"]
        return frame

    def duplicates(self, hashes: np.ndarray) -> None:
        """Told the hashes of repeated ids after the statistics pass."""
        self.prefix_ids = self.files is not None and len(hashes) > 0


class TableSource:
    """Layout (c): a CSV/TSV table read ``chunksize`` rows at a time with pandas."""

    def __init__(self, path: Path, group_column: str | None) -> None:
        from pmtk.core.data.tables import text_header
        from pmtk.plugins.genomics.reading import check_table_columns

        self.path, self.group_column = path, group_column
        check_table_columns(path, text_header(path), True)

    def count(self) -> int:
        """Data rows (lines after the header)."""
        return max(count_lines(self.path) - 1, 0)

    def frames(self, width: int | None) -> Iterator[pd.DataFrame]:
        """Examples in chunks of rows, with their file lines (read as ``read_table`` reads
        the whole file: every value text, only an empty cell empty)."""
        from pmtk.core.data.tables import text_table_chunks
        from pmtk.plugins.genomics.reading import table_frame

        rows = chunk_records(width or _GUESSED_WIDTH)  # bases unknown until read
        for table in text_table_chunks(self.path, as_text=True, missing_markers=False, rows=rows):
            line = table.attrs["row_label"][1]
            yield table_frame(table.fillna(""), self.path, line, group_column=self.group_column)

    def fix_ids(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Ids are the table's: nothing to fix."""
        return frame

    def duplicates(self, hashes: np.ndarray) -> None:
        """Repeated ids stay as the table has them."""


class BedSource:
    """BED intervals (a file, or a folder of per-class files) with windows cut from a genome."""

    def __init__(self, path: Path, genome: Path, length: int) -> None:
        from pmtk.plugins.genomics.intervals import is_bed

        self.path, self.genome_path, self.length = path, genome, length
        self.files = None
        if path.is_dir():
            self.files = sorted(p for p in path.iterdir() if p.is_file() and is_bed(p))
            if not self.files:
                raise DataError(f"{path} holds no BED files (.bed, .narrowPeak, optionally .gz).")
        self.repeated = np.empty(0, dtype=np.uint64)
        self.padded = 0

    def count(self) -> int:
        """Lines of the BED files (an upper bound: headers and blank lines count too)."""
        return sum(count_lines(f) for f in (self.files or [self.path]))

    def frames(self, width: int | None, *, statistics: bool = False) -> Iterator[pd.DataFrame]:
        """Intervals in chunks, each with its window (``sequence``) cut from the genome."""
        from pmtk.plugins.genomics.genome import Genome
        from pmtk.plugins.genomics.intervals import bed_stem

        genome = Genome(self.genome_path)
        try:
            if self.files is None:
                parts = [self._file_frames(self.path, None, genome, statistics)]
                counts = [1]
            else:
                parts = [self._file_frames(f, bed_stem(f), genome, statistics) for f in self.files]
                counts = [count_lines(f) for f in self.files]
            yield from interleaved(parts, counts)
        finally:
            genome.close()

    def _file_frames(self, path: Path, label: str | None, genome, statistics: bool):
        from pmtk.plugins.genomics.intervals import (
            check_chromosomes,
            cut_sequences,
            interval_frame,
            iter_bed,
            padded_windows,
        )

        seen = False
        for intervals in _batched(iter_bed(path), self.length):
            seen = True
            frame = interval_frame(intervals, path, label=label)
            empty = frame["label"].isin(["", "."])
            if label is None and empty.any():
                row = frame[empty].iloc[0]
                raise DataError(
                    f"{row['file']}, line {row['line']}: the name column (4th) is empty, so the "
                    "interval has no class; put the class in column 4, or use one BED file "
                    "per class in a folder."
                )
            check_chromosomes(frame, genome)
            frame["key"] = frame["id"]
            if statistics:
                self.padded += padded_windows(frame, genome, self.length)
            frame["sequence"] = cut_sequences(frame, genome, self.length)
            yield self.fix_ids(frame)
        if not seen:
            raise DataError(
                f"{path} holds no intervals (no 'chrom start end' lines); add intervals or "
                "point --data at another file."
            )

    def fix_ids(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Repeated ids get ``#<line>``, as the in-memory reader gives them."""
        if len(self.repeated) and "key" in frame:
            import pandas as pd

            hashes = pd.util.hash_array(frame["key"].to_numpy(dtype=object))
            repeated = np.isin(hashes, self.repeated)
            frame["id"] = frame["key"].where(
                ~repeated, frame["key"] + "#" + frame["line"].astype(str)
            )
        return frame

    def duplicates(self, hashes: np.ndarray) -> None:
        """Told the hashes of repeated ids after the statistics pass."""
        self.repeated = hashes
