"""A cohort whose outcome was shuffled is called chance, in the terminal and in metrics.json."""

from __future__ import annotations

import pandas as pd
import pytest

from pmtk.core.data.sample_data import sample_data_path
from tests.quality.conftest import run_default

pytestmark = pytest.mark.slow


def test_shuffled_outcome_is_called_chance(tmp_path):
    cohort = pd.read_csv(sample_data_path("risk/cohort.csv"))
    cohort["disease"] = cohort["disease"].sample(frac=1, random_state=0).to_numpy()
    cohort.to_csv(tmp_path / "shuffled.csv", index=False)
    metrics, stderr = run_default(
        tmp_path / "run", "risk", "--data", str(tmp_path / "shuffled.csv"), "--target", "disease",
        "--epochs", "5", "--importance-repeats", "0",
    )  # fmt: skip
    low, high = metrics["ci"]["test"]["auroc"]
    assert low <= 0.5 <= high
    assert "Warning: Test auroc" in stderr and "no better than guessing" in stderr
    assert metrics["warnings"] and "no better than guessing" in metrics["warnings"][0]
