"""How fast ``pmtk explain`` is: explanations per second per task, and ISM vs saliency.

1. Explanations per second of each task's explainer (``Explainer.explain`` alone: no
   sanity check, no files) on the bundled sample data, with a model trained by
   ``pmtk run TASK --epochs 2`` (speed does not depend on how well a model is trained).
2. Genomics: in-silico mutagenesis vs gradient x input saliency on one sequence of 1 kb
   and of 10 kb, with the default ``danq`` model built at that length (untrained). ISM on
   10 kb scores 30,000 mutants; beyond ``--ism-positions`` (1,000) bases it is timed on
   the first positions and extrapolated linearly (each position costs three forward passes).

Every number is the median of ``--repeats`` runs.
Run: ``.venv/bin/python benchmarks/explain.py [--runs DIR] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmtk.core.runtime.tensorflow_setup import quiet_tensorflow  # noqa: E402

quiet_tensorflow()

from pmtk.core.data.sample_data import sample_data_path  # noqa: E402
from pmtk.core.explaining import ExplainSettings, open_run  # noqa: E402
from pmtk.core.host.plugins import PluginHost  # noqa: E402

#: task -> (methods timed, inputs explained per timing)
CASES = {
    "imaging": (("gradcam++", "gradcam", "occlusion", "smoothgrad"), 64),
    "risk": (("integrated_gradients",), 500),
    "genomics": (("ism", "saliency"), 50),
    "autoencoder": (("reconstruction_error",), 1500),
}


def _median_seconds(repeats: int, function, *arguments) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function(*arguments)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _train(task: str, folder: Path) -> Path:
    run = folder / task
    if not run.exists():
        subprocess.run([sys.executable, "-m", "pmtk", "run", task, "--output", str(run),
                        "--epochs", "2", "--bootstrap", "0"], check=True,
                       stderr=subprocess.DEVNULL)  # fmt: skip
    return run


def per_task(runs: Path, repeats: int, tasks: list[str]) -> None:
    host = PluginHost(entry_points=False)
    print(f"{'task':<12} {'method':<22} {'inputs':>6} {'inputs/s':>10}")
    for task in tasks:
        methods, count = CASES[task]
        run = open_run(_train(task, runs), host)
        explainer = host.registry.explainer(task)
        data = sample_data_path(run.task.sample_data)
        examples = run.task.read(data, run.context, require_labels=False).head(count)
        model = run.load_model()
        batch = int(run.config["options"].get("batch_size", 32))
        for method in methods:
            settings = ExplainSettings(method, batch_size=batch)
            explainer.explain(run, examples.head(2), settings, model)  # warm-up (tracing)
            seconds = _median_seconds(repeats, explainer.explain, run, examples, settings, model)
            print(f"{task:<12} {method:<22} {len(examples):>6} {len(examples) / seconds:>10.1f}")


def _danq(length: int):
    from pmtk.core.contract.task import ModelSpec, RunContext

    host = PluginHost(entry_points=False)
    context = RunContext("genomics", {}, host.registry, {"sequence_length": length})
    builder = host.registry.model_builder("genomics", "danq")
    return builder(ModelSpec((length,), "binary", 2, ["a", "b"], context))


def ism_versus_saliency(repeats: int, ism_positions: int) -> None:
    from pmtk.plugins.genomics.encoding import pack
    from pmtk.plugins.genomics.explain import mutagenesis
    from pmtk.plugins.genomics.explain_saliency import saliency

    rng = np.random.default_rng(0)
    print(f"\n{'length':>7} {'ISM s':>10} {'saliency s':>11} {'ISM / saliency':>15}")
    for length in (1_000, 10_000):
        model = _danq(length)
        packed = pack(["".join(rng.choice(list("ACGT"), length))], length)
        saliency(model, packed)  # warm-up (tracing)
        saliency_seconds = _median_seconds(repeats, saliency, model, packed)
        if length <= ism_positions:
            ism_seconds = _median_seconds(repeats, mutagenesis, model, packed)
            note = ""
        else:  # timed on the first positions; every position costs the same 3 passes
            seconds = _median_seconds(repeats, _ism_positions, model, packed, ism_positions)
            ism_seconds = seconds * length / ism_positions
            note = f" (ISM extrapolated from {ism_positions} positions)"
        print(f"{length:>7} {ism_seconds:>10.1f} {saliency_seconds:>11.3f} "
              f"{ism_seconds / saliency_seconds:>14.0f}x{note}")  # fmt: skip


def _ism_positions(model, packed: np.ndarray, positions: int) -> None:
    """Scores the three substitutions at each of the first ``positions`` bases."""
    from pmtk.plugins.genomics.explain import _BASE_BYTES

    mutants = np.repeat(packed, positions * 3, axis=0)
    row = 0
    for position in range(positions):
        for base in _BASE_BYTES:
            if base != (packed[0, position] & 0xDF):
                mutants[row, position] = base
                row += 1
    model.predict(mutants[:row], batch_size=256, verbose=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, help="folder of runs named by task (made if absent)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tasks", default=",".join(CASES), help="tasks timed (comma-separated)")
    parser.add_argument("--no-ism", action="store_true", help="skip ISM vs saliency")
    parser.add_argument("--ism-positions", type=int, default=1_000)
    arguments = parser.parse_args()
    runs = arguments.runs or Path(tempfile.mkdtemp(prefix="pmtk-explain-bench-"))
    per_task(runs, arguments.repeats, [t for t in arguments.tasks.split(",") if t])
    if not arguments.no_ism:
        ism_versus_saliency(arguments.repeats, arguments.ism_positions)


if __name__ == "__main__":
    main()
