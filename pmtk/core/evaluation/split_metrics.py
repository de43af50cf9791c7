"""A run's honest evaluation: metrics per split, the baseline, 95% intervals and warnings.

The network and its baseline are scored on the same test resamples, so the interval of
their difference is paired. A run whose headline metric could be chance, or that loses
to its baseline, says so.

A test split past ``bootstrap.RESAMPLED_ROWS`` rows is bootstrapped on a seeded subsample
of that many rows (whole groups when grouped, :func:`pmtk.core.evaluation.bootstrap.subsample`), and
each interval is moved to the whole split's estimate with its width scaled by sqrt(m/n):
the m-out-of-n bootstrap (Bickel, Götze and van Zwet, 1997), valid for these
sqrt(n)-consistent metrics. Its time then stays bounded while the split grows; below the
limit the intervals are the plain percentile bootstrap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmtk.core.evaluation import bootstrap, metrics
from pmtk.core.evaluation.baseline import BaselineFit
from pmtk.core.evaluation.resampled import weighted_metrics

#: The metric a run is judged by, per target kind, and its chance level.
HEADLINE = {
    "binary": ("auroc", 0.5),
    "multiclass": ("macro_auroc", 0.5),
    "regression": ("r2", 0.0),
    "reconstruction": ("r2", 0.0),
    "survival": ("c_index", 0.5),
}


def evaluate_splits(
    kind: str,
    truth: dict[str, np.ndarray],
    scores: dict[str, np.ndarray],
    baseline: BaselineFit | None,
    *,
    groups: Any = None,
    resamples: int,
    seed: int,
    baseline_inputs: str = "",
) -> dict[str, Any]:
    """Metrics of every split, plus ``baseline``, ``ci`` and ``versus_baseline`` for test.

    Args:
        kind: ``binary``, ``multiclass`` or ``regression``.
        truth: Per split, encoded targets.
        scores: Per split, the network's outputs.
        baseline: The fitted baseline, or None when the task has none.
        groups: Group (patient) of each test example; groups are resampled whole.
        resamples: Bootstrap resamples (0: no intervals).
        seed: Seed of the resampling.
        baseline_inputs: What the baseline sees, recorded beside its name.

    Returns:
        The parts of ``metrics.json`` this module owns.
    """
    results: dict[str, Any] = {
        name: metrics.evaluate(kind, truth[name], scores[name]) for name in scores
    }
    test_truth, test_scores = truth["test"], scores["test"]
    if baseline is not None:
        results["baseline"] = {
            "model": baseline.model,
            "inputs": baseline_inputs,
            "strength": baseline.strength,
            "val": metrics.evaluate(kind, truth["val"], baseline.scores["val"]),
            "test": metrics.evaluate(kind, test_truth, baseline.scores["test"]),
        }
        if baseline.train_rows is not None:  # a sample when the training split is large
            results["baseline"]["train_rows"] = baseline.train_rows

    def statistic_of(rows: Any) -> bootstrap.Statistic:
        truth, scores = test_truth[rows], test_scores[rows]
        other = None if baseline is None else baseline.scores["test"][rows]

        def statistic(weights: np.ndarray) -> dict[str, np.ndarray]:
            values = weighted_metrics(kind, truth, scores, weights)
            if other is None:
                return values
            more = weighted_metrics(kind, truth, other, weights)
            return values | {f"baseline:{k}": v for k, v in more.items()}

        return statistic

    results.update(
        paired_intervals(statistic_of(slice(None)), test_truth, groups, resamples, seed, kind,
                         statistic_of=statistic_of)
    )  # fmt: skip
    return results


def paired_intervals(
    statistic: bootstrap.Statistic,
    truth: np.ndarray,
    groups: Any,
    resamples: int,
    seed: int,
    kind: str,
    *,
    statistic_of: Any = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """``ci``, ``baseline.ci`` and ``versus_baseline`` from a statistic of model and baseline.

    ``statistic`` returns the model's metrics under their names and the baseline's
    under ``baseline:<name>`` (see :data:`bootstrap.Statistic`); the difference is model
    minus baseline on each resample, and its point estimate on the whole split.
    ``statistic_of(rows)``, the same statistic of some rows, keeps the time bounded past
    ``bootstrap.RESAMPLED_ROWS`` rows, or ``limit`` (:func:`bootstrap.split_intervals`);
    without it every row is resampled.

    Returns:
        ``{"ci": {"test": ...}, "baseline_ci": {"test": ...}, "versus_baseline": ...}``;
        the intervals are ``None`` when the test split is too small to resample.
    """
    whole = np.ones((1, len(truth)))
    everything = list(statistic(whole))
    names = [n for n in everything if not n.startswith("baseline:")]
    paired = len(names) < len(everything)
    too_small = too_small_to_resample(kind, truth)
    if resamples == 0 or too_small:
        empty = dict.fromkeys(names)
        out: dict[str, Any] = {"ci": {"test": empty}}
        if paired:
            out["baseline_ci"] = {"test": dict(empty)}
            out["versus_baseline"] = {"test": {n: {"difference": None, "ci": None} for n in names}}
        return out

    def with_differences(of: bootstrap.Statistic) -> bootstrap.Statistic:
        def values_of(weights: np.ndarray) -> dict[str, np.ndarray]:
            values = of(weights)
            for name in names if paired else ():
                values[f"difference:{name}"] = values[name] - values[f"baseline:{name}"]
            return values

        return values_of

    if statistic_of is None:
        units = bootstrap.resampling_units(len(truth), groups)
        bounds = bootstrap.intervals(with_differences(statistic), units, resamples, seed)
    else:
        bounds = bootstrap.split_intervals(
            lambda rows: with_differences(statistic_of(rows)),
            len(truth),
            groups,
            resamples,
            seed,
            limit,
        )
    out = {"ci": {"test": {n: bounds[n] for n in names}}}
    if paired:
        point = with_differences(statistic)(whole)
        out["baseline_ci"] = {"test": {n: bounds[f"baseline:{n}"] for n in names}}
        out["versus_baseline"] = {
            "test": {
                n: {
                    "difference": metrics.json_number(point[f"difference:{n}"]),
                    "ci": bounds[f"difference:{n}"],
                }
                for n in names
            }
        }
    return out


def too_small_to_resample(kind: str, truth: np.ndarray) -> str | None:
    """Why the test split cannot be bootstrapped, or None when it can."""
    if len(truth) < bootstrap.MIN_EXAMPLES:
        return f"the test split has only {len(truth)} examples (at least {bootstrap.MIN_EXAMPLES})"
    if kind in ("binary", "multiclass") and len(np.unique(truth)) < 2:
        return "the test split holds one class only"
    if kind == "survival" and np.asarray(truth)[:, 1].sum() < 2:
        return "the test split holds fewer than 2 events"
    return None


def nest_baseline(results: dict[str, Any]) -> dict[str, Any]:
    """Moves ``baseline_ci`` under ``baseline.ci`` (the shape ``metrics.json`` documents)."""
    baseline_ci = results.pop("baseline_ci", None)
    if baseline_ci is not None and "baseline" in results:
        results["baseline"]["ci"] = baseline_ci
    return results


def run_warnings(kind: str, results: dict[str, Any], truth: np.ndarray | None) -> list[str]:
    """The plain sentences a run prints when its result should not be trusted.

    Args:
        kind: The target kind.
        results: The run's ``metrics.json`` content.
        truth: The encoded test targets (to explain missing intervals), if any.
    """
    name, chance = HEADLINE.get(kind, (None, None))
    if name is None:
        return []
    found: list[str] = []
    reason = too_small_to_resample(kind, truth) if truth is not None else None
    if reason:
        found.append(f"{reason}, so the run has no 95% intervals; use more data.")
    point = results.get("test", {}).get(name)
    interval = results.get("ci", {}).get("test", {}).get(name)
    if interval is not None and interval[0] <= chance:
        found.append(
            f"test {name} {_show(point)} (95% CI {interval[0]:.3f}-{interval[1]:.3f}) "
            f"includes chance ({chance}): this model may be no better than guessing."
        )
    elif interval is None and point is not None and point <= chance:
        found.append(f"test {name} {_show(point)} is at or below chance ({chance}).")
    versus = results.get("versus_baseline", {}).get("test", {}).get(name) or {}
    baseline_model = results.get("baseline", {}).get("model", "baseline")
    if versus.get("ci") is not None and versus["ci"][1] < 0:
        low, high = versus["ci"]
        found.append(
            f"the {baseline_model} baseline beats this model on test {name} by "
            f"{-versus['difference']:.3f} (95% CI {-high:.3f}-{-low:.3f}); prefer the baseline "
            "or check the model."
        )
    return found


def _show(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"
