"""``pmtk run genomics`` read in parts (``PMTK_STREAMING_ROWS=0`` reads every run in parts).

The bundled sample is written as one labelled FASTA and as a CSV, both with the same
``split`` for every sequence, so the in-memory runs and those read in parts train and test on the
same rows; BED intervals use the chromosome holdout, which fixes every split too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE
from pmtk.core.data.sample_data import sample_data_path
from tests.plugins.genomics.conftest import FAST, write_fasta

pytestmark = pytest.mark.slow

#: The default model and epochs, as tests/quality runs them (about 30 s a run on 2 cores).
DEFAULTS = ("--seed", "0", "--bootstrap", "200")
#: Test AUROC floor of the run read in parts: tests/quality's 0.90 less its margin of 0.02
#: (this split's test AUROC is 0.91 in memory).
AUROC_FLOOR = 0.88
#: Same rows, same file order, same seed: the run read in parts trains on the same batches, so
#: the AUROCs agree up to float rounding in the pipeline (they were equal when measured).
AUROC_TOLERANCE = 0.01
GENOME = Path(__file__).resolve().parents[3] / "sample_data" / "genome"


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Chunks of 4,000 bases (20 sample sequences): every pass crosses many chunks."""
    monkeypatch.setattr("pmtk.plugins.genomics.chunking.CHUNK_BASES", 4000)


def _sample_records() -> list[tuple[str, str, str]]:
    """``(id, sequence, label)`` of the bundled sample, bound then unbound."""
    from pmtk.plugins.genomics.reading import read_fasta

    folder = sample_data_path("genomics")
    return [
        (title.split()[0], sequence, label)
        for label in ("bound", "unbound")
        for title, sequence in read_fasta(folder / f"{label}.fa")
    ]


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory) -> dict[str, Path]:
    """The sample as a labelled FASTA and a CSV, shuffled, with a seeded split per row."""
    folder = tmp_path_factory.mktemp("sample")
    records = _sample_records()
    rng = np.random.default_rng(5)
    order = rng.permutation(len(records))
    splits = rng.choice(["train", "val", "test"], len(records), p=[0.7, 0.15, 0.15])
    rows = [(*records[i], split) for i, split in zip(order, splits, strict=True)]
    fasta = write_fasta(
        folder / "sample.fa",
        [(f"{rid} label={label} split={split}", seq) for rid, seq, label, split in rows],
    )
    table = folder / "sample.csv"
    pd.DataFrame(rows, columns=["id", "sequence", "label", "split"]).to_csv(table, index=False)
    return {"fasta": fasta, "table": table}


def _run(cli, monkeypatch, data: Path, output: Path, in_parts: bool, *extra) -> dict:
    if in_parts:
        monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    else:
        monkeypatch.delenv(THRESHOLD_VARIABLE, raising=False)
    result = cli("run", "genomics", "--data", data, "--output", output, *extra)
    assert result.exit_code == 0, result.output
    config = json.loads((output / "config.json").read_text())
    assert config["loop"]["streamed"] is in_parts
    return json.loads((output / "metrics.json").read_text())


def _same_files(memory: Path, in_parts: Path) -> None:
    assert sorted(p.name for p in memory.iterdir()) == sorted(p.name for p in in_parts.iterdir())
    left, right = pd.read_csv(memory / "predictions.csv"), pd.read_csv(in_parts / "predictions.csv")
    assert list(left.columns) == list(right.columns)
    assert sorted(left["id"]) == sorted(right["id"])


@pytest.fixture(scope="module")
def sample_runs(sample_files, tmp_path_factory) -> dict[str, Path]:
    """The default model (20 epochs) on the sample: in memory (FASTA), in parts (FASTA, CSV)."""
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(build_app(host), [str(a) for a in args], catch_exceptions=False)

    folder = tmp_path_factory.mktemp("runs")
    runs = {"memory": (sample_files["fasta"], False), "fasta": (sample_files["fasta"], True),
            "table": (sample_files["table"], True)}  # fmt: skip
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setattr("pmtk.plugins.genomics.chunking.CHUNK_BASES", 4000)
            for name, (data, in_parts) in runs.items():
                _run(cli, monkeypatch, data, folder / name, in_parts, *DEFAULTS)
    finally:
        reset_plugin_host(None)
    return {name: folder / name for name in runs}


def _metrics(run: Path) -> dict:
    return json.loads((run / "metrics.json").read_text())


