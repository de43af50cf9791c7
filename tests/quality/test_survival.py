"""The default survival network (DeepSurv) on the synthetic cohorts: close to the oracle
C-index of the true hazard and never worse than the linear Cox baseline beyond its interval,
on a linear and on a non-linear hazard; its Kaplan-Meier risk groups separate."""

from __future__ import annotations

import pandas as pd
import pytest

from pmtk.core.data.sample_data import sample_data_path
from tests.quality.conftest import run_default

TASK = "risk"
pytestmark = pytest.mark.slow
#: How far below the oracle's test C-index the network may stay.
ORACLE_MARGIN = 0.03


def _oracle_c_index(variant: str, predictions: pd.DataFrame) -> float:
    """C-index of the generator's true log hazard on the run's test patients."""
    from lifelines.utils import concordance_index

    oracle = pd.read_csv(sample_data_path(f"survival/oracle{variant}.csv"))
    test = predictions.merge(oracle, left_on="id", right_on="patient_id", validate="1:1")
    assert len(test) == len(predictions)
    return concordance_index(test["time"], -test["true_log_hazard"], test["event"])


@pytest.fixture(scope="module", params=["", "_linear"], ids=["nonlinear", "linear"])
def survival_run(request, tmp_path_factory):
    output = tmp_path_factory.mktemp("survival") / "run"
    data = sample_data_path(f"survival/cohort{request.param}.csv")
    options = ("--time-column", "time", "--event-column", "event", "--importance-repeats", "0")
    metrics, stderr = run_default(output, TASK, "--data", str(data), *options)
    oracle = _oracle_c_index(request.param, pd.read_csv(output / "predictions.csv"))
    return metrics, stderr, oracle


def test_network_is_close_to_the_oracle(survival_run):
    metrics, stderr, oracle = survival_run
    assert metrics["test"]["c_index"] >= oracle - ORACLE_MARGIN, (metrics["test"], oracle)
    assert metrics["ci"]["test"]["c_index"][0] > 0.5
    assert "Warning:" not in stderr


def test_network_is_not_worse_than_linear_cox(survival_run):
    metrics, _, _ = survival_run
    assert metrics["baseline"]["model"] == "cox_ph"
    versus = metrics["versus_baseline"]["test"]["c_index"]
    assert versus["ci"][1] > 0, versus


def test_kaplan_meier_risk_groups_separate(survival_run):
    metrics, _, _ = survival_run
    groups = metrics["risk_groups"]["test"]
    assert groups["logrank_p"] < 1e-6
    low, middle, high = groups["groups"]
    assert low["events"] / low["n"] < middle["events"] / middle["n"] < high["events"] / high["n"]
