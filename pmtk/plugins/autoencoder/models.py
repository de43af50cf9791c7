"""Autoencoder architectures and the option checks and statistics they share.

Both models take raw features (NaN for missing values) and, inside the model,
standardise them with training means and variances, fill missing entries with the
training mean (0 after standardisation), optionally add Gaussian noise while
training (``--denoise``), encode to ``--latent-dim`` units and decode. Outputs:

- ``code``: the code (``z1..zk``),
- ``reconstruction``: the reconstruction in raw feature units.

The training loss is added by the :class:`~pmtk.plugins.autoencoder.layers.ReconstructionLoss`
layer: mean squared error on the standardised scale over observed entries only.

Keras is imported inside the functions, so registering the models loads no TensorFlow.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.task import ModelSpec
from pmtk.core.errors import OptionError

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

#: Training variances at or below this are constant features; they are scaled by 1, not by 0.
VARIANCE_FLOOR = 1e-12


def parse_hidden_units(text: str | None) -> list[int]:
    """The ``--hidden-units`` value as layer sizes (``"128,64"`` -> ``[128, 64]``).

    An empty value (or ``none``) means no hidden layer: a linear autoencoder.

    Raises:
        OptionError: A part is not a positive whole number.
    """
    if text is None or str(text).strip().lower() in ("", "none"):
        return []
    parts = [part.strip() for part in str(text).split(",")]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise OptionError(
            "--hidden-units must be positive whole numbers separated by commas, such as "
            f"128,64; got '{text}'."
        )
    return [int(part) for part in parts]


def check_options(options: dict[str, Any], num_features: int, source: str) -> None:
    """Checks the model options against the data before anything is written.

    Raises:
        OptionError: ``--latent-dim`` below 1 or above the number of features, bad
            ``--hidden-units``, or a negative ``--denoise``.
    """
    latent_dim = options["latent_dim"]
    if latent_dim < 1:
        raise OptionError(f"--latent-dim must be at least 1; got {latent_dim}.")
    if latent_dim > num_features:
        raise OptionError(
            f"--latent-dim {latent_dim} is larger than the {num_features} feature column(s) "
            f"of {source}; choose --latent-dim {num_features} or less."
        )
    parse_hidden_units(options.get("hidden_units"))
    if options.get("denoise") is not None and options["denoise"] < 0:
        raise OptionError(f"--denoise must be 0 or more; got {options['denoise']}.")


def training_matrix(dataset: tf.data.Dataset) -> np.ndarray:
    """The features of an unbatched dataset of ``x`` or ``(x, y)`` as one float64 matrix."""
    rows = []
    for element in dataset.batch(4096).as_numpy_iterator():
        rows.append(element[0] if isinstance(element, tuple) else element)
    return np.concatenate(rows).astype("float64")


def feature_statistics(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and variance over the observed (non-NaN) values.

    A feature with no observed value gets mean 0; a constant one gets variance 1,
    so it standardises to 0 instead of being divided by zero.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns: handled below
        mean = np.nanmean(matrix, axis=0)
        variance = np.nanvar(matrix, axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    variance = np.where(np.isfinite(variance) & (variance > VARIANCE_FLOOR), variance, 1.0)
    return mean, variance


def standardize(matrix: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """NumPy twin of the model's preprocessing: standardise, then missing -> 0 (the mean)."""
    return np.nan_to_num((matrix - mean) / np.sqrt(variance), nan=0.0)


def model_statistics(model: keras.Model) -> tuple[np.ndarray, np.ndarray]:
    """The training mean and variance stored in a trained model's ``standardize`` layer."""
    layer = model.get_layer("standardize")
    return np.asarray(layer.input_mean, "float64"), np.asarray(layer.input_variance, "float64")


def encoder_model(model: keras.Model) -> keras.Model:
    """The encoder of a trained autoencoder: raw features -> code, sharing its weights."""
    import keras

    return keras.Model(model.inputs, model.get_layer("code").output, name="encoder")


def build_pca_residual(spec: ModelSpec) -> keras.Model:
    """The default: a linear path initialised with PCA plus a non-linear residual.

    ``code = PCA projection + MLP(x)`` and ``reconstruction = PCA back-projection +
    MLP(code)``; both MLPs end in a zero-initialised layer, so training starts
    exactly at the PCA solution of the same size and only has to improve on it.
    """
    return _autoencoder(spec, _residual_body, "pca_residual")


def build_dense(spec: ModelSpec) -> keras.Model:
    """A plain dense encoder and mirrored decoder, randomly initialised."""
    return _autoencoder(spec, _dense_body, "dense_autoencoder")


def _autoencoder(spec: ModelSpec, body, name: str) -> keras.Model:
    import keras
    from keras import layers

    from pmtk.plugins.autoencoder.layers import FillMissing, ReconstructionLoss

    options = spec.options
    mean, variance, start = training_summary(spec.train_dataset)
    inputs = keras.Input(shape=(len(mean),), name="features")
    standardized = layers.Normalization(mean=mean, variance=variance, name="standardize")(inputs)
    x = FillMissing(name="impute")(standardized)
    if options.task_option("denoise") > 0:
        x = layers.GaussianNoise(options["denoise"], seed=options.get("seed"), name="denoise")(x)
    code, decoded = body(x, len(mean), start, options)
    decoded = ReconstructionLoss(name="reconstruction_loss")([standardized, decoded])
    reconstruction = layers.Normalization(
        mean=mean, variance=variance, invert=True, name="reconstruction"
    )(decoded)
    return keras.Model(inputs, {"code": code, "reconstruction": reconstruction}, name=name)


