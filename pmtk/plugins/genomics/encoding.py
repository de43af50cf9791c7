"""DNA to numbers with 256-entry lookup tables over raw bytes: checking, padding, one-hot.

Every function works on whole batches at once; none loops over bases in Python.

Encoding: ``A``, ``C``, ``G``, ``T`` (either case) are one-hot rows in that column order; the
IUPAC ambiguity codes ``N R Y S W K M B D H V`` (either case) are uniform rows of 0.25, the
model's "any base"; the padding byte 0 is an all-zero row. Any other byte is invalid.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

#: Longest ``--sequence-length`` chosen automatically; longer training sequences are trimmed.
MAX_SEQUENCE_LENGTH = 2000

BASES = "ACGT"
#: IUPAC codes that stand for more than one base; encoded as uniform rows.
AMBIGUITY_CODES = "NRYSWKMBDHV"
#: Byte that pads a sequence to the model's length; one-hot encoded as all zeros.
PADDING = 0
#: Value of each of the four columns of an ambiguity code's row.
AMBIGUOUS_VALUE = 0.25

_LETTERS = BASES + AMBIGUITY_CODES
#: Every byte a sequence may contain, both cases.
VALID_BYTES = (_LETTERS + _LETTERS.lower()).encode("ascii")


def _one_hot_table() -> np.ndarray:
    table = np.zeros((256, 4), dtype=np.float32)
    for column, base in enumerate(BASES):
        table[ord(base), column] = table[ord(base.lower()), column] = 1.0
    for code in AMBIGUITY_CODES:
        table[ord(code)] = table[ord(code.lower())] = AMBIGUOUS_VALUE
    table.setflags(write=False)
    return table


def _complement_table() -> np.ndarray:
    # Ambiguity codes map to their IUPAC complement so a reverse complement stays exact.
    pairs = {"A": "T", "C": "G", "G": "C", "T": "A", "R": "Y", "Y": "R", "S": "S", "W": "W",
             "K": "M", "M": "K", "B": "V", "V": "B", "D": "H", "H": "D", "N": "N"}  # fmt: skip
    table = np.arange(256, dtype=np.uint8)
    for base, partner in pairs.items():
        table[ord(base)] = ord(partner)
        table[ord(base.lower())] = ord(partner.lower())
    table.setflags(write=False)
    return table


#: Byte -> one-hot row (float32, 256 x 4).
ONE_HOT_TABLE = _one_hot_table()
#: Byte -> byte of the complementary base (other bytes, padding included, map to themselves).
COMPLEMENT_TABLE = _complement_table()
#: Byte -> whether it may appear in a sequence.
VALID_TABLE = np.zeros(256, dtype=bool)
VALID_TABLE[np.frombuffer(VALID_BYTES, dtype=np.uint8)] = True
VALID_TABLE.setflags(write=False)
# One 16-byte item per table row, so ``np.take`` copies a whole row per base in one step.
_ROWS = ONE_HOT_TABLE.view(np.complex128).reshape(256)
#: Bases per ``np.take`` call in ``one_hot``.
_CHUNK = 1 << 18


def as_bytes(sequences: Sequence[str] | Sequence[bytes]) -> tuple[bytes, np.ndarray]:
    """Concatenates sequences into one byte string, one byte per character.

    Characters beyond Latin-1 become ``?`` (still one byte), so positions stay
    right and the character is reported as invalid.

    Returns:
        The bytes and the length of each sequence.
    """
    if len(sequences) and isinstance(sequences[0], str):
        joined = "".join(sequences).encode("latin-1", errors="replace")
    else:
        joined = b"".join(sequences)
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    return joined, lengths


def _first_invalid(joined: bytes, lengths: np.ndarray) -> tuple[int, int] | None:
    if not joined.translate(None, VALID_BYTES):  # C-speed scan: nothing left means all valid
        return None
    offset = int(np.argmin(VALID_TABLE[np.frombuffer(joined, dtype=np.uint8)]))
    ends = np.cumsum(lengths)
    index = int(np.searchsorted(ends, offset, side="right"))
    return index, offset - int(ends[index] - lengths[index])


def find_invalid(sequences: Sequence[str] | Sequence[bytes]) -> tuple[int, int] | None:
    """The first character that is not a base or an ambiguity code.

    Returns:
        ``(sequence index, 0-based position)``, or None when every character is valid.
    """
    return _first_invalid(*as_bytes(sequences))


def check_sequences(sequences: Sequence[str], where: Callable[[int], str]) -> None:
    """Raises a DataError naming the first empty sequence or invalid character.

    Args:
        sequences: The sequences, as read.
        where: Sequence index -> where it is, file included ("x.fa: record 'chr1:100-300'").

    Raises:
        DataError: A sequence is empty or holds a character that is not DNA.
    """
    sequences = sequences if isinstance(sequences, list) else list(sequences)
    joined, lengths = as_bytes(sequences)
    if len(lengths) and lengths.min() == 0:
        raise DataError(
            f"{where(int(np.argmin(lengths)))} has an empty sequence; fill it in or remove it."
        )
    invalid = _first_invalid(joined, lengths)
    if invalid is None:
        return
    index, position = invalid
    character = sequences[index][position]
    hint = " (RNA? write T for U)" if character in "Uu" else ""
    raise DataError(
        f"{where(index)} has the invalid character {character!r}{hint} at position "
        f"{position + 1}; sequences may hold only A, C, G, T (any case) and the IUPAC codes "
        f"{', '.join(AMBIGUITY_CODES)}, so fix or remove that record."
    )


def example_where(examples: pd.DataFrame, index: int, path: Path) -> str:
    """Where example ``index`` of an examples table came from, for :func:`check_sequences`."""
    record = examples["id"].iloc[index]
    if "file" in examples:
        return f"{examples['file'].iloc[index]}: record '{record}'"
    if "row" in examples:
        row = examples["row"].iloc[index]
        named = "" if record == f"row_{row}" else f" (id '{record}')"
        return f"{path}, row {row}{named}"
    return f"{path}: record '{record}'"


def trimmed_note(trimmed: int, length: int) -> None:
    """Prints how many training sequences are trimmed to ``length`` bases (none: nothing)."""
    if trimmed:
        print(
            f"Note: {trimmed} training sequence(s) are longer than {length} bases and are "
            f"trimmed to their first {length}; pass --sequence-length to change this.",
            file=sys.stderr,
        )


def _pack_joined(joined: bytes, lengths: np.ndarray, length: int) -> np.ndarray:
    """``pack`` on concatenated bytes; may return a read-only view of ``joined``."""
    flat = np.frombuffer(joined, dtype=np.uint8)
    if len(lengths) and (lengths == length).all():
        return flat.reshape(len(lengths), length)
    packed = np.zeros((len(lengths), length), dtype=np.uint8)
    kept = np.minimum(lengths, length)
    if (kept < lengths).any():
        # Position of every byte inside its own sequence; bytes past ``length`` are trimmed.
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        flat = flat[np.arange(len(flat)) - starts < length]
    packed[np.arange(length) < kept[:, None]] = flat
    return packed


def pack(sequences: Sequence[str] | Sequence[bytes], length: int) -> np.ndarray:
    """Raw bytes of each sequence, trimmed or padded (with ``PADDING``) at the end to ``length``.

    This is what the genomics models take as input.

    Returns:
        A writable ``(len(sequences), length)`` ``uint8`` array.
    """
    packed = _pack_joined(*as_bytes(sequences), length)
    return packed if packed.flags.writeable else packed.copy()


def one_hot(packed: np.ndarray) -> np.ndarray:
    """One-hot rows for an array of bytes (any shape), by table lookup.

    Returns:
        ``float32`` array of shape ``packed.shape + (4,)``.
    """
    packed = np.ascontiguousarray(packed, dtype=np.uint8)
    rows = np.empty(packed.shape + (4,), dtype=np.float32)
    source, target = packed.reshape(-1), rows.view(np.complex128).reshape(-1)
    # In chunks, so numpy's temporary copy of the indices stays in cache; mode="wrap" skips
    # a bounds-checking buffer (uint8 indices are always in range).
    for start in range(0, source.size, _CHUNK):
        chunk = slice(start, start + _CHUNK)
        np.take(_ROWS, source[chunk], out=target[chunk], mode="wrap")
    return rows


def encode(sequences: Sequence[str] | Sequence[bytes], length: int | None = None) -> np.ndarray:
    """Checks, pads or trims, and one-hot encodes a batch of sequences.

    Args:
        sequences: DNA sequences (str or bytes).
        length: Bases per sequence after padding/trimming (default: the longest).

    Returns:
        ``float32`` array of shape ``(len(sequences), length, 4)``.

    Raises:
        ValueError: A character is not a base or an ambiguity code; says which and where.
    """
    joined, lengths = as_bytes(sequences)
    invalid = _first_invalid(joined, lengths)
    if invalid is not None:
        index, position = invalid
        raise ValueError(
            f"sequence {index + 1} has the invalid character "
            f"{sequences[index][position : position + 1]!r} at position {position + 1}"
        )
    if length is None:
        length = int(lengths.max(initial=0))
    return one_hot(_pack_joined(joined, lengths, length))


def padding_mask(packed: np.ndarray) -> np.ndarray:
    """True where a packed array holds a base, False on padding."""
    return np.asarray(packed) != PADDING
