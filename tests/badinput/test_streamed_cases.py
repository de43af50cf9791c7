"""Bad input on the risk task's streamed path (Parquet past ``PMTK_STREAMING_ROWS``, or a folder).

The same checks as ``test_corpus.py``: exit status 1, one ``Error:`` sentence naming the file
and the column or row, no traceback, inputs byte-identical, no complete-looking run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data import arrow_tables
from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE
from tests.badinput.test_corpus import PREFIXES, RUN_FILES, snapshot

FAST = ("--epochs", "1", "--batch-size", "16", "--importance-repeats", "0")


def cohort(rows: int = 80) -> pd.DataFrame:
    """A small learnable cohort: pid, age, bmi, smoking, outcome."""
    rng = np.random.default_rng(0)
    age = rng.integers(30, 90, rows).astype(float)
    return pd.DataFrame({
        "pid": [f"P{i:04d}" for i in range(rows)],
        "age": age,
        "bmi": rng.normal(27, 4, rows).round(1),
        "smoking": rng.choice(["never", "current"], rows),
        "outcome": np.where(age + rng.normal(0, 5, rows) > 60, "yes", "no"),
    })  # fmt: skip


def folder_with_other_types(inputs: Path) -> tuple[Path, list[str]]:
    frame = cohort()
    frame.iloc[:40].to_parquet(inputs / "part-0.parquet", index=False)
    later = frame.iloc[40:].assign(age=frame["age"].iloc[40:].astype(str))
    later.to_parquet(inputs / "part-1.parquet", index=False)
    return inputs, ["part-1.parquet", "'age'"]


def folder_with_a_missing_column(inputs: Path) -> tuple[Path, list[str]]:
    frame = cohort()
    frame.iloc[:40].to_parquet(inputs / "part-0.parquet", index=False)
    frame.iloc[40:].drop(columns="bmi").to_parquet(inputs / "part-1.parquet", index=False)
    return inputs, ["part-1.parquet", "'bmi'"]


def infinite_value(inputs: Path) -> tuple[Path, list[str]]:
    frame = cohort()
    frame.loc[57, "bmi"] = np.inf
    frame.to_parquet(inputs / "cohort.parquet", index=False)
    return inputs / "cohort.parquet", ["cohort.parquet", "'bmi'", "row 58"]


def bad_split_value(inputs: Path) -> tuple[Path, list[str]]:
    frame = cohort().assign(split="train")
    frame.loc[12, "split"] = "holdout"
    frame.to_parquet(inputs / "cohort.parquet", index=False)
    return inputs / "cohort.parquet", ["cohort.parquet", "row 13", "'holdout'"]


def empty_column(inputs: Path) -> tuple[Path, list[str]]:
    frame = cohort().assign(notes=pd.Series([None] * 80, dtype="float64"))
    frame.to_parquet(inputs / "cohort.parquet", index=False)
    return inputs / "cohort.parquet", ["cohort.parquet", "'notes'", "empty in every row"]


def no_target_column(inputs: Path) -> tuple[Path, list[str]]:
    cohort().drop(columns="outcome").to_parquet(inputs / "cohort.parquet", index=False)
    return inputs / "cohort.parquet", ["cohort.parquet", "'outcome'"]


def one_outcome(inputs: Path) -> tuple[Path, list[str]]:
    cohort().assign(outcome="no").to_parquet(inputs / "cohort.parquet", index=False)
    return inputs / "cohort.parquet", ["cohort.parquet", "'outcome'", "two outcomes"]


CASES = [folder_with_other_types, folder_with_a_missing_column, infinite_value,
         bad_split_value, empty_column, no_target_column, one_outcome]  # fmt: skip


@pytest.mark.parametrize("build", CASES, ids=[case.__name__ for case in CASES])
def test_streamed_bad_input(build, cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    data, fragments = build(inputs)
    before = snapshot(inputs)

    result = cli("run", "risk", "--data", data, "--target", "outcome", "--output", out, *FAST)

    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code == 1, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    noise = [line for line in result.stderr.splitlines() if not line.startswith(PREFIXES)]
    assert not noise, result.stderr
    assert errors[0].endswith("."), errors[0]
    for fragment in fragments:
        assert fragment in errors[0], f"{fragment!r} not in: {errors[0]}"
    published = [p for name in RUN_FILES for p in out.rglob(name)] if out.exists() else []
    assert not published and snapshot(inputs) == before
    assert "P00" not in result.stderr  # no patient id in the messages


# ---------------------------------------------------------------- the autoencoder, streamed

AUTOENCODER = ("--epochs", "1", "--batch-size", "16", "--latent-dim", "2", "--hidden-units", "4",
               "--id-column", "sample")  # fmt: skip


def features(rows: int = 3000) -> pd.DataFrame:
    """A numeric feature table with a ``sample`` id column."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, 4)).round(3), columns=["a", "b", "c", "d"])
    frame.insert(0, "sample", [f"S{i:05d}" for i in range(rows)])
    return frame


