"""Image classifiers: the seed article's CNN and pmtk's default small CNN.

Both start with ``Rescaling(1/255)`` so the saved model takes raw 0-255 pixels. Each is an
encoder (raw image -> a fixed-size embedding, registered with ``pmtk_register_encoders``)
followed by a head (the target's output), composed by
:func:`pmtk.core.contract.encoders.model_builder`.
"""

from __future__ import annotations

from typing import Any

from pmtk.core.contract.encoders import Encoded, model_builder
from pmtk.core.contract.targets import output_layer
from pmtk.core.contract.task import ModelSpec


def encode_seed_cnn(spec: ModelSpec) -> Encoded:
    """The seed article's encoder: Conv2D(32, 3x3, ReLU) -> MaxPool(2x2) -> Flatten ->
    Dense(64, ReLU), a 64-wide embedding of the raw image."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=spec.input_shape, name="image")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    x = layers.Conv2D(32, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Flatten()(x)
    return Encoded(inputs, layers.Dense(64, activation="relu")(x))


def seed_cnn_head(embedding: Any, spec: ModelSpec) -> Any:
    """Dense(1, sigmoid), or softmax over the classes when there are more than two."""
    return output_layer(spec.kind, spec.num_classes)(embedding)


#: The CNN of the original seed article, unchanged: its encoder, then its head.
build_seed_cnn = model_builder(encode_seed_cnn, seed_cnn_head, "seed_cnn")


#: Filters of the small CNN's first block (no option sets it).
BASE_FILTERS = 32


def _augmentation(seed: int) -> list[Any]:
    """Light, orientation-preserving augmentation (no flips: anatomy has a left and a right)."""
    from keras import layers

    return [
        layers.RandomRotation(0.04, fill_mode="reflect", seed=seed),
        layers.RandomTranslation(0.05, 0.05, fill_mode="reflect", seed=seed),
        layers.RandomZoom(0.1, fill_mode="reflect", seed=seed),
        layers.RandomContrast(0.1, seed=seed),
    ]


def encode_small_cnn(spec: ModelSpec) -> Encoded:
    """pmtk's default encoder: a stride-2 stem, four conv blocks with group norm,
    average+max pooling (an embedding twice as wide as the last block's filters).

    Options used: ``augment`` (light augmentation, active only while training) and ``seed``.
    The first block has :data:`BASE_FILTERS` filters, the later ones twice and four times as many.

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
    filters = BASE_FILTERS
    inputs = keras.Input(shape=spec.input_shape, name="image")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    if options.task_option("augment"):
        for layer in _augmentation(options.seed):
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
    pooled = [layers.GlobalAveragePooling2D()(x), layers.GlobalMaxPooling2D()(x)]
    return Encoded(inputs, layers.Concatenate()(pooled))


def small_cnn_head(embedding: Any, spec: ModelSpec) -> Any:
    """Dropout (``dropout_rate``) then a zero-initialised output layer."""
    from keras import layers

    x = layers.Dropout(spec.options.task_option("dropout_rate"))(embedding)
    # Zero-initialised output: every image starts at 0.5, so early epochs move the features
    # instead of undoing large random logits from the max-pooled activations.
    return output_layer(spec.kind, spec.num_classes, kernel_initializer="zeros")(x)


#: pmtk's default imaging model: :func:`encode_small_cnn`, then :func:`small_cnn_head`.
build_small_cnn = model_builder(encode_small_cnn, small_cnn_head, "small_cnn")
