"""The autoencoder past the streaming threshold: the table read in batches, the same run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.errors import OptionError
from pmtk.plugins.autoencoder import streamed
from tests.plugins.autoencoder.conftest import make_table, write_table

FAST = ("--epochs", "1", "--batch-size", "32", "--latent-dim", "3", "--hidden-units", "8",
        "--id-column", "sample", "--color-column", "kind", "--seed", "0")  # fmt: skip


def _metrics(cli, data: Path, output: Path, *extra: str) -> dict:
    result = cli("run", "autoencoder", "--data", data, "--output", output, *FAST, *extra)
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text())


def _split_table(rows: int = 400) -> pd.DataFrame:
    """A learnable table with a ``split`` column, so both paths train on the same rows."""
    table = make_table(rows=rows, features=8, seed=1)
    table.loc[::9, "f2"] = np.nan
    table["split"] = np.random.default_rng(1).choice(["train", "val", "test"], rows,
                                                     p=[0.7, 0.15, 0.15])  # fmt: skip
    return table


@pytest.fixture(scope="module")
def in_memory_run(tmp_path_factory) -> Path:
    """The in-memory run of :func:`_split_table` (Parquet)."""
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    folder = tmp_path_factory.mktemp("memory")
    data = write_table(_split_table(), folder / "table.parquet")
    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    monkeypatch = pytest.MonkeyPatch()
    try:
        monkeypatch.delenv(streamed.THRESHOLD_VARIABLE, raising=False)
        args = ["run", "autoencoder", "--data", data, "--output", folder / "run", *FAST]
        result = CliRunner().invoke(build_app(host), [str(a) for a in args])
        assert result.exit_code == 0, result.output
    finally:
        monkeypatch.undo()
        reset_plugin_host(None)
    return folder / "run"


#: Streamed and in-memory runs of the same rows differ only by IncrementalPCA vs PCA and the
#: order of float sums (measured: equal to 6 decimals); this bounds what may differ.
TOLERANCE = 0.01


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".tsv"])
def test_streamed_run_matches_the_in_memory_run(cli, tmp_path, monkeypatch, in_memory_run, suffix):
    data = write_table(_split_table(), tmp_path / f"table{suffix}")
    monkeypatch.setenv(streamed.THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(streamed, "BATCH_ROWS", 64)  # several batches per statistics pass
    calls = []
    for name in ("streamed_statistics", "streamed_pca"):
        original = getattr(streamed, name)
        monkeypatch.setattr(
            streamed, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k)
        )
    run = tmp_path / "streamed"
    streaming = _metrics(cli, data, run)
    in_memory = json.loads((in_memory_run / "metrics.json").read_text())
    assert {"streamed_statistics", "streamed_pca"} <= set(calls)
    assert json.loads((run / "config.json").read_text())["loop"]["streamed"] is True
    written = {p.name for p in in_memory_run.iterdir()}
    assert written <= {p.name for p in run.iterdir()}
    assert streaming["n"] == in_memory["n"]
    for split in ("train", "val", "test"):
        for name in ("reconstruction_mse", "r2", "pca_r2"):
            assert streaming[split][name] == pytest.approx(in_memory[split][name], abs=TOLERANCE)
    # The quality bar of tests/quality: near PCA on this nearly linear table, never far below.
    assert streaming["test"]["r2"] >= 0.95
    assert streaming["versus_baseline"]["test"]["r2"]["difference"] >= -TOLERANCE
    assert streaming["ci"]["test"]["r2"] == pytest.approx(in_memory["ci"]["test"]["r2"], abs=0.02)
    assert streaming["sampled_rows"] == {"intervals": in_memory["n"]["test"], "codes_plot": 400}
    embeddings = pd.read_csv(run / "embeddings.csv")
    expected = pd.read_csv(in_memory_run / "embeddings.csv")
    assert list(embeddings.columns) == list(expected.columns)
    assert embeddings[["id", "split", "kind"]].equals(expected[["id", "split", "kind"]])
    np.testing.assert_allclose(embeddings.filter(like="z"), expected.filter(like="z"), atol=0.05)


@pytest.mark.slow
def test_a_parquet_folder_streams_and_bounds_its_samples(cli, tmp_path, monkeypatch):
    """A folder streams at any size; past the bounds the intervals and the plot use samples."""
    from pmtk.core.evaluation import bootstrap
    from pmtk.plugins.autoencoder import streamed_report

    monkeypatch.delenv(streamed.THRESHOLD_VARIABLE, raising=False)
    monkeypatch.setattr(bootstrap, "RESAMPLED_ROWS", 25)
    monkeypatch.setattr(streamed_report, "PLOT_ROWS", 50)
    table = make_table(rows=600, features=8, seed=2).assign(
        patient=[f"p{i // 3}" for i in range(600)]
    )
    for index, rows in enumerate(np.array_split(np.arange(600), 3)):
        write_table(table.iloc[rows], tmp_path / "parts" / f"part-{index}.parquet")
    metrics = _metrics(cli, tmp_path / "parts", tmp_path / "run", "--group-column", "patient")
    assert sum(metrics["n"].values()) == 600
    assert metrics["sampled_rows"] == {"intervals": 25, "codes_plot": 50}
    low, high = metrics["ci"]["test"]["r2"]
    assert low <= metrics["test"]["r2"] <= high
    embeddings = pd.read_csv(tmp_path / "run" / "embeddings.csv")
    assert list(embeddings["id"]) == list(table["sample"])
    tested = embeddings.loc[embeddings["split"] == "test", "id"].str[1:].astype(int) // 3
    other = embeddings.loc[embeddings["split"] != "test", "id"].str[1:].astype(int) // 3
    assert not set(tested) & set(other)  # a patient's rows stay in one split


def test_fit_sums_give_the_in_memory_metrics():
    from pmtk.plugins.autoencoder.fit_metrics import explained_variance, feature_r2
    from pmtk.plugins.autoencoder.streamed_report import FitSums

    rng = np.random.default_rng(0)
    target = rng.normal(size=(300, 5))
    target[rng.random(target.shape) < 0.1] = np.nan
    target[:, 4] = np.nan  # never observed
    rebuilt = np.nan_to_num(target) + rng.normal(0, 0.3, target.shape)
    sums = FitSums(5, ("model",))
    for start in range(0, 300, 41):
        sums.add(target[start : start + 41], {"model": rebuilt[start : start + 41]})
    assert sums.fit("model") == pytest.approx(explained_variance(target, rebuilt), abs=1e-6)
    names = [f"f{i}" for i in range(5)]
    assert sums.by_feature(names) == pytest.approx(feature_r2(target, rebuilt, names), abs=1e-6)


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
    assert streamed.part_threshold() == expected


@pytest.mark.parametrize("value", ["-1", "many", "1e6"], ids=["negative", "word", "float"])
def test_a_bad_threshold_is_one_sentence(monkeypatch, value):
    monkeypatch.setenv(streamed.THRESHOLD_VARIABLE, value)
    with pytest.raises(OptionError, match=f"PMTK_STREAMING_ROWS must be a whole number.*'{value}'"):
        streamed.part_threshold()
