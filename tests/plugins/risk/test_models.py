"""Risk models and their layers: shapes per target kind, raw-row input, save/load round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pmtk.core.contract.task import ModelSpec, RunContext
from pmtk.core.errors import OptionError

DERIVED = {
    "numeric": [
        {"column": "age", "input": "age", "median": 60.0, "mean": 60.0, "variance": 100.0,
         "missing": 0.0},
        {"column": "BP (mmHg)", "input": "BP__mmHg", "median": 120.0, "mean": 125.0,
         "variance": 225.0, "missing": 0.1},
    ],
    "categorical": [
        {"column": "smoking", "input": "smoking", "vocabulary": ["never", "", "current"]}
    ],
    "target_mean": 50.0,
    "target_std": 10.0,
}  # fmt: skip


def _rows():
    import tensorflow as tf

    return {
        "age": tf.constant([[70.0], [np.nan], [50.0]]),
        "BP__mmHg": tf.constant([[np.nan], [140.0], [110.0]]),
        "smoking": tf.constant([["current"], ["vaping"], [""]]),
    }


def _spec(kind: str, targets: np.ndarray, host, **options) -> ModelSpec:
    import tensorflow as tf

    from pmtk.core.loop.training import class_weights

    context = RunContext("risk", {"dropout_rate": 0.1} | options, host.registry, dict(DERIVED))
    dataset = tf.data.Dataset.from_tensor_slices((_rows(), targets))
    num_classes = 3 if kind == "multiclass" else 1
    weights = class_weights(kind, targets)  # as the loop computes them
    return ModelSpec({}, kind, num_classes, [], context, dataset, weights)


@pytest.mark.parametrize(
    ("kind", "targets", "units"),
    [("binary", [1.0, 0.0, 0.0], 1), ("multiclass", [0, 1, 2], 3),
     ("regression", [40.0, 55.0, 61.0], 1)],
    ids=["binary", "multiclass", "regression"],
)  # fmt: skip
@pytest.mark.parametrize("model_name", ["mlp", "linear"])
def test_models_take_raw_rows_and_round_trip(host, tmp_path: Path, kind, targets, units,
                                             model_name):  # fmt: skip
    import keras

    from pmtk.plugins.risk import models

    build = models.build_mlp if model_name == "mlp" else models.build_linear
    model = build(_spec(kind, np.array(targets, dtype="float32"), host, hidden_units="8"))
    scores = model(_rows()).numpy()
    assert scores.shape == (3, units) and np.isfinite(scores).all()
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded(_rows()).numpy(), scores, rtol=1e-5)
    assert set(loaded.input) == {"age", "BP__mmHg", "smoking"}


def test_regression_output_is_on_the_target_scale(host):
    from pmtk.plugins.risk.models import build_linear

    model = build_linear(_spec("regression", np.zeros(3, "float32"), host))
    # 2 standardised numbers + 1 missing flag + 4 smoking slots (3 categories + unseen)
    model.get_layer("standardized_output").set_weights([np.zeros((7, 1)), np.zeros(1)])
    np.testing.assert_allclose(model(_rows()).numpy(), 50.0)


def test_prior_correction_undoes_class_weights_outside_training(host):
    from pmtk.plugins.risk.models import prior_shift

    spec = _spec("binary", np.array([1.0, 0.0, 0.0], "float32"), host)
    assert prior_shift(spec) == [pytest.approx(np.log(2.0))]  # weights 1.5 and 0.75
    balanced = _spec("multiclass", np.array([0, 1, 2], "float32"), host)
    assert prior_shift(balanced) is None


def test_layers():
    import tensorflow as tf

    from pmtk.plugins.risk.layers import FillMissingColumns, MissingIndicator, PriorCorrection

    matrix = tf.constant([[np.nan, 2.0], [3.0, np.nan]])
    assert FillMissingColumns([9.0, 8.0])(matrix).numpy().tolist() == [[9.0, 2.0], [3.0, 8.0]]
    assert MissingIndicator([1])(matrix).numpy().tolist() == [[0.0], [1.0]]
    correction = PriorCorrection([1.0])
    logits = tf.constant([[0.5]])
    assert correction(logits, training=True).numpy().tolist() == [[0.5]]
    assert correction(logits, training=False).numpy().tolist() == [[-0.5]]
    assert PriorCorrection.from_config(correction.get_config()).shift == [1.0]


@pytest.mark.parametrize("text", ["", "64,x", "0", "-3"], ids=["empty", "word", "zero", "negative"])
def test_hidden_units_must_be_positive_widths(text: str):
    from pmtk.plugins.risk.models import hidden_units

    if text == "":
        assert hidden_units({"hidden_units": text}) == [64, 32]
        return
    with pytest.raises(OptionError, match="--hidden-units must be"):
        hidden_units({"hidden_units": text})


def test_layer_names_do_not_clash_with_other_plugins():
    import importlib

    import keras

    from pmtk.plugins.risk import layers

    for plugin in ("imaging", "genomics", "autoencoder"):
        try:
            importlib.import_module(f"pmtk.plugins.{plugin}.layers")
        except ImportError:
            continue
    for cls in (layers.FillMissingColumns, layers.MissingIndicator, layers.PriorCorrection):
        name = keras.saving.get_registered_name(cls)
        assert keras.saving.get_registered_object(name) is cls
