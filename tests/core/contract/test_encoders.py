"""Modalities as composable encoders: any registered encoders join into one Keras model."""

from __future__ import annotations

import numpy as np
import pytest

from pmtk import hookimpl
from pmtk.core.contract.encoders import Encoded, fuse
from pmtk.core.contract.task import ModelSpec
from pmtk.core.data.sample_data import data_path
from pmtk.core.errors import OptionError, PluginError
from pmtk.core.host.options import all_options

EXAMPLES_PER_MODALITY = 6


def _modality_input(registry, modality: str):
    """A modality's encoder spec and first examples, through its task only (no special cases)."""
    task = registry.task(modality)
    options = {option.name: option.default for option in all_options(task)}
    context = registry.run_context(modality, options)
    examples = task.read(data_path(task, None), context)[:EXAMPLES_PER_MODALITY]
    context = registry.run_context(modality, options, derived=task.derive(examples, context))
    dataset = task.dataset(examples, None, context)
    spec = dataset.element_spec
    shape = (
        {key: tuple(value.shape) for key, value in spec.items()}
        if isinstance(spec, dict)
        else tuple(spec.shape)
    )
    model_spec = ModelSpec(shape, "binary", 1, ["no", "yes"], context)
    (batch,) = dataset.batch(EXAMPLES_PER_MODALITY).take(1)
    return model_spec, batch


@pytest.mark.slow
@pytest.mark.parametrize(
    "modalities",
    [
        pytest.param(("imaging", "risk"), id="imaging+risk"),
        pytest.param(("genomics", "imaging"), id="genomics+imaging"),
        pytest.param(("risk", "genomics"), id="risk+genomics"),
    ],
)
def test_one_model_from_two_modalities_encoders(host, modalities):
    import keras

    registry = host.registry
    encodings, inputs = {}, {}
    for modality in modalities:
        spec, batch = _modality_input(registry, modality)
        encoded = registry.encoder_builder(modality)(spec)  # the task's default encoder
        assert isinstance(encoded, Encoded) and len(encoded.embedding.shape) == 2
        encodings[modality] = encoded
        if isinstance(batch, dict):
            inputs |= batch
        else:
            inputs[encoded.inputs.name] = batch
    fused = fuse(encodings)
    assert fused.size == sum(encoded.size for encoded in encodings.values())
    outputs = keras.layers.Dense(1, activation="sigmoid")(fused.embedding)
    model = keras.Model(fused.inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    labels = np.array([0, 1] * (EXAMPLES_PER_MODALITY // 2), dtype="float32")
    model.train_on_batch(inputs, labels)
    scores = model.predict(inputs, verbose=0)
    assert scores.shape == (EXAMPLES_PER_MODALITY, 1) and np.isfinite(scores).all()


def test_builtin_modalities_register_their_default_encoders(host):
    registry = host.registry
    for modality, expected in (
        ("imaging", {"small_cnn", "seed"}),
        ("risk", {"mlp", "linear"}),
        ("genomics", {"danq", "rnn", "cnn"}),
    ):
        assert expected <= set(registry.encoder_names(modality))
        task = registry.task(modality)
        assert task.default_encoder in registry.encoder_names(modality)
        assert registry.encoders[modality][task.default_encoder].plugin == modality


def _encode_flat(spec: ModelSpec) -> Encoded:
    import keras

    inputs = keras.Input(shape=spec.input_shape, name="image")
    return Encoded(inputs, keras.layers.Flatten()(inputs))


class _FlatEncoder:
    @hookimpl
    def pmtk_register_encoders(self, register):
        register("imaging", "flat", _encode_flat, "every pixel")


def test_a_plugin_registers_an_encoder(host, add_plugin):
    add_plugin(_FlatEncoder(), "flat-encoder")
    registry = host.registry
    assert registry.encoder_builder("imaging", "flat") is _encode_flat
    assert registry.encoders["imaging"]["flat"].plugin == "flat-encoder"
    context = registry.run_context("imaging", {})
    encoded = registry.encoder_builder("imaging", "flat")(
        ModelSpec((4, 4, 1), "binary", 1, [], context)
    )
    assert encoded.size == 16


def test_unknown_and_conflicting_encoders(host, add_plugin):
    with pytest.raises(OptionError, match="Unknown encoder 'resnet' for the modality 'imaging'"):
        host.registry.encoder_builder("imaging", "resnet")
    add_plugin(_FlatEncoder(), "flat-1")
    add_plugin(_FlatEncoder(), "flat-2")
    with pytest.raises(PluginError, match="'flat-1', 'flat-2'"):
        host.registry.encoder_builder("imaging", "flat")
