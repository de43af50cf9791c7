"""The lookup-table DNA encoder: every byte, case, ambiguity code, padding, trimming and mask."""

from __future__ import annotations

import numpy as np
import pytest

from pmtk.core.errors import DataError
from pmtk.plugins.genomics.encoding import (
    AMBIGUITY_CODES,
    COMPLEMENT_TABLE,
    ONE_HOT_TABLE,
    VALID_TABLE,
    check_sequences,
    encode,
    find_invalid,
    one_hot,
    pack,
    padding_mask,
)

VALID = set("ACGT" + AMBIGUITY_CODES + "acgt" + AMBIGUITY_CODES.lower())
INVALID_BYTES = [b for b in range(256) if chr(b) not in VALID]


def _loop_one_hot(sequence: str) -> np.ndarray:
    """The per-base reference the vectorised encoder must agree with."""
    rows = np.zeros((len(sequence), 4), dtype=np.float32)
    for position, base in enumerate(sequence.upper()):
        if base in "ACGT":
            rows[position, "ACGT".index(base)] = 1.0
        else:
            rows[position] = 0.25
    return rows


@pytest.mark.parametrize("base", list("ACGTacgt"))
def test_each_base_is_one_hot_in_acgt_order(base: str):
    expected = np.eye(4, dtype=np.float32)["ACGT".index(base.upper())]
    np.testing.assert_array_equal(encode([base])[0, 0], expected)


@pytest.mark.parametrize("code", list(AMBIGUITY_CODES + AMBIGUITY_CODES.lower()))
def test_each_ambiguity_code_is_a_uniform_row(code: str):
    np.testing.assert_array_equal(encode([code])[0, 0], np.full(4, 0.25, dtype=np.float32))


def test_upper_and_lower_case_encode_the_same():
    upper = encode(["ACGTNRYSWKMBDHV"])
    np.testing.assert_array_equal(encode(["acgtnryswkmbdhv"]), upper)
    np.testing.assert_array_equal(encode(["AcGtNrYsWkMbDhV"]), upper)


def test_str_and_bytes_inputs_agree():
    np.testing.assert_array_equal(encode(["ACGTN", "gg"]), encode([b"ACGTN", b"gg"]))


def test_valid_table_accepts_exactly_bases_and_iupac_codes():
    assert {chr(b) for b in range(256) if VALID_TABLE[b]} == VALID
    assert not VALID_TABLE[0], "the padding byte must never be accepted as input"


def test_table_rows_of_invalid_and_padding_bytes_are_zero():
    assert not ONE_HOT_TABLE[INVALID_BYTES].any()


@pytest.mark.parametrize("byte", INVALID_BYTES, ids=lambda b: f"0x{b:02x}")
def test_every_invalid_byte_is_found_with_its_record_and_position(byte: int):
    sequences = [b"ACGT", b"AC" + bytes([byte]) + b"T"]
    assert find_invalid(sequences) == (1, 2)


@pytest.mark.parametrize(
    ("sequences", "expected"),
    [
        (["ACGT"], None),
        (["XACGT"], (0, 0)),
        (["ACGT", "ACGT", "ACGX"], (2, 3)),
        (["ACGT", "AC-GT", "X"], (1, 2)),
        (["AC", "GT\u00e9"], (1, 2)),  # Latin-1, one byte
        (["AC", "\u2192GT"], (1, 0)),  # beyond Latin-1: still one position
        (["ACGT", "ACG T"], (1, 3)),
    ],
    ids=["valid", "first-base", "last-base", "gap", "latin-1", "unicode-arrow", "space"],
)
def test_find_invalid(sequences, expected):
    assert find_invalid(sequences) == expected


def _where(index: int) -> str:
    return f"data.fa: record 'seq{index + 1}'"


