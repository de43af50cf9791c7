"""``pmtk predict`` on a risk run reads the file in parts (``PMTK_STREAMING_ROWS=0``, parts of
37 rows): the same table as read whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data import arrow_tables, tables
from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE
from tests.plugins.risk.conftest import make_cohort, write_table

FAST = ("--epochs", "2", "--batch-size", "32", "--importance-repeats", "0", "--bootstrap", "0")
PART = 37  # rows per part: several parts, the last one short


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A run trained on 300 people with ids, and a fresh cohort of 200 to predict."""
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost

    folder = tmp_path_factory.mktemp("parts")
    data = write_table(make_cohort(300, seed=5), folder / "train.csv")
    output = folder / "run"
    result = CliRunner().invoke(
        build_app(PluginHost(entry_points=False)),
        ["run", "risk", "--data", str(data), "--output", str(output), "--target", "outcome",
         "--id-column", "patient_id", *FAST],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return output


def _in_parts(monkeypatch) -> None:
    """Every file read in parts of :data:`PART` rows."""
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(arrow_tables, "BATCH_ROWS", PART)


def _predict(cli, run: Path, data: Path, output: Path):
    return cli("predict", run, "--data", data, "--output", output)


def _new_people(rows: int = 200) -> pd.DataFrame:
    frame = make_cohort(rows, seed=9).drop(columns="outcome")
    frame["patient_id"] = [f"N{i:04d}" for i in range(rows)]
    return frame


@pytest.mark.parametrize("name", ["new.csv", "new.tsv", "new.parquet"])
def test_parts_give_the_whole_file_predictions(cli, run, tmp_path, monkeypatch, name):
    data = write_table(_new_people(), tmp_path / name)
    whole = tmp_path / "whole.csv"
    monkeypatch.delenv(THRESHOLD_VARIABLE, raising=False)
    assert _predict(cli, run, data, whole).exit_code == 0
    _in_parts(monkeypatch)
    parted = tmp_path / "parted.csv"
    result = _predict(cli, run, data, parted)
    assert result.exit_code == 0, result.output
    assert "Wrote 200 predictions" in result.stderr
    expected, got = pd.read_csv(whole), pd.read_csv(parted)
    assert list(got["id"]) == [f"N{i:04d}" for i in range(200)]
    pd.testing.assert_frame_equal(got, expected, atol=1e-6)


def test_row_numbers_continue_across_parts_and_files(cli, run, tmp_path, monkeypatch):
    """Without an id column rows are named by their place: in a Parquet folder, across files."""
    people = _new_people().drop(columns="patient_id")
    folder = tmp_path / "folder"
    write_table(people.iloc[:120], folder / "a.parquet")
    write_table(people.iloc[120:], folder / "b.parquet")
    _in_parts(monkeypatch)
    output = tmp_path / "out.csv"
    result = _predict(cli, run, folder, output)
    assert result.exit_code == 0, result.output
    assert list(pd.read_csv(output)["id"]) == [f"row {i}" for i in range(1, 201)]


def test_stdout_has_one_header(cli, run, tmp_path, monkeypatch):
    data = write_table(_new_people(), tmp_path / "new.csv")
    _in_parts(monkeypatch)
    result = cli("predict", run, "--data", data)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 201 and lines[0].startswith("id,")


def test_bad_value_in_a_late_part_names_its_line(cli, run, tmp_path, monkeypatch):
    people = _new_people()
    people["age"] = people["age"].astype(object)
    people.loc[150, "age"] = "inf"
    data = write_table(people, tmp_path / "new.csv")
    _in_parts(monkeypatch)
    output = tmp_path / "out.csv"
    result = _predict(cli, run, data, output)
    assert result.exit_code != 0
    assert "line 152" in result.stderr and "Traceback" not in result.stderr
    assert not output.exists() and not list(tmp_path.glob(".out.csv*"))


def test_an_id_repeated_in_a_later_part_is_refused(cli, run, tmp_path, monkeypatch):
    people = _new_people()
    people.loc[120, "patient_id"] = people.loc[3, "patient_id"]
    data = write_table(people, tmp_path / "new.parquet")
    _in_parts(monkeypatch)
    result = _predict(cli, run, data, tmp_path / "out.csv")
    assert result.exit_code != 0
    assert "repeats an earlier id at row 121" in result.stderr
    assert "N0003" not in result.stderr  # no identifiers in messages


def test_text_parts_read_like_the_whole_file(tmp_path):
    frame = pd.DataFrame({"a": np.arange(10.0), "b": list("xyzxyzxyzx")})
    path = write_table(frame, tmp_path / "t.csv")
    parts = list(tables.text_table_chunks(path, rows=4))
    assert [len(p) for p in parts] == [4, 4, 2]
    assert [p.attrs["row_label"] for p in parts] == [("line", 2), ("line", 6), ("line", 10)]
    pd.testing.assert_frame_equal(
        pd.concat(parts, ignore_index=True), tables.read_text_table(path), check_dtype=False
    )
