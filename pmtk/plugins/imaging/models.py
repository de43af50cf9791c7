"""Image classifiers: the seed article's CNN and pmtk's default small CNN.

Both start with ``Rescaling(1/255)`` so the saved model takes raw 0-255 pixels.
"""

from __future__ import annotations

from typing import Any

from pmtk.core.targets import output_layer
from pmtk.core.task import ModelSpec


def build_seed_cnn(spec: ModelSpec) -> Any:
    """The CNN of the original seed article, unchanged.

    Conv2D(32, 3x3, ReLU) -> MaxPool(2x2) -> Flatten -> Dense(64, ReLU) -> Dense(1, sigmoid)
    (softmax over the classes when there are more than two).
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=spec.input_shape, name="image")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    x = layers.Conv2D(32, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu")(x)
    outputs = output_layer(spec.kind, spec.num_classes)(x)
    return keras.Model(inputs, outputs, name="seed_cnn")


def _augmentation(seed: int) -> list[Any]:
    """Light, orientation-preserving augmentation (no flips: anatomy has a left and a right)."""
    from keras import layers

    return [
        layers.RandomRotation(0.04, fill_mode="reflect", seed=seed),
        layers.RandomTranslation(0.05, 0.05, fill_mode="reflect", seed=seed),
        layers.RandomZoom(0.1, fill_mode="reflect", seed=seed),
        layers.RandomContrast(0.1, seed=seed),
    ]


def build_small_cnn(spec: ModelSpec) -> Any:
    """pmtk's default: a stride-2 stem, four conv blocks with group norm, average+max pooling.

    Options used: ``augment`` (light augmentation, active only while training),
    ``dropout_rate`` and ``base_filters``.

    Why not batch norm: a medical set of a few hundred images gives a handful of steps
    per epoch, so batch norm's moving statistics (used for validation and prediction)
    lag far behind the batch statistics the network trains with. Validation then sees
    a different network, early stopping keeps a chance-level epoch, and whether a run
    recovers depends on the seed and the CPU's kernels. Group norm normalises each image
    the same way in training and prediction, so there is no such gap.
    """
    import keras
    from keras import layers

    options = spec.options
    filters = options.get("base_filters", 32)
    inputs = keras.Input(shape=spec.input_shape, name="image")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    if options.get("augment", True):
        for layer in _augmentation(options.get("seed", 42)):
            x = layer(x)
    for block in range(4):
        # The first convolution strides by 2: four times less work at full resolution,
        # and a lesion a few pixels wide still spans several of its outputs.
        x = layers.Conv2D(
            filters * 2 ** min(block, 2), 3, strides=2 if block == 0 else 1,
            padding="same", use_bias=False,
        )(x)  # fmt: skip
        x = layers.GroupNormalization(groups=8)(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)  # "same": small images never shrink to 0
    # Average pooling sees diffuse findings, max pooling a small focal one (a nodule, a lesion).
    x = layers.Concatenate()([layers.GlobalAveragePooling2D()(x), layers.GlobalMaxPooling2D()(x)])
    x = layers.Dropout(options.get("dropout_rate", 0.3))(x)
    # Zero-initialised output: every image starts at 0.5, so early epochs move the features
    # instead of undoing large random logits from the max-pooled activations.
    outputs = output_layer(spec.kind, spec.num_classes, kernel_initializer="zeros")(x)
    return keras.Model(inputs, outputs, name="small_cnn")
