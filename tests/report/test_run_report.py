"""A real (tiny) run: clinical metrics in metrics.json, calibrated model, report.html."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FAST = ("--epochs", "2", "--bootstrap", "50", "--importance-repeats", "0")


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    count = 240
    age = rng.normal(60, 10, count)
    sex = rng.choice(["F", "M"], count)
    site = rng.choice(["north", "south", "tiny"], count, p=[0.48, 0.48, 0.04])
    risk = 1 / (1 + np.exp(-(age - 60) / 5))
    outcome = np.where(rng.random(count) < risk, "yes", "no")
    path = tmp_path / "cohort.csv"
    pd.DataFrame({"age": age.round(1), "sex": sex, "site": site, "outcome": outcome}).to_csv(
        path, index=False
    )
    return path


@pytest.mark.slow
def test_calibrated_run_with_subgroups_writes_everything(cli, cohort: Path, tmp_path: Path):
    output = tmp_path / "run"
    result = cli("run", "risk", "--data", cohort, "--output", output, "--target", "outcome",
                 "--calibrate", "--subgroup-column", "site", "--target-sensitivity", "0.8",
                 *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((output / "metrics.json").read_text())
    calibration = metrics["calibration"]
    assert len(calibration["test"]) == 10 and calibration["method"] == "temperature"
    assert calibration["temperature"] > 0 and "brier" in calibration["uncalibrated"]
    assert sum(row["n"] for row in calibration["test"]) == metrics["n"]["test"]
    assert len(metrics["decision_curve"]["test"]) == 99
    assert set(metrics["decision_curve"]["test"][0]) >= {"threshold", "net_benefit", "treat_all"}
    point = metrics["operating_point"]
    assert point["target_sensitivity"] == 0.8 and set(point["ci"]) == set(point["test"])
    groups = metrics["subgroups"]["test"]
    assert metrics["subgroups"]["column"] == "site" and set(groups) <= {"north", "south", "tiny"}
    assert sum(g["n"] for g in groups.values()) == metrics["n"]["test"]
    small = [g for g in groups.values() if g["n"] < 10]
    assert all(g["auroc"] is None and g["ci"]["auroc"] is None for g in small)
    config = json.loads((output / "config.json").read_text())
    assert config["loop"]["temperature"] == calibration["temperature"]
    assert (output / "report.html").stat().st_size < 2_000_000
    # pmtk predict returns the calibrated scores the run reported
    table = tmp_path / "predicted.csv"
    assert cli("predict", output, "--data", cohort, "--output", table).exit_code == 0
    predicted = pd.read_csv(table).set_index("id")["score"]
    reported = pd.read_csv(output / "predictions.csv").set_index("id")["score"]
    assert np.allclose(predicted.loc[reported.index], reported, atol=1e-4)


@pytest.mark.parametrize(
    "extra, message",
    [(("--subgroup-column", "nosuch"), "has no column 'nosuch' (--subgroup-column); its columns"),
     (("--target-sensitivity", "1"), "--target-sensitivity must be between 0 and 1"),
     (("--target-sensitivity", "0"), "--target-sensitivity must be between 0 and 1")],
    ids=["unknown subgroup column", "sensitivity 1", "sensitivity 0"],
)  # fmt: skip
def test_bad_clinical_options_say_one_sentence(cli, cohort: Path, tmp_path: Path, extra, message):
    output = tmp_path / "run"
    result = cli("run", "risk", "--data", cohort, "--output", output, "--target", "outcome",
                 *extra)  # fmt: skip
    assert result.exit_code == 1 and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not output.exists() and not list(tmp_path.glob(".run*"))
