"""Survival arithmetic against lifelines, scikit-learn and scikit-survival: the Cox loss,
Breslow, Harrell's and Uno's C-index, time-dependent AUROC, integrated Brier score and the
Cox baseline. Weighted forms are checked on count-weight resamples against the library on
the repeated rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmtk.core.evaluation import survival
from pmtk.core.evaluation.survival_metrics import partial_log_likelihood


def _cohort(rows: int = 40, seed: int = 0, ties: bool = False, censoring_scale: float = 1.5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 2))
    times = rng.exponential(1 / np.exp(x @ [0.8, -0.5]))
    censor = rng.exponential(censoring_scale, rows)
    events = (times <= censor).astype(float)
    times = np.minimum(times, censor)
    if ties:
        times = np.ceil(times * 4) / 4
    return x, times, events


def _keras_loss(times, events, eta) -> float:
    from pmtk.plugins.risk.losses import CoxPartialLikelihood

    y_true = np.stack([times, events], axis=1).astype("float32")
    return float(CoxPartialLikelihood()(y_true, np.asarray(eta, "float32").reshape(-1, 1)))


def test_loss_equals_lifelines_partial_likelihood():
    from lifelines import CoxPHFitter

    x, times, events = _cohort()
    table = pd.DataFrame(x, columns=["a", "b"]).assign(time=times, event=events)
    fitted = CoxPHFitter().fit(table, "time", "event")  # no ties: Efron's = Breslow's
    eta = x @ fitted.params_.to_numpy()
    expected = -fitted.log_likelihood_ / events.sum()
    assert _keras_loss(times, events, eta) == pytest.approx(expected, rel=1e-4)
    assert -partial_log_likelihood(times, events, eta) == pytest.approx(expected, rel=1e-9)


def test_loss_uses_breslow_risk_sets_with_ties():
    times = np.array([1.0, 1.0, 2.0, 3.0, 3.0])
    events = np.array([1.0, 1.0, 0.0, 1.0, 0.0])
    eta = np.array([0.3, -0.2, 0.1, 0.5, -1.0])
    risk = np.exp(eta)
    by_hand = -(
        (eta[0] - np.log(risk.sum())) + (eta[1] - np.log(risk.sum()))
        + (eta[3] - np.log(risk[3:].sum()))
    ) / 3  # fmt: skip
    assert _keras_loss(times, events, eta) == pytest.approx(by_hand, rel=1e-5)
    assert -partial_log_likelihood(times, events, eta) == pytest.approx(by_hand, rel=1e-9)
    assert _keras_loss(times, np.zeros(5), eta) == 0.0  # a batch without events


def test_breslow_baseline_hazard_matches_lifelines():
    from lifelines import CoxPHFitter

    x, times, events = _cohort(80, seed=1)
    table = pd.DataFrame(x, columns=["a", "b"]).assign(time=times, event=events)
    fitted = CoxPHFitter().fit(table, "time", "event")
    beta = fitted.params_.to_numpy()
    ours = survival.breslow(times, events, x @ beta)
    theirs = fitted.baseline_cumulative_hazard_.iloc[:, 0]  # for covariates at their means
    theirs = theirs[theirs.index.isin(times[events == 1])]
    centred = np.exp(x.mean(axis=0) @ beta)
    np.testing.assert_allclose(ours["times"], theirs.index, rtol=1e-5)
    np.testing.assert_allclose(np.array(ours["cumulative_hazard"]) * centred, theirs, rtol=1e-4)
    eta = np.array([0.0, 1.0])
    probability = survival.survival_probability(ours, eta, ours["times"][10])
    hazard = ours["cumulative_hazard"][10]
    np.testing.assert_allclose(probability[:, 0], np.exp(-hazard * np.exp(eta)))


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
def test_weighted_c_index_equals_lifelines_on_resamples(ties: bool):
    from lifelines.utils import concordance_index

    _, times, events = _cohort(120, seed=2, ties=ties)
    eta = np.round(np.random.default_rng(3).normal(size=120), 1)  # tied scores too
    weights = np.random.default_rng(4).poisson(1.0, (6, 120)).astype(float)
    found = survival.weighted_c_index(times, events, eta, weights)
    for row, value in zip(weights, found, strict=True):
        drawn = np.repeat(np.arange(120), row.astype(int))
        assert value == pytest.approx(concordance_index(times[drawn], -eta[drawn], events[drawn]))


def test_without_censoring_td_auroc_is_the_auroc_of_an_event_by_the_horizon():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(5)
    times, eta = rng.exponential(1.0, 200), rng.normal(size=200)
    events = np.ones(200)
    censoring = survival.Censoring(times, events)
    found = survival.weighted_td_auroc(times, events, eta, np.ones((1, 200)), censoring, 0.7)
    assert found[0] == pytest.approx(roc_auc_score(times <= 0.7, eta))
    uno = survival.weighted_uno_c_index(times, events, eta, np.ones((1, 200)), censoring, 99.0)
    harrell = survival.weighted_c_index(times, events, eta, np.ones((1, 200)))
    assert uno[0] == pytest.approx(harrell[0])  # no censoring: Uno's weights are all 1


def test_integrated_brier_without_censoring_is_the_mean_squared_error():
    rng = np.random.default_rng(6)
    times = rng.exponential(1.0, 100)
    events = np.ones(100)
    grid = np.array([0.5, 1.0])
    predicted = rng.random((100, 2))
    found = survival.weighted_integrated_brier(times, events, predicted, np.ones((1, 100)),
                                               survival.Censoring(times, events), grid)  # fmt: skip
    alive = (times[:, None] > grid).astype(float)
    per_time = ((predicted - alive) ** 2).mean(axis=0)
    assert found[0] == pytest.approx(per_time.mean())


def test_kaplan_meier_matches_lifelines():
    from lifelines import KaplanMeierFitter

    _, times, events = _cohort(150, seed=7, ties=True)
    grid, values = survival.kaplan_meier(times, events)
    expected = KaplanMeierFitter().fit(times, events).survival_function_at_times(grid)
    np.testing.assert_allclose(values, expected.to_numpy(), atol=1e-12)


def _train_and_test(ties: bool, censoring_scale: float = 1.5):
    """A training split (for ``G``) and a test split inside its follow-up (sksurv needs it)."""
    _, train_times, train_events = _cohort(400, seed=8, ties=ties, censoring_scale=censoring_scale)
    x, times, events = _cohort(150, seed=9, ties=ties, censoring_scale=censoring_scale)
    inside = times < train_times.max()
    return (train_times, train_events), (x[inside], times[inside], events[inside])


def _structured(times, events):
    from sksurv.util import Surv

    return Surv.from_arrays(event=events.astype(bool), time=times)


def _nudged(times, events):
    """Test rows for sksurv with event times a hair earlier: its ``G(t_i)`` is then pmtk's
    ``G(t_i-)`` (the one documented difference in the case weights)."""
    return _structured(times - 1e-9 * events, events)


def _resamples(rows: int, seed: int = 10) -> np.ndarray:
    """All weights one, then a few Poisson count-weight resamples."""
    drawn = np.random.default_rng(seed).poisson(1.0, (4, rows)).astype(float)
    return np.vstack([np.ones((1, rows)), drawn])


def _repeated(row: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(row)), row.astype(int))


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
def test_censoring_distribution_equals_sksurv(ties: bool):
    from sksurv.nonparametric import CensoringDistributionEstimator

    (train_times, train_events), _ = _train_and_test(ties)
    ours = survival.Censoring(train_times, train_events)
    theirs = CensoringDistributionEstimator().fit(_structured(train_times, train_events))
    query = np.unique(np.concatenate([train_times, train_times * 0.999]))
    query = query[query <= train_times.max()]
    expected = np.maximum(theirs.predict_proba(query), 0.05)
    np.testing.assert_allclose(ours.at(query), expected, atol=1e-12)


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
def test_weighted_uno_c_index_equals_sksurv_on_resamples(ties: bool):
    from sksurv.metrics import concordance_index_ipcw

    (train_times, train_events), (x, times, events) = _train_and_test(ties)
    eta = np.round(x @ [0.8, -0.5], 1)  # tied scores too
    censoring = survival.Censoring(train_times, train_events)
    train = _structured(train_times, train_events)
    for tau in (1.1, float(np.quantile(times, 0.9)) + 0.01):  # off the quarter grid
        weights = _resamples(len(times))
        found = survival.weighted_uno_c_index(times, events, eta, weights, censoring, tau)
        for row, value in zip(weights, found, strict=True):
            drawn = _repeated(row)
            test = _nudged(times[drawn], events[drawn])
            expected = concordance_index_ipcw(train, test, eta[drawn], tau=tau)[0]
            assert value == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
def test_whole_split_uno_c_index_sorted_equals_every_pair_and_sksurv(ties: bool):
    """A row of ones takes the O(n log n) path: the same value as the pair matrix."""
    from sksurv.metrics import concordance_index_ipcw

    (train_times, train_events), (x, times, events) = _train_and_test(ties)
    eta = np.round(x @ [0.8, -0.5], 1)
    censoring = survival.Censoring(train_times, train_events)
    tau = float(np.quantile(times, 0.9)) + 0.01
    whole = survival.weighted_uno_c_index(times, events, eta, np.ones((1, len(times))),
                                          censoring, tau)[0]  # fmt: skip
    pairs = survival.weighted_uno_c_index(times, events, eta, np.ones((2, len(times))),
                                          censoring, tau)  # fmt: skip
    assert whole == pytest.approx(pairs[0], rel=1e-12)
    test = _nudged(times, events)
    expected = concordance_index_ipcw(_structured(train_times, train_events), test, eta, tau=tau)
    assert whole == pytest.approx(expected[0], rel=1e-10)


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
def test_weighted_td_auroc_equals_sksurv_on_resamples(ties: bool):
    from sksurv.metrics import cumulative_dynamic_auc

    (train_times, train_events), (x, times, events) = _train_and_test(ties)
    eta = np.round(x @ [0.8, -0.5], 1)
    censoring = survival.Censoring(train_times, train_events)
    train = _structured(train_times, train_events)
    horizons = [0.3, 0.8]
    weights = _resamples(len(times))
    found = np.stack([survival.weighted_td_auroc(times, events, eta, weights, censoring, h)
                      for h in horizons], axis=1)  # fmt: skip
    for row, values in zip(weights, found, strict=True):
        drawn = _repeated(row)
        test = _nudged(times[drawn], events[drawn])
        expected, _ = cumulative_dynamic_auc(train, test, eta[drawn], horizons)
        np.testing.assert_allclose(values, expected, rtol=1e-10)


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
def test_weighted_integrated_brier_equals_sksurv_on_resamples(ties: bool):
    from sksurv.metrics import integrated_brier_score

    (train_times, train_events), (x, times, events) = _train_and_test(ties)
    baseline = survival.breslow(train_times, train_events, np.zeros(len(train_times)))
    eta = x @ [0.8, -0.5]
    censoring = survival.Censoring(train_times, train_events)
    train = _structured(train_times, train_events)
    weights = _resamples(len(times))
    point_grid = survival.brier_grid(times, [1.0, 2.0])  # what the evaluation uses
    inside_grid = np.linspace(0.3, 1.0, 15)  # inside every resample's follow-up
    for grid in (point_grid, inside_grid):
        predicted = survival.survival_probability(baseline, eta, grid)
        found = survival.weighted_integrated_brier(times, events, predicted, weights,
                                                   censoring, grid)  # fmt: skip
        rows = weights[:1] if grid is point_grid else weights
        for row, value in zip(rows, found, strict=False):
            drawn = _repeated(row)
            test = _nudged(times[drawn], events[drawn])
            expected = integrated_brier_score(train, test, predicted[drawn], grid)
            assert value == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
def test_sksurv_weighs_events_by_censoring_at_their_time_not_just_before(ties: bool):
    """Without tied times the nudge changes nothing; with them sksurv's ``G(t_i)`` counts
    training patients censored at ``t_i`` and gives a larger Brier score."""
    from sksurv.metrics import integrated_brier_score

    (train_times, train_events), (x, times, events) = _train_and_test(ties)
    baseline = survival.breslow(train_times, train_events, np.zeros(len(train_times)))
    grid = np.linspace(0.3, 1.0, 15)
    predicted = survival.survival_probability(baseline, x @ [0.8, -0.5], grid)
    censoring = survival.Censoring(train_times, train_events)
    ours = survival.weighted_integrated_brier(times, events, predicted, np.ones((1, len(times))),
                                              censoring, grid)[0]  # fmt: skip
    train = _structured(train_times, train_events)
    theirs = integrated_brier_score(train, _structured(times, events), predicted, grid)
    assert ours == pytest.approx(integrated_brier_score(train, _nudged(times, events),
                                                        predicted, grid), rel=1e-10)  # fmt: skip
    if ties:
        assert theirs > ours + 0.005
    else:
        assert theirs == pytest.approx(ours, rel=1e-10)


def test_censoring_floor_is_the_only_difference_from_sksurv(monkeypatch):
    """With heavy censoring ``G`` falls below 0.05: pmtk raises it to 0.05, sksurv does not."""
    from sksurv.metrics import concordance_index_ipcw, integrated_brier_score

    (train_times, train_events), (x, times, events) = _train_and_test(False, 0.5)
    eta, ones = x @ [0.8, -0.5], np.ones((1, len(times)))
    censoring = survival.Censoring(train_times, train_events)
    assert censoring.values.min() < 0.05
    train, test = _structured(train_times, train_events), _nudged(times, events)
    grid = np.linspace(times.min(), np.sort(times)[-2], 30)  # late times, where G < 0.05
    predicted = survival.survival_probability(
        survival.breslow(train_times, train_events, np.zeros(len(train_times))), eta, grid
    )
    expected_c = concordance_index_ipcw(train, test, eta)[0]
    expected_brier = integrated_brier_score(train, test, predicted, grid)

    def ours():
        uno = survival.weighted_uno_c_index(times, events, eta, ones, censoring, np.inf)[0]
        brier = survival.weighted_integrated_brier(times, events, predicted, ones, censoring,
                                                   grid)[0]  # fmt: skip
        return uno, brier

    floored = ours()
    assert floored[0] != pytest.approx(expected_c, rel=1e-6)
    assert floored[1] != pytest.approx(expected_brier, rel=1e-6)
    monkeypatch.setattr(survival, "_MIN_CENSORING_SURVIVAL", 0.0)
    assert ours() == pytest.approx((expected_c, expected_brier), rel=1e-10)


def test_scorer_point_estimates_equal_sksurv():
    """What metrics.json holds: Uno's C at the last horizon, AUROC per horizon and their
    plain mean (not sksurv's Kaplan-Meier-weighted ``mean_auc``), Brier on brier_grid."""
    from types import SimpleNamespace

    from sksurv import metrics

    from pmtk.core.evaluation.survival_metrics import SurvivalScorer

    (train_times, train_events), (x, times, events) = _train_and_test(True, 0.8)
    assert 1 - train_events.mean() >= 0.4  # heavy censoring: Uno's C is reported
    horizons = [0.6, 1.1]  # off the quarter grid
    hazard = survival.breslow(train_times, train_events, np.zeros(len(train_times)))
    splits = {"train": SimpleNamespace(targets=np.column_stack([train_times, train_events]))}
    scorer = SurvivalScorer(splits, horizons, {"model": hazard})
    eta = x @ [0.8, -0.5]
    found = scorer.evaluate(np.column_stack([times, events]), eta)
    train, test = _structured(train_times, train_events), _nudged(times, events)
    aurocs, _ = metrics.cumulative_dynamic_auc(train, test, eta, horizons)
    grid = survival.brier_grid(times, horizons)
    predicted = survival.survival_probability(hazard, eta, grid)
    expected = {
        "uno_c_index": metrics.concordance_index_ipcw(train, test, eta, tau=1.1)[0],
        "td_auroc": aurocs.mean(), "td_auroc_0.6": aurocs[0], "td_auroc_1.1": aurocs[1],
        "integrated_brier": metrics.integrated_brier_score(train, test, predicted, grid),
    }  # fmt: skip
    for name, value in expected.items():
        assert found[name] == pytest.approx(value, abs=1e-6), name


@pytest.mark.parametrize(
    ("ci", "versus", "expected"),
    [
        ([0.45, 0.58], [-0.02, 0.04], "no better than guessing"),
        ([0.60, 0.70], [-0.09, -0.01], "the cox_ph baseline beats this model on test c_index"),
        ([0.60, 0.70], [-0.02, 0.04], None),
    ],
    ids=["chance", "baseline-better", "fine"],
)
def test_survival_runs_warn_like_every_kind(ci, versus, expected):
    from pmtk.core.evaluation.split_metrics import run_warnings

    results = {
        "test": {"c_index": 0.52},
        "ci": {"test": {"c_index": ci}},
        "baseline": {"model": "cox_ph"},
        "versus_baseline": {"test": {"c_index": {"difference": -0.03, "ci": versus}}},
    }
    truth = np.column_stack([np.arange(1, 31), np.tile([0, 1], 15)]).astype(float)
    found = run_warnings("survival", results, truth)
    assert (found == []) if expected is None else (expected in " ".join(found))
    few_events = truth.copy()
    few_events[:, 1] = 0
    few_events[0, 1] = 1
    assert "fewer than 2 events" in run_warnings("survival", results, few_events)[0]
