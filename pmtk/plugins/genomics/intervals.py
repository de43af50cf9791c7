"""Labelled intervals on a genome: BED/narrowPeak files, or a folder of BED files, one per class.

BED is a plain tab-separated table (``chrom start end [name score strand ...]``, 0-based,
half-open); narrowPeak adds four columns, the last being the summit's offset from ``start``.
Lines starting with ``#``, ``track`` or ``browser`` are skipped. Files may be gzip-compressed.
A file is read whole or in parts of intervals by the same code (:func:`file_intervals`);
:mod:`pmtk.plugins.genomics.genome_data` cuts their windows from the genome.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.errors import DataError
from pmtk.plugins.genomics.chunking import CHUNK_RECORDS, batched

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.plugins.genomics.genome import Genome

BED_SUFFIXES = (".bed", ".narrowpeak", ".broadpeak", ".bedgraph")
_SKIPPED = ("#", "track", "browser")
#: Column count of a narrowPeak line (the summit offset is the last column).
NARROWPEAK_COLUMNS = 10


def is_bed(path: Path) -> bool:
    """Whether the name ends in a BED suffix (``.bed``, ``.narrowPeak``), optionally ``.gz``."""
    return path.name.lower().removesuffix(".gz").endswith(BED_SUFFIXES)


def bed_stem(path: Path) -> str:
    """The file name without its BED suffix and ``.gz`` (``bound.bed.gz`` -> ``bound``)."""
    name = path.name.removesuffix(".gz").removesuffix(".GZ")
    return name[: name.rfind(".")]


def is_bed_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding BED files at its top level."""
    return path.is_dir() and any(p.is_file() and is_bed(p) for p in path.iterdir())


@dataclass
class Interval:
    """One BED line: 0-based half-open ``[start, end)``, its centre and where it came from."""

    chrom: str
    start: int
    end: int
    name: str
    strand: str
    centre: int
    line: int


def iter_bed(path: Path) -> Iterator[Interval]:
    """The intervals of one BED/narrowPeak file one at a time, in file order.

    Raises:
        DataError: Unreadable file, a non-integer coordinate, start >= end, a bad strand or
            a summit outside its interval, naming the file and line, when the line is met.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip() and not line.startswith(_SKIPPED):
                    yield _parse(line.rstrip("\r\n").split("\t"), path, number)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(
            f"{path} is not a readable BED file ({error}); fix or replace it."
        ) from None


def _parse(fields: list[str], path: Path, number: int) -> Interval:
    where = f"{path}, line {number}"
    if len(fields) < 3:
        raise DataError(
            f"{where} has {len(fields)} tab-separated column(s); a BED line needs at least "
            "chrom, start and end separated by tabs."
        )
    start, end = (_integer(fields[i], what, where) for i, what in ((1, "start"), (2, "end")))
    if start < 0 or start >= end:
        raise DataError(
            f"{where}: start {start} is not below end {end} (BED intervals are 0-based, "
            "half-open, start < end); fix or remove that line."
        )
    strand = fields[5].strip() if len(fields) > 5 else "."
    if strand not in ("+", "-", "."):
        raise DataError(f"{where}: strand {strand!r} must be '+', '-' or '.'; fix that line.")
    centre = (start + end) // 2
    if len(fields) >= NARROWPEAK_COLUMNS and fields[9].strip() not in ("-1", ""):
        summit = _integer(fields[9], "summit (column 10)", where)
        if not 0 <= summit < end - start:
            raise DataError(
                f"{where}: the summit offset {summit} lies outside the interval "
                f"({end - start} bases); fix column 10 or set it to -1."
            )
        centre = start + summit
    name = fields[3].strip() if len(fields) > 3 else ""
    return Interval(fields[0].strip(), start, end, name, strand, centre, number)


def _integer(text: str, what: str, where: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise DataError(
            f"{where}: the {what} {text.strip()!r} is not a whole number; BED coordinates are "
            "integers, so fix that line."
        ) from None


def bed_files(path: Path) -> list[tuple[Path, str | None]]:
    """The BED files of ``path`` with their class: a folder's files (class = file stem), or
    the file itself (class in its name column: None).

    Raises:
        DataError: A folder without BED files.
    """
    if not path.is_dir():
        return [(path, None)]
    files = sorted(p for p in path.iterdir() if p.is_file() and is_bed(p))
    if not files:
        raise DataError(f"{path} holds no BED files (.bed, .narrowPeak, optionally .gz).")
    return [(file, bed_stem(file)) for file in files]


def file_intervals(
    path: Path, label: str | None, *, require_labels: bool = True, whole: bool = True,
    limit: int = CHUNK_RECORDS,
) -> Iterator[pd.DataFrame]:  # fmt: skip
    """The intervals table of one BED file (see :func:`interval_frame`): one part when
    ``whole``, else parts of at most ``limit`` intervals. Ids are as in the file (see
    :func:`unique_ids`).

    Raises:
        DataError: As :func:`iter_bed`, no intervals, or an interval without a class when
            labels are needed.
    """
    number = 1
    for intervals in batched(iter_bed(path), whole, limit):
        frame = interval_frame(intervals, path, label=label)
        empty = frame["label"].isin(["", "."])
        if require_labels and label is None and empty.any():
            row = frame[empty].iloc[0]
            raise DataError(
                f"{row['file']}, line {row['line']}: the name column (4th) is empty, so the "
                "interval has no class; put the class in column 4, or use one BED file "
                "per class in a folder."
            )
        unit = "interval" if label is None else f"{path.name}, interval"
        frame.attrs["row_label"] = (unit, number)
        number += len(frame)
        yield frame
    if number == 1:
        raise DataError(
            f"{path} holds no intervals (no 'chrom start end' lines); add intervals or point "
            "--data at another file."
        )


def unique_ids(frame: pd.DataFrame, repeated: np.ndarray) -> pd.DataFrame:
    """Ids made unique: an id that occurs more than once in the data (its hash is in
    ``repeated``) gets ``#<line>``."""
    import pandas as pd

    if len(repeated):
        hashes = pd.util.hash_array(frame["id"].to_numpy(dtype=object))
        again = np.isin(hashes, repeated)
        if again.any():
            frame["id"] = frame["id"].where(~again, frame["id"] + "#" + frame["line"].astype(str))
    return frame


