"""What a trained run writes: predictions, an honest evaluation, the model and its config."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

from pmtk.core.data.batching import batches
from pmtk.core.data.splits import SPLITS
from pmtk.core.evaluation import split_metrics as evaluation
from pmtk.core.evaluation.baseline import BaselineFit, fit_baseline
from pmtk.core.run.rundir import write_json

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.task import RunContext, Task
    from pmtk.core.host.plugins import PluginHost
    from pmtk.core.loop.examples import PreparedExamples

_PACKAGES = ("tensorflow", "keras", "numpy", "pandas", "scikit-learn", "scipy",
             "opencv-python-headless", "pydicom", "biopython", "pluggy", "typer",
             "lifelines")  # fmt: skip


def write_outputs(
    task: Task,
    context: RunContext,
    prepared: PreparedExamples,
    splits: dict[str, Any],
    model: keras.Model,
    host: PluginHost,
    loop: dict[str, Any] | None = None,
) -> list[str]:
    """Evaluates the trained model and writes every file of the run directory.

    Args:
        task: The task.
        context: The (read-only) run context, ``run_dir`` set.
        prepared: The examples, split and encoded.
        splits: Per split name, its ``SplitData``.
        model: The trained model.
        host: The plugin host (for ``config.json``'s plugin list).
        loop: The loop's bookkeeping so far (class weights, workers); this function adds the
            calibration temperature and the survival baseline hazard, and writes it as
            ``config.json``'s ``"loop"`` section.

    Returns:
        The warnings the run must print (see :func:`evaluation.run_warnings`).
    """
    from pmtk.core.loop.streamed import StreamedExamples

    run_dir, targets = context.run_dir, prepared.targets
    loop = {} if loop is None else loop
    results: dict[str, Any] = {"task": task.name}
    streamed = isinstance(prepared, StreamedExamples)
    if streamed:
        from pmtk.core.loop import streamed_results as stream

        splits, scores = stream.score_splits(task, model, splits, prepared, context)
        model, scores, before = _calibrate(model, context, splits, scores, loop)
        if targets.kind == "survival":  # Breslow on the training sample: see streamed_results
            from pmtk.core.evaluation.survival_metrics import store_baseline_hazard

            loop["survival"] = store_baseline_hazard(context, splits, scores)
        stream.write_predictions(task, context, prepared, scores["test"],
                                 run_dir / "predictions.csv")  # fmt: skip
        evaluated, baseline = stream.evaluate_streamed(task, context, prepared, splits, scores)
        results |= evaluated
        results |= _clinical(context, prepared, splits, scores, baseline, before, loop)
    elif not targets.pairs_input_with_itself:  # else the task's finish() evaluates the run
        scores = {
            name: model.predict(
                batches(splits[name].dataset, context.options["batch_size"]), verbose=0
            )  # fmt: skip
            for name in SPLITS
        }
        model, scores, before = _calibrate(model, context, splits, scores, loop)
        if targets.kind == "survival":  # risk scores -> survival probabilities (Breslow)
            from pmtk.core.evaluation.survival_metrics import store_baseline_hazard

            loop["survival"] = store_baseline_hazard(context, splits, scores)
        test = splits["test"]
        labels = test.examples["label"]
        frame = task.prediction_frame(test.examples, scores["test"], targets, labels)
        frame.to_csv(run_dir / "predictions.csv", index=False)
        evaluated, baseline = _evaluate(task, context, splits, scores, loop)
        results |= evaluated
        results |= _clinical(context, prepared, splits, scores, baseline, before, loop)
    if not targets.pairs_input_with_itself:  # a streamed run's train metrics use a sample
        results["evaluated_rows"] = {name: len(splits[name].targets) for name in SPLITS}
    # A streamed run's task sees a bounded sample of the test split.
    seen = stream.finish_splits(prepared, splits) if streamed else splits
    finished = dict(task.finish(model, context, seen) or {})
    learned = finished.pop("derived", None) or {}  # what finish() learned, for config.json
    for name, extra in finished.items():
        results.setdefault(name, {}).update(extra)
    results = evaluation.nest_baseline(results)
    results["n"] = prepared.counts()
    if targets.positive_class is not None:
        results["positive_class"] = targets.positive_class
    test_truth = splits["test"].targets  # None when the input is its own target
    results["warnings"] = evaluation.run_warnings(targets.kind, results, test_truth)
    model.save(run_dir / "model.keras")
    write_json(run_dir / "config.json", _config(task, context, prepared, host, loop, learned))
    write_json(run_dir / "metrics.json", results)
    from pmtk.core.report import write_report

    write_report(run_dir)
    return results["warnings"]


def _calibrate(
    model: keras.Model, context: RunContext, splits: dict[str, Any], scores: dict, loop: dict
) -> tuple[keras.Model, dict, Any]:
    """With ``--calibrate``, temperature scaling fitted on val, applied to every split.

    Returns:
        The model to save (with the scaling inside), the scores to report, and the
        test scores before scaling (None when nothing was calibrated).
    """
    from pmtk.core.evaluation import calibration

    kind = context.targets.kind
    if not context.options.calibrate or kind not in ("binary", "multiclass"):
        return model, scores, None
    temperature = calibration.fit_temperature(kind, splits["val"].targets, scores["val"])
    loop["temperature"] = temperature
    calibrated = {
        name: calibration.apply_temperature(kind, values, temperature)
        for name, values in scores.items()
    }
    return calibration.calibrated_model(model, kind, temperature), calibrated, scores["test"]


def _clinical(context, prepared, splits, scores, baseline, before, loop) -> dict[str, Any]:
    """Calibration, curves, decision curve, operating point and subgroups for metrics.json."""
    from pmtk.core.evaluation.clinical import Scored, clinical_results
    from pmtk.core.evaluation.subgroups import subgroup_values
    from pmtk.core.loop.streamed import StreamedExamples

    targets, options = prepared.targets, context.options
    streamed = isinstance(prepared, StreamedExamples)
    values = None
    column = options.subgroup_column
    if column and streamed:  # collected by the statistics pass, one code per test row
        values = prepared.test_subgroups(column)
        if values is None:
            print(f"Note: --subgroup-column {column} is not measured on a table this task "
                  "streams; metrics.json has no subgroups.", file=sys.stderr)  # fmt: skip
    elif column:
        every = subgroup_values(prepared.examples, column, prepared.data_path)
        values = every[prepared.split == "test"]
    if targets.kind == "survival":
        from pmtk.core.evaluation.survival_clinical import survival_results

        truth = {name: splits[name].targets for name in SPLITS}
        found = survival_results(truth, scores, loop["survival"], resamples=options.bootstrap,
                                 seed=options.seed, subgroup_column=column,
                                 groups=splits["test"].examples.get("group"),
                                 subgroup_values=values)  # fmt: skip
        counts = prepared.event_counts() if streamed else None
        if counts is not None:  # every row's, not the training sample's
            found["class_counts"] = counts
        return found
    scored = Scored(
        kind=targets.kind,
        truth={name: splits[name].targets for name in SPLITS},
        scores=scores,
        class_names=list(targets.class_names),
        baseline=None if baseline is None else baseline.scores["test"],
        before=before,
        temperature=loop.get("temperature"),
        groups=splits["test"].examples.get("group"),
        subgroup_values=values,
    )
    return clinical_results(
        scored,
        resamples=options.bootstrap,
        seed=options.seed,
        target_sensitivity=options.target_sensitivity,
        subgroup_column=column,
    )


def _evaluate(
    task: Task, context: RunContext, splits: dict[str, Any], scores: dict, loop: dict
) -> tuple[dict, BaselineFit | None]:
    kind = context.targets.kind
    if kind == "survival":  # Cox baseline, C-index, time-dependent AUROC, Brier score
        from pmtk.core.evaluation.survival_metrics import evaluate_survival

        return evaluate_survival(task, context, splits, scores, loop["survival"])
    truth = {name: splits[name].targets for name in SPLITS}
    features = {
        name: task.baseline_features(splits[name].examples, splits[name].dataset, context)
        for name in SPLITS
    }
    baseline = None
    if all(value is not None for value in features.values()):
        baseline = fit_baseline(kind, features, truth, seed=context.options["seed"])
    test_examples = splits["test"].examples
    evaluated = evaluation.evaluate_splits(
        kind,
        truth,
        scores,
        baseline,
        groups=test_examples.get("group"),
        resamples=context.options.bootstrap,
        seed=context.options["seed"],
        baseline_inputs=task.baseline_inputs,
    )
    return evaluated, baseline


def _config(task, context, prepared, host, loop, learned) -> dict[str, Any]:
    options = dict(context.options)
    derived = dict(context.derived) | dict(learned)
    # Deprecated copy, for one release: the loop's keys were stored in "derived" before.
    legacy = {key: value for key, value in loop.items() if key not in derived}
    options["data"] = str(prepared.data_path.resolve())
    return {
        "task": task.name,
        "options": options,
        "seed": options["seed"],
        "target": {
            "kind": prepared.targets.kind,
            "class_names": prepared.targets.class_names,
            "positive_class": prepared.targets.positive_class,
        },
        "derived": derived | legacy,
        "loop": loop,
        "data_hash": prepared.data_hash,
        "n": prepared.counts(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": sys.argv,
        "versions": {"pmtk": _version("pmtk")} | {p: _version(p) for p in _PACKAGES},
        "plugins": {
            r.name: {"distribution": r.distribution, "version": r.version, "status": r.status}
            | ({"errors": list(r.errors)} if r.errors else {})
            for r in host.records.values()
        },
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
