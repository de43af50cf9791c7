"""``pmtk run risk`` on a Parquet cohort read in batches (``PMTK_STREAMING_ROWS`` set low)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE
from tests.plugins.risk.conftest import json_keys, make_cohort, write_table

FAST = ("--epochs", "3", "--batch-size", "32", "--importance-repeats", "1", "--bootstrap", "200")


def _run(cli, data: Path, output: Path, *extra: str) -> dict:
    result = cli("run", "risk", "--data", data, "--output", output, "--target", "outcome",
                 "--id-column", "patient_id", *FAST, *extra)  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text())


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    """600 people with a learnable outcome, as Parquet."""
    folder = tmp_path_factory.mktemp("cohort")
    return write_table(make_cohort(600, seed=3), folder / "cohort.parquet")


@pytest.fixture(scope="module")
def fixed_cohort(tmp_path_factory) -> Path:
    """The same people with a ``split`` column, so both paths train on the same rows."""
    frame = make_cohort(600, seed=3)
    frame["split"] = np.random.default_rng(1).choice(
        ["train", "val", "test"], 600, p=[0.7, 0.15, 0.15]
    )
    return write_table(frame, tmp_path_factory.mktemp("fixed") / "cohort.parquet")


@pytest.fixture(scope="module")
def both_runs(fixed_cohort: Path, tmp_path_factory) -> dict[str, Path]:
    """The same cohort trained in memory and streamed."""
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(build_app(host), [str(a) for a in args], catch_exceptions=False)

    folder = tmp_path_factory.mktemp("runs")
    monkeypatch = pytest.MonkeyPatch()
    try:
        monkeypatch.delenv(THRESHOLD_VARIABLE, raising=False)
        _run(cli, fixed_cohort, folder / "memory")
        monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
        _run(cli, fixed_cohort, folder / "streamed")
    finally:
        monkeypatch.undo()
        reset_plugin_host(None)
    return {"memory": folder / "memory", "streamed": folder / "streamed"}


def _json(run: Path, name: str) -> dict:
    return json.loads((run / name).read_text())


def test_streamed_run_learns_and_says_it_streamed(both_runs):
    metrics = _json(both_runs["streamed"], "metrics.json")
    assert metrics["test"]["auroc"] >= 0.8, metrics["test"]
    assert _json(both_runs["streamed"], "config.json")["loop"]["streamed"] is True
    assert _json(both_runs["memory"], "config.json")["loop"]["streamed"] is False
    assert sum(metrics["n"].values()) == 600
    assert metrics["importance"] == {"rows": metrics["n"]["test"], "repeats": 1}
    assert metrics["baseline"]["train_rows"] == metrics["n"]["train"]
    assert metrics["evaluated_rows"] == metrics["n"]  # below the sample bound: every row


def test_streamed_run_has_the_outputs_of_the_in_memory_run(both_runs):
    memory, streamed = both_runs["memory"], both_runs["streamed"]
    assert sorted(p.name for p in memory.iterdir()) == sorted(p.name for p in streamed.iterdir())
    for name in ("metrics.json", "config.json"):
        assert json_keys(_json(streamed, name)) == json_keys(_json(memory, name)), name
    memory_table = pd.read_csv(memory / "predictions.csv")
    streamed_table = pd.read_csv(streamed / "predictions.csv")
    assert list(streamed_table.columns) == list(memory_table.columns)
    assert len(streamed_table) == _json(streamed, "metrics.json")["n"]["test"]


def test_one_statistics_pass_gives_the_preprocessing_of_the_in_memory_path(both_runs):
    """Same training rows (a split column): same means, variances, medians, vocabularies."""
    derived = _json(both_runs["streamed"], "config.json")["derived"]
    expected = _json(both_runs["memory"], "config.json")["derived"]
    assert derived["categorical"] == expected["categorical"]
    assert [f["column"] for f in derived["numeric"]] == [f["column"] for f in expected["numeric"]]
    for got, want in zip(derived["numeric"], expected["numeric"], strict=True):
        numbers = ("median", "mean", "variance", "missing")
        assert {k: got[k] for k in numbers} == pytest.approx(
            {k: want[k] for k in numbers}, rel=1e-9
        )
        assert (got["column"], got["input"]) == (want["column"], want["input"])
    assert {k: derived[k] for k in ("target", "id_column")} == {
        "target": "outcome",
        "id_column": "patient_id",
    }
    memory = _json(both_runs["memory"], "metrics.json")
    streamed = _json(both_runs["streamed"], "metrics.json")
    assert streamed["n"] == memory["n"]
    # Same rows, same preprocessing, same seed: the baseline is the same model.
    assert streamed["baseline"]["test"] == pytest.approx(memory["baseline"]["test"], abs=1e-6)


def test_pmtk_predict_works_on_a_streamed_run(both_runs, cli, cohort: Path, tmp_path: Path):
    out = tmp_path / "predicted.csv"
    result = cli("predict", both_runs["streamed"], "--data", cohort, "--output", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 600 and table["score"].between(0, 1).all()


def test_splits_follow_the_id_not_the_row_order(cli, cohort: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    shuffled = pd.read_parquet(cohort).sample(frac=1.0, random_state=7)
    moved = write_table(shuffled, tmp_path / "moved.parquet")
    fast = ("--epochs", "1", "--importance-repeats", "0", "--bootstrap", "0")
    first = cli("run", "risk", "--data", cohort, "--target", "outcome", "--id-column",
                "patient_id", "--output", tmp_path / "a", *fast)  # fmt: skip
    second = cli("run", "risk", "--data", moved, "--target", "outcome", "--id-column",
                 "patient_id", "--output", tmp_path / "b", *fast)  # fmt: skip
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    ids = [set(pd.read_csv(tmp_path / run / "predictions.csv")["id"]) for run in ("a", "b")]
    assert ids[0] == ids[1] and len(ids[0]) > 50


def test_a_parquet_folder_streams_at_any_size_and_keeps_families_together(
    cli, tmp_path: Path, monkeypatch
):
    from functools import partial

    from pmtk.core.loop import source

    monkeypatch.delenv(THRESHOLD_VARIABLE, raising=False)
    # train metrics and baseline: a sample of 120 rows
    monkeypatch.setattr(source, "SplitTally", partial(source.SplitTally, sample_rows=120))
    frame = make_cohort(400, seed=5).assign(family=[f"F{i // 4}" for i in range(400)])
    folder = tmp_path / "parts"
    for index, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        write_table(frame.iloc[rows], folder / f"part-{index}.parquet")
    metrics = _run(cli, folder, tmp_path / "run", "--group-column", "family",
                   "--subgroup-column", "site")  # fmt: skip
    assert sum(metrics["n"].values()) == 400
    subgroups = metrics["subgroups"]["test"]
    assert set(subgroups) == {"north", "south"}
    assert sum(entry["n"] for entry in subgroups.values()) == metrics["n"]["test"]
    assert _json(tmp_path / "run", "config.json")["loop"]["streamed"] is True
    tested = set(pd.read_csv(tmp_path / "run" / "predictions.csv")["id"])
    families = frame.groupby("family")["patient_id"].apply(set)
    assert all(members <= tested or not members & tested for members in families)
    assert metrics["ci"]["test"]["auroc"] is not None  # resampled by family
    assert metrics["evaluated_rows"] == metrics["n"] | {"train": 120}
    assert metrics["baseline"]["train_rows"] == 120
