"""What the clinical report costs: report time beside a default run's wall time.

For each task, trains the default ``pmtk run TASK`` on its sample data ``--repeats`` times
(wall time of the whole command), then on the last run times, ``--repeats`` times each,
the clinical evaluation (calibration, curves with bands, decision curve, operating
point, recomputed from predictions.csv) and the rendering of report.html. Prints medians
side by side and the share of the run. Issue 12 asks for at most 5%.

    .venv/bin/python benchmarks/report.py --tasks risk autoencoder --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _run(task: str, output: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pmtk", "run", task, "--output", str(output)],
                   check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def _clinical_seconds(run_dir: Path) -> float:
    """Recomputes the clinical entries of metrics.json from the test predictions."""
    import pandas as pd

    from pmtk.core.evaluation.clinical import Scored, clinical_results

    config = json.loads((run_dir / "config.json").read_text())
    kind, classes = config["target"]["kind"], config["target"]["class_names"]
    if kind not in ("binary", "multiclass"):
        return 0.0
    frame = pd.read_csv(run_dir / "predictions.csv")
    truth = frame["label"].astype(str).map({c: i for i, c in enumerate(classes)}).to_numpy()
    if kind == "binary":
        scores = frame["score"].to_numpy()
    else:
        scores = frame[[f"p_{c}" for c in classes]].to_numpy()
    splits = {name: truth for name in ("train", "val", "test")}
    scored = Scored(kind, splits, dict.fromkeys(splits, scores), classes, baseline=scores)
    started = time.perf_counter()
    clinical_results(scored, config["options"])
    return time.perf_counter() - started


def _report_seconds(run_dir: Path) -> float:
    from pmtk.core.report import write_report

    started = time.perf_counter()
    write_report(run_dir)
    return time.perf_counter() - started


def main() -> None:
    """Prints, per task: run wall time, clinical evaluation, report, and their share."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=["imaging", "genomics", "risk",
                                                        "autoencoder"])  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    header = ("task", "run s", "clinical s", "report s", "share", "size KB")
    print("{:12} {:>8} {:>11} {:>9} {:>7} {:>8}".format(*header))
    with tempfile.TemporaryDirectory() as folder:
        for task in arguments.tasks:
            runs = [_run(task, Path(folder) / f"{task}-{i}") for i in range(arguments.repeats)]
            last = Path(folder) / f"{task}-{arguments.repeats - 1}"
            clinical = [_clinical_seconds(last) for _ in range(arguments.repeats)]
            report = [_report_seconds(last) for _ in range(arguments.repeats)]
            run, extra = (
                statistics.median(runs),
                statistics.median(clinical) + statistics.median(report),
            )
            size = (last / "report.html").stat().st_size / 1024
            print(f"{task:12} {run:8.1f} {np.median(clinical):11.2f} {np.median(report):9.2f} "
                  f"{100 * extra / run:6.1f}% {size:8.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
