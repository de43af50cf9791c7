"""A finished run directory built without training: real clinical evaluation of synthetic scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pmtk.core.evaluation.clinical import Scored, clinical_results
from pmtk.core.evaluation.metrics import evaluate


def write_fake_run(folder: Path, kind: str = "binary", seed: int = 0, model: str = "mlp") -> Path:
    """Writes config.json, metrics.json and history.csv of a plausible run (no model.keras)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    classes = ["no", "yes"] if kind == "binary" else ["a", "b", "c"]
    truth, scores = {}, {}
    for split, count in (("train", 120), ("val", 60), ("test", 80)):
        truth[split] = rng.integers(0, len(classes), count)
        if kind == "binary":
            scores[split] = np.clip(0.3 + 0.4 * truth[split] + rng.normal(0, 0.2, count), 0, 1)
        else:
            raw = np.eye(len(classes))[truth[split]] * 2 + rng.normal(0, 1, (count, len(classes)))
            scores[split] = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    options = {"bootstrap": 100, "seed": 1, "target_sensitivity": 0.9, "model": model,
               "subgroup_column": "sex", "output": str(folder)}  # fmt: skip
    scored = Scored(kind, truth, scores, classes, baseline=scores["test"] * 0.9 + 0.05,
                    subgroup_values=np.array(["F", "M"] * 40))  # fmt: skip
    metrics = {"task": "risk"} | {s: evaluate(kind, truth[s], scores[s]) for s in truth}
    metrics |= clinical_results(scored, resamples=100, seed=1, target_sensitivity=0.9,
                                subgroup_column="sex")  # fmt: skip
    metrics |= {"n": {s: len(v) for s, v in truth.items()}, "warnings": ["test auroc is low."]}
    config = {"task": "risk", "options": options, "target": {"kind": kind, "class_names": classes},
              "data_hash": "sha256:abc", "versions": {"pmtk": "0.1.0"}}  # fmt: skip
    (folder / "metrics.json").write_text(json.dumps(metrics))
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "history.csv").write_text("epoch,loss,val_loss\n0,0.7,0.69\n1,0.6,0.62\n2,0.5,0.58\n")
    return folder


@pytest.fixture
def fake_run(tmp_path: Path) -> Path:
    """A binary run directory with every clinical section."""
    return write_fake_run(tmp_path / "run-a")
