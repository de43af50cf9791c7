"""What a survival run's report shows beyond the metrics: Kaplan-Meier curves of the test
patients by predicted-risk tertile with the log-rank test, calibration at each horizon by
decile, events per split, and the C-index per subgroup.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmtk.core.data.splits import SPLITS
from pmtk.core.evaluation import bootstrap, survival
from pmtk.core.evaluation.survival_metrics import PAIR_RESAMPLED_ROWS, c_index

TERTILES = ("low risk", "middle risk", "high risk")
#: Most points kept per Kaplan-Meier curve in metrics.json (the report draws steps).
_MAX_POINTS = 300


def _curve(times: np.ndarray, events: np.ndarray) -> dict[str, list[float]]:
    grid, values = survival.kaplan_meier(times, events)
    keep = np.unique(np.linspace(0, len(grid) - 1, min(len(grid), _MAX_POINTS)).astype(int))
    return {"times": [0.0, *map(float, grid[keep])],
            "survival": [1.0, *(round(float(v), 6) for v in values[keep])]}  # fmt: skip


def risk_groups(times: np.ndarray, events: np.ndarray, eta: np.ndarray) -> dict[str, Any]:
    """Kaplan-Meier curve per tertile of the risk score, and the log-rank p-value (lifelines)."""
    from lifelines.statistics import multivariate_logrank_test

    eta = np.asarray(eta, dtype=float).reshape(-1)
    cuts = np.quantile(eta, [1 / 3, 2 / 3])
    group = np.digitize(eta, cuts, right=True)
    groups = []
    for index, name in enumerate(TERTILES):
        members = group == index
        if members.any():
            groups.append({"name": name, "n": int(members.sum()),
                           "events": int(events[members].sum()),
                           **_curve(times[members], events[members])})  # fmt: skip
    p_value = None
    if len(groups) > 1 and events.sum() > 0:
        p_value = float(multivariate_logrank_test(times, group, events).p_value)
    return {"groups": groups, "logrank_p": p_value, "cuts": [float(c) for c in cuts]}


def calibration_at(times, events, eta, baseline: dict, horizon: float, bins: int = 10) -> list:
    """Mean predicted against Kaplan-Meier observed survival at ``horizon``, by decile."""
    predicted = survival.survival_probability(baseline, eta, horizon)[:, 0]
    order = np.argsort(predicted, kind="stable")
    rows = []
    for number, members in enumerate(np.array_split(order, min(bins, len(order))), start=1):
        if not len(members):
            continue
        grid, values = survival.kaplan_meier(times[members], events[members])
        followed = times[members].max() >= horizon
        observed = float(survival.step_at(grid, values, horizon)) if followed else None
        rows.append({"bin": number, "n": int(len(members)),
                     "predicted": round(float(predicted[members].mean()), 6),
                     "observed": None if observed is None else round(observed, 6)})  # fmt: skip
    return rows


def subgroup_c_index(values: np.ndarray, truth: np.ndarray, eta: np.ndarray, *, groups: Any,
                     resamples: int, seed: int) -> dict[str, Any]:  # fmt: skip
    """Harrell's C-index with its interval per subgroup (``null`` under 10 patients or events)."""
    found = {}
    eta = np.asarray(eta, dtype=float).reshape(-1)
    for value in sorted(set(values.tolist())):
        members = values == value
        times, events = truth[members, 0], truth[members, 1]
        entry: dict[str, Any] = {"n": int(members.sum()), "c_index": None, "ci": {"c_index": None}}
        if members.sum() >= bootstrap.MIN_EXAMPLES and events.sum() >= 2:

            def statistic_of(rows, t=times, e=events, r=eta[members]):
                t, e, r = t[rows], e[rows], r[rows]
                return lambda w: {"c_index": c_index(t, e, r, w)}

            everything = statistic_of(slice(None))
            entry["c_index"] = round(float(everything(np.ones((1, len(times))))["c_index"][0]), 6)
            if resamples:
                group = None if groups is None else np.asarray(groups)[members]
                entry["ci"] = bootstrap.split_intervals(
                    statistic_of, len(times), group, resamples, seed, PAIR_RESAMPLED_ROWS
                )
        found[str(value)] = entry
    return found


def survival_results(truth: dict[str, np.ndarray], scores: dict[str, np.ndarray],
                     survival_info: dict, *, resamples: int, seed: int,
                     subgroup_column: str | None, groups: Any = None,
                     subgroup_values: np.ndarray | None = None) -> dict[str, Any]:  # fmt: skip
    """The ``metrics.json`` entries beside the split metrics of a survival run.

    ``resamples`` and ``seed`` are the run's ``--bootstrap`` and ``--seed``; the subgroup
    C-indices (of ``subgroup_values``, read from ``subgroup_column``) resample with them.
    """
    test, eta = truth["test"], scores["test"]
    times, events = test[:, 0], test[:, 1]
    baseline = survival_info["baseline_hazard"]
    found: dict[str, Any] = {
        "class_counts": {name: {"event": int(truth[name][:, 1].sum()),
                                "censored": int((truth[name][:, 1] == 0).sum())}
                         for name in SPLITS},
        "risk_groups": {"test": risk_groups(times, events, eta)},
        "survival_calibration": {"test": {f"{h:g}": calibration_at(times, events, eta, baseline, h)
                                          for h in survival_info["horizons"]}},
    }  # fmt: skip
    if subgroup_values is not None:
        found["subgroups"] = {
            "column": subgroup_column,
            "test": subgroup_c_index(
                subgroup_values, test, eta, groups=groups, resamples=resamples, seed=seed
            ),
        }
    return found