def test_invalid_character_message_names_record_position_and_fix():
    with pytest.raises(DataError) as error:
        check_sequences(["ACGT", "ACGTAXGT"], _where)
    message = str(error.value)
    assert "data.fa: record 'seq2'" in message
    assert "'X'" in message and "position 6" in message
    assert "fix or remove that record" in message


def test_non_latin_character_is_shown_as_written():
    with pytest.raises(DataError, match="'\u2192' at position 3"):
        check_sequences(["AC\u2192GT"], _where)


def test_uracil_gets_an_rna_hint():
    with pytest.raises(DataError, match=r"'U' \(RNA\? write T for U\) at position 2"):
        check_sequences(["AUG"], _where)


def test_empty_sequence_is_named():
    with pytest.raises(DataError, match="record 'seq2' has an empty sequence"):
        check_sequences(["ACGT", "", "GG"], _where)


def test_valid_sequences_pass_the_check():
    check_sequences(["ACGTN", "acgtryswkmbdhv"], _where)


def test_encode_rejects_invalid_characters():
    with pytest.raises(ValueError, match="sequence 2 has the invalid character 'Z' at position 1"):
        encode(["ACGT", "ZZ"])


def test_pack_pads_at_the_end_with_zero_bytes():
    packed = pack(["ACGT", "ac"], 6)
    assert packed.dtype == np.uint8
    np.testing.assert_array_equal(packed[0], [65, 67, 71, 84, 0, 0])
    np.testing.assert_array_equal(packed[1], [97, 99, 0, 0, 0, 0])


def test_pack_trims_to_the_first_bases():
    packed = pack(["ACGTACGT", "GG", "TTTTTTTTTTTT"], 5)
    assert [row.tobytes() for row in packed] == [b"ACGTA", b"GG\0\0\0", b"TTTTT"]


def test_pack_of_equal_lengths_is_a_copy():
    sequences = ["ACGT", "TTTT"]
    packed = pack(sequences, 4)
    packed[0, 0] = ord("G")
    assert sequences[0] == "ACGT" and packed.flags.writeable


def test_encode_pads_with_zero_rows_and_trims():
    encoded = encode(["ACG", "T"], length=2)
    assert encoded.shape == (2, 2, 4)
    np.testing.assert_array_equal(encoded[1, 1], np.zeros(4))
    np.testing.assert_array_equal(encoded[0], _loop_one_hot("AC"))


def test_encode_default_length_is_the_longest():
    assert encode(["A", "ACGTN", "GG"]).shape == (3, 5, 4)


def test_padding_mask_marks_bases_only():
    mask = padding_mask(pack(["ACGT", "N", "acgtn"], 5))
    np.testing.assert_array_equal(mask.sum(axis=1), [4, 1, 5])
    assert mask.dtype == bool


def test_one_hot_keeps_the_shape_of_any_byte_array():
    packed = pack(["ACGT", "GG"], 4).reshape(2, 2, 2)
    assert one_hot(packed).shape == (2, 2, 2, 4)


def test_vectorised_encoder_matches_a_per_base_loop():
    rng = np.random.default_rng(0)
    letters = list("ACGTacgtNnRy")
    sequences = ["".join(rng.choice(letters, int(n))) for n in rng.integers(1, 60, 50)]
    encoded = encode(sequences)
    for row, sequence in enumerate(sequences):
        np.testing.assert_array_equal(encoded[row, : len(sequence)], _loop_one_hot(sequence))
        assert not encoded[row, len(sequence) :].any()


@pytest.mark.parametrize(
    ("base", "partner"), list(zip("ACGTacgtNRYKM", "TGCAtgcaNYRMK", strict=True))
)
def test_complement_table(base: str, partner: str):
    assert chr(COMPLEMENT_TABLE[ord(base)]) == partner


def test_complement_keeps_padding_and_is_its_own_inverse():
    assert COMPLEMENT_TABLE[0] == 0
    np.testing.assert_array_equal(COMPLEMENT_TABLE[COMPLEMENT_TABLE], np.arange(256))
