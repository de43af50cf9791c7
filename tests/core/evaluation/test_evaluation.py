"""Baseline, bootstrap intervals and run warnings on synthetic scores with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from pmtk.core.evaluation import bootstrap
from pmtk.core.evaluation import split_metrics as evaluation
from pmtk.core.evaluation.baseline import BaselineFit, fit_baseline
from pmtk.core.evaluation.resampled import weighted_metrics


def _scores(rng: np.random.Generator, truth: np.ndarray, signal: float) -> np.ndarray:
    """Probabilities whose ranking carries ``signal`` (0: pure noise)."""
    return 1 / (1 + np.exp(-(signal * (2 * truth - 1) + rng.normal(size=len(truth)))))


def _binary(n: int = 200, signal: float = 2.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = {name: rng.integers(0, 2, n) for name in ("train", "val", "test")}
    scores = {name: _scores(rng, y, signal) for name, y in truth.items()}
    return rng, truth, scores


def _evaluate(truth, scores, baseline=None, **kwargs):
    options = {"resamples": 300, "seed": 0} | kwargs
    results = evaluation.evaluate_splits("binary", truth, scores, baseline, **options)
    return evaluation.nest_baseline(results)


def test_intervals_hold_the_point_estimate_and_shrink_with_more_data():
    _, small_truth, small_scores = _binary(n=60)
    _, large_truth, large_scores = _binary(n=2000)
    small = _evaluate(small_truth, small_scores)
    large = _evaluate(large_truth, large_scores)
    for results in (small, large):
        for name, (low, high) in results["ci"]["test"].items():
            assert low <= results["test"][name] <= high, name
    small_width = np.diff(small["ci"]["test"]["auroc"])[0]
    large_width = np.diff(large["ci"]["test"]["auroc"])[0]
    assert large_width < small_width / 3


def test_same_seed_same_intervals_other_seed_other_resamples():
    _, truth, scores = _binary(n=80)
    first, again = _evaluate(truth, scores), _evaluate(truth, scores)
    other = _evaluate(truth, scores, seed=1)
    assert first["ci"] == again["ci"]
    assert first["ci"] != other["ci"]


def test_model_versus_itself_differs_by_exactly_zero():
    _, truth, scores = _binary(n=100)
    itself = BaselineFit("logistic_regression", 1.0, scores)
    results = _evaluate(truth, scores, itself)
    for name, versus in results["versus_baseline"]["test"].items():
        assert versus == {"difference": 0.0, "ci": [0.0, 0.0]}, name
    assert results["baseline"]["ci"]["test"] == results["ci"]["test"]


def test_paired_difference_is_narrower_than_either_interval():
    """Pairing on the same resamples cancels the shared test-set noise."""
    rng, truth, scores = _binary(n=150)
    noisy = {name: np.clip(s + rng.normal(0, 0.02, len(s)), 0, 1) for name, s in scores.items()}
    results = _evaluate(truth, scores, BaselineFit("logistic_regression", 1.0, noisy))
    difference = np.diff(results["versus_baseline"]["test"]["auroc"]["ci"])[0]
    assert difference < np.diff(results["ci"]["test"]["auroc"])[0] / 3


def test_groups_are_resampled_whole():
    """Ten copies of each patient's example: only patient-level resampling sees 30 patients."""
    rng = np.random.default_rng(3)
    patients = rng.integers(0, 2, 30)
    patient_scores = _scores(rng, patients, 1.0)
    truth, scores = np.repeat(patients, 10), np.repeat(patient_scores, 10)
    groups = np.repeat([f"P{i}" for i in range(30)], 10)
    statistic = lambda w: weighted_metrics("binary", truth, scores, w)  # noqa: E731
    by_example = bootstrap.intervals(statistic, bootstrap.resampling_units(300), 300, 0)
    by_patient = bootstrap.intervals(statistic, bootstrap.resampling_units(300, groups), 300, 0)
    assert np.diff(by_patient["auroc"])[0] > 2 * np.diff(by_example["auroc"])[0]
    assert [len(unit) for unit in bootstrap.resampling_units(300, groups)] == [10] * 30


