"""Sequence classifiers over one-hot DNA: DanQ-shaped ``danq`` (default), ``rnn`` and ``cnn``.

Every model takes the raw sequence bytes (``uint8``, 0 = padding) and one-hot encodes
them inside itself (:class:`~pmtk.plugins.genomics.layers.DnaOneHot`), so the saved
model scores raw sequences. Padding never reaches a recurrent layer (masks) or wins a
pooling (:class:`~pmtk.plugins.genomics.layers.SequenceMaxPooling1D`), and its one-hot
rows are zeros, so a sequence scores the same however much padding follows it.

Convolution + max pooling finds a motif wherever it is, and by design forgets where:
``danq`` alone loses to a logistic regression on the one-hot bases when the signal sits
at a fixed offset (splice sites, windows centred on a feature). So ``danq`` adds a
position path (a linear score of every base at every position) whenever the training set
is large enough for it (see :func:`use_position_path`).

Each model is an encoder (raw bytes -> a fixed-size embedding, registered with
``pmtk_register_encoders``) followed by a head (dropout, dense, the target's output),
composed by :func:`pmtk.core.contract.encoders.model_builder`. The position path belongs to the
``danq`` head (it scores the target from the one-hot bases the encoder hands it), so a
fused model gets the danq embedding without it.
"""

from __future__ import annotations

from typing import Any

from pmtk.core.contract.encoders import Encoded, model_builder
from pmtk.core.contract.targets import output_layer
from pmtk.core.contract.task import ModelSpec

#: Training examples needed per one-hot input (4 per position) before the position path is
#: built. Below 2 (Cover's capacity of a linear model), almost any labelling of the training
#: set is linearly separable: the path would memorise it before the convolution path finds
#: a motif, and early stopping would end the run there.
EXAMPLES_PER_POSITION_INPUT = 2.0
#: Factor on the position path's one-hot inputs. Adam moves every weight by about the
#: learning rate per step whatever its fan-in, so without it the position path learns far
#: more slowly than the convolution path, which then overfits first.
POSITION_PATH_SCALE = 10.0
#: L2 penalty on the position path's weights. Light: early stopping on the validation loss
#: regularises it, as it does the rest of the model; a penalty as strong as the logistic
#: regression's best let the convolution path take over and overfit the splice sample.
POSITION_PATH_L2 = 2e-4


def _sequence_input(spec: ModelSpec, *, mask_padding: bool) -> tuple[Any, Any, Any]:
    """The bytes input, the bytes after augmentation, and their one-hot rows."""
    import keras

    from pmtk.plugins.genomics.layers import DnaOneHot, ReverseComplement

    inputs = keras.Input(shape=spec.input_shape, dtype="uint8", name="sequence")
    sequence = inputs
    if spec.options.task_option("reverse_complement"):
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
        options.task_option("filters"),
        options.task_option("kernel_size"),
        padding="same",
        activation="relu",
        name="motif_scan",
    )(one_hot)
    x = SequenceMaxPooling1D(options.task_option("pool_size"), name="pool")([x, sequence])
    # Named: auto-generated names (dropout_1) may clash with another encoder's in a fused model.
    return layers.Dropout(options.task_option("dropout_rate"), name="motif_dropout")(x)


def use_position_path(spec: ModelSpec) -> bool:
    """Whether ``danq`` gets a position path: enough training examples per one-hot input.

    ``spec.options["position_path"]`` (True/False), when set, decides instead.
    """
    chosen = spec.options.get("position_path")
    if chosen is not None:
        return bool(chosen)
    if spec.train_dataset is None or spec.input_shape[0] is None:
        return False
    examples = int(spec.train_dataset.cardinality())
    return examples >= EXAMPLES_PER_POSITION_INPUT * 4 * spec.input_shape[0]


def _output_units(spec: ModelSpec) -> int:
    return spec.num_classes if spec.kind == "multiclass" else 1


def _position_logits(spec: ModelSpec, one_hot: Any) -> Any:
    """Position path: the flattened one-hot rows, one weight per base, position and output.

    A logistic regression on the one-hot bases, inside the model. Padding rows are zeros,
    so padding adds nothing. Starts at zero (no effect on the other path at first).
    """
    from keras import layers, regularizers

    flat = layers.Flatten(name="flat_bases")(one_hot)
    flat = layers.Rescaling(POSITION_PATH_SCALE, name="position_scale")(flat)
    return layers.Dense(
        _output_units(spec),
        use_bias=False,
        kernel_initializer="zeros",
        kernel_regularizer=regularizers.L2(POSITION_PATH_L2),
        name="position_linear",
    )(flat)


