"""Autoencoder explanations: a row with one corrupted feature is the worst reconstructed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # trains models


def _low_rank_table(path: Path, rows: int = 340, seed: int = 0) -> Path:
    """Ten features driven by two hidden factors (an autoencoder with a 2-number code fits it)."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(rows, 2))
    values = factors @ rng.normal(size=(2, 10)) + rng.normal(0, 0.05, (rows, 10))
    frame = pd.DataFrame(values.round(4), columns=[f"f{i}" for i in range(10)])
    frame.insert(0, "sample", [f"S{i:03d}" for i in range(rows)])
    frame.to_csv(path, index=False)
    return path


def test_a_corrupted_row_is_the_worst_and_its_feature_named(cli, tmp_path: Path):
    table = pd.read_csv(_low_rank_table(tmp_path / "all.csv"))
    data = tmp_path / "train.csv"
    table.head(300).to_csv(data, index=False)
    run = tmp_path / "run"
    result = cli("run", "autoencoder", "--data", data, "--id-column", "sample", "--output", run,
                 "--latent-dim", "2", "--epochs", "5", "--bootstrap", "0")  # fmt: skip
    assert result.exit_code == 0, result.output
    new = table.tail(40).reset_index(drop=True)  # same factors, rows not trained on
    new.loc[7, "f3"] += 25  # off the learned two-factor structure
    new.loc[2, "f5"] = np.nan
    new.to_csv(tmp_path / "new.csv", index=False)
    output = tmp_path / "explain"
    result = cli("explain", run, "--data", tmp_path / "new.csv", "--output", output)
    assert result.exit_code == 0, result.output
    errors = pd.read_csv(output / "reconstruction_error.csv")
    assert list(errors.columns) == ["id", *[f"f{i}" for i in range(10)]]
    assert errors.shape == (40, 11) and np.isnan(errors.loc[2, "f5"])
    worst = pd.read_csv(output / "worst_rows.csv")
    assert list(worst.columns) == ["rank", "id", "mean_error", "worst_features"]
    assert worst.loc[0, "id"] == "S307" and worst.loc[0, "worst_features"].startswith("f3")
    summary = json.loads((output / "summary.json").read_text())
    assert summary["method"] == "reconstruction_error" and summary["sanity_check"]["compared"]


def test_class_is_refused_for_the_autoencoder(cli, tmp_path: Path):
    data = _low_rank_table(tmp_path / "train.csv", rows=60)
    run = tmp_path / "run"
    result = cli("run", "autoencoder", "--data", data, "--id-column", "sample", "--output", run,
                 "--latent-dim", "2", "--epochs", "1", "--bootstrap", "0")  # fmt: skip
    assert result.exit_code == 0, result.output
    result = cli("explain", run, "--data", data, "--class", "x", "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: --class x: runs of the autoencoder task have no classes to choose from; "
        "leave out --class."
    )
    assert not (tmp_path / "out").exists()
