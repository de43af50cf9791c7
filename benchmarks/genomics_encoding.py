"""Genomics encoding speed: pmtk's lookup-table encoder vs a per-base Python loop, same run.

1. One-hot encoding, MB/s of sequence (1 MB = 10^6 bases), on the same bases:
   a. 4 Mb as one sequence (a chromosome chunk);
   b. the same 4 Mb as training-size batches (64 sequences of 1,000 bases per batch).
   pmtk: ``encoding.encode`` (check every byte, pad/trim, one-hot by table lookup);
   baseline: a per-base Python loop (dict lookup, one row assignment per base);
   reference: ``np.take`` on a 256-row table and nothing else (no check), the ceiling.
   The two sides alternate within each run and each run's own ratio is printed too.
2. FASTA to tensor, end to end: 4 Mb in 20,000 records of 200 bases (60-character lines),
   plain and gzip. pmtk: ``sequence_parts.read_sequences`` (Biopython's SimpleFastaParser) +
   check + pack + one-hot, and the same up to the packed bytes the models take;
   baseline: ``SeqIO.parse`` records + the per-base loop. The row "SimpleFastaParser
   alone" (parsing, nothing else) is the ceiling of any reader built on it, and the column
   "vs parser" is each FASTA row's speed relative to it, measured side by side on the same
   file (issue 16's target: FASTA to model input at least 0.5x SimpleFastaParser alone).

Every number is the median of ``--repeats`` runs; ratios are pmtk / baseline. The load
average is printed: other processes on the machine slow every row, not always alike.
Run: ``.venv/bin/python benchmarks/genomics_encoding.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmtk.plugins.genomics.encoding import (  # noqa: E402
    ONE_HOT_TABLE,
    check_sequences,
    encode,
    one_hot,
    pack,
)
from pmtk.plugins.genomics.reading import read_fasta  # noqa: E402
from pmtk.plugins.genomics.sequence_parts import read_sequences  # noqa: E402

BASES_TOTAL = 4_000_000
_COLUMNS = {"A": 0, "C": 1, "G": 2, "T": 3, "a": 0, "c": 1, "g": 2, "t": 3}
_AMBIGUOUS = set("NRYSWKMBDHVnryswkmbdhv")


def python_loop(sequences: list[str], length: int) -> np.ndarray:
    """The baseline: one Python step per base."""
    encoded = np.zeros((len(sequences), length, 4), dtype=np.float32)
    for row, sequence in enumerate(sequences):
        for position, base in enumerate(sequence[:length]):
            column = _COLUMNS.get(base)
            if column is not None:
                encoded[row, position, column] = 1.0
            elif base in _AMBIGUOUS:
                encoded[row, position] = 0.25
            else:
                raise ValueError(f"invalid base {base!r} at position {position + 1}")
    return encoded


def make_sequence(total: int, seed: int = 0) -> str:
    """Random DNA with soft-masked (lower-case) stretches and a few N, like real assemblies."""
    rng = np.random.default_rng(seed)
    codes = rng.choice(np.frombuffer(b"ACGT", dtype=np.uint8), total)
    for start in rng.integers(0, total - 500, total // 5_000):
        codes[start : start + 300] |= 0x20  # lower case
    codes[rng.integers(0, total, total // 10_000)] = ord("N")
    return codes.tobytes().decode("ascii")


def median_seconds(function: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_batches(encoder: Callable[[list[str], int], object], sequences: list[str], size: int):
    """Encodes ``sequences`` batch by batch, as a training pipeline would."""

    def run() -> None:
        for start in range(0, len(sequences), size):
            encoder(sequences[start : start + size], 1_000)

    return run


def alternating(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each call per run, the calls taking turns so load drift hits them alike."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, function in runs.items():
            start = time.perf_counter()
            function()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def take_alone(sequence: str) -> Callable[[], object]:
    """``np.take`` on the 256-row one-hot table, with no check: the lookup's ceiling."""
    codes = np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)
    return lambda: np.take(ONE_HOT_TABLE, codes, axis=0)


def pmtk_fasta(path: Path, *, to_one_hot: bool) -> Callable[[], object]:
    """pmtk's path from a FASTA file to the model input (or on to one-hot rows)."""

    def run() -> object:
        examples = read_sequences(path, require_labels=False)
        sequences = examples["sequence"].tolist()
        check_sequences(sequences, lambda index: str(index))
        packed = pack(sequences, max(map(len, sequences)))
        return one_hot(packed) if to_one_hot else packed

    return run


