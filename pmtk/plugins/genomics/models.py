"""Sequence classifiers over one-hot DNA: DanQ-shaped ``danq`` (default), ``rnn`` and ``cnn``.

Every model takes the raw sequence bytes (``uint8``, 0 = padding) and one-hot encodes
them inside itself (:class:`~pmtk.plugins.genomics.layers.DnaOneHot`), so the saved
model scores raw sequences. Padding never reaches a recurrent layer (masks) or wins a
pooling (:class:`~pmtk.plugins.genomics.layers.SequenceMaxPooling1D`), so a sequence
scores the same however much padding follows it.
"""

from __future__ import annotations

from typing import Any

from pmtk.core.targets import output_layer
from pmtk.core.task import ModelSpec


def _sequence_input(spec: ModelSpec, *, mask_padding: bool) -> tuple[Any, Any, Any]:
    """The bytes input, the bytes after augmentation, and their one-hot rows."""
    import keras

    from pmtk.plugins.genomics.layers import DnaOneHot, ReverseComplement

    inputs = keras.Input(shape=spec.input_shape, dtype="uint8", name="sequence")
    sequence = inputs
    if spec.options.get("reverse_complement", False):
        augment = ReverseComplement(seed=spec.options.get("seed"), name="reverse_complement")
        sequence = augment(sequence)
    one_hot = DnaOneHot(mask_padding=mask_padding, name="one_hot")(sequence)
    return inputs, sequence, one_hot


def _motif_scan(spec: ModelSpec, one_hot: Any, sequence: Any) -> Any:
    """Convolution (motif detectors), padding-aware max pooling and dropout."""
    from keras import layers

    from pmtk.plugins.genomics.layers import SequenceMaxPooling1D

    options = spec.options
    x = layers.Conv1D(
        options.get("filters", 128),
        options.get("kernel_size", 19),
        padding="same",
        activation="relu",
        name="motif_scan",
    )(one_hot)
    x = SequenceMaxPooling1D(options.get("pool_size", 8), name="pool")([x, sequence])
    return layers.Dropout(options.get("dropout_rate", 0.2))(x)


def _head(spec: ModelSpec, features: Any) -> Any:
    """Dropout, one hidden dense layer and the task's output layer."""
    from keras import layers

    x = layers.Dropout(spec.options.get("dropout_rate", 0.2))(features)
    x = layers.Dense(spec.options.get("units", 64), activation="relu", name="dense")(x)
    return output_layer(spec.kind, spec.num_classes)(x)


def build_danq(spec: ModelSpec) -> Any:
    """DanQ-shaped (Quang & Xie 2016): convolution + pooling, bidirectional LSTM, dense.

    Conv1D(filters, kernel_size, ReLU) -> max pool(pool_size) -> Dropout ->
    BiLSTM(units per direction, masked) -> max over the steps that hold bases ->
    Dropout -> Dense(units, ReLU) -> output. The dense layer also sees the
    strongest match of every motif detector (max over the pooled steps): from
    little data that direct path learns motif presence fast, and the LSTM adds
    order and spacing. Without it, DanQ overfits the bundled sample before it finds the motif.
    """
    import keras
    from keras import layers

    from pmtk.plugins.genomics.layers import PaddingMask, SequenceMaxPooling1D

    pool_size = spec.options.get("pool_size", 8)
    inputs, sequence, one_hot = _sequence_input(spec, mask_padding=False)
    motifs = _motif_scan(spec, one_hot, sequence)
    steps = PaddingMask(pool_size, name="pooled_mask")(sequence)
    lstm = layers.LSTM(spec.options.get("units", 64), return_sequences=True)
    context = layers.Bidirectional(lstm, name="bilstm")(motifs, mask=steps)
    features = layers.Concatenate(name="features")(
        [
            SequenceMaxPooling1D(stride=pool_size, name="max_motif")([motifs, sequence]),
            SequenceMaxPooling1D(stride=pool_size, name="max_context")([context, sequence]),
        ]
    )
    return keras.Model(inputs, _head(spec, features), name="danq")


def build_rnn(spec: ModelSpec) -> Any:
    """A pure bidirectional GRU over the one-hot bases (padding masked), max over steps, dense."""
    import keras
    from keras import layers

    from pmtk.plugins.genomics.layers import SequenceMaxPooling1D

    inputs, sequence, one_hot = _sequence_input(spec, mask_padding=True)
    gru = layers.GRU(spec.options.get("units", 64), return_sequences=True)
    x = layers.Bidirectional(gru, name="bigru")(one_hot)
    x = SequenceMaxPooling1D(name="max_over_steps")([x, sequence])
    return keras.Model(inputs, _head(spec, x), name="rnn")


def build_cnn(spec: ModelSpec) -> Any:
    """Convolution-only baseline: conv + pooling, a second conv, max over the bases, dense."""
    import keras
    from keras import layers

    from pmtk.plugins.genomics.layers import SequenceMaxPooling1D

    options = spec.options
    inputs, sequence, one_hot = _sequence_input(spec, mask_padding=False)
    x = _motif_scan(spec, one_hot, sequence)
    x = layers.Conv1D(
        options.get("filters", 128),
        max(3, options.get("kernel_size", 19) // 2),
        padding="same",
        activation="relu",
        name="conv",
    )(x)
    pool_size = options.get("pool_size", 8)
    x = SequenceMaxPooling1D(stride=pool_size, name="max_over_steps")([x, sequence])
    return keras.Model(inputs, _head(spec, x), name="cnn")
