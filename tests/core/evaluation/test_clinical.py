"""Calibration, decision curve, operating point and subgroups on synthetic scores."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from pmtk.core.evaluation import calibration, decision, subgroups


def test_reliability_table_matches_scikit_learn():
    rng = np.random.default_rng(0)
    probability = rng.random(300)
    outcome = (rng.random(300) < probability).astype(int)
    table = calibration.reliability_table(outcome, probability)
    observed, predicted = calibration_curve(outcome, probability, n_bins=10)
    rows = [r for r in table if r["n"]]
    assert len(table) == 10 and sum(r["n"] for r in table) == 300
    assert np.allclose([r["observed_rate"] for r in rows], observed, atol=1e-6)
    assert np.allclose([r["mean_predicted"] for r in rows], predicted, atol=1e-6)


def test_reliability_table_keeps_empty_bins():
    outcome, risk = np.array([0, 1, 0, 1, 1, 0]), np.array([0.05, 0.05, 0.15, 0.95, 0.92, 0.35])
    table = calibration.reliability_table(outcome, risk)
    assert [row["n"] for row in table] == [2, 1, 0, 1, 0, 0, 0, 0, 0, 2]
    assert table[0] == {"bin": "0.0-0.1", "n": 2, "mean_predicted": 0.05, "observed_rate": 0.5}
    assert table[2]["mean_predicted"] is None and table[9]["observed_rate"] == 1.0


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_temperature_scaling_repairs_overconfident_scores(kind):
    rng = np.random.default_rng(1)
    classes = 2 if kind == "binary" else 3
    truth = rng.integers(0, classes, 2000)
    logits = np.eye(classes)[truth] * 1.0 + rng.normal(0, 1, (2000, classes))
    sharp = np.exp(4 * logits) / np.exp(4 * logits).sum(axis=1, keepdims=True)  # T=4 too sharp
    scores = sharp[:, 1] if kind == "binary" else sharp
    temperature = calibration.fit_temperature(kind, truth, scores)
    assert temperature > 2
    after = calibration.calibration_results(
        kind, truth, calibration.apply_temperature(kind, scores, temperature), scores, temperature
    )
    assert after["ece"] < after["uncalibrated"]["ece"]


def test_calibrated_model_saves_and_loads_in_safe_mode(tmp_path):
    import keras

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    scaled = calibration.calibrated_model(model, "binary", 2.0)
    scaled.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(0).random((5, 3)).astype("float32")
    expected = calibration.apply_temperature("binary", model.predict(x, verbose=0), 2.0)
    assert np.allclose(loaded.predict(x, verbose=0), expected, atol=1e-5)


def test_decision_curve_treat_all_and_a_perfect_model():
    truth = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    rows = decision.decision_curve(truth, truth.astype(float))
    assert len(rows) == 99 and rows[0]["threshold"] == 0.01
    assert all(row["net_benefit"] == pytest.approx(0.2) for row in rows)
    assert rows[49]["treat_all"] == pytest.approx(0.2 - 0.8 * 1.0)  # threshold 0.5


def test_operating_point_is_chosen_on_validation():
    rng = np.random.default_rng(2)
    truth = {s: rng.integers(0, 2, 200) for s in ("val", "test")}
    scores = {s: np.clip(0.35 + 0.3 * t + rng.normal(0, 0.15, 200), 0, 1) for s, t in truth.items()}
    point = decision.operating_point(truth, scores, 0.9, resamples=100, seed=0)
    val = decision.rates(truth["val"], scores["val"], point["threshold"])
    assert val["sensitivity"] >= 0.9 and point["chosen_on"] == "val"
    low, high = point["ci"]["sensitivity"]
    assert low <= point["test"]["sensitivity"] <= high


def test_small_subgroups_get_null_metrics():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 2, 60)
    scores = np.clip(0.3 + 0.4 * truth + rng.normal(0, 0.2, 60), 0, 1)
    values = np.array(["big"] * 52 + ["small"] * 8)
    found = subgroups.subgroup_metrics("binary", values, truth, scores, resamples=50, seed=0)
    assert found["small"]["n"] == 8 and found["small"]["auroc"] is None
    assert found["big"]["n"] == 52 and found["big"]["ci"]["auroc"] is not None