def test_no_intervals_when_turned_off_or_test_split_too_small():
    _, truth, scores = _binary(n=200)
    off = _evaluate(truth, scores, resamples=0)
    assert off["ci"]["test"] == dict.fromkeys(off["test"])
    tiny = {name: y[:6] for name, y in truth.items()}
    tiny_scores = {name: s[:6] for name, s in scores.items()}
    small = _evaluate(tiny, tiny_scores)
    assert small["ci"]["test"]["auroc"] is None
    warnings = evaluation.run_warnings("binary", small, tiny["test"])
    assert warnings[0].startswith("the test split has only 6 examples")


def test_one_class_test_split_gets_null_intervals_and_a_warning():
    _, truth, scores = _binary(n=50)
    truth["test"] = np.zeros(50, dtype=int)
    results = _evaluate(truth, scores)
    assert results["ci"]["test"]["auroc"] is None and results["test"]["auroc"] is None
    assert "one class only" in evaluation.run_warnings("binary", results, truth["test"])[0]


def test_chance_level_model_is_called_out():
    _, truth, scores = _binary(n=300, signal=0.0)
    results = _evaluate(truth, scores)
    warnings = evaluation.run_warnings("binary", results, truth["test"])
    assert len(warnings) == 1 and "no better than guessing" in warnings[0]


def test_good_model_gets_no_warning_and_losing_to_the_baseline_does():
    rng, truth, scores = _binary(n=300, signal=2.0)
    weak = {name: _scores(rng, y, 0.5) for name, y in truth.items()}
    assert evaluation.run_warnings("binary", _evaluate(truth, scores), truth["test"]) == []
    losing = _evaluate(truth, weak, BaselineFit("logistic_regression", 1.0, scores))
    warnings = evaluation.run_warnings("binary", losing, truth["test"])
    assert any("logistic_regression baseline beats this model" in w for w in warnings)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_baseline_learns_a_linear_signal_and_picks_strength_on_val(kind):
    rng = np.random.default_rng(0)
    features, targets = {}, {}
    weights = rng.normal(size=(20, 3))
    for name, n in (("train", 300), ("val", 100), ("test", 100)):
        x = rng.normal(size=(n, 20))
        logits = x @ weights
        features[name] = x
        if kind == "regression":
            targets[name] = logits[:, 0] + rng.normal(0, 0.1, n)
        else:
            classes = 2 if kind == "binary" else 3
            targets[name] = logits[:, :classes].argmax(axis=1)
    fit = fit_baseline(kind, features, targets)
    test = fit.scores["test"]
    if kind == "regression":
        assert fit.model == "ridge" and np.corrcoef(test[:, 0], targets["test"])[0, 1] > 0.95
    elif kind == "binary":
        assert test.shape == (100,) and roc_auc_score(targets["test"], test) > 0.95
    else:
        assert test.shape == (100, 3) and (test.argmax(1) == targets["test"]).mean() > 0.8


def test_baseline_reads_tables_with_missing_values_and_categories():
    import pandas as pd

    rng = np.random.default_rng(1)
    frames, targets = {}, {}
    for name, n in (("train", 300), ("val", 100), ("test", 100)):
        age = rng.normal(60, 10, n)
        site = rng.choice(["a", "b", "c"], n)
        y = ((age - 60) / 10 + 2 * (site == "c") + rng.normal(0, 0.5, n) > 0.5).astype(int)
        age[rng.random(n) < 0.1] = np.nan
        frames[name] = pd.DataFrame({"age": age, "site": site})
        targets[name] = y
    fit = fit_baseline("binary", frames, targets)
    assert roc_auc_score(targets["test"], fit.scores["test"]) > 0.8