def _head(spec: ModelSpec, features: Any, position: Any = None) -> Any:
    """Dropout, one hidden dense layer and the task's output layer.

    With ``position`` (logits of the position path), the output's logits are the sum of
    the hidden layer's and ``position``.
    """
    from keras import layers

    x = layers.Dropout(spec.options.task_option("dropout_rate"))(features)
    x = layers.Dense(spec.options.task_option("units"), activation="relu", name="dense")(x)
    if position is None:
        return output_layer(spec.kind, spec.num_classes)(x)
    logits = layers.Dense(_output_units(spec), name="logits")(x)
    logits = layers.Add(name="logits_with_position")([logits, position])
    activation = {"binary": "sigmoid", "multiclass": "softmax"}.get(spec.kind, "linear")
    return layers.Activation(activation, name="output")(logits)


def head(embedding: Any, spec: ModelSpec) -> Any:
    """The ``rnn`` and ``cnn`` head: dropout, one hidden dense layer, the target's output."""
    return _head(spec, embedding)


def danq_head(embedding: Any, spec: ModelSpec, one_hot: Any = None) -> Any:
    """The ``danq`` head: :func:`head`, plus the position path from ``one_hot`` (the
    encoder's one-hot bases) when :func:`use_position_path` says the data allow it."""
    use = one_hot is not None and use_position_path(spec)
    position = _position_logits(spec, one_hot) if use else None
    return _head(spec, embedding, position)


def encode_danq(spec: ModelSpec) -> Encoded:
    """DanQ-shaped encoder (Quang & Xie 2016): convolution + pooling, bidirectional LSTM.

    Conv1D(filters, kernel_size, ReLU) -> max pool(pool_size) -> Dropout ->
    BiLSTM(units per direction, masked) -> max over the steps that hold bases. The
    embedding also holds the strongest match of every motif detector (max over the pooled
    steps): from little data that direct path learns motif presence fast, and the LSTM adds
    order and spacing. Without it, DanQ overfits the bundled sample before it finds the
    motif. The embedding is ``filters + 2 * units`` wide; the one-hot bases go to the head
    (``head_inputs``) for its position path.
    """
    from keras import layers

    from pmtk.plugins.genomics.layers import PaddingMask, SequenceMaxPooling1D

    pool_size = spec.options.task_option("pool_size")
    inputs, sequence, one_hot = _sequence_input(spec, mask_padding=False)
    motifs = _motif_scan(spec, one_hot, sequence)
    steps = PaddingMask(pool_size, name="pooled_mask")(sequence)
    lstm = layers.LSTM(spec.options.task_option("units"), return_sequences=True)
    context = layers.Bidirectional(lstm, name="bilstm")(motifs, mask=steps)
    # Named for the modality: a fused model also holds the risk encoder's "features".
    features = layers.Concatenate(name="sequence_features")(
        [
            SequenceMaxPooling1D(stride=pool_size, name="max_motif")([motifs, sequence]),
            SequenceMaxPooling1D(stride=pool_size, name="max_context")([context, sequence]),
        ]
    )
    return Encoded(inputs, features, {"one_hot": one_hot})


def encode_rnn(spec: ModelSpec) -> Encoded:
    """A bidirectional GRU over the one-hot bases (padding masked), max over steps:
    a ``2 * units`` wide embedding."""
    from keras import layers

    from pmtk.plugins.genomics.layers import SequenceMaxPooling1D

    inputs, sequence, one_hot = _sequence_input(spec, mask_padding=True)
    gru = layers.GRU(spec.options.task_option("units"), return_sequences=True)
    x = layers.Bidirectional(gru, name="bigru")(one_hot)
    return Encoded(inputs, SequenceMaxPooling1D(name="max_over_steps")([x, sequence]))


def encode_cnn(spec: ModelSpec) -> Encoded:
    """Convolution only: conv + pooling, a second conv, max over the bases (``filters`` wide)."""
    from keras import layers

    from pmtk.plugins.genomics.layers import SequenceMaxPooling1D

    options = spec.options
    inputs, sequence, one_hot = _sequence_input(spec, mask_padding=False)
    x = _motif_scan(spec, one_hot, sequence)
    x = layers.Conv1D(
        options.task_option("filters"),
        max(3, options.task_option("kernel_size") // 2),
        padding="same",
        activation="relu",
        name="conv",
    )(x)
    pool_size = options.task_option("pool_size")
    return Encoded(
        inputs, SequenceMaxPooling1D(stride=pool_size, name="max_over_steps")([x, sequence])
    )


#: DanQ-shaped (default): :func:`encode_danq`, then :func:`danq_head` (with the position
#: path when the training set holds ``EXAMPLES_PER_POSITION_INPUT`` examples per one-hot
#: input, so a consensus at a fixed offset is scored as well as a logistic regression does).
build_danq = model_builder(encode_danq, danq_head, "danq")
#: A pure bidirectional GRU: :func:`encode_rnn`, then :func:`head`.
build_rnn = model_builder(encode_rnn, head, "rnn")
#: Convolution-only baseline: :func:`encode_cnn`, then :func:`head`.
build_cnn = model_builder(encode_cnn, head, "cnn")
