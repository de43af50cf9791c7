"""What a trained run writes: predictions, an honest evaluation, the model and its config.

The same steps for data of every size (:mod:`pmtk.core.loop.scoring` scores in parts):
scores, calibration, the survival baseline hazard, ``predictions.csv``, metrics with the
baseline and intervals, the clinical views, the task's ``finish``, then ``model.keras``,
``config.json``, ``metrics.json`` and the report.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

from pmtk.core.data.splits import SPLITS
from pmtk.core.evaluation import split_metrics as evaluation
from pmtk.core.loop import scoring
from pmtk.core.run.rundir import write_json

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.context import SplitData
    from pmtk.core.contract.task import RunContext, Task
    from pmtk.core.evaluation.baseline import BaselineFit
    from pmtk.core.host.plugins import PluginHost
    from pmtk.core.loop.source import ExampleSource

_PACKAGES = ("tensorflow", "keras", "numpy", "pandas", "scikit-learn", "scipy",
             "opencv-python-headless", "pydicom", "biopython", "pluggy", "typer",
             "lifelines")  # fmt: skip


def write_outputs(
    task: Task,
    context: RunContext,
    source: ExampleSource,
    model: keras.Model,
    host: PluginHost,
    loop: dict[str, Any] | None = None,
) -> list[str]:
    """Evaluates the trained model and writes every file of the run directory.

    Args:
        task: The task.
        context: The (read-only) run context, ``run_dir`` set.
        source: The run's examples.
        model: The trained model.
        host: The plugin host (for ``config.json``'s plugin list).
        loop: The loop's bookkeeping so far (class weights, workers); this function adds the
            calibration temperature and the survival baseline hazard, and writes it as
            ``config.json``'s ``"loop"`` section.

    Returns:
        The warnings the run must print (see :func:`evaluation.run_warnings`).
    """
    run_dir, targets = context.run_dir, source.targets
    loop = {} if loop is None else loop
    results: dict[str, Any] = {"task": task.name}
    splits = {name: source.split_data(name) for name in SPLITS}
    judged = splits
    if not targets.pairs_input_with_itself:  # else the task's finish() evaluates the run
        truth, scores = scoring.score_splits(model, source, splits, context.options.batch_size)
        judged = _judged(source, splits, truth)
        model, scores, before = _calibrate(model, context, judged, scores, loop)
        if targets.kind == "survival":  # risk scores -> survival probabilities (Breslow)
            from pmtk.core.evaluation.survival_metrics import store_baseline_hazard

            loop["survival"] = store_baseline_hazard(context, judged, scores)
        scoring.write_predictions(task, context, source, scores["test"],
                                  run_dir / "predictions.csv")  # fmt: skip
        evaluated, baseline = _evaluate(task, context, source, splits, judged, scores, loop)
        results |= evaluated
        results |= _clinical(context, source, judged, scores, baseline, before, loop)
        results["evaluated_rows"] = {name: len(truth[name]) for name in SPLITS}
    finished = dict(task.finish(model, context, splits) or {})
    learned = finished.pop("derived", None) or {}  # what finish() learned, for config.json
    for name, extra in finished.items():
        results.setdefault(name, {}).update(extra)
    results = evaluation.nest_baseline(results)
    results["n"] = source.counts()
    if targets.positive_class is not None:
        results["positive_class"] = targets.positive_class
    test_truth = judged["test"].targets  # None when the input is its own target
    results["warnings"] = evaluation.run_warnings(targets.kind, results, test_truth)
    model.save(run_dir / "model.keras")
    write_json(run_dir / "config.json", _config(task, context, source, host, loop, learned))
    write_json(run_dir / "metrics.json", results)
    from pmtk.core.report import write_report

    write_report(run_dir)
    return results["warnings"]


def _judged(source: ExampleSource, splits: dict[str, SplitData], truth: dict) -> dict:
    """The splits as the metrics judge them: every scored row's targets, and the test
    split's groups (for intervals over patients)."""
    import pandas as pd

    groups = source.test_groups()
    test = pd.DataFrame() if groups is None else pd.DataFrame({"group": groups})
    return {
        name: replace(splits[name], targets=truth[name],
                      examples=test if name == "test" else splits[name].examples)
        for name in SPLITS
    }  # fmt: skip


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


def _clinical(context, source, judged, scores, baseline, before, loop) -> dict[str, Any]:
    """Calibration, curves, decision curve, operating point and subgroups for metrics.json."""
    from pmtk.core.evaluation.clinical import Scored, clinical_results

    targets, options = source.targets, context.options
    column = options.subgroup_column
    values = source.test_subgroups(column) if column else None
    groups = judged["test"].examples.get("group")
    truth = {name: judged[name].targets for name in SPLITS}
    if targets.kind == "survival":
        from pmtk.core.evaluation.survival_clinical import survival_results

        found = survival_results(truth, scores, loop["survival"], resamples=options.bootstrap,
                                 seed=options.seed, subgroup_column=column, groups=groups,
                                 subgroup_values=values)  # fmt: skip
        found["class_counts"] = source.event_counts()
        return found
    scored = Scored(
        kind=targets.kind,
        truth=truth,
        scores=scores,
        class_names=list(targets.class_names),
        baseline=None if baseline is None else baseline.scores["test"],
        before=before,
        temperature=loop.get("temperature"),
        groups=groups,
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
    task: Task,
    context: RunContext,
    source: ExampleSource,
    splits: dict[str, SplitData],
    judged: dict[str, SplitData],
    scores: dict,
    loop: dict,
) -> tuple[dict, BaselineFit | None]:
    """Metrics per split, the baseline and the paired intervals."""
    kind = context.targets.kind
    if kind == "survival":  # Cox baseline, C-index, time-dependent AUROC, Brier score
        from pmtk.core.evaluation.survival_metrics import fit_cox_baseline, survival_metrics

        baseline, features = None, scoring.baseline_inputs(task, context, splits)
        if features is not None:
            baseline = fit_cox_baseline(features, splits)
            scoring.score_rest(task, context, source, baseline.estimator.risk, baseline.scores)
        return survival_metrics(task, context, judged, scores, baseline, loop["survival"])
    baseline = scoring.fit_and_score_baseline(task, context, source, splits)
    truth = {name: judged[name].targets for name in SPLITS}
    evaluated = evaluation.evaluate_splits(
        kind,
        truth,
        scores,
        baseline,
        groups=judged["test"].examples.get("group"),
        resamples=context.options.bootstrap,
        seed=context.options.seed,
        baseline_inputs=task.baseline_inputs,
    )
    return evaluated, baseline


def _config(task, context, source, host, loop, learned) -> dict[str, Any]:
    options = dict(context.options)
    derived = dict(context.derived) | dict(learned)
    # Deprecated copy, for one release: the loop's keys were stored in "derived" before.
    legacy = {key: value for key, value in loop.items() if key not in derived}
    options["data"] = str(source.data_path.resolve())
    return {
        "task": task.name,
        "options": options,
        "seed": options["seed"],
        "target": {
            "kind": source.targets.kind,
            "class_names": source.targets.class_names,
            "positive_class": source.targets.positive_class,
        },
        "derived": derived | legacy,
        "loop": loop,
        "data_hash": source.data_hash,
        "n": source.counts(),
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
