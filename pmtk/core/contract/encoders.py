"""Modalities as composable encoders: a model is encoders (one per modality) plus a head.

An *encoder* turns one modality's raw per-example input into a fixed-size embedding, with
its preprocessing inside (rescaling, one-hot, normalisation), so the saved model still takes
raw inputs. A *head* turns an embedding into the target's output. A modality (the examples
one task reads, named like the task) contributes its readers (``pmtk_register_readers``),
its per-example input (``ModelSpec.input_shape``, from the task's ``dataset``) and encoders
selectable by name (``pmtk_register_encoders``). A task's model is then
``head(fuse(encoder(inputs) for each modality))``: :func:`compose_model` builds it.

Encoder builders create their layers in the graph being built (no nested models), so a
model composed from an encoder and a head is layer for layer the model a single builder
would make. Part of the task contract: nothing here imports anything above it; Keras is
imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.context import ModelSpec


@dataclass(frozen=True)
class Encoded:
    """What an encoder builder returns.

    Attributes:
        inputs: The modality's ``keras.Input`` (one tensor, or a dict of named inputs).
        embedding: A ``(batch, size)`` tensor computed from ``inputs``.
        head_inputs: Tensors besides the embedding that the modality's own head takes as
            keyword arguments (genomics ``danq``: the one-hot bases, for its position path).
            :func:`fuse` leaves them out: a fused model sees embeddings only.
    """

    inputs: Any
    embedding: Any
    head_inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Width of the embedding."""
        return int(self.embedding.shape[-1])

    def input_list(self) -> list[Any]:
        """The inputs as a flat list (a dict's values in order)."""
        if isinstance(self.inputs, Mapping):
            return list(self.inputs.values())
        if isinstance(self.inputs, list | tuple):
            return list(self.inputs)
        return [self.inputs]


#: ``head(embedding, spec, **encoded.head_inputs) -> outputs``: the target's output from an
#: embedding.
Head = Callable[..., Any]


def fuse(encodings: Mapping[str, Encoded]) -> Encoded:
    """Joins several modalities' encodings: every input, embeddings concatenated.

    Args:
        encodings: Modality (or patient-table column) name -> its encoding, in input order.

    Returns:
        One :class:`Encoded` whose inputs are a dict keyed by each ``keras.Input``'s name
        (Keras feeds a dict of inputs by those names).

    Raises:
        ValueError: ``encodings`` is empty, or two modalities' inputs share a name.
    """
    from keras import layers

    if not encodings:
        raise ValueError("fuse() needs at least one encoding; got none.")
    inputs: dict[str, Any] = {}
    for key, encoded in encodings.items():
        for tensor in encoded.input_list():
            if tensor.name in inputs:
                raise ValueError(
                    f"fuse(): the input '{tensor.name}' of '{key}' has the name of an input of "
                    "another modality; give the encoders' keras.Input layers distinct names."
                )
            inputs[tensor.name] = tensor
    embeddings = [encoded.embedding for encoded in encodings.values()]
    if len(embeddings) == 1:
        return Encoded(inputs, embeddings[0])
    return Encoded(inputs, layers.Concatenate(name="fused_embedding")(embeddings))


def compose_model(
    spec: ModelSpec, encoder: Callable[[ModelSpec], Encoded], head: Head, name: str
) -> keras.Model:
    """A task's model: ``head(encoder(inputs))`` as one functional Keras model.

    Args:
        spec: What the model builder received.
        encoder: The modality's encoder builder.
        head: Turns the embedding (and the encoder's ``head_inputs``, as keyword
            arguments) into the target's output.
        name: Name of the Keras model.

    Returns:
        The uncompiled model, taking the encoder's inputs.
    """
    import keras

    encoded = encoder(spec)
    outputs = head(encoded.embedding, spec, **encoded.head_inputs)
    return keras.Model(encoded.inputs, outputs, name=name)


def model_builder(
    encoder: Callable[[ModelSpec], Encoded], head: Head, name: str
) -> Callable[[ModelSpec], keras.Model]:
    """A model builder (for ``pmtk_register_models``) made of an encoder and a head."""

    def build(spec: ModelSpec) -> keras.Model:
        return compose_model(spec, encoder, head, name)

    build.__name__ = build.__qualname__ = f"build_{name}"
    build.__doc__ = f"The '{name}' model: {encoder.__name__} followed by {head.__name__}."
    return build
