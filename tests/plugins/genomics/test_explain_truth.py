"""Explanations of genomics runs on data where the truth is known: a planted motif."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.plugins.genomics.conftest import MOTIF, write_fasta

pytestmark = pytest.mark.slow  # trains models

LENGTH = 40


def _motif_data(count: int, seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict]:
    """Bound sequences (motif at a random recorded place) and unbound ones, all 40 bases."""
    rng = np.random.default_rng(seed)
    bound, unbound, starts = [], [], {}
    for index in range(count):
        for records, planted in ((bound, True), (unbound, False)):
            bases = "".join(rng.choice(list("ACGT"), LENGTH))
            name = f"{'bound' if planted else 'unbound'}_{index:03d}"
            if planted:
                start = int(rng.integers(0, LENGTH - len(MOTIF) + 1))
                bases = bases[:start] + MOTIF + bases[start + len(MOTIF) :]
                starts[name] = start
            records.append((name, bases))
    return bound, unbound, starts


@pytest.fixture(scope="module")
def motif_run(tmp_path_factory) -> Path:
    """A cnn genomics run that has learned the planted motif."""
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    root = tmp_path_factory.mktemp("motif")
    bound, unbound, _ = _motif_data(150, seed=1)
    write_fasta(root / "data" / "bound.fa", bound)
    write_fasta(root / "data" / "unbound.fa", unbound)
    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    try:
        result = CliRunner().invoke(build_app(host), [
            "run", "genomics", "--data", str(root / "data"), "--output", str(root / "run"),
            "--model", "cnn", "--filters", "16", "--kernel-size", "10", "--pool-size", "4",
            "--units", "8", "--epochs", "20", "--batch-size", "16", "--bootstrap", "0",
        ], catch_exceptions=False)  # fmt: skip
    finally:
        reset_plugin_host(None)
    assert result.exit_code == 0, result.output
    return root / "run"


@pytest.mark.parametrize("method", ["ism", "saliency"])
def test_importance_peaks_on_the_planted_motif(cli, motif_run: Path, tmp_path: Path, method):
    bound, _, starts = _motif_data(30, seed=2)
    data = write_fasta(tmp_path / "new.fa", bound)
    output = tmp_path / "explain"
    result = cli("explain", motif_run, "--data", data, "--output", output, "--method", method)
    assert result.exit_code == 0, result.output
    arrays = np.load(output / ("ism.npz" if method == "ism" else "saliency.npz"))
    hits = correct = 0
    for name, importance, label in zip(arrays["ids"], arrays["importance"],
                                       arrays["explained_class"], strict=True):  # fmt: skip
        if label != "bound":
            continue
        correct += 1
        peak = int(np.nanargmax(importance))
        hits += starts[str(name)] <= peak < starts[str(name)] + len(MOTIF)
    assert correct >= 20, "the model should classify most motif sequences as bound"
    assert hits / correct >= 0.8, f"{method}: peak on the motif in {hits}/{correct}"
    summary = json.loads((output / "summary.json").read_text())
    assert summary["method"] == method and summary["sanity_check"]["compared"] > 0
    assert (output / "importance.png").stat().st_size > 0


def test_long_sequences_default_to_saliency(monkeypatch, motif_run: Path):
    from pmtk.core.explaining import ExplainRun
    from pmtk.plugins.genomics.explain import ISM_MAX_LENGTH, GenomicsExplainer

    run = ExplainRun.__new__(ExplainRun)
    run.context = type("Context", (), {"derived": {"sequence_length": ISM_MAX_LENGTH + 1}})()
    assert GenomicsExplainer().default_for(run) == "saliency"
    run.context.derived["sequence_length"] = ISM_MAX_LENGTH
    assert GenomicsExplainer().default_for(run) == "ism"


def test_strongest_window_is_the_largest_sum():
    from pmtk.plugins.genomics.explain import strongest_windows

    importance = np.array([[0, 1, 0, 5, 5, 0, np.nan], [1, 2, 3, np.nan, np.nan, np.nan, np.nan]])
    assert strongest_windows(importance, width=2).tolist() == [3, 1]
    assert strongest_windows(importance, width=12).tolist() == [0, 0]


def test_saliency_works_on_the_default_model(cli, genomics_run: Path, tmp_path: Path):
    data = write_fasta(tmp_path / "x.fa", [("s1", "TTGACGTCAAGG"), ("s2", "acgn")])
    output = tmp_path / "explain"
    result = cli("explain", genomics_run, "--data", data, "--output", output,
                 "--method", "saliency", "--plot-count", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    arrays = np.load(output / "saliency.npz")
    assert arrays["ids"].tolist() == ["s1", "s2"]
    assert np.isnan(arrays["importance"][1, 4:]).all()
    assert not np.isnan(arrays["importance"][1, :4]).any()
    assert arrays["strongest_window_start"].shape == (2,)
