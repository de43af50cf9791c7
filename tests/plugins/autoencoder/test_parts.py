"""The autoencoder past the part threshold: the table read in parts, the same run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data import arrow_tables, part_threshold
from pmtk.core.errors import OptionError
from pmtk.plugins.autoencoder import derivation, report
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
        monkeypatch.delenv(part_threshold.THRESHOLD_VARIABLE, raising=False)
        args = ["run", "autoencoder", "--data", data, "--output", folder / "run", *FAST]
        result = CliRunner().invoke(build_app(host), [str(a) for a in args])
        assert result.exit_code == 0, result.output
    finally:
        monkeypatch.undo()
        reset_plugin_host(None)
    return folder / "run"


#: Runs of the same rows read in parts and held differ only by the order of float sums
#: (measured: equal to 6 decimals); this bounds what may differ.
TOLERANCE = 0.01


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".tsv"])
def test_a_run_in_parts_matches_the_held_run(cli, tmp_path, monkeypatch, in_memory_run, suffix):
    data = write_table(_split_table(), tmp_path / f"table{suffix}")
    monkeypatch.setenv(part_threshold.THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(arrow_tables, "BATCH_ROWS", 64)  # several Parquet parts
    monkeypatch.setattr(arrow_tables, "CSV_BLOCK_BYTES", 4096)  # several CSV/TSV parts
    parts = []
    extend = derivation.FeatureDerivation.extend
    monkeypatch.setattr(
        derivation.FeatureDerivation,
        "extend",
        lambda self, train: parts.append(len(train)) or extend(self, train),
    )
    run = tmp_path / "parts"
    streaming = _metrics(cli, data, run)
    in_memory = json.loads((in_memory_run / "metrics.json").read_text())
    assert len(parts) > 1  # the training rows reached the derivation part by part
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
def test_a_parquet_folder_is_read_in_parts_and_bounds_its_samples(cli, tmp_path, monkeypatch):
    """A folder is read in parts at any size; past the bounds the intervals and the plot use
    samples."""
    from pmtk.core.evaluation import bootstrap

    monkeypatch.delenv(part_threshold.THRESHOLD_VARIABLE, raising=False)
    monkeypatch.setattr(bootstrap, "RESAMPLED_ROWS", 25)
    monkeypatch.setattr(report, "PLOT_ROWS", 50)
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


def test_parts_number_their_rows_and_note_missing_infinities_once(host, tmp_path, monkeypatch,
                                                                   capsys):  # fmt: skip
    table = make_table(rows=50)
    table.loc[[3, 40], "f2"] = np.inf
    data = write_table(table, tmp_path / "t.parquet")
    monkeypatch.setenv(part_threshold.THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(arrow_tables, "BATCH_ROWS", 16)
    options = {"id_column": "sample", "color_column": "kind", "latent_dim": 2,
               "nonfinite_as_missing": True}  # fmt: skip
    context = host.registry.run_context("autoencoder", options)
    task = host.registry.task("autoencoder")
    for _ in range(3):  # the loop reads the parts once per pass
        parts = list(task.read_parts(data, context))
    assert [len(part) for part in parts] == [16, 16, 16, 2]
    examples = pd.concat(parts, ignore_index=True)
    assert list(examples["row"]) == list(range(50))
    assert list(examples["id"]) == list(table["sample"])
    assert list(examples["color"]) == list(table["kind"])
    assert examples["feature:f2"].isna().sum() == 2
    err = capsys.readouterr().err
    assert err.count("Note:") == 1
    assert "2 infinite or too large value(s) are treated as missing" in err


def test_fit_sums_give_the_in_memory_metrics():
    from pmtk.plugins.autoencoder.fit_metrics import FitSums, explained_variance, feature_r2

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


def test_statistics_in_parts_match_the_in_memory_ones():
    matrix = make_table(rows=300, features=5).filter(like="f").to_numpy("float64")
    matrix[::4, 1] = np.nan
    matrix[:, 3] = 2.0  # constant: variance 1
    matrix[:, 4] = np.nan  # never observed: mean 0, variance 1
    summary = derivation.TrainingSummary()
    for start in range(0, 300, 37):
        summary.add(matrix[start : start + 37])
    mean, variance = summary.statistics()
    expected_mean = [*np.nanmean(matrix[:, :4], axis=0), 0.0]
    expected_variance = [*np.nanvar(matrix[:, :3], axis=0), 1.0, 1.0]
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-10)
    np.testing.assert_allclose(variance, expected_variance, rtol=1e-8)
    np.testing.assert_allclose(mean, derivation.feature_statistics(matrix)[0], rtol=1e-10)
    np.testing.assert_allclose(variance, derivation.feature_statistics(matrix)[1], rtol=1e-8)


@pytest.mark.parametrize("parts", [1, 7], ids=["one-part", "seven-parts"])
def test_pca_in_parts_is_scikit_learns_pca(parts):
    """The PCA summed part by part is sklearn's PCA of the standardised, imputed rows."""
    from sklearn.decomposition import PCA

    from pmtk.plugins.autoencoder.models import standardize
    from pmtk.plugins.autoencoder.principal_components import reconstructed

    matrix = make_table(rows=300, features=8).filter(like="f").to_numpy("float64") * 3 + 5
    matrix[np.random.default_rng(0).random(matrix.shape) < 0.1] = np.nan
    summary = derivation.TrainingSummary()
    for rows in np.array_split(np.arange(300), parts):
        summary.add(matrix[rows])
    settings = summary.settings(latent_dim=3)
    axes, center = derivation.pca_start(settings, 3)
    standardized = standardize(matrix, *summary.statistics())
    pca = PCA(3, random_state=0).fit(standardized)
    np.testing.assert_allclose(axes, pca.components_, atol=1e-10)
    np.testing.assert_allclose(center, pca.mean_, atol=1e-12)
    np.testing.assert_allclose(
        reconstructed(standardized, axes, center),
        pca.inverse_transform(pca.transform(standardized)),
        atol=1e-10,
    )


@pytest.mark.parametrize(
    ("value", "expected"), [("", 200_000), ("0", 0), (" 5000 ", 5000)], ids=["unset", "0", "5000"]
)
def test_threshold_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(part_threshold.THRESHOLD_VARIABLE, value)
    assert part_threshold.part_threshold() == expected


@pytest.mark.parametrize("value", ["-1", "many", "1e6"], ids=["negative", "word", "float"])
def test_a_bad_threshold_is_one_sentence(monkeypatch, value):
    monkeypatch.setenv(part_threshold.THRESHOLD_VARIABLE, value)
    with pytest.raises(OptionError, match=f"PMTK_STREAMING_ROWS must be a whole number.*'{value}'"):
        part_threshold.part_threshold()