def interval_frame(intervals: list[Interval], path: Path, label: str | None) -> pd.DataFrame:
    """The intervals table of some intervals of one file.

    Returns:
        Columns ``id`` (``chrom:start-end(strand)``), ``chrom``, ``start``, ``end``,
        ``strand``, ``centre``, ``file``, ``line`` and ``label`` (the class: the file's, else
        the name column, maybe empty).
    """
    import pandas as pd

    frame = pd.DataFrame([vars(interval) for interval in intervals])
    frame["id"] = interval_names(frame)
    frame["label"] = label if label is not None else frame.pop("name")
    frame["file"] = str(path)
    return frame.drop(columns="name", errors="ignore")


def interval_names(frame: pd.DataFrame) -> pd.Series:
    """``chrom:start-end(strand)`` of each interval: its id as read, before
    :func:`unique_ids`, and what keeps a repeated interval in one split."""
    return (
        frame["chrom"] + ":" + frame["start"].astype(str) + "-" + frame["end"].astype(str)
        + "(" + frame["strand"] + ")"
    )  # fmt: skip


def check_chromosomes(frame: pd.DataFrame, genome: Genome) -> None:
    """Raises a DataError naming the first interval whose chromosome the genome lacks.

    Raises:
        DataError: The chromosome is absent; names both naming styles when none match.
    """
    absent = ~frame["chrom"].isin(list(genome.lengths))
    if not absent.any():
        return
    row = frame[absent].iloc[0]
    hint = (
        f"none of the file's chromosomes are in the genome, whose names look like "
        f"{genome.naming()}: use the genome the intervals were called on, or rename the "
        "chromosomes in the BED file"
        if absent.all()
        else "remove the line or use the genome the intervals were called on"
    )
    raise DataError(
        f"{row['file']}, line {row['line']}: chromosome {row['chrom']!r} is not in the genome "
        f"{genome.path}; {hint}."
    )


def cut_sequences(frame: pd.DataFrame, genome: Genome, length: int) -> list[str]:
    """The ``length``-base window centred on each interval, reverse-complemented on ``-``."""
    from pmtk.plugins.genomics.genome import reverse_complement

    sequences = [
        genome.window(chrom, centre, length)
        for chrom, centre in zip(frame["chrom"], frame["centre"], strict=True)
    ]
    minus = (frame["strand"] == "-").to_numpy()
    return [reverse_complement(s) if m else s for s, m in zip(sequences, minus, strict=True)]


def padded_windows(frame: pd.DataFrame, genome: Genome, length: int) -> int:
    """How many windows run past a chromosome end (they are N-padded)."""
    lengths = frame["chrom"].map(genome.lengths)
    start = frame["centre"] - length // 2
    return int(((start < 0) | (start + length > lengths)).sum())


def note_padding(
    frame: pd.DataFrame, genome: Genome, length: int, padded: int | None = None
) -> None:
    """Prints how many windows run past a chromosome end (they are N-padded).

    Args:
        frame: The intervals.
        genome: Their genome.
        length: The window length.
        padded: The count when already known (data read in parts counts part by part).
    """
    padded = padded_windows(frame, genome, length) if padded is None else padded
    if padded:
        print(
            f"Note: {padded} window(s) run past a chromosome end and are padded with N.",
            file=sys.stderr,
        )