def baseline_fasta(path: Path) -> Callable[[], object]:
    """Biopython ``SeqIO`` records, then the per-base loop."""
    from Bio import SeqIO

    def run() -> object:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as handle:
            sequences = [str(record.seq) for record in SeqIO.parse(handle, "fasta")]
        return python_loop(sequences, max(map(len, sequences)))

    return run


def parse_only(path: Path) -> list[tuple[str, str]]:
    """Biopython's ``SimpleFastaParser`` on the file and nothing else: the reference speed."""
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        return list(SimpleFastaParser(handle))


def write_fasta(folder: Path, sequence: str, record_length: int = 200) -> list[Path]:
    """4 Mb as 200-base records with 60-character lines, plain and gzip."""
    lines = []
    for index, start in enumerate(range(0, len(sequence), record_length)):
        record = sequence[start : start + record_length]
        lines.append(f">seq{index} label=x")
        lines += [record[i : i + 60] for i in range(0, len(record), 60)]
    text = ("\n".join(lines) + "\n").encode()
    plain, packed = folder / "bench.fa", folder / "bench.fa.gz"
    plain.write_bytes(text)
    packed.write_bytes(gzip.compress(text, compresslevel=6))
    return [plain, packed]


def report(rows: list[tuple]) -> None:
    """Prints MB/s of pmtk and of the baseline, their ratio, and the speed vs the parser alone."""
    print(f"{'case':<44}{'pmtk MB/s':>11}{'loop MB/s':>11}{'ratio':>9}{'vs parser':>11}")
    for name, pmtk_rate, loop_rate, *parser in rows:
        loop = f"{loop_rate:11.1f}" if loop_rate else f"{'-':>11}"
        ratio = f"{pmtk_rate / loop_rate:8.0f}x" if loop_rate else f"{'-':>9}"
        versus = f"{pmtk_rate / parser[0]:10.2f}x" if parser and parser[0] else f"{'-':>11}"
        print(f"{name:<44}{pmtk_rate:11.0f}{loop}{ratio}{versus}")


def main() -> None:
    """Runs every comparison and prints one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement")
    repeats = parser.parse_args().repeats
    before = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    megabases = BASES_TOTAL / 1e6
    genome = make_sequence(BASES_TOTAL)
    chunks = [genome[i : i + 1_000] for i in range(0, BASES_TOTAL, 1_000)]
    rows, each_run = [], []
    for name, pmtk_run, loop_run in [
        ("one-hot, 4 Mb as one sequence",
         lambda: encode([genome]), lambda: python_loop([genome], BASES_TOTAL)),
        ("one-hot, batches of 64 x 1,000 bases",
         in_batches(encode, chunks, 64), in_batches(python_loop, chunks, 64)),
    ]:  # fmt: skip
        runs = {"pmtk": pmtk_run, "loop": loop_run}
        if "one sequence" in name:
            runs["np.take"] = take_alone(genome)
        seconds = alternating(runs, repeats)
        loop_rate = megabases / statistics.median(seconds["loop"])
        for side in [side for side in seconds if side != "loop"]:
            label = name if side == "pmtk" else "reference: np.take alone, 4 Mb (no check)"
            rows.append((label, megabases / statistics.median(seconds[side]), loop_rate))
            ratios = [lo / pm for lo, pm in zip(seconds["loop"], seconds[side], strict=True)]
            each_run.append((label, ratios))
    with tempfile.TemporaryDirectory() as folder:
        for path in write_fasta(Path(folder), genome):
            kind = "gzip" if path.suffix == ".gz" else "plain"
            loop_seconds = median_seconds(baseline_fasta(path), max(1, repeats // 2))
            parser = megabases / median_seconds(lambda path=path: parse_only(path), repeats)
            for target, to_one_hot in (("one-hot", True), ("model input", False)):
                seconds = median_seconds(pmtk_fasta(path, to_one_hot=to_one_hot), repeats)
                baseline = megabases / loop_seconds if to_one_hot else None
                rows.append((f"FASTA ({kind}) to {target}", megabases / seconds, baseline, parser))
            rows.append((f"FASTA ({kind}): SimpleFastaParser alone", parser, None, parser))
            seconds = median_seconds(lambda path=path: read_fasta(path), repeats)
            rows.append((f"FASTA ({kind}): pmtk read_fasta", megabases / seconds, None, parser))
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"{BASES_TOTAL:,} bases; medians of {repeats} runs (FASTA loop: {max(1, repeats // 2)}); "
        f"{os.cpu_count()} cores, load average before: {before}, after: {load}\n"
    )
    report(rows)
    print("\nEach run's ratio (pmtk / loop, the two measured back to back):")
    for name, ratios in each_run:
        print(f"  {name:<58}{' '.join(f'{ratio:.0f}x' for ratio in ratios)}")


if __name__ == "__main__":
    main()
