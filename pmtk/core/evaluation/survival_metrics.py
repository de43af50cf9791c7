"""A survival run's evaluation: C-index, time-dependent AUROC and integrated Brier score per
split, the linear Cox baseline (lifelines ``CoxPHFitter``), 95% intervals and the paired
difference, plus what the report draws (Kaplan-Meier curves by risk tertile, calibration).

Called by :mod:`pmtk.core.loop.results` for the ``survival`` target kind; the intervals and
warnings are the same machinery as every other kind's (:mod:`pmtk.core.evaluation.split_metrics`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmtk.core.data.splits import SPLITS
from pmtk.core.evaluation import split_metrics as evaluation
from pmtk.core.evaluation import survival
from pmtk.core.evaluation.baseline import BaselineFit
from pmtk.core.evaluation.metrics import json_number

#: Penalisers tried for the Cox baseline (lifelines' ``penalizer``, L2), chosen on validation.
PENALIZERS = (0.0001, 0.001, 0.01, 0.1, 1.0)
#: Uno's C-index is reported too when at least this share of training patients is censored.
HEAVY_CENSORING = 0.4
#: Test rows resampled at most for the survival intervals: the C-indices compare pairs, so a
#: resample costs rows squared (1,000 resamples of 9,000 rows took 80 s); past it the
#: m-out-of-n subsample of ``bootstrap.split_intervals``.
PAIR_RESAMPLED_ROWS = 5_000


def _truth(split: Any) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(split.targets, dtype=float)
    return values[:, 0], values[:, 1]


def store_baseline_hazard(context: Any, splits: dict[str, Any], scores: dict) -> dict:
    """Breslow's baseline hazard of the trained model, for ``config.json``'s ``loop.survival``.

    Also set on ``context.targets.survival``, so the predictions table can give each
    patient's survival probability at every horizon.
    """
    times, events = _truth(splits["train"])
    found = {"horizons": list(context.derived["horizons"]),
             "baseline_hazard": survival.breslow(times, events, scores["train"])}  # fmt: skip
    context.targets.survival = found
    return found


def partial_log_likelihood(times: np.ndarray, events: np.ndarray, eta: np.ndarray) -> float:
    """Mean Cox partial log-likelihood per event (Breslow ties): higher is better."""
    eta = np.asarray(eta, dtype=float).reshape(-1)
    order = np.argsort(times, kind="stable")
    t, e, r = times[order], events[order], eta[order]
    later = np.logaddexp.accumulate(r[::-1])[::-1]  # log sum of exp(eta_j) over positions >= k
    log_risk = later[np.searchsorted(t, t, side="left")]  # tied times share one risk set
    return float((e * (r - log_risk)).sum() / max(e.sum(), 1))


class CoxRisk:
    """A fitted linear Cox baseline: the preprocessing, the columns kept and the coefficients,
    to score more rows (a streamed run scores its validation and test rows chunk by chunk)."""

    def __init__(self, preprocess: Any, kept: np.ndarray, coefficients: np.ndarray) -> None:
        self.preprocess, self.kept, self.coefficients = preprocess, kept, coefficients

    def risk(self, x: Any) -> np.ndarray:
        """The log relative hazard of each row of ``x``, shaped ``(n, 1)``."""
        matrix = np.asarray(self.preprocess.transform(x), dtype=float)
        return (matrix[:, self.kept] @ self.coefficients).reshape(-1, 1)


def fit_cox_baseline(features: dict[str, Any], splits: dict[str, Any]) -> BaselineFit:
    """Linear Cox model (lifelines) on the baseline features, penaliser chosen on validation.

    Args:
        features: Per split, the baseline features; ``train`` and ``val`` are required, and
            every split given is scored.
        splits: ``train`` and ``val`` (objects with ``targets``: rows of time and event).

    Returns:
        The fit; its ``estimator`` is a :class:`CoxRisk`, to score more rows.
    """
    import pandas as pd
    from lifelines import CoxPHFitter

    from pmtk.core.evaluation.baseline import feature_preprocessing

    preprocess = feature_preprocessing(features["train"]).fit(features["train"])
    matrices = {name: np.asarray(preprocess.transform(x), dtype=float)
                for name, x in features.items()}  # fmt: skip
    kept = matrices["train"].std(axis=0) > 1e-9
    columns = [f"x{i}" for i in range(int(kept.sum()))]
    times, events = _truth(splits["train"])
    table = pd.DataFrame(matrices["train"][:, kept], columns=columns)
    table["time"], table["event"] = times, events
    best = None
    for penalizer in PENALIZERS:
        fitted = CoxPHFitter(penalizer=penalizer).fit(table, "time", "event")
        coefficients = fitted.params_.to_numpy()
        val = matrices["val"][:, kept] @ coefficients
        score = partial_log_likelihood(*_truth(splits["val"]), val)
        if best is None or score > best[0]:
            best = (score, penalizer, coefficients)
    _, penalizer, coefficients = best
    return BaselineFit(
        model="cox_ph", strength=penalizer,
        scores={name: (m[:, kept] @ coefficients).reshape(-1, 1) for name, m in matrices.items()},
        train_rows=len(times), estimator=CoxRisk(preprocess, kept, coefficients),
    )  # fmt: skip


def c_index(times: np.ndarray, events: np.ndarray, eta: np.ndarray,
            weights: np.ndarray) -> np.ndarray:  # fmt: skip
    """Harrell's C-index per row of count weights (``survival.weighted_c_index``).

    A single row of ones (a whole split's estimate) is lifelines' ``concordance_index``, the
    same number (tests/plugins/risk/test_survival_metrics.py) in O(n log n): the pair
    matrix takes about 50 s on 60,000 rows, lifelines a third of a second. Resamples keep
    the pair matrix (they are at most ``bootstrap.RESAMPLED_ROWS`` rows).
    """
    from lifelines.utils import concordance_index

    eta = np.asarray(eta, dtype=float).reshape(-1)
    if weights.shape[0] != 1 or not np.all(weights == 1):
        return survival.weighted_c_index(times, events, eta, weights)
    try:
        return np.array([concordance_index(times, -eta, events)])
    except ZeroDivisionError:  # no comparable pair
        return np.array([np.nan])


class SurvivalScorer:
    """The survival metrics of one run: horizons, censoring weights and baseline hazards."""

    def __init__(self, splits: dict[str, Any], horizons: list[float],
                 hazards: dict[str, dict]) -> None:  # fmt: skip
        times, events = _truth(splits["train"])
        self.censoring = survival.Censoring(times, events)
        self.horizons = list(horizons)
        self.hazards = hazards
        self.uno = (1 - events.mean()) >= HEAVY_CENSORING

    def weighted(self, truth: np.ndarray, eta: np.ndarray, weights: np.ndarray,
                 who: str = "model") -> dict[str, np.ndarray]:  # fmt: skip
        """Every metric once per row of count weights (NaN where undefined)."""
        times, events = truth[:, 0].astype(float), truth[:, 1].astype(float)
        eta = np.asarray(eta, dtype=float).reshape(-1)
        found = {"c_index": c_index(times, events, eta, weights)}
        if self.uno:
            found["uno_c_index"] = survival.weighted_uno_c_index(
                times, events, eta, weights, self.censoring, max(self.horizons)
            )
        aurocs = {f"td_auroc_{h:g}": survival.weighted_td_auroc(
            times, events, eta, weights, self.censoring, h) for h in self.horizons}  # fmt: skip
        found["td_auroc"] = np.mean(list(aurocs.values()), axis=0)
        if len(aurocs) > 1:
            found |= aurocs
        grid = survival.brier_grid(times, self.horizons)
        predicted = survival.survival_probability(self.hazards[who], eta, grid)
        found["integrated_brier"] = survival.weighted_integrated_brier(
            times, events, predicted, weights, self.censoring, grid
        )
        return found

    def evaluate(self, truth: np.ndarray, eta: np.ndarray, who: str = "model") -> dict:
        """Metrics of one split; Harrell's C from lifelines itself."""
        from lifelines.utils import concordance_index

        values = self.weighted(truth, eta, np.ones((1, len(truth))), who)
        found = {name: json_number(value[0]) for name, value in values.items()}
        if truth[:, 1].sum() > 0:
            found["c_index"] = json_number(
                concordance_index(truth[:, 0], -np.ravel(eta), truth[:, 1])
            )
        return found


def evaluate_survival(
    task: Any, context: Any, splits: dict[str, Any], scores: dict, fitted: dict | None = None
):
    """Split metrics, the Cox baseline and the paired intervals (``metrics.json`` parts).

    Args:
        task: The task (its baseline features).
        context: The run context.
        splits: Per split name, its ``SplitData``.
        scores: Per split name, the model's risk scores.
        fitted: What :func:`store_baseline_hazard` returned (default: the targets' survival).

    Returns:
        The evaluated parts and the baseline fit (None when the task has no baseline features).
    """
    features = {name: task.baseline_features(splits[name].examples, splits[name].dataset, context)
                for name in SPLITS}  # fmt: skip
    baseline = None
    if all(value is not None for value in features.values()):
        baseline = fit_cox_baseline(features, splits)
    return survival_metrics(task, context, splits, scores, baseline, fitted)


def survival_metrics(
    task: Any,
    context: Any,
    splits: dict[str, Any],
    scores: dict,
    baseline: BaselineFit | None,
    fitted: dict | None = None,
):
    """:func:`evaluate_survival` given the Cox baseline already fitted and scored.

    A streamed run passes the training split's bounded sample (``splits["train"]`` and
    ``scores["train"]``: training metrics, censoring weights and the baseline's Breslow
    hazard come from it, all unbiased under uniform sampling) and every validation and test
    row.

    Returns:
        The evaluated parts and ``baseline``.
    """
    fitted = fitted if fitted is not None else context.targets.survival
    hazards = {"model": fitted["baseline_hazard"]}
    if baseline is not None:
        hazards["baseline"] = survival.breslow(*_truth(splits["train"]), baseline.scores["train"])
    scorer = SurvivalScorer(splits, context.derived["horizons"], hazards)
    truth = {name: np.asarray(splits[name].targets, dtype=float) for name in SPLITS}
    results: dict[str, Any] = {name: scorer.evaluate(truth[name], scores[name]) for name in SPLITS}
    if baseline is not None:
        results["baseline"] = {
            "model": baseline.model, "inputs": task.baseline_inputs, "strength": baseline.strength,
            "train_rows": baseline.train_rows,
            **{name: scorer.evaluate(truth[name], baseline.scores[name], "baseline")
               for name in ("val", "test")},
        }  # fmt: skip
    test_truth = truth["test"]

    def statistic_of(rows: Any) -> Any:
        """The statistic of some test rows: bounded time past ``PAIR_RESAMPLED_ROWS`` rows."""
        part_truth, part_scores = test_truth[rows], scores["test"][rows]
        other = None if baseline is None else baseline.scores["test"][rows]

        def statistic(weights: np.ndarray) -> dict[str, np.ndarray]:
            values = scorer.weighted(part_truth, part_scores, weights)
            if other is None:
                return values
            more = scorer.weighted(part_truth, other, weights, "baseline")
            return values | {f"baseline:{k}": v for k, v in more.items()}

        return statistic

    options = context.options
    groups = splits["test"].examples.get("group")
    results.update(
        evaluation.paired_intervals(
            statistic_of(slice(None)),
            test_truth,
            groups,
            options.bootstrap,
            options.seed,
            "survival",
            statistic_of=statistic_of,
            limit=PAIR_RESAMPLED_ROWS,
        )
    )
    return results, baseline  # fmt: skip
