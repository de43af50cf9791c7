"""The autoencoder past the streaming threshold: statistics and PCA by batches, same metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pmtk.core.errors import OptionError
from pmtk.plugins.autoencoder import streamed
from tests.plugins.autoencoder.conftest import make_table, write_table

FAST = ("--epochs", "1", "--batch-size", "32", "--latent-dim", "3", "--hidden-units", "8",
        "--id-column", "sample", "--color-column", "kind", "--seed", "0")  # fmt: skip


def _metrics(cli, data: Path, output: Path) -> dict:
    result = cli("run", "autoencoder", "--data", data, "--output", output, *FAST)
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text())


@pytest.mark.slow
def test_streamed_run_matches_the_in_memory_run(cli, tmp_path, monkeypatch):
    table = make_table(rows=400, features=8, seed=1)
    table.loc[::9, "f2"] = np.nan
    data = write_table(table, tmp_path / "cohort.parquet")
    in_memory = _metrics(cli, data, tmp_path / "memory")
    monkeypatch.setenv(streamed.THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(streamed, "BATCH_ROWS", 64)  # several batches per pass
    calls = []
    for name in ("streamed_statistics", "streamed_pca"):
        original = getattr(streamed, name)
        monkeypatch.setattr(
            streamed, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k)
        )
    streaming = _metrics(cli, data, tmp_path / "streamed")
    assert {"streamed_statistics", "streamed_pca"} <= set(calls)
    for split in ("train", "val", "test"):
        for name in ("reconstruction_mse", "r2", "pca_r2"):
            assert streaming[split][name] == pytest.approx(in_memory[split][name], abs=0.02)
    assert streaming["n"] == in_memory["n"]


def test_streamed_statistics_match_the_in_memory_ones():
    from pmtk.plugins.autoencoder.models import VARIANCE_FLOOR, feature_statistics

    matrix = make_table(rows=300, features=5).filter(like="f").to_numpy("float64")
    matrix[::4, 1] = np.nan
    matrix[:, 3] = 2.0  # constant: variance 1
    matrix[:, 4] = np.nan  # never observed: mean 0, variance 1
    batches = (matrix[start : start + 37] for start in range(0, 300, 37))
    mean, variance = streamed.streamed_statistics(batches, 5, VARIANCE_FLOOR)
    expected_mean, expected_variance = feature_statistics(matrix)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-10)
    np.testing.assert_allclose(variance, expected_variance, rtol=1e-8)


@pytest.mark.parametrize(
    ("value", "expected"), [("", 200_000), ("0", 0), (" 5000 ", 5000)], ids=["unset", "0", "5000"]
)
def test_threshold_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(streamed.THRESHOLD_VARIABLE, value)
    assert streamed.streaming_threshold() == expected


@pytest.mark.parametrize("value", ["-1", "many", "1e6"], ids=["negative", "word", "float"])
def test_a_bad_threshold_is_one_sentence(monkeypatch, value):
    monkeypatch.setenv(streamed.THRESHOLD_VARIABLE, value)
    with pytest.raises(OptionError, match=f"PMTK_STREAMING_ROWS must be a whole number.*'{value}'"):
        streamed.streaming_threshold()
