"""Intervals of a split in bounded time: every row up to the limit, a scaled subsample past it."""

from __future__ import annotations

import numpy as np

from pmtk.core.evaluation import bootstrap, decision


def _rates(truth, score):
    def statistic_of(rows):
        return lambda weights: decision.weighted_rates(truth[rows], score[rows], 0.5, weights)

    return statistic_of


def _data(count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, count)
    score = np.clip(0.5 + 0.3 * (truth - 0.5) + rng.normal(0, 0.25, count), 0, 1)
    return truth, score


def test_below_the_limit_every_row_is_resampled():
    truth, score = _data(400)
    found = bootstrap.split_intervals(_rates(truth, score), 400, None, 200, 3)
    units = bootstrap.resampling_units(400)
    assert found == bootstrap.intervals(_rates(truth, score)(slice(None)), units, 200, 3)


def test_past_the_limit_the_subsample_interval_matches_the_full_bootstrap(monkeypatch):
    truth, score = _data(6000)
    full = bootstrap.intervals(
        _rates(truth, score)(slice(None)), bootstrap.resampling_units(6000), 400, 1
    )
    monkeypatch.setattr(bootstrap, "RESAMPLED_ROWS", 600)
    bounded = bootstrap.split_intervals(_rates(truth, score), 6000, None, 400, 1)
    estimate = decision.rates(truth, score, 0.5)
    for name in ("sensitivity", "specificity", "ppv", "npv"):
        low, high = bounded[name]
        assert low < estimate[name] < high, name
        width, expected = high - low, full[name][1] - full[name][0]
        assert 0.6 * expected < width < 1.6 * expected, (name, width, expected)


def test_the_operating_point_of_a_large_split_stays_within_rates(monkeypatch):
    monkeypatch.setattr(bootstrap, "RESAMPLED_ROWS", 500)
    truth, score = _data(5000, seed=2)
    point = decision.operating_point(
        {"val": truth, "test": truth}, {"val": score, "test": score}, 0.9,
        resamples=200, seed=0,
    )  # fmt: skip
    for name, bounds in point["ci"].items():
        assert 0 <= bounds[0] <= point["test"][name] <= bounds[1] <= 1, name


def test_subgroup_intervals_of_a_large_test_split_are_bounded_and_match(monkeypatch):
    from pmtk.core.evaluation import subgroups

    truth, score = _data(8000, seed=4)
    values = np.where(np.arange(8000) % 4 == 0, "a", "b")  # 2,000 and 6,000 rows
    full = subgroups.subgroup_metrics("binary", values, truth, score, resamples=300, seed=2)
    sizes = []
    original = bootstrap.intervals
    monkeypatch.setattr(bootstrap, "RESAMPLED_ROWS", 800)
    monkeypatch.setattr(
        bootstrap,
        "intervals",
        lambda s, units, *a: sizes.append(len(units)) or original(s, units, *a),
    )
    bounded = subgroups.subgroup_metrics("binary", values, truth, score, resamples=300, seed=2)
    assert max(sizes) <= 800  # no resample of a subgroup's every row past the limit
    for value in ("a", "b"):
        assert bounded[value]["auroc"] == full[value]["auroc"]  # the estimate uses every row
        low, high = bounded[value]["ci"]["auroc"]
        assert low < bounded[value]["auroc"] < high
        expected = full[value]["ci"]["auroc"][1] - full[value]["ci"]["auroc"][0]
        assert 0.6 * expected < high - low < 1.6 * expected, (value, high - low, expected)


def test_survival_subgroup_c_index_of_a_large_split_is_bounded(monkeypatch):
    from pmtk.core.evaluation import survival_clinical

    rng = np.random.default_rng(7)
    eta = rng.normal(size=3000)
    times = rng.exponential(np.exp(-eta))
    events = (rng.random(3000) < 0.7).astype(float)
    truth = np.column_stack([times, events])
    values = np.where(np.arange(3000) % 3 == 0, "a", "b")
    full = survival_clinical.subgroup_c_index(
        values, truth, eta, groups=None, resamples=200, seed=1
    )
    sizes = []
    original = bootstrap.intervals
    monkeypatch.setattr(survival_clinical, "PAIR_RESAMPLED_ROWS", 400)
    monkeypatch.setattr(
        bootstrap,
        "intervals",
        lambda s, units, *a: sizes.append(len(units)) or original(s, units, *a),
    )
    bounded = survival_clinical.subgroup_c_index(
        values, truth, eta, groups=None, resamples=200, seed=1
    )
    assert max(sizes) <= 400  # pair statistics: at most PAIR_RESAMPLED_ROWS rows resampled
    for value in ("a", "b"):
        assert bounded[value]["c_index"] == full[value]["c_index"]
        low, high = bounded[value]["ci"]["c_index"]
        expected = full[value]["ci"]["c_index"][1] - full[value]["ci"]["c_index"][0]
        assert low < bounded[value]["c_index"] < high
        assert 0.5 * expected < high - low < 1.8 * expected, (value, high - low, expected)
