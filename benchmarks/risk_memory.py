"""Peak memory and time of a streamed ``pmtk run`` on N vs 10N rows of the same table.

``--task risk`` (default): ``pmtk run risk --data cohort.parquet --target disease --epochs 1
--batch-size 1024`` on 200k vs 2M rows; ``--format csv`` writes the cohort as CSV instead.
``--task survival``: the same cohort with a follow-up ``time`` and ``event`` instead of
``disease`` (``--time-column time --event-column event --subgroup-column site``).
``--task autoencoder``: ``pmtk run autoencoder --data features.parquet --id-column id
--epochs 1 --batch-size 1024`` on a table of 20 numeric features (a few missing) driven by
4 hidden variables. Each run is the real command in a fresh process. Peak RSS is the child's own
``ru_maxrss`` (``os.wait4``); the time after training is from the last write of
``history.csv`` (the end of the epoch) to the end of the process: predictions, baseline,
bootstrap intervals, permutation importance, report. The goal is a 2M / 200k peak RSS ratio of
at most 1.2. The cohort (10 numeric columns, two with missing values, 2 categorical, a
logistic outcome) is generated here, by row groups, so nothing is downloaded.

Both sizes stream: the runs set ``PMTK_STREAMING_ROWS`` to ``--threshold`` (default
100,000, below the smaller cohort; at the default threshold, 200,000, a 200k-row file keeps
the in-memory path). ``--threshold 100000000`` times the in-memory path at both sizes.

Run: ``.venv/bin/python benchmarks/risk_memory.py [--task risk|survival|autoencoder]
[--format parquet|csv] [--rows 200000,2000000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NUMERIC = [f"x{i}" for i in range(10)]
SITES = np.array(["north", "south", "east", "west", "centre"])
GROUP_ROWS = 200_000
FEATURES = [f"g{i:02d}" for i in range(20)]


def write_cohort(path: Path, rows: int, seed: int = 0, survival: bool = False) -> None:
    """A synthetic cohort with real signal, written one 200k-row group at a time; with
    ``survival``, follow-up ``time`` (days) and ``event`` instead of ``disease``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    weights = np.linspace(-1.0, 1.0, len(NUMERIC))
    schema = _schema(survival)
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, GROUP_ROWS):
            count = min(GROUP_ROWS, rows - start)
            rng = np.random.default_rng([seed, start])
            matrix = rng.normal(size=(count, len(NUMERIC)))
            site = rng.integers(0, len(SITES), count)
            smoker = rng.random(count) < 0.3
            logit = matrix @ weights + 0.8 * smoker + 0.2 * (site - 2) - 0.5
            disease = (rng.random(count) < 1 / (1 + np.exp(-logit))).astype(np.int64)
            columns = {"id": pa.array([f"P{start + i:09d}" for i in range(count)])}
            for index, name in enumerate(NUMERIC):
                values = matrix[:, index]
                missing = rng.random(count) < (0.05 if index < 2 else 0.0)
                columns[name] = pa.array(values, mask=missing)
            columns["site"] = pa.array(SITES[site])
            columns["smoker"] = pa.array(np.where(smoker, "yes", "no"))
            if survival:  # hazard exp(logit / 2); uniform censoring over five years
                onset = rng.exponential(365 * np.exp(-logit / 2))
                censored = rng.uniform(30, 5 * 365, count)
                columns["time"] = pa.array(np.maximum(np.minimum(onset, censored), 0.1).round(1))
                columns["event"] = pa.array((onset <= censored).astype(np.int64))
            else:
                columns["disease"] = pa.array(disease)
            writer.write_table(pa.table(columns, schema=schema))


