"""The default risk model matches the linear baseline on the cohort; shuffled labels warn."""

from __future__ import annotations

import pandas as pd
import pytest

from pmtk.core.sample_data import sample_data_path
from tests.quality.conftest import run_default

TASK = "risk"
pytestmark = pytest.mark.slow


def test_default_reaches_the_floor(default_run):
    metrics, stderr = default_run
    assert metrics["test"]["auroc"] >= 0.75, metrics["test"]
    assert metrics["ci"]["test"]["auroc"][0] > 0.65
    assert "Warning:" not in stderr


def test_default_is_not_worse_than_the_linear_baseline(default_run):
    metrics, _ = default_run
    assert metrics["baseline"]["model"] == "logistic_regression"
    versus = metrics["versus_baseline"]["test"]["auroc"]
    assert versus["difference"] >= -0.02 and versus["ci"][1] > 0, versus


def test_shuffled_outcome_is_called_chance(tmp_path):
    cohort = pd.read_csv(sample_data_path("risk/cohort.csv"))
    cohort["disease"] = cohort["disease"].sample(frac=1, random_state=0).to_numpy()
    cohort.to_csv(tmp_path / "shuffled.csv", index=False)
    metrics, stderr = run_default(
        tmp_path / "run", TASK, "--data", str(tmp_path / "shuffled.csv"), "--target", "disease",
        "--epochs", "5", "--importance-repeats", "0",
    )  # fmt: skip
    low, high = metrics["ci"]["test"]["auroc"]
    assert low <= 0.5 <= high
    assert "Warning: Test auroc" in stderr and "no better than guessing" in stderr
    assert metrics["warnings"] and "no better than guessing" in metrics["warnings"][0]
