"""Fusion speed and memory, side by side in one run.

1. Throughput: training samples/s of ``pmtk run fusion`` on the bundled sample (scan,
   promoter and clinical columns of 800 patients) vs the three single-modality runs on the
   same patients and outcome (``pmtk run imaging`` on a manifest of the scans, ``genomics``
   on a table of the promoters, ``risk`` on the clinical columns). The fused model runs
   every encoder on every patient (placeholders where a modality is missing), so it cannot
   beat the sum of the single runs; the ratio fused / (sum of singles) shows what joining
   them costs. Seconds per epoch come from Keras' own epoch lines (epochs after the first,
   which includes tracing, from stdout); the median over epochs and ``--repeats`` runs is reported.
2. Memory: peak RSS of a fused epoch on the sample and on the sample repeated
   ``--scale`` times (same images, more patients), with the imaging cache off (images
   streamed from disk every epoch, as for an archive that does not fit in RAM) and on.
   Streamed, peak memory should hardly grow with the number of patients.

Run: ``.venv/bin/python benchmarks/fusion.py [--repeats 2] [--scale 4]`` (about 15 minutes on
2 cores). Each measurement is a fresh ``pmtk`` process, as a user would run it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "fusion" / "patients.csv"
#: Keras' epoch line, "18/18 - 4s - 198ms/step - ...": steps times the time per step.
EPOCH_LINE = re.compile(r"^(\d+)/\d+ - [\d.]+m?s - ([\d.]+)(us|ms|s)/step")
UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
#: Runs pmtk with the imaging cache switched off (as when decoded images exceed its RAM budget).
STREAMED = (
    "import sys; import pmtk.plugins.imaging.pipeline as pipeline; pipeline.CACHE_SHARE = 0; "
    "from pmtk.cli.app import main; sys.argv[0] = 'pmtk'; main()"
)
CACHED = "import sys; from pmtk.cli.app import main; sys.argv[0] = 'pmtk'; main()"


def single_modality_data(folder: Path) -> dict[str, list[str]]:
    """The sample's patients as three single-modality datasets; returns each run's options."""
    table = pd.read_csv(SAMPLE, keep_default_na=False, dtype=str)
    scans = table[table["scan"] != ""]
    manifest = pd.DataFrame({"path": [str(SAMPLE.parent / s) for s in scans["scan"]],
                             "label": scans["outcome"], "id": scans["patient_id"]})  # fmt: skip
    manifest.to_csv(folder / "scans.csv", index=False)
    promoters = table[table["promoter"] != ""]
    promoters[["patient_id", "promoter", "outcome"]].rename(
        columns={"patient_id": "id", "promoter": "sequence", "outcome": "label"}
    ).to_csv(folder / "promoters.csv", index=False)
    table.drop(columns=["scan", "promoter"]).to_csv(folder / "clinical.csv", index=False)
    return {
        "imaging": ["--data", str(folder / "scans.csv")],
        "genomics": ["--data", str(folder / "promoters.csv")],
        "risk": ["--data", str(folder / "clinical.csv"), "--target", "outcome",
                 "--id-column", "patient_id", "--importance-repeats", "0"],
        "fusion": [],
    }  # fmt: skip


def run(task: str, options: list[str], output: Path, epochs: int, code: str = CACHED) -> dict:
    """One ``pmtk run``; returns its seconds per epoch (after the first) and train examples."""
    args = [sys.executable, "-c", code, "run", task, "--output", str(output), "--epochs",
            str(epochs), "--patience", str(epochs), "--bootstrap", "0", *options]  # fmt: skip
    result = subprocess.run(
        args, capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)}
    )
    if result.returncode != 0:
        raise RuntimeError(f"pmtk run {task} failed:\n{result.stderr[-2000:]}")
    lines = (result.stdout + result.stderr).splitlines()  # Keras prints epochs on stdout
    seconds = [int(m[1]) * float(m[2]) * UNIT[m[3]] for line in lines
               if (m := EPOCH_LINE.match(line.strip()))]  # fmt: skip
    train = json.loads((output / "metrics.json").read_text())["n"]["train"]
    return {"epoch_seconds": seconds[1:], "train": train}


def throughput(work: Path, repeats: int, epochs: int) -> None:
    options = single_modality_data(work)
    seconds: dict[str, list[float]] = {task: [] for task in options}
    examples: dict[str, int] = {}
    for repeat in range(repeats):
        for task, extra in options.items():
            measured = run(task, extra, work / f"{task}-{repeat}", epochs)
            seconds[task] += measured["epoch_seconds"]
            examples[task] = measured["train"]
            print(f"  run {repeat}: {task:9s} epochs {measured['epoch_seconds']} s", flush=True)
    medians = {task: statistics.median(values) for task, values in seconds.items()}
    singles = sum(medians[task] for task in ("imaging", "genomics", "risk"))
    print("\n| run | train patients | s/epoch (median) | samples/s |\n|---|---|---|---|")
    for task, value in medians.items():
        print(f"| {task} | {examples[task]} | {value:.2f} | {examples[task] / value:.0f} |")
    print(f"| sum of the three single runs | | {singles:.2f} | |")
    print(f"\nfused / sum of singles, seconds per epoch: {medians['fusion'] / singles:.2f}x")


def memory(work: Path, scale: int) -> None:
    table = pd.read_csv(SAMPLE, keep_default_na=False, dtype=str)
    big = pd.concat(
        [table.assign(patient_id=table["patient_id"] + f"-{copy}") for copy in range(scale)]
    )
    big["scan"] = big["scan"].map(lambda s: str(SAMPLE.parent / s) if s else "")
    big_path = work / "patients_big.csv"
    big.to_csv(big_path, index=False)
    options = ["--target", "outcome", "--id-column", "patient_id",
               "--modality", "scan=imaging", "--modality", "promoter=genomics"]  # fmt: skip
    print(f"\n| imaging cache | {len(table)} patients | {len(big)} patients | ratio |")
    print("|---|---|---|---|")
    for name, code in (("off (streamed)", STREAMED), ("on", CACHED)):
        peaks = []
        for data in (SAMPLE, big_path):
            # a fresh getrusage baseline per child: run each size in its own interpreter
            probe = subprocess.run(
                [sys.executable, __file__, "--peak-of", code, str(data),
                 str(work / f"m-{name[:3]}-{data.stem}"), *options],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            peaks.append(float(probe.stdout.strip().splitlines()[-1]))
        print(f"| {name} | {peaks[0]:.0f} MiB | {peaks[1]:.0f} MiB | {peaks[1] / peaks[0]:.2f} |")


def peak_of(code: str, data: str, output: str, options: list[str]) -> None:
    """Runs one fused epoch in a child and prints the child's peak RSS in MiB."""
    args = [sys.executable, "-c", code, "run", "fusion", "--data", data, "--output", output,
            "--epochs", "1", "--bootstrap", "0", *options]  # fmt: skip
    subprocess.run(
        args, check=True, capture_output=True, env=os.environ | {"PYTHONPATH": str(ROOT)}
    )
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--peak-of":
        peak_of(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=4)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        throughput(Path(folder), args.repeats, args.epochs)
        memory(Path(folder), args.scale)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