@pytest.mark.parametrize("kind", ["binary", "regression"])
def test_ungrouped_units_give_the_intervals_of_one_array_per_example(kind):
    """``SingleExamples`` (no array per example) changes memory, never the intervals."""
    rng = np.random.default_rng(4)
    truth = rng.integers(0, 2, 120) if kind == "binary" else rng.normal(size=120)
    scores = np.clip(truth * 0.6 + rng.normal(0.2, 0.3, 120), 0.01, 0.99)
    statistic = lambda w: weighted_metrics(kind, truth, scores, w)  # noqa: E731
    units = bootstrap.resampling_units(120)
    assert isinstance(units, bootstrap.SingleExamples) and len(units) == 120
    assert units[5].tolist() == [5] and units[-1].tolist() == [119]
    listed = [np.array([index]) for index in range(120)]
    assert bootstrap.intervals(statistic, units, 200, 1) == bootstrap.intervals(
        statistic, listed, 200, 1
    )


def test_baseline_fits_on_a_bounded_sample_and_scores_more_rows_later(monkeypatch):
    from pmtk.core.evaluation import baseline

    monkeypatch.setattr(baseline, "BASELINE_ROWS", 150)
    rng = np.random.default_rng(0)
    features = {name: rng.normal(size=(n, 5)) for name, n in (("train", 400), ("val", 90))}
    targets = {name: (x[:, 0] > 0).astype(int) for name, x in features.items()}
    fit = fit_baseline("binary", features, targets, seed=3, score=("val",))
    assert fit.train_rows == 150 and set(fit.scores) == {"val"}
    more = rng.normal(size=(60, 5))
    assert roc_auc_score(more[:, 0] > 0, fit.score("binary", more)) > 0.95
    whole = fit_baseline("binary", {"train": features["val"], "val": features["val"]},
                         {"train": targets["val"], "val": targets["val"]})  # fmt: skip
    assert whole.train_rows == 90  # below the bound: every row, as before


@pytest.mark.parametrize("grouped", [False, True], ids=["by-example", "by-patient"])
def test_a_large_test_split_is_bootstrapped_on_a_subsample_with_the_same_widths(
    monkeypatch, grouped
):
    """m-out-of-n: the subsample's intervals, moved and scaled, match the full bootstrap."""
    rng, truth, scores = _binary(n=12_000, signal=1.0, seed=5)
    noisy = {name: np.clip(s + rng.normal(0, 0.1, len(s)), 0, 1) for name, s in scores.items()}
    baseline = BaselineFit("logistic_regression", 1.0, noisy)
    groups = np.repeat(np.arange(6000), 2) if grouped else None
    full = _evaluate(truth, scores, baseline, groups=groups)
    monkeypatch.setattr(bootstrap, "RESAMPLED_ROWS", 2000)
    sub = _evaluate(truth, scores, baseline, groups=groups)
    assert sub["test"] == full["test"]
    assert (
        sub["versus_baseline"]["test"]["auroc"]["difference"]
        == (full["versus_baseline"]["test"]["auroc"]["difference"])
    )
    pairs = [(sub["ci"]["test"], full["ci"]["test"]),
             (sub["baseline"]["ci"]["test"], full["baseline"]["ci"]["test"])]  # fmt: skip
    for name in ("auroc", "accuracy", "loss"):
        assert sub["ci"]["test"][name][0] <= full["test"][name] <= sub["ci"]["test"][name][1]
        for small, whole in pairs:
            width, expected = np.diff(small[name])[0], np.diff(whole[name])[0]
            assert 0.7 * expected < width < 1.4 * expected, (name, small[name], whole[name])
    low, high = sub["versus_baseline"]["test"]["auroc"]["ci"]
    full_low, full_high = full["versus_baseline"]["test"]["auroc"]["ci"]
    assert 0.6 * (full_high - full_low) < high - low < 1.6 * (full_high - full_low)
