"""``--precision mixed_bfloat16`` vs ``float32``: training samples/s and the test metric.

Each configuration trains the bundled imaging and risk samples through the shared loop in its
own process (the Keras dtype policy is process-wide). Samples/s count the training examples
of every epoch after the first (the first one traces the graphs). Bf16 is fast only on CPUs
with AVX-512 BF16 or AMX units (``lscpu | grep -o 'avx512_bf16\\|amx_bf16'``) and on GPUs.

Run: ``.venv/bin/python benchmarks/precision.py [--repeats 3] [--epochs 4]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METRIC = {"imaging": "accuracy", "risk": "auroc"}

ONE_RUN = """
import json, sys, time
from pathlib import Path
import keras
from pmtk import hookimpl
from pmtk.core.host.options import all_options
from pmtk.core.host.plugins import PluginHost
from pmtk.core.loop.training import train

task_name, precision, output, epochs = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
times = []

class Clock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        times.append(time.perf_counter() - self.start)

class ClockPlugin:
    @hookimpl
    def pmtk_register_callbacks(self, register, context):
        register(Clock())

host = PluginHost(entry_points=False)
host.register(ClockPlugin(), "clock")
task = host.registry.task(task_name)
options = {o.name: o.default for o in all_options(task)}
options.update(output=output, epochs=epochs, patience=epochs, precision=precision,
               bootstrap=0, model=task.default_model)
if task_name == "risk":
    options["target"] = "disease"
train(task, options, host)
metrics = json.loads((output / "metrics.json").read_text())
print("RESULT " + json.dumps({"times": times, "n": metrics["n"]["train"], "test": metrics["test"]}))
"""


def one_run(task: str, precision: str, epochs: int) -> dict:
    """Trains once in a fresh process; returns samples/s and the test metrics."""
    with tempfile.TemporaryDirectory() as folder:
        completed = subprocess.run(
            [sys.executable, "-c", ONE_RUN, task, precision, str(Path(folder) / "run"),
             str(epochs)],
            cwd=ROOT, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    later = result["times"][1:] or result["times"]
    return {"samples_per_s": result["n"] * len(later) / sum(later), "test": result["test"]}


def main() -> None:
    """Prints one line per task: medians (and ranges) of samples/s and the test metric."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--tasks", default="imaging,risk")
    args = parser.parse_args()
    for task in args.tasks.split(","):
        rows = {}
        for precision in ("float32", "mixed_bfloat16"):
            runs = [one_run(task, precision, args.epochs) for _ in range(args.repeats)]
            speeds = [run["samples_per_s"] for run in runs]
            metric = [run["test"][METRIC[task]] for run in runs]
            rows[precision] = (statistics.median(speeds), min(speeds), max(speeds),
                               statistics.median(metric))  # fmt: skip
            print(f"{task:8s} {precision:15s} samples/s median {rows[precision][0]:8.1f} "
                  f"(range {rows[precision][1]:.1f}-{rows[precision][2]:.1f})  "
                  f"test {METRIC[task]} {rows[precision][3]:.3f}", flush=True)  # fmt: skip
        ratio = rows["mixed_bfloat16"][0] / rows["float32"][0]
        print(f"{task:8s} bf16 / float32 samples/s: {ratio:.2f}x", flush=True)


if __name__ == "__main__":
    main()
