"""Scoring a trained run: the model and its baseline on every split, in bounded memory.

Every validation and test row is scored part by part (one float or a few per row are held);
the training split is scored on :meth:`ExampleSource.split_data`'s rows (every row of data
read whole, a bounded uniform sample of data read in parts: its metrics are diagnostics, and
scoring every training row would cost most of the time after training). The baseline fits
on the training and validation rows :meth:`ExampleSource.split_data` gives and scores the
validation and test rows part by part. ``predictions.csv`` is written part by part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.batching import batches
from pmtk.core.data.splits import SPLITS
from pmtk.core.evaluation.baseline import BaselineFit, fit_baseline

if TYPE_CHECKING:
    from pathlib import Path

    import keras

    from pmtk.core.contract.context import SplitData
    from pmtk.core.contract.task import RunContext, Task
    from pmtk.core.loop.source import ExampleSource


def score_splits(
    model: keras.Model, source: ExampleSource, splits: dict[str, SplitData], batch_size: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The model's scores and the encoded targets they are judged against, per split.

    Returns:
        ``(truth, scores)``: per split name, the targets and scores of every validation and
        test row, and of the training rows of ``splits["train"]``.
    """
    truth: dict[str, list] = {"val": [], "test": []}
    scores: dict[str, list] = {"val": [], "test": []}
    for name, _, targets, dataset in source.parts(("val", "test")):
        scores[name].append(model.predict(batches(dataset, batch_size), verbose=0))
        truth[name].append(targets)
    train = splits["train"]
    scores["train"] = [model.predict(batches(train.dataset, batch_size), verbose=0)]
    truth["train"] = [train.targets]
    return (
        {name: np.concatenate(truth[name]) for name in SPLITS},
        {name: np.concatenate(scores[name]) for name in SPLITS},
    )


def write_predictions(
    task: Task, context: RunContext, source: ExampleSource, scores: np.ndarray, path: Path
) -> None:
    """``predictions.csv`` of the test split, one part of rows at a time."""
    offset = 0
    with open(path, "w", newline="") as handle:
        for _, examples, _, _ in source.parts(("test",)):
            part = scores[offset : offset + len(examples)]
            frame = task.prediction_frame(examples, part, context.targets, examples.get("label"))
            frame.to_csv(handle, index=False, header=offset == 0)
            offset += len(examples)


def baseline_inputs(
    task: Task, context: RunContext, splits: dict[str, SplitData]
) -> dict[str, Any] | None:
    """The task's baseline features of the training and validation rows of ``splits``;
    None when the task has no baseline or a split has no rows."""
    features = {}
    for name in ("train", "val"):
        split = splits[name]
        if not len(split.examples):
            return None
        features[name] = task.baseline_features(split.examples, split.dataset, context)
        if features[name] is None:
            return None
    return features


def fit_and_score_baseline(
    task: Task, context: RunContext, source: ExampleSource, splits: dict[str, SplitData]
) -> BaselineFit | None:
    """The run's baseline: fitted on ``splits``' training rows, its strength chosen on their
    validation rows, and every validation and test row scored part by part."""
    kind = context.targets.kind
    features = baseline_inputs(task, context, splits)
    if features is None:
        return None
    truth = {name: splits[name].targets for name in ("train", "val")}
    baseline = fit_baseline(kind, features, truth, seed=context.options.seed, score=())
    score_rest(task, context, source, lambda x: baseline.score(kind, x), baseline.scores)
    return baseline


def score_rest(task: Task, context: RunContext, source: ExampleSource, score, scores) -> None:
    """Adds ``score(features)`` of every validation and test row, part by part, to
    ``scores`` (a baseline's scores per split)."""
    found: dict[str, list] = {"val": [], "test": []}
    for name, examples, _, dataset in source.parts(("val", "test")):
        found[name].append(score(task.baseline_features(examples, dataset, context)))
    for name, values in found.items():
        scores[name] = np.concatenate(values)