def write_features(path: Path, rows: int, seed: int = 0) -> None:
    """A synthetic feature table (20 features of 4 hidden variables), 200k rows at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    loadings = np.random.default_rng(seed).normal(size=(4, len(FEATURES)))
    schema = pa.schema([("id", pa.string()), *((name, pa.float64()) for name in FEATURES)])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, GROUP_ROWS):
            count = min(GROUP_ROWS, rows - start)
            rng = np.random.default_rng([seed, start])
            values = np.tanh(rng.normal(size=(count, 4)) @ loadings)
            values += rng.normal(0, 0.1, values.shape)
            columns = {"id": pa.array([f"S{start + i:09d}" for i in range(count)])}
            for index, name in enumerate(FEATURES):
                missing = rng.random(count) < (0.02 if index < 3 else 0.0)
                columns[name] = pa.array(values[:, index], mask=missing)
            writer.write_table(pa.table(columns, schema=schema))


def as_csv(parquet: Path, path: Path) -> None:
    """The Parquet table written as CSV, one row group at a time."""
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    source = pq.ParquetFile(parquet)
    with csv.CSVWriter(path, source.schema_arrow) as writer:
        for index in range(source.num_row_groups):
            writer.write_table(source.read_row_group(index))


def _schema(survival: bool = False):
    import pyarrow as pa

    numeric = [(name, pa.float64()) for name in NUMERIC]
    text = [("site", pa.string()), ("smoker", pa.string())]
    outcome = [("time", pa.float64()), ("event", pa.int64())] if survival else [
        ("disease", pa.int64())]  # fmt: skip
    return pa.schema([("id", pa.string()), *numeric, *text, *outcome])


def run_once(data: Path, output: Path, env: dict[str, str], task: str) -> dict[str, float]:
    """One ``pmtk run`` in a fresh process: peak RSS (MB), wall and post-training seconds."""
    options = {
        "risk": ["--target", "disease"],
        "survival": ["--time-column", "time", "--event-column", "event",
                     "--subgroup-column", "site"],
        "autoencoder": ["--latent-dim", "4"],
    }[task]  # fmt: skip
    pmtk_task = "autoencoder" if task == "autoencoder" else "risk"
    command = [str(ROOT / ".venv/bin/pmtk"), "run", pmtk_task, "--data", str(data), *options,
               "--id-column", "id", "--epochs", "1", "--batch-size", "1024",
               "--output", str(output)]  # fmt: skip
    start = time.time()
    with open(output.parent / f"{output.name}.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    end = time.time()
    if status != 0:
        raise SystemExit((output.parent / f"{output.name}.log").read_text()[-3000:])
    trained = (output / "history.csv").stat().st_mtime
    return {"peak_mb": usage.ru_maxrss / 1024, "seconds": end - start, "after": end - trained}


def main() -> None:
    """Prints every run, the medians per size and the ratio of the largest to the smallest."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", choices=("risk", "survival", "autoencoder"), default="risk")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--rows", default="200000,2000000")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threshold", type=int, default=100_000, help="PMTK_STREAMING_ROWS")
    parser.add_argument("--folder", type=Path, default=None, help="keep cohorts and runs here")
    args = parser.parse_args()
    env = dict(os.environ) | {"PMTK_STREAMING_ROWS": str(args.threshold)}
    medians = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for rows in (int(r) for r in args.rows.split(",")):
            stem = folder / f"{args.task}-{rows}"
            data = stem.with_suffix(f".{args.format}")
            if not data.exists():
                parquet = stem.with_suffix(".parquet")
                if not parquet.exists():
                    if args.task == "autoencoder":
                        write_features(parquet, rows)
                    else:
                        write_cohort(parquet, rows, survival=args.task == "survival")
                if args.format == "csv":
                    as_csv(parquet, data)
            runs = []
            for repeat in range(args.repeats):
                output = folder / f"run-{args.task}-{rows}-{repeat}-{time.time_ns()}"
                result = run_once(data, output, env, args.task)
                runs.append(result)
                print(f"{rows:>9,} rows, run {repeat + 1}: peak RSS {result['peak_mb']:6.0f} MB, "
                      f"wall {result['seconds']:6.1f} s, after training {result['after']:6.1f} s",
                      flush=True)  # fmt: skip
            medians[rows] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    for rows, median in medians.items():
        print(f"median {rows:>9,} rows: peak RSS {median['peak_mb']:6.0f} MB, wall "
              f"{median['seconds']:6.1f} s, after training {median['after']:6.1f} s")  # fmt: skip
    sizes = sorted(medians)
    if len(sizes) > 1:
        ratio = medians[sizes[-1]]["peak_mb"] / medians[sizes[0]]["peak_mb"]
        print(f"peak RSS ratio {sizes[-1]:,} / {sizes[0]:,} rows: {ratio:.2f}")


if __name__ == "__main__":
    sys.exit(main())
