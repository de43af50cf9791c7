"""Gradient x input saliency for genomics models: one backward pass per sequence.

The model one-hot encodes its byte input with a ``DnaOneHot`` layer; the gradient of
the explained class's probability with respect to that layer's output, times the one-hot
rows, gives one value per position: how much the base there pushes the score up (a
first-order estimate of what ISM measures, at the cost of a single backward pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pmtk.core.explaining import class_probabilities, class_score, progress
from pmtk.plugins.genomics.encoding import BASES, PADDING


@dataclass
class Saliency:
    """Gradient x input for a batch of sequences.

    Attributes:
        reference: Probability of the explained class for each sequence, ``(n,)``.
        importance: Gradient x input per position, ``(n, length)``; NaN past the end.
        class_index: Index of the class explained, ``(n,)``.
    """

    reference: np.ndarray
    importance: np.ndarray
    class_index: np.ndarray


def one_hot_layer(model: Any) -> Any:
    """The model's ``DnaOneHot`` layer, found by type."""
    from pmtk.plugins.genomics.layers import DnaOneHot

    for layer in model.layers:
        if isinstance(layer, DnaOneHot):
            return layer
    raise ValueError(f"the model {model.name} has no DnaOneHot layer to take gradients at")


def saliency(
    model: Any, packed: np.ndarray, batch_size: int = 64, class_index: int | None = None
) -> Saliency:
    """Gradient x input of every position of every sequence.

    Args:
        model: A trained genomics model (bytes in, probabilities out).
        packed: Sequences as packed bytes, ``(n, length)``.
        batch_size: Sequences per pass.
        class_index: Class explained for every sequence (default: each one's predicted class).
    """
    import keras
    import tensorflow as tf

    layer = one_hot_layer(model)
    # The rest of the network, fed the one-hot rows directly, so they can be watched
    # (the layer's own output comes from a constant table, which a tape does not follow);
    # models that also read the raw bytes past the encoding (padding-aware pooling) get them.
    try:
        tail, with_bytes = keras.Model(layer.output, model.output), False
    except ValueError:  # the output also depends on the bytes themselves
        tail, with_bytes = keras.Model([layer.output, *model.inputs], model.output), True
    importance = np.full(packed.shape, np.nan, dtype=np.float32)
    reference = np.zeros(len(packed), dtype=np.float32)
    chosen = np.zeros(len(packed), dtype=np.int64)
    for start in range(0, len(packed), batch_size):
        batch = tf.convert_to_tensor(packed[start : start + batch_size])
        encoded = tf.convert_to_tensor(layer(batch))
        mask = tf.not_equal(batch, PADDING) if layer.mask_padding else None
        with tf.GradientTape() as tape:
            tape.watch(encoded)
            if with_bytes:
                output = tail([encoded, batch], training=False, mask=[mask, None])
            else:
                output = tail(encoded, training=False, mask=mask)
            probabilities = class_probabilities(output.numpy())
            if class_index is None:
                index = probabilities.argmax(axis=1)
            else:
                index = np.full(len(probabilities), class_index)
            score = class_score(output, index)
        gradient = tape.gradient(score, encoded).numpy()
        values = (gradient * encoded.numpy()).sum(axis=2)
        stop = start + len(values)
        present = packed[start:stop] != PADDING
        importance[start:stop] = np.where(present, values, np.nan)
        reference[start:stop] = probabilities[np.arange(len(index)), index]
        chosen[start:stop] = index
        progress(stop, len(packed), "sequences", len(values))
    return Saliency(reference, importance, chosen)


def write_saliency(
    path: Path,
    ids: list[str],
    sequences: list[str],
    result: Saliency,
    class_names: list[str],
    windows: np.ndarray,
) -> None:
    """Saves ids, sequences, scores, importance and the strongest window as compressed NPZ."""
    np.savez_compressed(
        path,
        ids=np.array(ids, dtype=str),
        sequences=np.array(sequences, dtype=str),
        bases=np.array(list(BASES)),
        reference_score=result.reference,
        importance=result.importance,
        explained_class=np.array(class_names, dtype=str)[result.class_index],
        strongest_window_start=windows,
    )
