"""Peak memory and time of ``pmtk run genomics`` read in parts on N vs 10N sequences.

Each size is one labelled FASTA (``label=bound|unbound`` in the descriptions, 300-base
sequences, 60-column lines, classes shuffled; ``bound`` carries a motif at a random place),
generated here into a temporary folder, so nothing is downloaded. The command is

    pmtk run genomics --data seqs.fa --epochs 1 --model cnn --filters 16 --units 8
        --batch-size 256 --bootstrap 200 --output RUN

in a fresh process with ``PMTK_STREAMING_ROWS`` set to ``--threshold`` (default 10,000,
below the smaller file, so both sizes are read in parts; a large value times the in-memory
path). The small ``cnn`` keeps one epoch on 10N sequences to minutes on 2 cores; the data path,
the statistics pass, scoring and evaluation are those of every model. Peak RSS is the
child's own ``ru_maxrss`` (``os.wait4``); the time after training runs from the last write
of ``history.csv`` (the end of the epoch) to the end of the process: predictions, baseline,
bootstrap intervals, report. The goal is a 10N / N peak RSS ratio of at most 1.2.

N defaults to 60,000: its validation split (about 9,000 sequences) already fills the
baseline's samples (``genomics.task.SAMPLE_BASES`` / 300 bases = 6,666 sequences), so
both sizes fit the same baseline and only the rows read in parts grow.

Run: ``nice .venv/bin/python benchmarks/genomics_memory.py [--rows 60000,600000]
[--length 300] [--threshold 10000]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MOTIF = "TTGACGTCAA"
BLOCK = 20_000


def write_sequences(path: Path, rows: int, length: int, seed: int = 0) -> None:
    """A shuffled two-class labelled FASTA, written ``BLOCK`` records at a time."""
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)
    motif = np.frombuffer(MOTIF.encode(), dtype=np.uint8)
    with path.open("w") as handle:
        for start in range(0, rows, BLOCK):
            count = min(BLOCK, rows - start)
            rng = np.random.default_rng([seed, start])
            letters = bases[rng.integers(0, 4, (count, length))]
            bound = rng.random(count) < 0.5
            offsets = rng.integers(0, length - len(motif), count)
            for row in np.flatnonzero(bound):
                letters[row, offsets[row] : offsets[row] + len(motif)] = motif
            lines = []
            for row in range(count):
                label = "bound" if bound[row] else "unbound"
                lines.append(f">s{start + row:09d} label={label}")
                text = letters[row].tobytes().decode()
                lines += [text[i : i + 60] for i in range(0, length, 60)]
            handle.write("\n".join(lines) + "\n")


def run_once(data: Path, output: Path, env: dict[str, str]) -> dict[str, float]:
    """One ``pmtk run genomics`` in a fresh process: peak RSS (MB), wall and post-training s."""
    command = [str(ROOT / ".venv/bin/pmtk"), "run", "genomics", "--data", str(data),
               "--epochs", "1", "--model", "cnn", "--filters", "16", "--units", "8",
               "--batch-size", "256", "--bootstrap", "200", "--output", str(output)]  # fmt: skip
    start = time.time()
    log_path = output.parent / f"{output.name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    end = time.time()
    if status != 0:
        raise SystemExit(log_path.read_text()[-3000:])
    trained = (output / "history.csv").stat().st_mtime
    return {"rss_mb": usage.ru_maxrss / 1024, "seconds": end - start, "after": end - trained}


def main() -> None:
    """Writes the two FASTA files, runs both, prints the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="60000,600000", help="N,10N sequences")
    parser.add_argument("--length", type=int, default=300, help="bases per sequence")
    parser.add_argument("--threshold", type=int, default=10_000, help="PMTK_STREAMING_ROWS")
    arguments = parser.parse_args()
    sizes = [int(value) for value in arguments.rows.split(",")]
    env = dict(os.environ, PMTK_STREAMING_ROWS=str(arguments.threshold))
    env.setdefault("XDG_CACHE_HOME", tempfile.gettempdir())
    results = {}
    with tempfile.TemporaryDirectory(prefix="pmtk-genomics-memory-") as folder:
        for rows in sizes:
            data = Path(folder) / f"seqs-{rows}.fa"
            write_sequences(data, rows, arguments.length)
            size = data.stat().st_size / 1e6
            results[rows] = run_once(data, Path(folder) / f"run-{rows}", env)
            result = results[rows]
            print(f"{rows:>9,} sequences ({size:,.0f} MB FASTA): peak RSS "
                  f"{result['rss_mb']:,.0f} MB, {result['seconds']:.0f} s in all, "
                  f"{result['after']:.0f} s after training", flush=True)  # fmt: skip
            data.unlink()
    small, large = (results[rows] for rows in sizes[:2])
    ratio = large["rss_mb"] / small["rss_mb"]
    print(f"peak RSS ratio {sizes[1]:,} / {sizes[0]:,}: {ratio:.2f} (goal <= 1.2); time "
          f"after training ratio {large['after'] / small['after']:.2f}")  # fmt: skip
    sys.exit(0)


if __name__ == "__main__":
    main()