def text_in_a_later_csv_block(inputs: Path) -> tuple[Path, list[str]]:
    frame = features().astype({"c": object})
    frame.loc[2990, "c"] = "n.d."
    frame.to_csv(inputs / "table.csv", index=False)
    return inputs / "table.csv", ["table.csv", "column 'c'", "'n.d.'", "line 2992", "--exclude c"]


def text_column_in_parquet(inputs: Path) -> tuple[Path, list[str]]:
    features().assign(site="north").to_parquet(inputs / "table.parquet", index=False)
    return inputs / "table.parquet", ["table.parquet", "non-numeric column(s) site", "--exclude"]


def missing_id(inputs: Path) -> tuple[Path, list[str]]:
    frame = features()
    frame.loc[1234, "sample"] = None
    frame.to_parquet(inputs / "table.parquet", index=False)
    return inputs / "table.parquet", ["table.parquet", "row 1235", "'sample'"]


def repeated_id(inputs: Path) -> tuple[Path, list[str]]:
    frame = features()
    frame.loc[20, "sample"] = frame.loc[3, "sample"]
    frame.to_csv(inputs / "table.csv", index=False)
    return inputs / "table.csv", ["table.csv", "line 22 repeats the id of line 5", "'sample'"]


def infinite_feature(inputs: Path) -> tuple[Path, list[str]]:
    frame = features()
    frame.loc[2500, "b"] = np.inf
    frame.to_parquet(inputs / "table.parquet", index=False)
    return inputs / "table.parquet", ["table.parquet", "'b'", "row 2501", "--nonfinite-as-missing"]


def code_larger_than_the_features(inputs: Path) -> tuple[Path, list[str]]:
    features()[["sample", "a"]].to_parquet(inputs / "table.parquet", index=False)
    return inputs / "table.parquet", ["--latent-dim 2", "1 feature column(s)", "table.parquet"]


AUTOENCODER_CASES = [text_in_a_later_csv_block, text_column_in_parquet, missing_id, repeated_id,
                     infinite_feature, code_larger_than_the_features]  # fmt: skip


@pytest.mark.parametrize("build", AUTOENCODER_CASES, ids=[c.__name__ for c in AUTOENCODER_CASES])
def test_streamed_autoencoder_bad_input(build, cli, tmp_path: Path, monkeypatch):

    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(arrow_tables, "CSV_BLOCK_BYTES", 16_384)  # a 3,000-row CSV: many blocks
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    data, fragments = build(inputs)
    before = snapshot(inputs)

    result = cli("run", "autoencoder", "--data", data, "--output", out, *AUTOENCODER)

    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code == 1, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    noise = [line for line in result.stderr.splitlines() if not line.startswith(PREFIXES)]
    assert not noise, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], f"{fragment!r} not in: {errors[0]}"
    published = [p for name in RUN_FILES for p in out.rglob(name)] if out.exists() else []
    assert not published and snapshot(inputs) == before
