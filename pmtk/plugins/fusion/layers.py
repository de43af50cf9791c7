"""Keras layers that let a fused model train and predict with any subset of modalities.

Registered as serializable under the ``pmtk`` package (import this module before loading a
fused ``model.keras``); the class names differ from every other plugin's layers.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="pmtk")
class ModalityDropout(keras.layers.Layer):
    """In training, hides each present modality with probability ``rate`` (ModDrop).

    A patient never loses every modality it has: if the draw hides them all, the row keeps
    its true presence. This makes the fused model use every modality instead of leaning on
    the strongest, and trains the "missing" embeddings on patients who have the data.

    Args:
        rate: Probability of hiding a present modality.
        seed: Seed of the draws.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed
        self._generator = keras.random.SeedGenerator(seed)

    def call(self, present, training=None):
        """``present`` (batch, modalities) of 1/0, with some ones set to 0 in training."""
        if not training or self.rate <= 0:
            return present
        kept = ops.cast(
            keras.random.uniform(ops.shape(present), seed=self._generator) >= self.rate,
            present.dtype,
        )
        dropped = present * kept
        anything_left = ops.sum(dropped, axis=-1, keepdims=True) > 0
        return ops.where(anything_left, dropped, present)

    def get_config(self) -> dict[str, Any]:
        """Layer config with the rate and seed."""
        return super().get_config() | {"rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="pmtk")
class MissingEmbedding(keras.layers.Layer):
    """A modality's embedding where present, a learned "missing" embedding where not.

    Called on ``[embedding, present]``; ``index`` picks the modality's column of ``present``.
    The encoder still runs on the placeholder input of a missing modality, but its output
    is multiplied by zero, so neither the prediction nor the gradients depend on it.

    Args:
        index: The modality's column in the presence mask.
    """

    def __init__(self, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = int(index)

    def build(self, input_shape):
        """Creates the missing embedding, as wide as the modality's embedding."""
        width = input_shape[0][-1]
        self.missing = self.add_weight(shape=(width,), initializer="zeros", name="missing")

    def call(self, inputs):
        """``present * embedding + (1 - present) * missing``, row by row."""
        embedding, present = inputs
        mask = ops.cast(present[:, self.index : self.index + 1], embedding.dtype)
        missing = ops.cast(self.missing, embedding.dtype)
        return mask * embedding + (1 - mask) * missing

    def compute_output_shape(self, input_shape):
        """The embedding's shape."""
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        """Layer config with the modality's index."""
        return super().get_config() | {"index": self.index}
