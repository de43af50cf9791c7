"""Data read in parts: Arrow tables in batches, the part threshold, statistics and samples."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data import arrow_tables, part_threshold, sampling, splits, statistics
from pmtk.core.errors import DataError
from pmtk.core.runtime import progress as progress_module


@pytest.fixture
def cohort(tmp_path):
    rng = np.random.default_rng(0)
    table = pd.DataFrame({
        "id": [f"P{i:05d}" for i in range(3000)],
        "age": rng.normal(60, 10, 3000),
        "bmi": rng.normal(25, 4, 3000),
        "label": rng.integers(0, 2, 3000).astype(float),
    })  # fmt: skip
    table.loc[::7, "bmi"] = np.nan
    folder = tmp_path / "cohort"
    folder.mkdir()
    table.iloc[:1500].to_parquet(folder / "part-0.parquet")
    table.iloc[1500:].to_parquet(folder / "part-1.parquet")
    return folder, table


def test_running_moments_match_numpy_in_any_batch_size(cohort):
    _, table = cohort
    values = table[["age", "bmi"]].to_numpy()
    moments = statistics.RunningMoments(2)
    for start in range(0, len(values), 701):
        moments.update(values[start : start + 701])
    np.testing.assert_allclose(moments.mean, np.nanmean(values, axis=0), rtol=1e-10)
    np.testing.assert_allclose(moments.variance, np.nanvar(values, axis=0), rtol=1e-8)


def test_hash_splits_are_stable_keep_groups_and_follow_the_fractions():
    keys = np.array([f"G{i % 4000}" for i in range(20000)])
    first = splits.hash_splits(keys, val_fraction=0.15, test_fraction=0.15, seed=3)
    again = splits.hash_splits(keys[::-1], val_fraction=0.15, test_fraction=0.15, seed=3)
    assert (first == again[::-1]).all()  # row order does not matter
    per_group = pd.Series(first).groupby(keys).nunique()
    assert (per_group == 1).all()
    shares = pd.Series(first).value_counts(normalize=True)
    assert shares["test"] == pytest.approx(0.15, abs=0.03)
    assert shares["val"] == pytest.approx(0.15, abs=0.03)
    other = splits.hash_splits(keys, val_fraction=0.15, test_fraction=0.15, seed=4)
    assert (other != first).any()


def test_parquet_files_with_other_types_are_refused(cohort):
    folder, table = cohort
    changed = table.iloc[:10].copy()
    changed["age"] = changed["age"].astype(str)
    changed.to_parquet(folder / "part-2.parquet")
    with pytest.raises(DataError, match=r"part-2.parquet: column 'age' is string, but double"):
        arrow_tables.open_table(folder)


def test_parquet_files_with_other_columns_are_refused(cohort):
    folder, table = cohort
    table.iloc[:10].drop(columns="bmi").to_parquet(folder / "part-2.parquet")
    with pytest.raises(DataError, match=r"part-2.parquet has no column 'bmi'"):
        arrow_tables.open_table(folder)


def test_bounded_sample_keeps_at_most_the_limit():
    batches = (np.arange(i, i + 1000) for i in range(0, 50_000, 1000))
    sample = sampling.bounded_sample(batches, limit=10_000, seed=0)
    assert len(sample) == 10_000 and len(set(sample.tolist())) == 10_000
    assert sample.max() > 40_000  # late rows have their chance too


def test_progress_prints_plain_quarters_when_not_a_terminal(monkeypatch):
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    stream = io.StringIO()
    items = list(progress_module.progress(range(8), 8, "Statistics", stream=stream))
    assert items == list(range(8))
    assert stream.getvalue().splitlines() == [
        "Statistics: 2 of 8 (25%)",
        "Statistics: 4 of 8 (50%)",
        "Statistics: 6 of 8 (75%)",
        "Statistics: 8 of 8 (100%)",
    ]


def test_progress_draws_a_bar_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    stream = Terminal()
    batches = [(500, "a"), (500, "b")]
    assert list(progress_module.progress(batches, 1000, "Rows", stream=stream, weights=True)) == [
        "a",
        "b",
    ]
    assert "\r" in stream.getvalue() and "1,000/1,000" in stream.getvalue()


def test_short_passes_print_nothing():
    stream = io.StringIO()
    list(progress_module.progress(range(3), 3, "Quick", stream=stream))
    assert stream.getvalue() == ""


@pytest.mark.parametrize("batch_rows", [500, 65_536], ids=["several-per-row-group", "one-per-file"])
def test_scan_batches_gives_every_row_in_file_order_in_bounded_batches(
    cohort, monkeypatch, batch_rows
):
    folder, table = cohort
    monkeypatch.setattr(arrow_tables, "BATCH_ROWS", batch_rows)
    batches = list(arrow_tables.scan_batches(arrow_tables.open_table(folder), ["id", "bmi"]))
    assert max(batch.num_rows for batch in batches) <= batch_rows
    ids = [value for batch in batches for value in batch.column("id").to_pylist()]
    assert ids == table["id"].tolist()
    assert batches[0].schema.names == ["id", "bmi"]


def test_reservoir_keeps_a_uniform_bounded_sample_in_stream_order():
    reservoir = sampling.Reservoir(500, seed=0)
    for start in range(0, 20_000, 700):
        reservoir.add(pd.DataFrame({"row": np.arange(start, min(start + 700, 20_000))}))
    rows = reservoir.rows()["row"].to_numpy()
    assert len(rows) == 500 and len(set(rows)) == 500
    assert (np.diff(rows) > 0).all()  # file order kept
    assert 0.35 < (rows < 10_000).mean() < 0.65  # early and late rows alike
    assert sampling.Reservoir(10, seed=0).rows().empty


@pytest.mark.parametrize(("value", "expected"), [("", 200_000), ("0", 0), (" 5000 ", 5000)])
def test_streaming_threshold_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(part_threshold.THRESHOLD_VARIABLE, value)
    assert part_threshold.part_threshold() == expected
    assert part_threshold.in_parts(expected + 1) and not part_threshold.in_parts(expected)


def test_batch_splits_check_a_split_column_and_hash_otherwise():
    import pandas as pd

    from pmtk.core.data.splits import batch_splits, hash_splits
    from pmtk.core.errors import DataError

    options = {"val_fraction": 0.2, "test_fraction": 0.1, "seed": 5}
    keys = np.array([f"P{i}" for i in range(50)])
    expected = hash_splits(keys, val_fraction=0.2, test_fraction=0.1, seed=5)
    assert (batch_splits(keys, options) == expected).all()
    fixed = pd.Series([" Train", "VAL", "test"], index=[7, 8, 9])
    assert list(batch_splits(keys[:3], options, fixed)) == ["train", "val", "test"]
    with pytest.raises(DataError, match=r"f.csv: line 12 has split 'hold'; the 'split' column"):
        batch_splits(keys[:2], options, pd.Series(["val", "hold"]), lambda p: f"line {p + 11}",
                     "f.csv")  # fmt: skip
