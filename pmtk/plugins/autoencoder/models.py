"""Autoencoder architectures and the option checks and statistics they share.

Both models take raw features (NaN for missing values) and, inside the model,
standardise them with training means and variances, fill missing entries with the
training mean (0 after standardisation), optionally add Gaussian noise while
training (``--denoise``), encode to ``--latent-dim`` units and decode. Outputs:

- ``code``: the code (``z1..zk``),
- ``reconstruction``: the reconstruction in raw feature units.

The training loss is added by the :class:`~pmtk.plugins.autoencoder.layers.ReconstructionLoss`
layer: mean squared error on the standardised scale over observed entries only.

Keras (and the derivation, which reads tables with pandas) is imported inside the functions,
so registering the models loads neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.task import ModelSpec
from pmtk.core.errors import OptionError

if TYPE_CHECKING:
    import keras
    import tensorflow as tf


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

    from pmtk.plugins.autoencoder.derivation import standardization
    from pmtk.plugins.autoencoder.layers import FillMissing, ReconstructionLoss

    options = spec.options
    learned = _learned(spec)
    mean, variance = standardization(learned)
    inputs = keras.Input(shape=(len(mean),), name="features")
    standardized = layers.Normalization(mean=mean, variance=variance, name="standardize")(inputs)
    x = FillMissing(name="impute")(standardized)
    if options.task_option("denoise") > 0:
        x = layers.GaussianNoise(options["denoise"], seed=options.get("seed"), name="denoise")(x)
    code, decoded = body(x, len(mean), learned, options)
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


def _dense_body(x, num_features: int, learned, options: dict[str, Any]):
    hidden = parse_hidden_units(options.get("hidden_units"))
    code = _mlp(x, hidden, options["latent_dim"], "encoder", zero=False, name="code")
    decoded = _mlp(code, hidden[::-1], num_features, "decoder", zero=False,
                   name="decoded")  # fmt: skip
    return code, decoded


def _residual_body(x, num_features: int, learned, options: dict[str, Any]):
    from keras import layers

    from pmtk.plugins.autoencoder.derivation import pca_start

    hidden, latent_dim = parse_hidden_units(options.get("hidden_units")), options["latent_dim"]
    components, center = pca_start(learned, latent_dim)
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


def _learned(spec: ModelSpec) -> Any:
    """What the task's derivation learned (``spec.context.derived``); for a spec made
    without it (a model built by hand), the same settings of its training dataset."""
    from pmtk.plugins.autoencoder.derivation import summarized

    derived = spec.context.derived
    if "standardize" in derived and "pca" in derived:
        return derived
    return summarized(training_matrix(spec.train_dataset), spec.options["latent_dim"])


def reset_to_pca_start(
    model: keras.Model,
    train: np.ndarray | None,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> bool:
    """Puts a ``pca_residual`` model back at its starting point, the PCA solution.

    The linear path gets the PCA loadings again and both residual output layers are
    zeroed, so the residuals add nothing. ``start``, the loadings and centre (as
    :func:`pmtk.plugins.autoencoder.derivation.pca_start` gives them), is used when given;
    else they are learned again from ``train``, the raw training matrix, standardised as
    the model does.

    Returns:
        False, and changes nothing, when the model has no PCA path (``dense``).
    """
    if "encoder_linear" not in {layer.name for layer in model.layers}:
        return False
    latent_dim = model.get_layer("encoder_linear").units
    if start is None:
        from pmtk.plugins.autoencoder.derivation import padded
        from pmtk.plugins.autoencoder.principal_components import CrossProducts

        mean, variance = model_statistics(model)
        products = CrossProducts(train.shape[1])
        products.add(train)
        axes, center = products.principal_axes(mean, variance, min(latent_dim, *train.shape))
        start = padded(axes, center, latent_dim)
    components, center = start
    _set_linear_path(
        model.get_layer("encoder_linear"), model.get_layer("decoder_linear"), components, center
    )
    for name in ("encoder_residual", "decoder_residual"):
        layer = model.get_layer(name)
        layer.set_weights([np.zeros_like(weight) for weight in layer.get_weights()])
    return True
