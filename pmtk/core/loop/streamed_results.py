"""A streamed run's predictions and evaluation, in memory bounded by the batch, not the table.

Scores and encoded targets of the validation and test rows are held (a float or two per
row), and of a bounded sample of the training rows; examples tables never are.
``predictions.csv`` is written chunk by chunk; the baseline fits on a bounded sample
(``pmtk.core.evaluation.baseline.BASELINE_ROWS``) and scores the other rows chunk by chunk; the
intervals come from the same bootstrap as the in-memory path (its resamples are batched to
a fixed number of cells); the task's ``finish`` sees a bounded sample of the test split.

A survival target's held arrays are ``(time, event)`` pairs and one risk score per row. Its
Breslow baseline hazard comes from the training sample's scores (the estimator's numerator,
events, and denominator, the risk set's summed ``exp(eta)``, both shrink by the sampling
fraction under uniform sampling, so their ratio does not); its Cox baseline (lifelines) fits
on that sample; C-index, time-dependent AUROC and integrated Brier score use every
validation and test row.

A task whose input is its own target (``Targets.pairs_input_with_itself``: the autoencoder)
has no scores, predictions or baseline here, as on the in-memory path: its ``finish``
evaluates the run, and gets each split as a :class:`StreamedSplit` to stream it again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.task import SplitData
from pmtk.core.data.splits import SPLITS
from pmtk.core.evaluation import split_metrics as evaluation
from pmtk.core.evaluation.baseline import fit_baseline

#: Rows per prediction batch of the training sample (inference scores do not depend on it).
PREDICT_ROWS = 8192

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.task import RunContext, Task
    from pmtk.core.loop.streamed import StreamedExamples


@dataclass
class StreamedSplit(SplitData):
    """A split of a streamed run as ``Task.finish`` sees it when the input is its own target.

    Attributes:
        streamed: The streamed examples, to read the split again batch by batch.
        name: The split's name.
    """

    streamed: Any = None
    name: str = ""


def split_data(streamed: StreamedExamples, name: str, context: RunContext) -> SplitData:
    """A split as the loop trains on it: no examples table, no targets, a streamed dataset."""
    import pandas as pd

    return SplitData(pd.DataFrame(), None, streamed.dataset(name, context))


def score_splits(
    task: Task,
    model: keras.Model,
    splits: dict[str, SplitData],
    streamed: StreamedExamples,
    context: RunContext,
) -> tuple[dict[str, SplitData], dict[str, np.ndarray]]:
    """Encoded targets and scores: every validation and test row, in one pass over the
    table, and the training split's bounded sample (its metrics are diagnostics; scoring
    every training row would cost most of the time and memory after training).

    Returns:
        The splits with ``targets`` filled in (the test split's ``examples`` hold its
        ``group`` codes when grouped), and the scores per split.
    """
    import pandas as pd

    from pmtk.core.data.batching import batches

    if context.targets.pairs_input_with_itself:  # no scores: finish() evaluates the run
        return splits, {name: np.empty((0,)) for name in SPLITS}
    outputs: dict[str, list] = {"val": [], "test": []}
    truth: dict[str, list] = {"val": [], "test": []}
    for inputs, targets, split in streamed.batches(context):
        keep = split != "train"
        if keep.any():
            scores = np.asarray(model.predict_on_batch(_rows(inputs, keep)))
            for name in outputs:
                outputs[name].append(scores[split[keep] == name])
                truth[name].append(targets[split == name])
    examples, targets = streamed.sample("train")
    dataset = batches(task.dataset(examples, None, context), PREDICT_ROWS)
    outputs["train"], truth["train"] = [model.predict(dataset, verbose=0)], [targets]
    scored, scores = {}, {}
    for name in SPLITS:
        scores[name] = np.concatenate(outputs.pop(name))
        examples = pd.DataFrame()
        groups = streamed.test_groups() if name == "test" else None
        if groups is not None:
            examples = pd.DataFrame({"group": groups})
        values = np.concatenate(truth.pop(name))
        scored[name] = replace(splits[name], examples=examples, targets=values)
    return scored, scores


def _rows(inputs, keep: np.ndarray):
    if isinstance(inputs, dict):
        return {key: value[keep] for key, value in inputs.items()}
    return inputs[keep]


def write_predictions(
    task: Task, context: RunContext, streamed: StreamedExamples, scores: np.ndarray, path
) -> None:
    """``predictions.csv`` of the test split, written one chunk of rows at a time (none when
    the input is its own target: the task's ``finish`` writes its outputs)."""
    if context.targets.pairs_input_with_itself:
        return
    offset = 0
    with open(path, "w", newline="") as handle:
        for examples, _ in streamed.chunks("test", context):
            part = scores[offset : offset + len(examples)]
            frame = task.prediction_frame(examples, part, context.targets, examples["label"])
            frame.to_csv(handle, index=False, header=offset == 0)
            offset += len(examples)


def evaluate_streamed(
    task: Task,
    context: RunContext,
    streamed: StreamedExamples,
    splits: dict[str, SplitData],
    scores: dict[str, np.ndarray],
):
    """Metrics, the baseline (fitted on a bounded sample) and the paired intervals.

    Returns:
        ``(results, baseline)`` as the in-memory ``_evaluate`` gives them.
    """
    kind = context.targets.kind
    if context.targets.pairs_input_with_itself:  # the task's finish() compares with its own
        return {}, None
    if kind == "survival":
        return _evaluate_survival(task, context, streamed, splits, scores)
    truth = {name: splits[name].targets for name in SPLITS}
    baseline = _baseline(task, context, streamed, kind)
    if baseline is not None:
        for name in ("val", "test"):
            chunks = _features(task, context, streamed, name)
            baseline.scores[name] = np.concatenate([baseline.score(kind, x) for x in chunks])
    evaluated = evaluation.evaluate_splits(
        kind,
        truth,
        scores,
        baseline,
        groups=splits["test"].examples.get("group"),
        resamples=context.options.bootstrap,
        seed=context.options["seed"],
        baseline_inputs=task.baseline_inputs,
    )
    return evaluated, baseline


def _baseline(task: Task, context: RunContext, streamed: StreamedExamples, kind: str):
    features, targets = {}, {}
    for name in ("train", "val"):
        examples, targets[name] = streamed.sample(name)
        dataset = task.dataset(examples, None, context)
        features[name] = task.baseline_features(examples, dataset, context)
        if features[name] is None or len(examples) == 0:
            return None
    return fit_baseline(kind, features, targets, seed=context.options["seed"], score=())


def _evaluate_survival(task, context, streamed, splits, scores):
    """A survival run's metrics (``survival_evaluation.survival_metrics``) with its Cox
    baseline fitted on the training split's bounded sample, the penaliser chosen on the
    validation split's, and every validation and test row scored chunk by chunk."""
    from pmtk.core.evaluation.survival_metrics import fit_cox_baseline, survival_metrics

    features, samples = {}, {}
    for name in ("train", "val"):
        examples, targets = streamed.sample(name)
        dataset = task.dataset(examples, None, context)
        features[name] = task.baseline_features(examples, dataset, context)
        samples[name] = SplitData(examples, targets, None)
        if features[name] is None or len(examples) == 0:
            return survival_metrics(task, context, splits, scores, None)
    baseline = fit_cox_baseline(features, samples)  # scores the two samples
    for name in ("val", "test"):
        chunks = _features(task, context, streamed, name)
        baseline.scores[name] = np.concatenate([baseline.estimator.risk(x) for x in chunks])
    return survival_metrics(task, context, splits, scores, baseline)


def _features(task: Task, context: RunContext, streamed: StreamedExamples, name: str):
    for examples, _ in streamed.chunks(name, context):
        yield task.baseline_features(examples, task.dataset(examples, None, context), context)


def finish_splits(streamed: StreamedExamples, splits: dict[str, SplitData]) -> dict:
    """The splits ``Task.finish`` sees: the test split is its bounded sample, with a dataset;
    when the input is its own target, every split is a :class:`StreamedSplit` instead."""
    if streamed.targets.pairs_input_with_itself:
        return {
            name: StreamedSplit(split.examples, None, split.dataset, streamed, name)
            for name, split in splits.items()
        }
    examples, targets = streamed.sample("test")
    return splits | {"test": SplitData(examples, targets, None)}
