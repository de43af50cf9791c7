"""The default genomics model against a logistic regression on one-hot bases, over seeds.

For each sample and seed, trains the task's default model with default options (as
``pmtk run genomics --data SAMPLE --seed SEED`` does, through ``pmtk.core.loop.training.train``)
and fits scikit-learn's ``LogisticRegression`` on the flattened one-hot bases of the same
training split (the sequences padded to the run's length; ``C`` chosen by log loss on the
validation split from 0.001-10). Prints test accuracy and AUROC (macro AUROC for more than
two classes) per seed, then the median and minimum over seeds.

Usage::

    .venv/bin/python scripts/genomics_seeds.py                 # both samples, seeds 0-4
    .venv/bin/python scripts/genomics_seeds.py --sample splice --seeds 0 1 --epochs 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "genomics": ROOT / "sample_data" / "genomics",
    "splice": ROOT / "sample_data" / "genomics_splice" / "splice.fa",
}
STRENGTHS = (0.001, 0.01, 0.1, 1.0, 10.0)


def _options(task: Any, data: Path, seed: int, output: Path | None, extra: dict) -> dict:
    """Every option at its default, as the CLI resolves them, with data, seed and output set."""
    from pmtk.core.host.options import all_options

    options = {option.name: option.default for option in all_options(task)}
    options.update(model=task.default_model, data=data, seed=seed, output=output, **extra)
    return options


def _auroc_name(metrics: dict) -> str:
    return "macro_auroc" if "macro_auroc" in metrics else "auroc"


def run_model(host: Any, data: Path, seed: int, extra: dict) -> dict[str, float]:
    """Test accuracy and AUROC of the default model trained with ``seed``."""
    from pmtk.core.loop.training import train

    task = host.registry.task("genomics")
    with tempfile.TemporaryDirectory() as folder:
        options = _options(task, data, seed, Path(folder) / "run", extra)
        with contextlib.redirect_stdout(sys.stderr):  # Keras logs epochs on stdout
            run_dir = train(task, options, host)
        test = json.loads((run_dir / "metrics.json").read_text())["test"]
    return {"accuracy": test["accuracy"], "auroc": test[_auroc_name(test)]}


def run_logistic(host: Any, data: Path, seed: int) -> dict[str, float]:
    """Test accuracy and AUROC of a logistic regression on the one-hot bases, same splits."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

    from pmtk.core.contract.task import RunContext
    from pmtk.core.loop.source import ExampleSource
    from pmtk.plugins.genomics.encoding import one_hot, pack

    task = host.registry.task("genomics")
    context = RunContext("genomics", _options(task, data, seed, None, {}), host.registry)
    source = ExampleSource(task, context)
    length = source.derived["sequence_length"]
    x, y = {}, {}
    for name in ("train", "val", "test"):
        split = source.split_data(name)
        examples, y[name] = split.examples, split.targets
        x[name] = one_hot(pack(examples["sequence"].tolist(), length)).reshape(len(examples), -1)
    fits = [LogisticRegression(C=c, max_iter=5000).fit(x["train"], y["train"]) for c in STRENGTHS]
    best = min(
        fits, key=lambda fit: log_loss(y["val"], fit.predict_proba(x["val"]), labels=fit.classes_)
    )
    scores = best.predict_proba(x["test"])
    binary = scores.shape[1] == 2
    auroc = roc_auc_score(y["test"], scores[:, 1] if binary else scores, multi_class="ovr")
    return {"accuracy": accuracy_score(y["test"], scores.argmax(axis=1)), "auroc": auroc}


def summary(rows: list[dict]) -> str:
    """Median and minimum over seeds per sample and model, as a Markdown table."""
    lines = [
        "| sample | model | accuracy median | accuracy min | AUROC median | AUROC min |",
        "|---|---|---|---|---|---|",
    ]
    for sample in dict.fromkeys(row["sample"] for row in rows):
        for model in dict.fromkeys(row["model"] for row in rows):
            chosen = [row for row in rows if row["sample"] == sample and row["model"] == model]
            accuracy = [row["accuracy"] for row in chosen]
            auroc = [row["auroc"] for row in chosen]
            lines.append(
                f"| {sample} | {model} | {np.median(accuracy):.3f} | {min(accuracy):.3f} "
                f"| {np.median(auroc):.3f} | {min(auroc):.3f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", nargs="+", choices=sorted(SAMPLES), default=list(SAMPLES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, help="Override the default number of epochs.")
    arguments = parser.parse_args()
    extra = {} if arguments.epochs is None else {"epochs": arguments.epochs}

    from pmtk.core.host.plugins import PluginHost

    host = PluginHost(entry_points=False)
    default = host.registry.task("genomics").default_model
    rows = []
    for sample in arguments.sample:
        for seed in arguments.seeds:
            data = SAMPLES[sample]
            for model, result in (
                ("logistic regression", run_logistic(host, data, seed)),
                (f"{default} (default)", run_model(host, data, seed, extra)),
            ):
                rows.append({"sample": sample, "model": model, "seed": seed, **result})
                print(
                    f"{sample} seed {seed} {model}: accuracy {result['accuracy']:.3f}, "
                    f"AUROC {result['auroc']:.3f}",
                    file=sys.stderr,
                    flush=True,
                )
    print(summary(rows))


if __name__ == "__main__":
    main()
