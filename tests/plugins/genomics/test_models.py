"""The three genomics architectures: shapes, padding invariance, save/load round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pmtk.core.contract.task import ModelSpec, RunContext
from pmtk.plugins.genomics import models
from pmtk.plugins.genomics.encoding import pack
from pmtk.plugins.genomics.task import GenomicsTask

keras = pytest.importorskip("keras")
BUILDERS = {"danq": models.build_danq, "rnn": models.build_rnn, "cnn": models.build_cnn}
#: Every genomics option (a run's context holds them all), the model's made small.
SMALL = {option.name: option.default for option in GenomicsTask.options} | {
    "filters": 4, "units": 3, "kernel_size": 5, "pool_size": 4, "seed": 0
}  # fmt: skip
SEQUENCES = ["ACGTACGTTTGACGTCAAGG", "acgtn", "GGGGCCCCAT"]


def _spec(length: int, kind: str = "binary", classes: int = 1, **options) -> ModelSpec:
    names = [f"c{i}" for i in range(max(classes, 2))]
    return ModelSpec((length,), kind, classes, names, RunContext("genomics", SMALL | options, None))


@pytest.mark.parametrize("name", BUILDERS)
@pytest.mark.parametrize(("kind", "classes"), [("binary", 1), ("multiclass", 3)])
def test_output_shape_and_bytes_input(name: str, kind: str, classes: int):
    model = BUILDERS[name](_spec(20, kind, classes))
    assert model.name == name
    assert model.inputs[0].dtype == "uint8" and tuple(model.input_shape) == (None, 20)
    scores = model.predict(pack(SEQUENCES, 20), verbose=0)
    assert scores.shape == (3, classes)
    if kind == "multiclass":
        np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("name", BUILDERS)
def test_padding_does_not_change_the_score(name: str):
    short = BUILDERS[name](_spec(20))
    long = BUILDERS[name](_spec(37))
    long.set_weights(short.get_weights())
    np.testing.assert_allclose(
        long.predict(pack(SEQUENCES, 37), verbose=0),
        short.predict(pack(SEQUENCES, 20), verbose=0),
        atol=1e-6,
    )


@pytest.mark.parametrize("name", BUILDERS)
def test_saved_model_loads_with_plain_keras(name: str, tmp_path: Path):
    model = BUILDERS[name](_spec(20, reverse_complement=True))
    assert model.get_layer("reverse_complement") is not None
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    packed = pack(SEQUENCES, 20)
    np.testing.assert_allclose(loaded.predict(packed, verbose=0), model.predict(packed, verbose=0))


def test_registered_with_the_task(host):
    assert host.registry.model_names("genomics") == ["cnn", "danq", "rnn"]
    assert host.registry.task("genomics").default_model == "danq"


def _position_spec(length: int, kind: str = "multiclass", classes: int = 3) -> ModelSpec:
    return _spec(length, kind, classes, position_path=True)


@pytest.mark.parametrize(("kind", "classes"), [("binary", 1), ("multiclass", 3)])
def test_danq_position_path_output_shape(kind: str, classes: int):
    model = models.build_danq(_position_spec(20, kind, classes))
    assert model.get_layer("position_linear").kernel.shape == (80, classes)
    scores = model.predict(pack(SEQUENCES, 20), verbose=0)
    assert scores.shape == (3, classes)
    if kind == "multiclass":
        np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)


def test_danq_position_path_ignores_padding_whatever_its_weights():
    rng = np.random.default_rng(0)
    short = models.build_danq(_position_spec(20))
    short.get_layer("position_linear").kernel.assign(rng.normal(size=(80, 3)))
    long = models.build_danq(_position_spec(37))
    weights = []
    for small, large in zip(short.get_weights(), long.get_weights(), strict=True):
        if small.shape != large.shape:  # the position kernel: any weights on the padding
            extra = rng.normal(size=(large.shape[0] - small.shape[0], small.shape[1]))
            small = np.concatenate([small, extra])
        weights.append(small)
    long.set_weights(weights)
    np.testing.assert_allclose(
        long.predict(pack(SEQUENCES, 37), verbose=0),
        short.predict(pack(SEQUENCES, 20), verbose=0),
        atol=1e-5,
    )


def test_danq_position_path_round_trip(tmp_path: Path):
    model = models.build_danq(_position_spec(20))
    model.get_layer("position_linear").kernel.assign(np.random.default_rng(1).normal(size=(80, 3)))
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    packed = pack(SEQUENCES, 20)
    np.testing.assert_allclose(loaded.predict(packed, verbose=0), model.predict(packed, verbose=0))


@pytest.mark.parametrize(
    ("examples", "length", "expected"),
    [(2100, 60, True), (480, 60, True), (479, 60, False), (420, 200, False)],
    ids=["splice-sized", "at-the-threshold", "below", "long-sample-sized"],
)
def test_position_path_needs_two_training_examples_per_one_hot_input(
    examples: int, length: int, expected: bool
):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((examples, length), dtype="uint8"))
    spec = ModelSpec((length,), "binary", 1, ["a", "b"], RunContext("genomics", SMALL, None))
    spec.train_dataset = dataset
    assert models.use_position_path(spec) is expected
    assert "position_linear" not in [
        layer.name for layer in models.build_danq(_spec(length)).layers
    ]
