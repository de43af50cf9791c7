"""Model builders: a 1-D CNN for the ``ecg`` task and a tiny ResNet for pmtk's imaging task.

Builders receive a :class:`pmtk.core.contract.task.ModelSpec` and return an uncompiled Keras
model whose preprocessing is inside it, so ``pmtk predict`` works on raw inputs. Only
built-in Keras layers are used, so ``model.keras`` loads without importing this package.
"""

from __future__ import annotations

from typing import Any

from pmtk.core.contract.targets import output_layer
from pmtk.core.contract.task import ModelSpec


def encode_cnn1d(spec: ModelSpec) -> Any:
    """The ``cnn1d`` layers before its output: an ECG embedding for pmtk's fusion task.

    Normalization -> two Conv1D blocks -> global average and max pooling. The
    Normalization layer learns the mean and variance of the training recordings, so
    the saved model takes raw samples. Options used: ``filters``, ``kernel_size``.
    """
    import keras
    from keras import layers

    from pmtk.core.contract.encoders import Encoded

    options = spec.options
    filters, kernel_size = options.get("filters", 16), options.get("kernel_size", 7)
    normalize = layers.Normalization(axis=None, name="normalize")
    normalize.adapt(spec.train_dataset.map(lambda x, y: x).batch(256))
    inputs = keras.Input(shape=spec.input_shape, name="signal")
    x = normalize(inputs)
    for block in range(2):
        x = layers.Conv1D(filters * 2**block, kernel_size, padding="same", activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
    # Average pooling sees the rhythm overall, max pooling one odd beat.
    x = layers.Concatenate()([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    return Encoded(inputs, x)


def build_cnn1d(spec: ModelSpec) -> Any:
    """:func:`encode_cnn1d` -> dropout -> output. Options used: ``filters``,
    ``kernel_size``, ``dropout_rate``."""
    import keras
    from keras import layers

    encoded = encode_cnn1d(spec)
    x = layers.Dropout(spec.options.get("dropout_rate", 0.2))(encoded.embedding)
    outputs = output_layer(spec.kind, spec.num_classes)(x)
    return keras.Model(encoded.inputs, outputs, name="cnn1d")


def _residual_block(x: Any, filters: int, stride: int) -> Any:
    """Two 3x3 convolutions with batch norm, added to a (projected) shortcut."""
    from keras import layers

    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = layers.BatchNormalization(momentum=0.9)(shortcut)
    x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    return layers.Activation("relu")(layers.Add()([x, shortcut]))


def build_tiny_resnet(spec: ModelSpec) -> Any:
    """A three-stage residual network for ``pmtk run imaging --model tiny_resnet``.

    Starts with ``Rescaling(1/255)`` like the built-in imaging models, because the
    imaging task feeds raw 0-255 pixels. Stages have 16, 32 and 64 filters. Option
    used: the imaging task's ``dropout_rate``.
    """
    import keras
    from keras import layers

    filters = 16
    inputs = keras.Input(shape=spec.input_shape, name="image")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.Activation("relu")(x)
    for stage, stride in enumerate((1, 2, 2)):
        x = _residual_block(x, filters * 2**stage, stride)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(spec.options.get("dropout_rate", 0.3))(x)
    outputs = output_layer(spec.kind, spec.num_classes)(x)
    return keras.Model(inputs, outputs, name="tiny_resnet")
