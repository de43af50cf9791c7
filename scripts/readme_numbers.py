"""Every number the README quotes about the bundled samples: each task's default over seeds.

Runs ``pmtk run TASK --seed S`` for each task and seed (each in its own process, as a
user would), then prints one Markdown table per task: the headline test metric with its
95% bootstrap interval, the baseline's, and the paired difference. The README's tables
are this script's output, pasted as is.

Usage:
    .venv/bin/python scripts/readme_numbers.py [--tasks imaging,genomics] [--seeds 0,1,2,3,4]
        [--jobs 2]  (runs at once; the wall times then include sharing the machine)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Task, extra options (beyond the defaults) and the label of the run.
RUNS = {
    "imaging": ([], "bundled sample (300 PNG, 2 classes)"),
    "genomics": ([], "bundled sample (600 x 200 bp, motif anywhere)"),
    "genomics-splice": (
        ["--data", "sample_data/genomics_splice/splice.fa"],
        "splice-site sample (60 nt, 3 classes, position-specific)",
    ),
    "risk": ([], "bundled cohort (3000 patients)"),
    "autoencoder": ([], "bundled expression matrix (1500 x 60)"),
    "fusion": ([], "bundled patients (1,600: scan, promoter, clinical; cells missing)"),
}
HEADLINE = {"binary": "auroc", "multiclass": "macro_auroc"}


def run(name: str, seed: int, work: Path) -> dict:
    """One default run; returns its metrics.json with the wall time added."""
    task = name.split("-")[0]
    extra, _ = RUNS[name]
    output = work / f"{name}-{seed}"
    pmtk = Path(sys.executable).with_name("pmtk")
    started = time.perf_counter()
    subprocess.run(
        [str(pmtk), "run", task, "--seed", str(seed), "--output", str(output), *extra],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    metrics = json.loads((output / "metrics.json").read_text())
    metrics["wall_seconds"] = time.perf_counter() - started
    return metrics


def headline(metrics: dict) -> str:
    """The metric a run is judged by: AUROC, macro AUROC or r2."""
    test = metrics["test"]
    for name in ("auroc", "macro_auroc", "r2"):
        if test.get(name) is not None:
            return name
    raise ValueError(f"no headline metric in {sorted(test)}")


def _interval(values: list[float] | None) -> str:
    return "-" if values is None else f"{values[0]:.3f}-{values[1]:.3f}"


def _best_single(metrics: dict, metric: str) -> str:
    """The fused model shown one modality only: the best of them (``metrics.json``'s
    ``modalities``)."""
    name, values = max(metrics["modalities"].items(), key=lambda item: item[1]["test"][metric])
    return f"{name} {values['test'][metric]:.3f}"


def table(name: str, results: dict[int, dict]) -> str:
    """A Markdown table: one row per seed, then the median and the worst seed."""
    metric = headline(next(iter(results.values())))
    fused = "modalities" in next(iter(results.values()))
    lines = [
        f"**{name}** — {RUNS[name][1]}; test `{metric}` (95% CI)",
        "",
        "| seed | model | baseline | difference (95% CI) | warnings | wall s |"
        + (" best single modality |" if fused else ""),
        "|---|---|---|---|---|---|" + ("---|" if fused else ""),
    ]
    for seed, metrics in sorted(results.items()):
        versus = metrics["versus_baseline"]["test"][metric]
        baseline = metrics["baseline"]
        lines.append(
            f"| {seed} | {metrics['test'][metric]:.3f} ({_interval(metrics['ci']['test'][metric])})"
            f" | {baseline['model']} {baseline['test'][metric]:.3f}"
            f" | {versus['difference']:+.3f} ({_interval(versus['ci'])})"
            f" | {len(metrics['warnings'])} | {metrics['wall_seconds']:.0f} |"
            + (f" {_best_single(metrics, metric)} |" if fused else "")
        )
    values = [m["test"][metric] for m in results.values()]
    lines.append(
        f"| median / min | {statistics.median(values):.3f} / {min(values):.3f} | | | | |"
        + (" |" if fused else "")
    )
    return "\n".join(lines)


def main() -> None:
    """Runs the chosen tasks and seeds and prints the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(RUNS))
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(args.jobs) as pool:
        for name in args.tasks.split(","):
            runs = {seed: pool.submit(run, name, seed, Path(folder)) for seed in seeds}
            results = {seed: future.result() for seed, future in runs.items()}
            print(table(name, results), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
