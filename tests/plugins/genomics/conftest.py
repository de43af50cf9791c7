"""Tiny DNA data sets in the three genomics layouts, and one shared trained run."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

#: Planted in every sequence of the first class.
MOTIF = "TTGACGTCAA"
#: Options that keep a genomics run to a second or two.
FAST = ("--epochs", "1", "--batch-size", "8", "--filters", "8", "--units", "4",
        "--kernel-size", "5", "--pool-size", "4")  # fmt: skip


def make_sequences(
    count: int, *, motif: str | None = None, seed: int = 0, lengths: tuple[int, int] = (24, 36)
) -> list[str]:
    """Random DNA of varying length, with ``motif`` planted at a random place when given."""
    rng = np.random.default_rng(seed)
    sequences = []
    for _ in range(count):
        length = int(rng.integers(lengths[0], lengths[1] + 1))
        bases = "".join(rng.choice(list("ACGT"), length))
        if motif:
            start = int(rng.integers(0, length - len(motif) + 1))
            bases = bases[:start] + motif + bases[start + len(motif) :]
        sequences.append(bases)
    return sequences


def fasta_text(records: Sequence[tuple[str, str]], wrap: int = 20) -> str:
    """FASTA text, sequence lines wrapped at ``wrap`` characters."""
    lines = []
    for title, sequence in records:
        lines.append(f">{title}")
        lines += [sequence[i : i + wrap] for i in range(0, len(sequence), wrap)]
    return "\n".join(lines) + "\n"


def write_fasta(path: Path, records: Sequence[tuple[str, str]]) -> Path:
    """Writes FASTA records, gzip-compressed when the name ends in ``.gz``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = fasta_text(records)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def class_records(classes: Sequence[str], per_class: int) -> dict[str, list[tuple[str, str]]]:
    """``(title, sequence)`` records per class; the first class carries ``MOTIF``."""
    records = {}
    for index, name in enumerate(classes):
        motif = MOTIF if index == 0 else None
        sequences = make_sequences(per_class, motif=motif, seed=index)
        records[name] = [(f"{name}_{i:02d}", s) for i, s in enumerate(sequences)]
    return records


def write_fasta_folder(
    root: Path, classes: Sequence[str] = ("bound", "unbound"), per_class: int = 20,
    suffixes: Sequence[str] = (".fa",),
) -> Path:  # fmt: skip
    """Layout (a): one FASTA per class (``suffixes`` cycle over the classes)."""
    for index, (name, records) in enumerate(class_records(classes, per_class).items()):
        write_fasta(root / f"{name}{suffixes[index % len(suffixes)]}", records)
    return root


def write_labelled_fasta(
    path: Path, classes: Sequence[str] = ("bound", "unbound"), per_class: int = 20
) -> Path:
    """Layout (b): one FASTA, ``label=<class>`` (and ``donor=<d>``) in each description."""
    records = [
        (f"{title} label={name} donor=d{i % 5}", sequence)
        for name, pairs in class_records(classes, per_class).items()
        for i, (title, sequence) in enumerate(pairs)
    ]
    return write_fasta(path, records)


def write_table(
    path: Path, classes: Sequence[str] = ("bound", "unbound"), per_class: int = 20
) -> Path:
    """Layout (c): a CSV (or TSV, by suffix) with ``id,sequence,label``."""
    separator = "\t" if path.suffix == ".tsv" else ","
    rows = [
        separator.join((title, sequence, name))
        for name, pairs in class_records(classes, per_class).items()
        for title, sequence in pairs
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(separator.join(("id", "sequence", "label")) + "\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def fasta_folder(tmp_path: Path) -> Path:
    """Two classes (``bound`` with the motif, ``unbound``), 20 sequences each, 24-36 bases."""
    return write_fasta_folder(tmp_path / "fasta")


@pytest.fixture(scope="session")
def genomics_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished genomics run (default model, one epoch), shared by the tests that read it."""
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    root = tmp_path_factory.mktemp("genomics-run")
    data = write_fasta_folder(root / "data")
    output = root / "run"
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS"):
            patch.delenv(variable, raising=False)
        host = PluginHost(entry_points=False)
        reset_plugin_host(host)
        try:
            arguments = ["run", "genomics", "--data", str(data), "--output", str(output), *FAST]
            result = CliRunner().invoke(build_app(host), arguments, catch_exceptions=False)
        finally:
            reset_plugin_host(None)
    assert result.exit_code == 0, result.output
    return output