@pytest.mark.parametrize("layout", ["fasta", "table"])
def test_in_parts_sample_learns_as_the_in_memory_run(sample_runs, layout: str):
    memory, in_parts = _metrics(sample_runs["memory"]), _metrics(sample_runs[layout])
    assert in_parts["n"] == memory["n"]
    assert in_parts["test"]["auroc"] >= AUROC_FLOOR, in_parts["test"]
    difference = abs(in_parts["test"]["auroc"] - memory["test"]["auroc"])
    assert difference <= AUROC_TOLERANCE, (in_parts["test"], memory["test"])
    _same_files(sample_runs["memory"], sample_runs[layout])
    config = json.loads((sample_runs[layout] / "config.json").read_text())
    assert config["derived"]["sequence_length"] == 200
    assert in_parts["baseline"]["train_rows"] == memory["n"]["train"]


def test_in_parts_folder_splits_by_hash_and_interleaves_classes(cli, monkeypatch, tmp_path: Path):
    """The bundled folder (one FASTA per class): hash splits of about 70/15/15."""
    metrics = _run(cli, monkeypatch, sample_data_path("genomics"), tmp_path / "run", True, *FAST)
    assert sum(metrics["n"].values()) == 600
    assert 0.6 < metrics["n"]["train"] / 600 < 0.8, metrics["n"]
    predictions = pd.read_csv(tmp_path / "run" / "predictions.csv")
    assert set(predictions["label"]) == {"bound", "unbound"}


def test_in_parts_intervals_keep_the_chromosome_holdout(cli, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = shutil.copytree(GENOME, tmp_path / "data")
    arguments = ("--genome", data / "genome.fa", "--holdout-chromosomes", "chr3",
                 "--val-chromosomes", "chr4", "--model", "cnn", "--sequence-length", "64",
                 "--epochs", "4", "--seed", "0", "--bootstrap", "100")  # fmt: skip
    bed = data / "intervals.bed"
    memory = _run(cli, monkeypatch, bed, tmp_path / "memory", False, *arguments)
    in_parts = _run(cli, monkeypatch, bed, tmp_path / "in_parts", True, *arguments)
    assert in_parts["n"] == memory["n"]
    assert abs(in_parts["test"]["auroc"] - memory["test"]["auroc"]) <= AUROC_TOLERANCE
    _same_files(tmp_path / "memory", tmp_path / "in_parts")
    derived = json.loads((tmp_path / "in_parts" / "config.json").read_text())["derived"]
    assert derived["chromosomes"] == {"train": ["chr1", "chr2"], "val": ["chr4"], "test": ["chr3"]}
    assert derived["sequence_length"] == 64
    assert (
        pd.read_csv(tmp_path / "in_parts" / "predictions.csv")["id"].str.startswith("chr3:").all()
    )


@pytest.mark.parametrize("layout", ["fasta", "table"])
def test_bad_base_in_a_late_record_is_the_in_memory_sentence(
    cli, monkeypatch, tmp_path: Path, layout: str
):
    records = [(f"r{i}", "ACGT" * 10, "bound" if i % 2 else "unbound") for i in range(5000)]
    records[4321] = ("r4321", "ACGTXACGT", "bound")
    if layout == "fasta":
        data = write_fasta(tmp_path / "in" / "late.fa",
                           [(f"{r} label={label}", s) for r, s, label in records])  # fmt: skip
    else:
        data = tmp_path / "in" / "late.csv"
        data.parent.mkdir()
        pd.DataFrame(records, columns=["id", "sequence", "label"]).to_csv(data, index=False)
    errors = {}
    for in_parts in (False, True):
        if in_parts:
            monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
        output = tmp_path / f"run-{in_parts}"
        result = cli("run", "genomics", "--data", data, "--output", output, *FAST)
        assert result.exit_code == 1
        assert not output.exists()
        errors[in_parts] = result.stderr
    assert errors[True] == errors[False]
    assert "'r4321'" in errors[True]
    assert "has the invalid character 'X' at position 5" in errors[True]
    assert errors[True].startswith("Error: ") and errors[True].count("\n") == 1


def test_split_column_without_val_carves_validation_from_train(cli, monkeypatch, tmp_path: Path):
    records = [(f"r{i}", "ACGT" * 8, "bound" if i % 2 else "unbound") for i in range(400)]
    splits = ["test" if i % 5 == 0 else "training" for i in range(400)]
    data = tmp_path / "fixed.tsv"
    frame = pd.DataFrame(records, columns=["id", "sequence", "label"]).assign(split=splits)
    frame.to_csv(data, sep="\t", index=False)
    metrics = _run(cli, monkeypatch, data, tmp_path / "run", True, *FAST)
    assert metrics["n"]["test"] == 80
    assert 30 < metrics["n"]["val"] < 70 and metrics["n"]["train"] + metrics["n"]["val"] == 320
    predictions = pd.read_csv(tmp_path / "run" / "predictions.csv")
    assert sorted(predictions["id"]) == sorted(f"r{i}" for i in range(0, 400, 5))
