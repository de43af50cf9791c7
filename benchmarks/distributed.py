"""``--distribute multi-worker`` with 1 and 2 local workers vs a single process: samples/s.

Three configurations of ``pmtk run risk`` on the bundled risk sample (3,000 patients, target
``disease``), each with the same ``--epochs``, global ``--batch-size``, ``--bootstrap 0``,
``--importance-repeats 0`` and a fresh output:

1. ``single``: the default strategy, one process.
2. ``1 worker``: ``--distribute multi-worker`` with a ``TF_CONFIG`` of one worker on
   127.0.0.1 (the strategy, its collectives and the lost-worker sentinel, without a peer).
3. ``2 workers``: two processes on 127.0.0.1 (free ports), each with its own ``TF_CONFIG``;
   the global batch is split between them and gradients are summed over loopback.

Samples/s are the training examples of one epoch over the median time of the epochs after
the first (the first one traces the graphs; the median, because on a loaded machine an epoch
of a few steps stalls now and then), timed from Keras' own epoch lines (on stdout in Keras 3:
steps times time per step; the chief's lines for multi-worker runs). Wall time (start of the
processes to the end of the last one) and the test AUROC from ``metrics.json`` are reported
too, so the reader sees the same model is trained.

On a 2-core machine without a GPU, two workers share the same two cores that one process
already uses, so this measures the overhead of the strategy and of the collectives over
loopback, not a speed-up; a real speed-up needs one machine (or GPU) per worker. The script
says whether a GPU was found; without one the GPU row is "not measured". The configurations
alternate within each repeat (the order reverses every other repeat), each in fresh
processes, and the load average is printed at the start and the end, because other jobs on a
shared machine slow every row.

Run: ``.venv/bin/python benchmarks/distributed.py [--repeats 3] [--epochs 6]`` (about 10
minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PMTK = [
    sys.executable,
    "-c",
    "import sys; from pmtk.cli.app import main; sys.argv[0] = 'pmtk'; main()",
]
#: Keras' epoch line, "9/9 - 1s - 115ms/step - ...": steps times the time per step.
EPOCH_LINE = re.compile(r"^(\d+)/\d+ - [\d.]+m?s - ([\d.]+)(us|ms|s)/step")
UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
CONFIGURATIONS = {"single": 0, "1 worker": 1, "2 workers": 2}
#: Seconds any one configuration may take before the benchmark gives up on it.
TIMEOUT = 900


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def environment(tf_config: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMTK_", "TF_CONFIG"))}
    env |= {"TF_CPP_MIN_LOG_LEVEL": "3", "PMTK_CLUSTER_TIMEOUT": "120", "PYTHONPATH": str(ROOT)}
    if tf_config is not None:
        env["TF_CONFIG"] = tf_config
    return env


def one_run(workers: int, output: Path, epochs: int, batch_size: int) -> dict:
    """Runs one configuration (0: single process) in fresh processes; returns its measures."""
    arguments = [*PMTK, "run", "risk", "--output", str(output), "--epochs", str(epochs),
                 "--patience", str(epochs), "--batch-size", str(batch_size), "--bootstrap", "0",
                 "--importance-repeats", "0"]  # fmt: skip
    if workers:
        arguments += ["--distribute", "multi-worker"]
        addresses = [f"127.0.0.1:{port}" for port in free_ports(workers)]
        configs = [
            json.dumps({"cluster": {"worker": addresses}, "task": {"type": "worker", "index": i}})
            for i in range(workers)
        ]
    else:
        configs = [None]
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            arguments,
            cwd=ROOT,
            env=environment(config),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for config in configs
    ]
    outputs = []
    try:
        for process in processes:
            remaining = max(1.0, TIMEOUT - (time.perf_counter() - start))
            outputs.append("".join(process.communicate(timeout=remaining)))
    except subprocess.TimeoutExpired:
        for process in processes:
            process.kill()
            process.communicate()
        raise RuntimeError(f"{workers} worker(s) did not finish within {TIMEOUT} s") from None
    wall = time.perf_counter() - start
    failed = [(p.returncode, e) for p, e in zip(processes, outputs, strict=True) if p.returncode]
    if failed:
        raise RuntimeError(f"pmtk run risk failed ({workers} worker(s)):\n{failed[0][1][-3000:]}")
    seconds = [int(m[1]) * float(m[2]) * UNIT[m[3]] for line in outputs[0].splitlines()
               if (m := EPOCH_LINE.match(line.strip()))]  # fmt: skip
    if len(seconds) != epochs:
        raise RuntimeError(f"found {len(seconds)} epoch lines, expected {epochs}:\n{outputs[0]}")
    metrics = json.loads((output / "metrics.json").read_text())
    later = seconds[1:]
    return {
        "samples_per_s": metrics["n"]["train"] / statistics.median(later),
        "epoch_seconds": later,
        "wall": wall,
        "auroc": metrics["test"]["auroc"],
        "train": metrics["n"]["train"],
    }


def gpu_line() -> str:
    probe = subprocess.run(
        [sys.executable, "-c",
         "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"],
        capture_output=True, text=True, env=environment(None), timeout=300,
    )  # fmt: skip
    found = probe.stdout.strip().splitlines()[-1:] or ["?"]
    smi = "present" if shutil.which("nvidia-smi") else "absent"
    if found == ["0"] or (found == ["?"] and smi == "absent"):
        return (f"GPU: none found (TensorFlow lists {found[0]} GPU, nvidia-smi {smi}); "
                "the GPU row is not measured.")  # fmt: skip
    return f"GPU: TensorFlow lists {found[0]} GPU(s), nvidia-smi {smi}; rows above ran on it."


def listed(values: list[float], spec: str) -> str:
    return ", ".join(format(value, spec) for value in values)


def load_line(when: str) -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {when}: {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=256, help="global batch size")
    args = parser.parse_args()
    print(load_line("at the start"), flush=True)
    gpu = gpu_line()
    print(gpu, flush=True)
    print(f"pmtk run risk, sample cohort, --epochs {args.epochs} --batch-size {args.batch_size} "
          "(global) --bootstrap 0 --importance-repeats 0", flush=True)  # fmt: skip
    runs: dict[str, list[dict]] = {name: [] for name in CONFIGURATIONS}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            names = list(CONFIGURATIONS)
            if repeat % 2:  # alternate the order so drifting load hits every configuration
                names.reverse()
            for name in names:
                output = Path(folder) / f"{name.replace(' ', '-')}-{repeat}"
                result = one_run(CONFIGURATIONS[name], output, args.epochs, args.batch_size)
                runs[name].append(result)
                epochs = ", ".join(f"{s:.2f}" for s in result["epoch_seconds"])
                print(f"  repeat {repeat}: {name:9s} samples/s {result['samples_per_s']:7.0f}  "
                      f"wall {result['wall']:5.1f} s  test AUROC {result['auroc']:.4f}  "
                      f"(epochs 2+: {epochs} s; load {os.getloadavg()[0]:.1f})",
                      flush=True)  # fmt: skip
    print(f"\ntrain examples per epoch: {runs['single'][0]['train']}")
    print("\n| configuration | samples/s (median) | per run | wall s (median) | test AUROC |")
    print("|---|---|---|---|---|")
    medians = {}
    for name, results in runs.items():
        speeds = [r["samples_per_s"] for r in results]
        walls = [r["wall"] for r in results]
        aurocs = [r["auroc"] for r in results]
        medians[name] = statistics.median(speeds)
        print(f"| {name} | {medians[name]:.0f} | {listed(speeds, '.0f')} | "
              f"{statistics.median(walls):.1f} ({listed(walls, '.1f')}) | "
              f"{statistics.median(aurocs):.4f} ({listed(aurocs, '.4f')}) |")  # fmt: skip
    if "none found" in gpu:
        print("| GPU (any configuration) | not measured: no GPU on this machine | | | |")
    print(f"\nsamples/s ratio, 1 worker / single:  {medians['1 worker'] / medians['single']:.2f}x")
    print(f"samples/s ratio, 2 workers / single: {medians['2 workers'] / medians['single']:.2f}x")
    print(load_line("at the end"))


if __name__ == "__main__":
    main()
