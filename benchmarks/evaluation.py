"""What the honest evaluation costs: baseline + bootstrap time vs the whole default run.

Each task's default run on its bundled sample is timed end to end in this process, and
inside it the part that fits the baseline and bootstraps the test split (1,000
resamples). The ratio evaluation / whole run is the extra cost a user pays for
intervals and a baseline. Every number is the median of ``--repeats`` runs.

Run: ``.venv/bin/python benchmarks/evaluation.py [--tasks risk,autoencoder] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmtk.core.host.options import all_options, resolve  # noqa: E402
from pmtk.core.host.plugins import PluginHost  # noqa: E402
from pmtk.core.loop import results  # noqa: E402
from pmtk.core.loop.training import train  # noqa: E402
from pmtk.plugins.autoencoder import report as autoencoder_report  # noqa: E402

TASKS = ("imaging", "genomics", "risk", "autoencoder")


class Timer:
    """Adds up the seconds spent in the wrapped functions."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


def one_run(task_name: str, seed: int, folder: Path) -> tuple[float, float]:
    """Seconds of the whole default run and of its baseline + bootstrap."""
    host = PluginHost(entry_points=False)
    task = host.registry.task(task_name)
    defaults = {option.name: option.default for option in all_options(task)}
    options = resolve(task, defaults | {"seed": seed, "output": folder / f"{task_name}-{seed}"},
                      set())  # fmt: skip
    timer = Timer()
    originals = (results._evaluate, autoencoder_report.versus_pca)
    results._evaluate = timer.wrap(results._evaluate)
    autoencoder_report.versus_pca = timer.wrap(autoencoder_report.versus_pca)
    try:
        started = time.perf_counter()
        train(task, options, host)
        return time.perf_counter() - started, timer.seconds
    finally:
        results._evaluate, autoencoder_report.versus_pca = originals


def main() -> None:
    """Prints one line per task: run seconds, evaluation seconds, their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("task         run s (median)  evaluation s  evaluation / run")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.tasks.split(","):
            timings = [one_run(name, seed, Path(folder)) for seed in range(args.repeats)]
            run = statistics.median(t[0] for t in timings)
            evaluation = statistics.median(t[1] for t in timings)
            ratios = sorted(t[1] / t[0] for t in timings)
            print(f"{name:<12} {run:>14.1f}  {evaluation:>12.2f}  {statistics.median(ratios):.1%}"
                  f" (runs: {', '.join(f'{r:.1%}' for r in ratios)})", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
