"""Fused models: each modality's encoder (from its plugin), a missing-aware join, one head.

Each modality's encoder is built by its own plugin from the modality's own context, exactly
as in a single-modality run, and wrapped as a sub-model named ``encoder_KEY`` so two
modalities of one task (two scans) keep separate weights and input names. Its embedding is
projected to ``--embedding-units``, replaced by a learned "missing" embedding where the
patient lacks the modality, and joined with the others by the head:

- ``concat`` (default): concatenation, then a ReLU layer and the output layer;
- ``attention``: a softmax-weighted sum of the projected embeddings (weights computed per
  patient from the embeddings themselves), then the same layers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.targets import output_layer
from pmtk.core.contract.task import ModelSpec
from pmtk.plugins.fusion.modalities import PRESENT, Modality

if TYPE_CHECKING:
    import keras
    import tensorflow as tf


def build_concat(spec: ModelSpec) -> keras.Model:
    """Concatenated modality embeddings -> ReLU layer -> output (the default)."""
    return _build(spec, "concat")


def build_attention(spec: ModelSpec) -> keras.Model:
    """Attention-weighted sum of modality embeddings -> ReLU layer -> output."""
    return _build(spec, "attention")


def _build(spec: ModelSpec, head: str) -> keras.Model:
    import keras
    from keras import layers

    from pmtk.plugins.fusion.layers import MissingEmbedding, ModalityDropout

    options = spec.options
    entries = spec.context.derived["modalities"]
    present = keras.Input((len(entries),), name=PRESENT, dtype="float32")
    inputs: dict[str, Any] = {PRESENT: present}
    mask = ModalityDropout(options["modality_dropout"], seed=options["seed"],
                           name="modality_dropout")(present)  # fmt: skip
    embeddings = []
    for index, entry in enumerate(entries):
        modality = Modality.from_json(entry)
        encoder, outer = modality_encoder(spec, index, entry)
        inputs |= flat_inputs(outer)
        embedding = layers.Dense(options["embedding_units"], activation="relu",
                                 name=f"project_{modality.key}")(encoder(outer))  # fmt: skip
        missing = MissingEmbedding(index, name=f"missing_{modality.key}")
        embeddings.append(missing([embedding, mask]))
    x = _join(embeddings, head)
    x = layers.Dense(options["hidden_units"], activation="relu", name="fused_hidden")(x)
    x = layers.Dropout(options["dropout_rate"], name="fused_dropout")(x)
    outputs = output_layer(spec.kind, spec.num_classes)(x)
    return keras.Model(inputs, outputs, name=f"fusion_{head}")


def _join(embeddings: list[Any], head: str) -> Any:
    from keras import layers

    if len(embeddings) == 1:
        return embeddings[0]
    if head == "concat":
        return layers.Concatenate(name="fused_embedding")(embeddings)
    width = embeddings[0].shape[-1]
    stacked = layers.Concatenate(axis=1, name="modality_stack")(
        [layers.Reshape((1, width))(e) for e in embeddings]
    )
    scores = layers.Dense(1, name="attention_score")(
        layers.Dense(width, activation="tanh", name="attention_hidden")(stacked)
    )
    weights = layers.Softmax(axis=1, name="attention_weights")(scores)
    pooled = layers.Dot(axes=1, name="attention_pool")([weights, stacked])
    return layers.Flatten(name="fused_embedding")(pooled)


def modality_encoder(spec: ModelSpec, index: int, entry: Mapping[str, Any]) -> tuple[Any, Any]:
    """One modality's encoder as a sub-model, and fused-model inputs shaped like its inputs.

    The encoder's builder gets a spec of the modality alone: its own context, input shape
    and the training rows that have it (for preprocessing layers that adapt to data).
    """
    import keras

    modality = Modality.from_json(entry)
    context = modality.context(spec.context.registry, entry["derived"])
    sub_spec = ModelSpec(
        input_shape=input_shape(entry["input"]),
        kind=spec.kind,
        num_classes=spec.num_classes,
        class_names=spec.class_names,
        context=context,
        train_dataset=_modality_rows(spec.train_dataset, index, modality.key, entry["input"]),
        class_weight=spec.class_weight,
    )
    builder = spec.context.registry.encoder_builder(modality.task, modality.encoder)
    encoded = builder(sub_spec)
    encoder = keras.Model(encoded.inputs, encoded.embedding, name=f"encoder_{modality.key}")
    return encoder, _outer_inputs(encoded.inputs, modality.key)


def input_name(key: str, part: str | None = None) -> str:
    """The fused model's input name for a modality (or one named part of its input)."""
    return key if part is None else f"{key}__{part}"


def input_shape(described: Mapping[str, Any]) -> Any:
    """A modality input's shape (a dict of shapes for named inputs) from its description."""
    if "shape" in described:
        return tuple(described["shape"])
    return {name: tuple(part["shape"]) for name, part in described.items()}


def flat_inputs(outer: Any) -> dict[str, Any]:
    """The fused model's input tensors of one modality, by name."""
    if isinstance(outer, Mapping):
        return {tensor.name: tensor for tensor in outer.values()}
    if isinstance(outer, list | tuple):
        return {tensor.name: tensor for tensor in outer}
    return {outer.name: outer}


def _outer_inputs(inner: Any, key: str) -> Any:
    import keras

    def like(tensor: Any, name: str) -> Any:
        return keras.Input(tuple(tensor.shape[1:]), dtype=tensor.dtype, name=name)

    if isinstance(inner, Mapping):
        return {part: like(tensor, input_name(key, part)) for part, tensor in inner.items()}
    if isinstance(inner, list | tuple):
        return [like(tensor, input_name(key, str(i))) for i, tensor in enumerate(inner)]
    return like(inner, input_name(key))


def _modality_rows(
    dataset: tf.data.Dataset | None, index: int, key: str, described: Mapping[str, Any]
) -> tf.data.Dataset | None:
    """The fused training rows that have the modality, as the modality's own ``(x, y)``."""
    if dataset is None:
        return None
    named = "shape" not in described

    def pick(x, y):
        if named:
            return {part: x[input_name(key, part)] for part in described}, y
        return x[input_name(key)], y

    return dataset.filter(lambda x, y: x[PRESENT][index] > 0).map(pick)
