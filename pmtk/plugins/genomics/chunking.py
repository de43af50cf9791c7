"""How genomics data is cut into parts: records per part, counts by byte scan, interleaving.

A labelled FASTA file, a folder of per-class FASTA files, a CSV/TSV table and BED intervals
on a genome are read in parts of about :data:`CHUNK_BASES` bases once they hold more records
than ``PMTK_STREAMING_ROWS`` (:func:`pmtk.core.data.part_threshold.in_parts`); smaller data is
one part. Part boundaries depend on the data alone (never on a run's settings), so every pass
over the data yields the same rows in the same order. A folder's class files are interleaved
in proportion to their record counts, so every stretch of the data holds every class.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Bases per part: a part's one-hot rows stay near 32 MB.
CHUNK_BASES = 2_000_000
#: Records per part at most.
CHUNK_RECORDS = 65_536
#: Bases per sequence assumed for the rows of a table, whose parts are counted in rows.
TABLE_WIDTH = 500
_FEWEST_RECORDS = 64
_SCAN_BYTES = 1 << 20


def chunk_records(width: int) -> int:
    """Records per part for sequences of ``width`` bases."""
    return max(_FEWEST_RECORDS, min(CHUNK_RECORDS, CHUNK_BASES // max(width, 1)))


def open_bytes(path: Path):
    """``path`` opened for reading bytes, through gzip when its name ends in ``.gz``."""
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def count_lines(path: Path, starting: bytes | None = None) -> int:
    """Lines of a (gzip) text file, or those starting with ``starting``, by a byte scan.

    Unreadable files count 0: the reader that follows says what is wrong with them.
    """
    count, previous = 0, b"\n"
    try:
        with open_bytes(path) as handle:
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


def batched(
    records: Iterable[Any], whole: bool, limit: int = CHUNK_RECORDS, size: Callable | None = None
) -> Iterator[list]:
    """Records in lists of at most ``limit`` records and, when ``size`` gives a record's
    bases, :data:`CHUNK_BASES` bases; every record in one list when ``whole``."""
    if whole:
        chunk = list(records)
        if chunk:
            yield chunk
        return
    chunk, bases = [], 0
    for record in records:
        chunk.append(record)
        bases += 0 if size is None else size(record)
        if len(chunk) >= limit or bases >= CHUNK_BASES:
            yield chunk
            chunk, bases = [], 0
    if chunk:
        yield chunk


def interleaved(parts: list[Iterator[pd.DataFrame]], counts: list[int]) -> Iterator[pd.DataFrame]:
    """Parts of several files merged in proportion to their record counts."""
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


def files_signature(files: Iterable[Path]) -> tuple:
    """Each file's path, size and modification time: what a scan of them is cached under."""
    signature = []
    for file in files:
        status = file.stat()
        signature.append((str(file.resolve()), status.st_size, status.st_mtime_ns))
    return tuple(signature)


def repeated_hashes(hashes: list[Any]) -> Any:
    """The 64-bit hashes that occur more than once among the arrays of ``hashes``."""
    import numpy as np

    if not hashes:
        return np.empty(0, dtype=np.uint64)
    values, counts = np.unique(np.concatenate(hashes), return_counts=True)
    return values[counts > 1]
