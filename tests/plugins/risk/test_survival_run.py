"""``pmtk run risk --time-column --event-column`` and ``pmtk predict`` on a survival run,
and every bad survival input (one sentence, nothing written)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import tree_snapshot
from tests.plugins.risk.conftest import make_cohort, write_table

FAST = ("--epochs", "2", "--batch-size", "32", "--importance-repeats", "1", "--bootstrap", "50")
SURVIVAL = ("--time-column", "TIME", "--event-column", "EVENT")


def survival_cohort(rows: int = 200, seed: int = 0) -> pd.DataFrame:
    """A cohort whose hazard rises with age and current smoking; about a third censored."""
    frame = make_cohort(rows, seed=seed).drop(columns=["outcome"])
    rng = np.random.default_rng(seed)
    hazard = np.exp((frame["age"] - 60) / 10 + (frame["smoking"] == "current") * 1.0)
    event_time = rng.exponential(1000 / hazard)
    censor_time = rng.uniform(200, 3000, rows)
    frame["TIME"] = np.ceil(np.minimum(event_time, censor_time)).astype(int)
    frame["EVENT"] = np.where(event_time <= censor_time, "yes", "no")
    return frame


@pytest.fixture
def survival_csv(tmp_path: Path) -> Path:
    return write_table(survival_cohort(), tmp_path / "data" / "cohort.csv")


def test_survival_run_metrics_report_and_predict(cli, survival_csv: Path, tmp_path: Path):
    output = tmp_path / "run"
    result = cli("run", "risk", "--data", survival_csv, "--output", output, *SURVIVAL,
                 "--horizons", "300,900", *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((output / "metrics.json").read_text())
    assert {"c_index", "td_auroc", "td_auroc_300", "td_auroc_900", "integrated_brier"} <= set(
        metrics["test"]
    )
    assert 0 <= metrics["test"]["c_index"] <= 1
    low, high = metrics["ci"]["test"]["c_index"]
    assert low <= metrics["test"]["c_index"] <= high
    assert metrics["baseline"]["model"] == "cox_ph" and "c_index" in metrics["baseline"]["test"]
    assert metrics["versus_baseline"]["test"]["c_index"]["ci"] is not None
    assert metrics["class_counts"]["test"]["event"] > 0
    groups = metrics["risk_groups"]["test"]
    assert [g["name"] for g in groups["groups"]] == ["low risk", "middle risk", "high risk"]
    assert 0 <= groups["logrank_p"] <= 1
    assert set(metrics["survival_calibration"]["test"]) == {"300", "900"}
    config = json.loads((output / "config.json").read_text())
    assert config["target"]["kind"] == "survival"
    assert config["loop"]["survival"]["horizons"] == [300.0, 900.0]
    assert config["loop"]["survival"]["baseline_hazard"]["cumulative_hazard"]
    importance = pd.read_csv(output / "importance.csv")
    assert set(importance["metric"]) == {"c_index"}
    assert set(importance["feature"]) == {"age", "bmi", "smoking", "site"}
    report = (output / "report.html").read_text()
    assert "Kaplan-Meier curves by predicted risk" in report and "Survival calibration" in report

    predictions = pd.read_csv(output / "predictions.csv")
    assert list(predictions.columns) == ["id", "time", "event", "risk_score", "survival_300",
                                         "survival_900"]  # fmt: skip
    assert (predictions["survival_300"] >= predictions["survival_900"]).all()
    cohort = pd.read_csv(survival_csv)
    new = tmp_path / "new.csv"
    cohort.drop(columns=["TIME", "EVENT"]).to_csv(new, index=False)
    predicted = cli("predict", output, "--data", new)
    assert predicted.exit_code == 0, predicted.output
    table = pd.read_csv(io.StringIO(predicted.stdout)).set_index("id")
    assert list(table.columns) == ["risk_score", "survival_300", "survival_900"]
    again = table.loc[predictions["id"]]
    np.testing.assert_allclose(again["risk_score"], predictions["risk_score"], atol=1e-5)
    np.testing.assert_allclose(again["survival_900"], predictions["survival_900"], atol=1e-5)
    assert table[["survival_300", "survival_900"]].stack().between(0, 1).all()


def test_linear_cox_model_with_default_horizon(cli, survival_csv: Path, tmp_path: Path):
    output = tmp_path / "run"
    result = cli("run", "risk", "--data", survival_csv, "--output", output, *SURVIVAL,
                 "--model", "linear", *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    config = json.loads((output / "config.json").read_text())
    times = pd.read_csv(survival_csv)["TIME"]
    (horizon,) = config["loop"]["survival"]["horizons"]
    assert times.min() < horizon < times.max()  # the training split's median follow-up
    metrics = json.loads((output / "metrics.json").read_text())
    assert "td_auroc" in metrics["test"] and not any(n.startswith("td_auroc_") for n in
                                                     metrics["test"])  # fmt: skip


@pytest.mark.parametrize("grouped", [False, True], ids=["rows", "groups"])
def test_splits_are_stratified_by_event(grouped: bool, host, tmp_path):
    from pmtk.core.contract.options import RunOptions
    from pmtk.core.loop.source import ExampleSource

    cohort = survival_cohort(400, seed=3)
    cohort["EVENT"] = np.where(np.arange(400) % 5 == 0, "yes", "no")  # 20% events
    cohort["family"] = [f"F{i // 2}" for i in range(400)]  # pairs; both rows share the event
    cohort.loc[1::2, "EVENT"] = cohort["EVENT"].to_numpy()[0::2]
    cohort.to_csv(tmp_path / "cohort.csv", index=False)
    task = host.registry.task("risk")
    given = {"data": tmp_path / "cohort.csv", "time_column": "TIME", "event_column": "EVENT",
             "seed": 1, "group_column": "family" if grouped else None}  # fmt: skip
    defaults = {option.name: option.default for option in task.options}
    options = RunOptions.from_mapping(defaults | given)
    source = ExampleSource(task, host.registry.run_context("risk", options))
    examples, split = source.examples, source.split  # a cohort this size is held whole
    events = np.array([label.event for label in examples["label"]])
    for name in ("train", "val", "test"):
        share = events[split == name].mean()
        assert share == pytest.approx(events.mean(), abs=0.03), name
    if grouped:
        assert (pd.Series(split).groupby(examples["group"].to_numpy()).nunique() == 1).all()


def _with(column: str, rows: dict[int, object]):
    def make(tmp_path: Path) -> Path:
        frame = survival_cohort(60)
        frame[column] = frame[column].astype(object)
        for row, value in rows.items():
            frame.loc[row, column] = value
        return write_table(frame, tmp_path / "data" / "cohort.csv")

    return make


def _all_censored(tmp_path: Path) -> Path:
    frame = survival_cohort(60).assign(EVENT="no")
    return write_table(frame, tmp_path / "data" / "cohort.csv")


BAD_INPUTS = [
    (_with("EVENT", {3: "dead", 7: "unknown"}), SURVIVAL,
     "event column 'EVENT' must hold 1/0, true/false or yes/no (event or censored) but also "
     "holds 'dead', 'unknown' (line 5, line 9)"),
    (_with("EVENT", {4: None}), SURVIVAL, "event column 'EVENT' must hold 1/0, true/false or "
     "yes/no (event or censored) but also holds (empty) (line 6)"),
    (_with("TIME", {2: 0, 10: -5}), SURVIVAL,
     "time column 'TIME' is zero or negative at line 4, line 12;"),
    (_with("TIME", {6: None}), SURVIVAL, "time column 'TIME' has no value at line 8;"),
    (_with("TIME", {1: "soon"}), SURVIVAL, "time column 'TIME' is not a number at line 3;"),
    (_all_censored, SURVIVAL, "every patient is censored (event column 'EVENT' holds no 1, "),
    (_with("TIME", {}), ("--time-column", "TIME"), "--time-column needs --event-column too"),
    (_with("TIME", {}), ("--event-column", "EVENT"), "--event-column needs --time-column too"),
    (_with("TIME", {}), (*SURVIVAL, "--horizons", "365,99999"),
     "--horizons 99999 is not before the longest follow-up in"),
    (_with("TIME", {}), (*SURVIVAL, "--horizons", "a year"),
     "--horizons must be comma-separated positive times"),
    (_with("TIME", {}), (*SURVIVAL, "--target", "EVENT"), "--target cannot be combined with"),
    (_with("TIME", {}), ("--time-column", "DAYS", "--event-column", "EVENT"),
     "has no column 'DAYS' (--time-column); its columns are:"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_data", "options", "message"),
    BAD_INPUTS,
    ids=["event-other-values", "event-missing", "time-zero-negative", "time-missing",
         "time-text", "all-censored", "time-without-event", "event-without-time",
         "horizon-beyond-follow-up", "horizon-not-a-number", "target-and-time", "unknown-column"],
)  # fmt: skip
def test_bad_survival_input_is_one_sentence(cli, tmp_path: Path, make_data, options, message):
    data = make_data(tmp_path)
    before = tree_snapshot(tmp_path)
    output = tmp_path / "out" / "run"
    result = cli("run", "risk", "--data", data, "--output", output, *options, *FAST)
    assert result.exit_code == 1, result.output
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: ") and message in error, error
    assert "Traceback" not in result.output
    assert "P00" not in result.stderr  # patient ids are never printed
    assert not (tmp_path / "out").exists()
    assert tree_snapshot(tmp_path) == before
