"""Keras layers the risk models need beyond Keras' own preprocessing layers.

Each is registered as serializable under the ``pmtk`` package, so ``model.keras``
loads with ``keras.saving.load_model`` once this module has been imported
(``import pmtk.plugins.risk.layers``). Keras keys registered classes by
``package>ClassName`` and silently lets a later registration replace an earlier
one, so these class names must differ from every other plugin's layers (the
autoencoder has its own ``FillMissing``).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="pmtk")
class FillMissingColumns(keras.layers.Layer):
    """Replaces NaN in each column of a numeric matrix with that column's training value.

    Args:
        values: One fill value per column (the training median).
    """

    def __init__(self, values: list[float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values = [float(v) for v in values]

    def call(self, inputs):
        """Returns ``inputs`` with NaN replaced column-wise."""
        fill = ops.broadcast_to(ops.convert_to_tensor(self.values, inputs.dtype), ops.shape(inputs))
        return ops.where(ops.isnan(inputs), fill, inputs)

    def get_config(self) -> dict[str, Any]:
        """Layer config with the fill values."""
        return super().get_config() | {"values": self.values}


@keras.saving.register_keras_serializable(package="pmtk")
class MissingIndicator(keras.layers.Layer):
    """1.0 where a value is missing (NaN), for the chosen columns of a numeric matrix.

    Args:
        columns: Indices of the columns that get an indicator (those with missing
            values in the training data).
    """

    def __init__(self, columns: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = [int(c) for c in columns]

    def call(self, inputs):
        """Returns a ``(batch, len(columns))`` float matrix of missing flags."""
        chosen = ops.take(inputs, self.columns, axis=-1)
        return ops.cast(ops.isnan(chosen), "float32")

    def get_config(self) -> dict[str, Any]:
        """Layer config with the column indices."""
        return super().get_config() | {"columns": self.columns}


@keras.saving.register_keras_serializable(package="pmtk")
class PriorCorrection(keras.layers.Layer):
    """Undoes, at prediction time, the shift that class weights put into the logits.

    Training with balanced class weights multiplies each class's odds by its
    weight, so a weighted model over-predicts rare outcomes. Subtracting
    ``log(weight)`` from the logits outside training (evaluation, prediction)
    gives risks on the cohort's own scale, which is what calibration, the Brier
    score and clinicians expect. During training the logits pass unchanged.

    Args:
        shift: One value per output unit, subtracted from the logits.
    """

    def __init__(self, shift: list[float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shift = [float(s) for s in shift]

    def call(self, inputs, training=None):
        """Returns the logits, shifted unless training."""
        if training:
            return inputs
        return inputs - ops.convert_to_tensor(self.shift, inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        """Layer config with the shift."""
        return super().get_config() | {"shift": self.shift}
