"""Indexed random access to a reference genome (pyfaidx), with the index kept in pmtk's cache.

The ``.fai`` index (and, for bgzip-compressed FASTA, the ``.gzi``) is written under
``$XDG_CACHE_HOME/pmtk/genome-index/`` (default ``~/.cache/pmtk/genome-index/``), never next
to the user's genome: nothing the user gave is modified. The genome is never loaded whole.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from pmtk.core.errors import DataError

#: Byte written where a window runs past a chromosome end.
PADDING_BASE = "N"


def reverse_complement(sequence: str) -> str:
    """The reverse complement, IUPAC codes and case kept (``acgN`` -> ``Ncgt``)."""
    from pmtk.plugins.genomics.encoding import COMPLEMENT_TABLE

    return sequence.encode("latin-1").translate(COMPLEMENT_TABLE.tobytes())[::-1].decode("latin-1")


def cache_folder() -> Path:
    """pmtk's cache folder for genome indexes (``$XDG_CACHE_HOME/pmtk/genome-index``)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "pmtk" / "genome-index"


def index_paths(path: Path) -> tuple[Path, Path]:
    """Where the ``.fai`` and ``.gzi`` of ``path`` live: the cache, keyed by the absolute path.

    Falls back to a folder under the system's temporary directory when the cache cannot
    be created (a read-only home).
    """
    key = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise OSError
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"pmtk-genome-index-{os.getuid()}"
        folder.mkdir(parents=True, exist_ok=True)
    stem = f"{key}-{Path(path).name}"
    return folder / f"{stem}.fai", folder / f"{stem}.gzi"


class Genome:
    """A reference genome opened for random access.

    Args:
        path: FASTA file, plain or bgzip-compressed.

    Raises:
        DataError: The file is missing, not FASTA, plain-gzip compressed, or malformed.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        _check_fasta(self.path)
        self._fasta = _open_indexed(self.path)
        self.lengths = {name: len(record) for name, record in self._fasta.records.items()}

    def __contains__(self, chromosome: str) -> bool:
        return chromosome in self.lengths

    def fetch(self, chromosome: str, start: int, end: int) -> str:
        """Bases ``[start, end)`` (0-based) of a chromosome, ``N``-padded beyond its ends.

        Soft-masked (lower-case) bases keep their case; the models read either case.
        """
        length = self.lengths[chromosome]
        left, right = max(start, 0), min(end, length)
        bases = self._fasta.get_seq(chromosome, left + 1, right) if right > left else ""
        bases = str(bases)
        return PADDING_BASE * (left - start) + bases + PADDING_BASE * (end - max(right, start))

    def window(self, chromosome: str, centre: int, length: int) -> str:
        """``length`` bases whose middle (index ``length // 2``) is the 0-based ``centre``."""
        start = centre - length // 2
        return self.fetch(chromosome, start, start + length)

    def naming(self) -> str:
        """Two example chromosome names, for messages (``'chr1', 'chr2'``)."""
        return ", ".join(repr(name) for name in list(self.lengths)[:2])

    def close(self) -> None:
        """Closes the FASTA file."""
        self._fasta.close()


def _check_fasta(path: Path) -> None:
    """A cheap look at the first bytes: exists, FASTA, not plain gzip."""
    if not path.is_file():
        problem = "is a folder" if path.is_dir() else "does not exist"
        raise DataError(f"{path} {problem}; pass a FASTA file of the reference genome as --genome.")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head[:2] == b"\x1f\x8b":
        if b"BC" not in head[10:16]:  # BGZF blocks carry the 'BC' extra field
            raise DataError(
                f"{path} is gzip-compressed but not with bgzip, so it cannot be read by "
                "position; decompress it (gunzip) or recompress it with 'bgzip'."
            )
        return
    first = next((line for line in head.splitlines() if line.strip()), b"")
    if not first.startswith(b">"):
        raise DataError(
            f"{path}, line 1: the genome is not FASTA (it starts with {first[:40]!r}, not a "
            "'>chromosome' header); pass the reference genome's FASTA file as --genome."
        )


def _open_indexed(path: Path):
    import pyfaidx

    fai, gzi = index_paths(path)
    try:
        return pyfaidx.Fasta(
            str(path), indexname=str(fai), gzi_indexname=str(gzi), as_raw=True,
            sequence_always_upper=False, read_long_names=False,
        )  # fmt: skip
    except (pyfaidx.FastaIndexingError, pyfaidx.UnsupportedCompressionFormat, ValueError) as error:
        fai.unlink(missing_ok=True)  # a half-built index would be reused next time
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else "malformed"
        raise DataError(
            f"{path} cannot be indexed as a FASTA genome ({reason}); every line of a record "
            "must have the same length except the last: rewrap the file (for example with "
            "'samtools faidx' or 'seqkit seq -w 60')."
        ) from None
    except OSError as error:
        raise DataError(f"{path} cannot be read ({error.strerror or error}).") from None
