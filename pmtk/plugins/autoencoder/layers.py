"""The autoencoder's two custom Keras layers: missing-value filling and the reconstruction loss.

Importing this module registers both layers with Keras (package ``pmtk``), which
``keras.saving.load_model`` needs before it can load ``model.keras`` or ``encoder.keras``.
This module imports Keras at the top, so only import it where TensorFlow is wanted.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="pmtk")
class FillMissing(layers.Layer):
    """Replaces missing values (NaN) with a constant.

    Placed after standardisation, the default ``value=0.0`` is the training mean
    of every feature, so missing entries are imputed with training means.

    Args:
        value: The value written where the input is NaN.
        **kwargs: Standard layer arguments (``name``, ``dtype``).
    """

    def __init__(self, value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value = float(value)

    def call(self, inputs):
        """Returns ``inputs`` with every NaN replaced by ``value``."""
        return ops.where(ops.isnan(inputs), ops.full_like(inputs, self.value), inputs)

    def compute_output_shape(self, input_shape):
        """Same shape as the input."""
        return input_shape

    def get_config(self) -> dict[str, Any]:
        """The layer's constructor arguments."""
        return {**super().get_config(), "value": self.value}


@keras.saving.register_keras_serializable(package="pmtk")
class ReconstructionLoss(layers.Layer):
    """Adds the masked mean squared reconstruction error to the model's loss.

    Called on ``[standardized_input, standardized_reconstruction]``, where the input
    still holds NaN for missing entries. The loss is the mean squared difference
    over the observed entries only, so a missing value never becomes a target and
    never makes the loss NaN. The layer returns the reconstruction unchanged.

    The loss lives in the model rather than in ``Model.compile`` because it needs
    the standardised input and its missing-value mask, which only exist inside the
    model (the targets Keras would pass to a compiled loss are the raw features).
    """

    def call(self, inputs):
        """Adds the loss and passes the reconstruction through."""
        target, reconstruction = inputs
        observed = ops.logical_not(ops.isnan(target))
        safe_target = ops.where(observed, target, ops.zeros_like(target))
        squared = ops.where(
            observed, ops.square(reconstruction - safe_target), ops.zeros_like(target)
        )
        count = ops.maximum(ops.sum(ops.cast(observed, squared.dtype)), 1.0)
        self.add_loss(ops.sum(squared) / count)
        return reconstruction

    def compute_output_shape(self, input_shape):
        """The reconstruction's shape."""
        return input_shape[1]
