"""Survival arithmetic against lifelines and scikit-learn: the Cox loss, Breslow, C-index,
time-dependent AUROC, integrated Brier score and the Cox baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmtk.core import survival
from pmtk.core.survival_evaluation import partial_log_likelihood


def _cohort(rows: int = 40, seed: int = 0, ties: bool = False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 2))
    times = rng.exponential(1 / np.exp(x @ [0.8, -0.5]))
    censor = rng.exponential(1.5, rows)
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
    from pmtk.core.evaluation import run_warnings

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
