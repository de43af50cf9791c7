"""``pmtk run risk`` on a CSV/TSV cohort read in batches: the same run as from Parquet.

The column types of a streamed CSV are fixed from its first block (``csv_format``), so a
later block that disagrees is read the same way or stopped with one sentence.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pmtk.core.data import arrow_tables
from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE
from pmtk.core.errors import DataError
from tests.plugins.risk.conftest import make_cohort, write_table

FAST = ("--epochs", "2", "--batch-size", "32", "--importance-repeats", "1", "--bootstrap", "100",
        "--target", "outcome", "--id-column", "patient_id", "--seed", "3")  # fmt: skip


def _run(cli, data: Path, output: Path) -> dict:
    result = cli("run", "risk", "--data", data, "--output", output, *FAST)
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text())


def _json(run: Path, name: str) -> dict:
    return json.loads((run / name).read_text())


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_a_streamed_csv_gives_the_run_of_the_streamed_parquet(cli, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    frame = make_cohort(400, seed=4)
    frame["visits"] = np.random.default_rng(0).integers(0, 5, len(frame))  # int64 in Parquet
    parquet = _run(cli, write_table(frame, tmp_path / "c.parquet"), tmp_path / "parquet")
    text = _run(cli, write_table(frame, tmp_path / f"c{suffix}"), tmp_path / "text")
    assert _json(tmp_path / "text", "config.json")["loop"]["streamed"] is True
    assert text["n"] == parquet["n"]
    expected = _json(tmp_path / "parquet", "config.json")["derived"]
    derived = _json(tmp_path / "text", "config.json")["derived"]
    for key in ("categorical", "target", "id_column"):
        assert derived[key] == expected[key], key
    numbers = ("median", "mean", "variance", "missing")
    for got, want in zip(derived["numeric"], expected["numeric"], strict=True):
        assert (got["column"], got["input"]) == (want["column"], want["input"])
        assert [got[k] for k in numbers] == pytest.approx([want[k] for k in numbers], rel=1e-9)
    # Same rows, same splits, same statistics, same seed: the same model, up to rounding.
    assert text["test"] == pytest.approx(parquet["test"], abs=1e-4)
    assert text["baseline"]["test"] == pytest.approx(parquet["baseline"]["test"], abs=1e-6)
    ids = [pd.read_csv(tmp_path / run / "predictions.csv")["id"] for run in ("parquet", "text")]
    assert list(ids[0]) == list(ids[1])


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """16 kB blocks: a 3,000-row CSV spans several, as a big file spans many 1 MB ones."""
    monkeypatch.setattr(arrow_tables, "CSV_BLOCK_BYTES", 16_384)


def _later_block(tmp_path: Path, value: str, rows: int = 3000) -> Path:
    """A CSV of several blocks whose ``bmi`` column holds ``value`` near its end."""
    frame = make_cohort(rows, seed=1)
    frame["bmi"] = frame["bmi"].astype(object)
    frame.loc[rows - 7, "bmi"] = value
    path = write_table(frame, tmp_path / "late.csv")
    assert path.stat().st_size > 4 * arrow_tables.CSV_BLOCK_BYTES
    return path


def test_a_whole_number_column_that_later_holds_a_fraction_is_read_as_numbers(tmp_path):
    frame = make_cohort(3000, seed=1)
    frame["visits"] = np.arange(len(frame)).astype(object)
    frame.loc[len(frame) - 3, "visits"] = "3.5"
    frame.loc[: len(frame) - 100, "late"] = None  # empty in the first block, text further on
    frame.loc[len(frame) - 2, "late"] = "seen"
    table = arrow_tables.open_table(write_table(frame, tmp_path / "c.csv"))
    assert table.schema.field("visits").type == pa.float64()
    assert table.schema.field("late").type == pa.string()
    visits = np.concatenate(
        [b.column("visits").to_numpy() for b in arrow_tables.scan_batches(table, ["visits"])]
    )
    assert visits[-3] == 3.5 and len(visits) == len(frame)


def test_text_in_a_numeric_column_after_the_first_block_names_column_and_line(tmp_path):
    path = _later_block(tmp_path, "unknown")
    table = arrow_tables.open_table(path)
    with pytest.raises(DataError) as caught:
        for _ in arrow_tables.scan_batches(table, ["bmi", "age"]):
            pass
    message = str(caught.value)
    assert message == (
        f"{path}: column 'bmi' holds 'unknown' at line 2995, where the rows above it hold "
        "numbers; write a number there (or leave the cell empty for a missing value), or leave "
        "the column out with --exclude bmi."
    )


def test_missing_markers_are_the_in_memory_readers(tmp_path):
    """``NA``, ``?``, ``.`` and the other pandas markers are missing, not text, in a number
    column, as ``pmtk.core.data.tables.read_text_table`` reads them."""
    from pmtk.core.data.tables import read_text_table

    rows = "\n".join(["x,y", "1,a", "NA,b", "?,c", ".,d", "NULL,e", ",f", "2.5,g"])
    path = tmp_path / "m.csv"
    path.write_text(rows + "\n")
    table = arrow_tables.open_table(path)
    streamed = np.concatenate(
        [
            b.column("x").to_numpy(zero_copy_only=False)
            for b in arrow_tables.scan_batches(table, ["x"])
        ]
    )
    np.testing.assert_array_equal(streamed, read_text_table(path)["x"].to_numpy())


@pytest.mark.slow
def test_a_streamed_run_stops_on_a_later_block_type_change(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    path = _later_block(tmp_path, "unknown")
    result = cli("run", "risk", "--data", path, "--output", tmp_path / "run", *FAST)
    assert result.exit_code == 1
    assert "column 'bmi' holds 'unknown' at line 2995" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run" / "metrics.json").exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_infinite_value_in_a_later_batch_names_its_line_or_row(cli, tmp_path, monkeypatch,
                                                                  suffix):  # fmt: skip
    """As the in-memory reader names them: line N of a text file, row N of a Parquet file."""
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(arrow_tables, "BATCH_ROWS", 500)
    frame = make_cohort(3000, seed=4)
    frame.loc[2100, "age"] = np.inf  # the fifth batch
    path = write_table(frame, tmp_path / f"cohort{suffix}")
    result = cli("run", "risk", "--data", path, "--output", tmp_path / "run", *FAST)
    assert result.exit_code == 1
    where = "line 2102" if suffix == ".csv" else "row 2101"
    assert where in result.output and "'age'" in result.output, result.output
    assert "Traceback" not in result.output