def _mlp(x, hidden_units: list[int], outputs: int, prefix: str, *, zero: bool, name: str):
    from keras import layers

    for index, units in enumerate(hidden_units, start=1):
        x = layers.Dense(units, activation="relu", name=f"{prefix}_hidden{index}")(x)
    initializer = "zeros" if zero else "glorot_uniform"
    return layers.Dense(outputs, kernel_initializer=initializer, name=name)(x)


def _dense_body(x, num_features: int, start, options: dict[str, Any]):
    hidden = parse_hidden_units(options.get("hidden_units"))
    code = _mlp(x, hidden, options["latent_dim"], "encoder", zero=False, name="code")
    decoded = _mlp(code, hidden[::-1], num_features, "decoder", zero=False,
                   name="decoded")  # fmt: skip
    return code, decoded


def _residual_body(x, num_features: int, start, options: dict[str, Any]):
    from keras import layers

    hidden, latent_dim = parse_hidden_units(options.get("hidden_units")), options["latent_dim"]
    components, center = start(latent_dim)
    linear_encoder = layers.Dense(latent_dim, name="encoder_linear")
    residual = _mlp(x, hidden, latent_dim, "encoder", zero=True, name="encoder_residual")
    code = layers.Add(name="code")([linear_encoder(x), residual])
    linear_decoder = layers.Dense(num_features, name="decoder_linear")
    residual = _mlp(code, hidden[::-1], num_features, "decoder", zero=True,
                    name="decoder_residual")  # fmt: skip
    decoded = layers.Add(name="decoded")([linear_decoder(code), residual])
    _set_linear_path(linear_encoder, linear_decoder, components, center)
    return code, decoded


def _set_linear_path(encoder, decoder, components: np.ndarray, center: np.ndarray) -> None:
    """Encoder: centre and project on the loadings; decoder: project back and add the centre."""
    encoder.set_weights([components.T, -center @ components.T])
    decoder.set_weights([components, center])


def training_summary(dataset: tf.data.Dataset, mean=None, variance=None):
    """Mean, variance and a ``start(latent_dim)`` giving the PCA loadings and centre.

    Training splits past the streaming threshold (``PMTK_STREAMING_ROWS``) are summarised
    by batches (one-pass moments, ``IncrementalPCA``); smaller ones in memory (exact PCA).
    ``mean`` and ``variance``, when given, are used instead of being computed.
    """
    from pmtk.plugins.autoencoder import streamed

    rows = streamed.dataset_rows(dataset)
    if not streamed.in_parts(rows):
        matrix = training_matrix(dataset)
        if mean is None:
            mean, variance = feature_statistics(matrix)
        return (
            mean,
            variance,
            lambda latent_dim: pca_start(standardize(matrix, mean, variance), latent_dim),
        )
    if mean is None:
        width = int(dataset.element_spec[0].shape[-1] if isinstance(dataset.element_spec, tuple)
                    else dataset.element_spec.shape[-1])  # fmt: skip
        batches = streamed.matrix_batches(dataset, "Statistics of the training rows")
        mean, variance = streamed.streamed_statistics(batches, width, VARIANCE_FLOOR)

    def start(latent_dim: int) -> tuple[np.ndarray, np.ndarray]:
        size = min(latent_dim, rows, len(mean))
        pca = streamed.streamed_pca(
            lambda: (standardize(b, mean, variance) for b in streamed.matrix_batches(dataset)),
            size,
        )
        components = np.zeros((latent_dim, len(mean)))
        components[:size] = pca.components_
        return components, pca.mean_

    return mean, variance, start


def reset_to_pca_start(
    model: keras.Model,
    train: np.ndarray | tf.data.Dataset | None,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> bool:
    """Puts a ``pca_residual`` model back at its starting point, the PCA solution.

    The linear path gets the PCA loadings of the (standardised, imputed) training
    rows again and both residual output layers are zeroed, so the residuals add nothing.
    ``train`` is the raw training matrix, or the training split's dataset (then streamed
    past the threshold, as when the model was built); ``start``, the loadings and centre
    (as :func:`pca_start` gives them) when they are known already, is used instead.

    Returns:
        False, and changes nothing, when the model has no PCA path (``dense``).
    """
    if "encoder_linear" not in {layer.name for layer in model.layers}:
        return False
    mean, variance = model_statistics(model)
    latent_dim = model.get_layer("encoder_linear").units
    if start is not None:
        components, center = start
    elif isinstance(train, np.ndarray):
        components, center = pca_start(standardize(train, mean, variance), latent_dim)
    else:
        components, center = training_summary(train, mean, variance)[2](latent_dim)
    _set_linear_path(
        model.get_layer("encoder_linear"), model.get_layer("decoder_linear"), components, center
    )
    for name in ("encoder_residual", "decoder_residual"):
        layer = model.get_layer(name)
        layer.set_weights([np.zeros_like(weight) for weight in layer.get_weights()])
    return True


def pca_start(standardized: np.ndarray, latent_dim: int) -> tuple[np.ndarray, np.ndarray]:
    """PCA loadings (``latent_dim`` x features) and centre of the standardised training data.

    With fewer training rows than ``latent_dim``, the extra code units start at zero.
    """
    from sklearn.decomposition import PCA

    rows, num_features = standardized.shape
    size = min(latent_dim, rows, num_features)
    pca = PCA(n_components=size, random_state=0).fit(standardized)
    components = np.zeros((latent_dim, num_features))
    components[:size] = pca.components_
    return components, pca.mean_
