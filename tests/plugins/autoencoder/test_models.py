"""Autoencoder architectures: shapes, preprocessing inside the model, loss, save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pmtk.core.contract.task import ModelSpec, RunContext
from pmtk.core.errors import OptionError
from pmtk.plugins.autoencoder import models
from pmtk.plugins.autoencoder.derivation import feature_statistics
from tests.plugins.autoencoder.conftest import make_table


def _spec(matrix: np.ndarray, **options) -> ModelSpec:
    import tensorflow as tf

    options = {"latent_dim": 2, "hidden_units": "8", "denoise": 0.0, "seed": 1} | options
    dataset = tf.data.Dataset.from_tensor_slices(matrix.astype("float32")).map(lambda x: (x, x))
    context = RunContext("autoencoder", options, registry=None)
    return ModelSpec((matrix.shape[1],), "reconstruction", 1, [], context, dataset)


@pytest.fixture
def matrix() -> np.ndarray:
    return make_table(rows=30, features=6).filter(like="f").to_numpy("float64")


@pytest.mark.parametrize(
    ("text", "units"),
    [("128,64", [128, 64]), (" 32 ", [32]), ("", []), ("none", []), (None, [])],
    ids=["two-layers", "spaces", "empty", "none", "unset"],
)
def test_parse_hidden_units(text, units):
    assert models.parse_hidden_units(text) == units


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"latent_dim": 7}, "--latent-dim 7 is larger than the 6 feature column(s) of t.csv"),
        ({"latent_dim": 0}, "--latent-dim must be at least 1"),
        ({"hidden_units": "64,x"}, "--hidden-units must be positive whole numbers"),
        ({"hidden_units": "64,0"}, "--hidden-units must be positive whole numbers"),
        ({"denoise": -0.1}, "--denoise must be 0 or more"),
    ],
    ids=["latent-above-features", "latent-zero", "hidden-not-number", "hidden-zero",
         "negative-noise"],
)  # fmt: skip
def test_bad_options(options, message):
    with pytest.raises(OptionError) as raised:
        models.check_options({"latent_dim": 2, "hidden_units": "8"} | options, 6, "t.csv")
    assert message in str(raised.value)


def test_statistics_ignore_missing_and_guard_constant_columns():
    matrix = np.array([[1.0, 5.0, np.nan], [3.0, 5.0, np.nan], [np.nan, 5.0, np.nan]])
    mean, variance = feature_statistics(matrix)
    np.testing.assert_allclose(mean, [2.0, 5.0, 0.0])
    np.testing.assert_allclose(variance, [1.0, 1.0, 1.0])
    standardized = models.standardize(matrix, mean, variance)
    np.testing.assert_allclose(standardized, [[-1, 0, 0], [1, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("builder", ["build_pca_residual", "build_dense"])
@pytest.mark.parametrize(
    ("latent_dim", "hidden_units"),
    [(1, ""), (2, "8"), (3, "16,8")],
    ids=["linear-1", "one-hidden-2", "two-hidden-3"],
)
def test_shapes_and_missing_values(matrix, builder, latent_dim, hidden_units):
    model = getattr(models, builder)(
        _spec(matrix, latent_dim=latent_dim, hidden_units=hidden_units)
    )
    batch = matrix[:4].astype("float32")
    batch[0, :3] = np.nan
    outputs = model.predict(batch, verbose=0)
    assert outputs["code"].shape == (4, latent_dim)
    assert outputs["reconstruction"].shape == (4, 6)
    assert np.isfinite(outputs["code"]).all() and np.isfinite(outputs["reconstruction"]).all()
    assert models.encoder_model(model).output_shape == (None, latent_dim)


def test_pca_residual_starts_at_pca(matrix):
    from sklearn.decomposition import PCA

    model = models.build_pca_residual(_spec(matrix, latent_dim=3, hidden_units="8"))
    mean, variance = models.model_statistics(model)
    standardized = models.standardize(matrix, mean, variance)
    pca = PCA(3, random_state=0).fit(standardized)
    rebuilt = models.standardize(model.predict(matrix, verbose=0)["reconstruction"], mean, variance)
    np.testing.assert_allclose(rebuilt, pca.inverse_transform(pca.transform(standardized)),
                               atol=1e-4)  # fmt: skip


def test_reset_to_pca_start(matrix):
    model = models.build_pca_residual(_spec(matrix))
    start = model.predict(matrix, verbose=0)["reconstruction"]
    for layer in model.layers:
        layer.set_weights([w + 0.5 for w in layer.get_weights()])
    assert not np.allclose(model.predict(matrix, verbose=0)["reconstruction"], start, atol=1e-3)
    assert models.reset_to_pca_start(model, matrix)
    np.testing.assert_allclose(model.predict(matrix, verbose=0)["reconstruction"], start,
                               atol=1e-4)  # fmt: skip
    assert not models.reset_to_pca_start(models.build_dense(_spec(matrix)), matrix)


def test_loss_ignores_missing_targets(matrix):
    import keras

    model = models.build_dense(_spec(matrix))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=None)
    data = matrix.astype("float32")
    data[::3, 1] = np.nan
    history = model.fit(data, data, epochs=3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_denoise_adds_noise_only_while_training(matrix):
    model = models.build_dense(_spec(matrix, denoise=0.5))
    layer = model.get_layer("denoise")
    inputs = matrix[:4].astype("float32")
    np.testing.assert_allclose(layer(inputs, training=False), inputs)
    assert not np.allclose(layer(inputs, training=True), inputs)


def test_save_and_load_round_trip(matrix, tmp_path: Path):
    import keras

    from pmtk.plugins.autoencoder import layers  # noqa: F401  (registers the custom layers)

    model = models.build_pca_residual(_spec(matrix, denoise=0.1))
    data = matrix[:5].astype("float32")
    data[1, 2] = np.nan
    model.save(tmp_path / "model.keras")
    models.encoder_model(model).save(tmp_path / "encoder.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    encoder = keras.saving.load_model(tmp_path / "encoder.keras")
    expected = model.predict(data, verbose=0)
    np.testing.assert_allclose(loaded.predict(data, verbose=0)["code"], expected["code"], atol=1e-6)
    np.testing.assert_allclose(encoder.predict(data, verbose=0), expected["code"], atol=1e-6)
