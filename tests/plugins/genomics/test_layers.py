"""The in-model encoding layers agree with the NumPy encoder, mask padding and serialise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pmtk.plugins.genomics.encoding import ONE_HOT_TABLE, VALID_TABLE, one_hot, pack

keras = pytest.importorskip("keras")
layers_module = pytest.importorskip("pmtk.plugins.genomics.layers")
DnaOneHot = layers_module.DnaOneHot
PaddingMask = layers_module.PaddingMask
ReverseComplement = layers_module.ReverseComplement
SequenceMaxPooling1D = layers_module.SequenceMaxPooling1D


def test_one_hot_layer_matches_the_numpy_encoder_for_every_byte():
    codes = np.arange(256, dtype=np.uint8)[VALID_TABLE | (np.arange(256) == 0)].reshape(1, -1)
    np.testing.assert_array_equal(np.asarray(DnaOneHot()(codes)), one_hot(codes))
    np.testing.assert_array_equal(np.asarray(DnaOneHot()(codes))[0, 0], ONE_HOT_TABLE[0])


@pytest.mark.parametrize("mask_padding", [True, False], ids=["masked", "unmasked"])
def test_one_hot_layer_mask(mask_padding: bool):
    layer = DnaOneHot(mask_padding=mask_padding)
    mask = layer.compute_mask(pack(["ACG", "T"], 4))
    if mask_padding:
        np.testing.assert_array_equal(np.asarray(mask), [[1, 1, 1, 0], [1, 0, 0, 0]])
    else:
        assert mask is None


def test_reverse_complement_flips_only_the_bases_while_training():
    packed = pack(["AACGT", "acgN", "G"], 6)
    layer = ReverseComplement(rate=1.0, seed=0)
    flipped = np.asarray(layer(packed, training=True))
    assert [row.tobytes() for row in flipped] == [b"ACGTT\0", b"Ncgt\0\0", b"C\0\0\0\0\0"]
    np.testing.assert_array_equal(np.asarray(layer(packed, training=False)), packed)
    np.testing.assert_array_equal(
        np.asarray(ReverseComplement(rate=0.0)(packed, training=True)), packed
    )


def test_reverse_complement_flips_about_half_at_rate_one_half():
    packed = pack(["AAAA"] * 400, 4)
    flipped = np.asarray(ReverseComplement(seed=1)(packed, training=True))
    assert 150 < (flipped[:, 0] == ord("T")).sum() < 250


@pytest.mark.parametrize(("stride", "expected"), [(1, [1, 1, 1, 0, 0]), (2, [1, 1, 0])])
def test_padding_mask_per_pooled_step(stride: int, expected: list[int]):
    mask = np.asarray(PaddingMask(stride)(pack(["ACG"], 5)))
    np.testing.assert_array_equal(mask[0], expected)


def test_sequence_pooling_ignores_padding_even_below_zero():
    features = -np.arange(1, 7, dtype=np.float32).reshape(1, 6, 1)  # -1 ... -6
    sequence = pack(["ACG"], 6)
    pooled = np.asarray(SequenceMaxPooling1D(2)([features, sequence]))
    np.testing.assert_array_equal(pooled[0, :, 0], [-1, -3, 0])  # last window: padding only
    overall = np.asarray(SequenceMaxPooling1D()([features, sequence]))
    np.testing.assert_array_equal(overall, [[-1]])


def test_sequence_pooling_at_a_coarser_stride():
    features = np.array([[[5.0], [7.0], [9.0]]], dtype=np.float32)  # steps of 2 bases
    sequence = pack(["ACG"], 6)  # steps 0 and 1 hold bases, step 2 is padding
    assert float(np.asarray(SequenceMaxPooling1D(stride=2)([features, sequence]))[0, 0]) == 7.0


def test_layers_round_trip_through_a_saved_model(tmp_path: Path):
    from keras import layers

    inputs = keras.Input((12,), dtype="uint8")
    sequence = ReverseComplement(seed=3)(inputs)
    x = layers.Conv1D(2, 3, padding="same")(DnaOneHot()(sequence))
    x = SequenceMaxPooling1D(4)([x, sequence])
    x = layers.LSTM(2, return_sequences=True)(x, mask=PaddingMask(4)(sequence))
    outputs = SequenceMaxPooling1D(stride=4)([x, sequence])
    model = keras.Model(inputs, outputs)
    packed = pack(["ACGTACGTAC", "GGN"], 12)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(packed, verbose=0), model.predict(packed, verbose=0))
    config = loaded.get_layer(index=1).get_config()
    assert config["rate"] == 0.5 and config["seed"] == 3


def test_sequence_pooling_of_an_all_padding_row_is_zero():
    features = np.ones((2, 4, 3), dtype=np.float32)
    sequence = np.zeros((2, 4), dtype=np.uint8)
    sequence[0, :2] = ord("A")
    overall = np.asarray(SequenceMaxPooling1D()([features, sequence]))
    np.testing.assert_array_equal(overall, [[1, 1, 1], [0, 0, 0]])
