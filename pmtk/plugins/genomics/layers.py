"""Keras layers that put DNA encoding inside the saved model.

A genomics model takes the raw bytes of each sequence (ASCII letters, 0 = padding,
as made by :func:`pmtk.plugins.genomics.encoding.pack`) and one-hot encodes them
itself, with the same 256-entry table as the NumPy encoder. Import this module
before ``keras.saving.load_model`` on a genomics ``model.keras``.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers, ops

from pmtk.plugins.genomics.encoding import COMPLEMENT_TABLE, ONE_HOT_TABLE, PADDING


@keras.saving.register_keras_serializable(package="pmtk")
class DnaOneHot(layers.Layer):
    """Sequence bytes ``(batch, length)`` to one-hot rows ``(batch, length, 4)``.

    Args:
        mask_padding: Attach a mask that is False on padding, for layers that
            accept masks (recurrent layers); leave it off before convolutions,
            which would drop it.
    """

    def __init__(self, mask_padding: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_padding = mask_padding
        self.supports_masking = mask_padding

    def call(self, inputs):
        table = ops.convert_to_tensor(ONE_HOT_TABLE, dtype=self.compute_dtype)
        return ops.take(table, ops.cast(inputs, "int32"), axis=0)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, PADDING) if self.mask_padding else None

    def compute_output_shape(self, input_shape):
        return (*input_shape, 4)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_padding": self.mask_padding}


@keras.saving.register_keras_serializable(package="pmtk")
class ReverseComplement(layers.Layer):
    """While training, replaces each sequence by its reverse complement with probability ``rate``.

    Works on sequence bytes; only the bases are reversed, so padding stays at the
    end. Inactive at inference.

    Args:
        rate: Probability of flipping a sequence.
        seed: Seed of the random draws.
    """

    def __init__(self, rate: float = 0.5, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        codes = ops.cast(inputs, "int32")
        lengths = ops.sum(ops.cast(ops.not_equal(codes, PADDING), "int32"), axis=1, keepdims=True)
        positions = ops.expand_dims(ops.arange(ops.shape(codes)[1], dtype="int32"), 0)
        source = ops.where(positions < lengths, lengths - 1 - positions, positions)
        reverse = ops.take_along_axis(codes, source, axis=1)
        complement = ops.take(ops.convert_to_tensor(COMPLEMENT_TABLE, dtype="int32"), reverse)
        draws = keras.random.uniform((ops.shape(codes)[0], 1), seed=self.seed_generator)
        return ops.cast(ops.where(draws < self.rate, complement, codes), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="pmtk")
class PaddingMask(layers.Layer):
    """Which steps hold a base: sequence bytes ``(batch, length)`` to a boolean mask.

    Args:
        stride: Steps of the layer the mask is for, in bases (its pooling size):
            step ``j`` covers bases ``j * stride`` onwards and is kept when the
            first of them is a base (padding only ever follows the bases).
    """

    def __init__(self, stride: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stride = stride

    def call(self, inputs):
        return ops.not_equal(inputs, PADDING)[:, :: self.stride]

    def compute_output_shape(self, input_shape):
        length = input_shape[1]
        return (input_shape[0], None if length is None else -(-length // self.stride))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stride": self.stride}


@keras.saving.register_keras_serializable(package="pmtk")
class SequenceMaxPooling1D(layers.Layer):
    """Max pooling that ignores the steps of padding: ``[features, sequence bytes] -> pooled``.

    Windows start at step 0 (the sequence's first base) and padded steps never
    win a maximum, so a sequence gets the same result however much padding
    follows it. A window of padding only gives zeros. Needs a fixed number of steps.

    Args:
        pool_size: Window and stride in steps, or None to pool over all steps
            (output ``(batch, features)``).
        stride: Bases per step of the incoming features (the pooling before them).
    """

    def __init__(self, pool_size: int | None = None, stride: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_size = pool_size
        self.stride = stride
        # Recurrent layers attach their mask to what they return; the bytes already say it.
        self.supports_masking = True

    def call(self, inputs, mask=None):
        features, sequence = inputs
        bases = ops.not_equal(sequence, PADDING)
        # A finite floor, not -inf: compilers may assume finite values and drop the clean-up.
        lowest = float(np.finfo(keras.backend.standardize_dtype(features.dtype)).min)
        features = ops.where(ops.expand_dims(bases[:, :: self.stride], -1), features, lowest)
        if self.pool_size is None:
            any_base = ops.any(bases, axis=1, keepdims=True)  # an all-padding row gives zeros
            return ops.where(any_base, ops.max(features, axis=1), 0.0)
        extra = -features.shape[1] % self.pool_size
        features = ops.pad(features, [[0, 0], [0, extra], [0, 0]], constant_values=lowest)
        pooled = ops.max_pool(features, self.pool_size, strides=self.pool_size)
        # Windows of padding only (their first step is padding) give zeros.
        filled = bases[:, :: self.stride * self.pool_size]
        return ops.where(ops.expand_dims(filled, -1), pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        batch, steps, channels = input_shape[0]
        if self.pool_size is None:
            return (batch, channels)
        return (batch, None if steps is None else -(-steps // self.pool_size), channels)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "stride": self.stride}
