"""``pmtk run autoencoder`` and ``pmtk predict`` end to end, and every bad input."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data.sample_data import sample_data_path
from tests.conftest import tree_snapshot
from tests.plugins.autoencoder.conftest import make_table, write_table

pytestmark = pytest.mark.slow

FAST = ("--epochs", "1", "--batch-size", "16", "--latent-dim", "2", "--hidden-units", "8")
COLUMNS = ("--id-column", "sample", "--color-column", "kind")
RUN_FILES = {"model.keras", "encoder.keras", "embeddings.csv", "codes.png", "config.json",
             "history.csv", "metrics.json"}  # fmt: skip
METRICS = {"reconstruction_mse", "r2", "pca_r2"}


def _run(cli, data: Path, output: Path, *extra: str):
    result = cli("run", "autoencoder", "--data", data, "--output", output, *FAST, *extra)
    assert result.exit_code == 0, result.output
    return result, json.loads((output / "metrics.json").read_text())


def test_run_writes_codes_encoder_plot_and_metrics(cli, features_csv: Path, tmp_path: Path):
    import keras

    from pmtk.plugins.autoencoder import layers  # noqa: F401  (registers the custom layers)

    output = tmp_path / "run"
    result, metrics = _run(cli, features_csv, output, *COLUMNS)
    assert {p.name for p in output.iterdir()} >= RUN_FILES
    assert not (output / "predictions.csv").exists()
    assert "Test split: autoencoder r2" in result.stderr
    for split in ("train", "val", "test"):
        assert set(metrics[split]) == METRICS
        assert all(value is not None for value in metrics[split].values())
    assert sum(metrics["n"].values()) == 40
    embeddings = pd.read_csv(output / "embeddings.csv")
    assert list(embeddings.columns) == ["id", "split", "kind", "z1", "z2"]
    assert list(embeddings["id"]) == [f"s{i:03d}" for i in range(40)]
    assert embeddings["split"].value_counts().to_dict() == metrics["n"]
    config = json.loads((output / "config.json").read_text())
    assert config["derived"]["features"] == [f"f{i}" for i in range(1, 7)]
    assert config["derived"]["kept_weights"] in ("trained", "pca_start")
    encoder = keras.saving.load_model(output / "encoder.keras")
    features = pd.read_csv(features_csv).filter(like="f").to_numpy("float32")
    codes = encoder.predict(features, verbose=0)
    np.testing.assert_allclose(codes, embeddings[["z1", "z2"]].to_numpy(), atol=1e-5)

    result = cli("predict", output, "--data", features_csv)
    assert result.exit_code == 0, result.output
    predicted = pd.read_csv(io.StringIO(result.stdout))
    assert list(predicted.columns) == ["id", "z1", "z2"]
    np.testing.assert_allclose(predicted[["z1", "z2"]], embeddings[["z1", "z2"]], atol=1e-5)


@pytest.mark.parametrize("name", ["features.tsv", "features.parquet"])
def test_other_formats_with_missing_values(cli, tmp_path: Path, name: str):
    table = make_table()
    table.loc[::4, "f2"] = np.nan
    table.loc[::7, "f5"] = np.nan
    data = write_table(table, tmp_path / name)
    output = tmp_path / "run"
    _, metrics = _run(cli, data, output, "--exclude", "sample,kind")
    assert all(np.isfinite(value) for value in metrics["test"].values())
    embeddings = pd.read_csv(output / "embeddings.csv")
    assert list(embeddings["id"]) == list(range(1, 41))  # row numbers
    assert np.isfinite(embeddings[["z1", "z2"]].to_numpy()).all()


def test_dense_model_denoising_and_constant_column(cli, tmp_path: Path):
    data = write_table(make_table().assign(flat=1.5), tmp_path / "features.csv")
    result, metrics = _run(cli, data, tmp_path / "run", *COLUMNS, "--model", "dense",
                           "--denoise", "0.1")  # fmt: skip
    assert "Warning:" in result.stderr and "constant column(s) flat" in result.stderr
    assert set(metrics["test"]) == METRICS


def _context_writes(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "Writing into the run context" in str(w.message)]


def test_bundled_sample_with_no_options(cli, tmp_path: Path):
    output = tmp_path / "run"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cli("run", "autoencoder", "--output", output, "--epochs", "1")
        assert result.exit_code == 0, result.output
        sample = sample_data_path("autoencoder/expression.csv")
        predicted = cli("predict", output, "--data", sample)
        assert predicted.exit_code == 0, predicted.output
    assert _context_writes(caught) == []  # read() and finish() return what they resolve
    assert pd.read_csv(io.StringIO(predicted.stdout))["id"].iloc[0] == "S0001"
    config = json.loads((output / "config.json").read_text())
    derived = config["derived"]  # resolved defaults; the options stay as given
    assert (derived["id_column"], derived["color_column"]) == ("sample_id", "cell_type")
    assert config["options"]["id_column"] is None
    embeddings = pd.read_csv(output / "embeddings.csv", nrows=2)
    assert list(embeddings.columns[:3]) == ["id", "split", "cell_type"]
    assert embeddings.loc[0, "id"] == "S0001" and embeddings.shape[1] == 3 + 16


def _sample_copy(tmp: Path) -> Path:
    """The bundled sample's first rows elsewhere: its column defaults no longer apply."""
    rows = pd.read_csv(sample_data_path("autoencoder/expression.csv"), nrows=30)
    return write_table(rows, tmp / "copy.csv")


def _write(name: str, content: bytes):
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content)
        return path

    return make


@pytest.mark.parametrize(
    ("make_data", "extra", "message"),
    [
        (lambda tmp: write_table(make_table()[["sample", "kind"]], tmp / "text.csv"), COLUMNS,
         "text.csv has no numeric feature columns, found no columns left"),
        (lambda tmp: write_table(make_table(), tmp / "t.csv"), (*COLUMNS, "--latent-dim", "7"),
         "--latent-dim 7 is larger than the 6 feature column(s) of"),
        (_write("empty.csv", b""), (), "empty.csv is empty"),
        (_write("bad.parquet", b"not parquet at all"), (),
         "bad.parquet cannot be read as a Parquet table"),
        (_write("binary.csv", b"\xff\xfe\x00\x81\x00\x00\xc3"), (),
         "binary.csv cannot be read as a CSV/TSV table (it holds binary data)"),
        (_sample_copy, (), "copy.csv has non-numeric column(s) sample_id, cell_type; leave them "
         "out with --exclude sample_id,cell_type"),
        (lambda tmp: tmp / "missing.csv", (), "missing.csv does not exist"),
    ],
    ids=["no-numeric-columns", "latent-above-features", "empty-file", "unreadable-parquet",
         "unreadable-csv", "sample-defaults-only-for-the-sample", "missing-file"],
)  # fmt: skip
def test_bad_input_is_one_sentence(cli, tmp_path: Path, make_data, extra, message: str):
    data = make_data(tmp_path)
    before = tree_snapshot(tmp_path)
    output = tmp_path / "out" / "run"
    result = cli("run", "autoencoder", "--data", data, "--output", output, *FAST[:4], *extra)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert tree_snapshot(tmp_path) == before


def test_predict_bad_input(cli, features_csv: Path, tmp_path: Path):
    output = tmp_path / "run"
    _run(cli, features_csv, output, *COLUMNS)
    new = write_table(make_table(rows=3).drop(columns="f4"), tmp_path / "new.csv")
    result = cli("predict", output, "--data", new)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "lacks 1 feature column(s) the model was trained on (f4)" in result.stderr
