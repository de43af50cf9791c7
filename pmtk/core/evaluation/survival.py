"""Survival arithmetic shared by evaluation, prediction and the report.

Risk scores are log relative hazards ``eta`` (higher: earlier events). The Breslow
estimator turns the training scores into a baseline cumulative hazard ``H0``, so that
``S(t | x) = exp(-H0(t) * exp(eta(x)))``. Censoring weights (inverse probability of
censoring, IPCW) come from the Kaplan-Meier estimate of the censoring distribution on
the training split.

The metrics take count weights (resamples x examples), as :mod:`pmtk.core.evaluation.resampled`
does for classification, so 1,000 bootstrap resamples are a few matrix products. A row
of count weights gives the value the library gives on the rows repeated that many times
(tests/plugins/risk/test_survival_metrics.py): lifelines' ``concordance_index``
(Harrell) and scikit-survival's ``concordance_index_ipcw`` (Uno),
``cumulative_dynamic_auc`` and ``integrated_brier_score`` with the training split as
``survival_train`` and the same censoring estimate (:class:`Censoring`). The differences
from scikit-survival, all deliberate:

- An event at ``t_i`` weighs ``1 / G(t_i-)`` (censoring just before it), scikit-survival
  ``1 / G(t_i)``. They differ only when a test event time equals a training censoring
  time (tied, e.g. whole days); there ``G(t_i)`` counts patients censored at ``t_i``,
  after the event, and overstates the Brier score (about +0.02 on a cohort of quarter
  units). pmtk equals scikit-survival given event times moved down by a hair.
- ``G`` is raised to at least 0.05 (``_MIN_CENSORING_SURVIVAL``), so one late case
  cannot dominate; scikit-survival uses ``G`` as it is. They agree wherever ``G`` stays
  above 0.05 (and exactly, with the floor set to 0).
- Past the last training time ``G`` keeps its last value, where scikit-survival raises
  (it also requires Brier times and horizons inside the test follow-up; pmtk returns NaN
  for a horizon without controls).
- Risk scores tie when exactly equal (scikit-survival: within ``tied_tol=1e-8``).
- The reported ``td_auroc`` over several horizons is their plain mean, not
  scikit-survival's ``mean_auc`` (weighted by the Kaplan-Meier drop between horizons).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmtk.core.evaluation.resampled import weighted_auroc

#: Rows of the pair matrix computed at once (bounds memory for large test splits).
_BLOCK_ROWS = 512
#: Censoring survival below this is raised to it, so one late case cannot dominate.
_MIN_CENSORING_SURVIVAL = 0.05


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival just after each distinct time (equals lifelines' estimate).

    Returns:
        Distinct times (ascending) and the survival probability at each.
    """
    order_times, inverse = np.unique(times, return_inverse=True)
    deaths = np.bincount(inverse, weights=events, minlength=len(order_times))
    leaving = np.bincount(inverse, minlength=len(order_times))
    at_risk = len(times) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    return order_times, np.cumprod(1 - deaths / at_risk)


def step_at(grid: np.ndarray, values: np.ndarray, query: Any, *, before: bool = False,
            start: float = 1.0) -> np.ndarray:  # fmt: skip
    """A right-continuous step function's value at ``query`` (just before it with ``before``)."""
    index = np.searchsorted(grid, np.asarray(query, dtype=float),
                            side="left" if before else "right") - 1  # fmt: skip
    padded = np.concatenate([[start], values])
    return padded[index + 1]


def breslow(times: np.ndarray, events: np.ndarray, eta: np.ndarray) -> dict[str, list[float]]:
    """Breslow's baseline cumulative hazard at each distinct event time.

    ``H0(u) = sum over event times u_k <= u of d_k / sum_{j: t_j >= u_k} exp(eta_j)``.

    Returns:
        ``{"times": [...], "cumulative_hazard": [...]}`` (JSON-ready, 6 significant digits).
    """
    eta = np.asarray(eta, dtype=float).reshape(-1)
    order = np.argsort(times, kind="stable")
    sorted_times, risk = times[order], np.exp(eta[order])
    at_risk = np.cumsum(risk[::-1])[::-1]  # sum over t_j >= t_i, by sorted position
    distinct, first = np.unique(sorted_times, return_index=True)
    deaths = np.bincount(np.searchsorted(distinct, sorted_times), weights=events[order],
                         minlength=len(distinct))  # fmt: skip
    keep = deaths > 0
    hazard = np.cumsum(deaths[keep] / at_risk[first][keep])
    return {"times": [float(f"{t:.6g}") for t in distinct[keep]],
            "cumulative_hazard": [float(f"{h:.6g}") for h in hazard]}  # fmt: skip


def survival_probability(baseline: dict[str, list[float]], eta: np.ndarray,
                         at: Any) -> np.ndarray:  # fmt: skip
    """``S(t | x)`` for every example (rows) and time in ``at`` (columns)."""
    hazard = step_at(np.array(baseline["times"]), np.array(baseline["cumulative_hazard"]),
                     np.atleast_1d(at), start=0.0)  # fmt: skip
    eta = np.asarray(eta, dtype=float).reshape(-1, 1)
    return np.exp(-hazard[None, :] * np.exp(np.clip(eta, -50, 50)))


class Censoring:
    """Kaplan-Meier estimate of the censoring distribution ``G`` (fitted on training data).

    scikit-survival's convention (``CensoringDistributionEstimator``): at a time with both
    events and censorings the events leave the risk set first, so the censoring step there
    is ``1 - censored / (at risk - events)``.
    """

    def __init__(self, times: np.ndarray, events: np.ndarray) -> None:
        self.grid, inverse = np.unique(times, return_inverse=True)
        died = np.bincount(inverse, weights=events, minlength=len(self.grid))
        leaving = np.bincount(inverse, minlength=len(self.grid))
        censored = leaving - died
        at_risk = len(times) - np.concatenate([[0], np.cumsum(leaving)[:-1]]) - died
        ratio = np.divide(censored, at_risk, out=np.zeros(len(self.grid)), where=censored > 0)
        self.values = np.cumprod(1 - ratio)

    def before(self, times: np.ndarray) -> np.ndarray:
        """``G(t-)``: probability of still being uncensored just before ``t`` (event weights)."""
        found = step_at(self.grid, self.values, times, before=True)
        return np.maximum(found, _MIN_CENSORING_SURVIVAL)

    def at(self, times: np.ndarray) -> np.ndarray:
        """``G(t)`` (right-continuous), at least ``_MIN_CENSORING_SURVIVAL``."""
        return np.maximum(step_at(self.grid, self.values, times), _MIN_CENSORING_SURVIVAL)


def _pair_sums(times, events, eta, weights, row_weight=None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted concordant and comparable pair counts per resample (Harrell's pairs).

    A pair (i, j) is comparable when i has an event and ``t_i < t_j``, or ``t_i == t_j``
    and j is censored (lifelines' rule); it is concordant when ``eta_i > eta_j`` (ties
    in ``eta`` count one half).
    """
    concordant = np.zeros(weights.shape[0])
    comparable = np.zeros(weights.shape[0])
    row_weight = np.ones(len(times)) if row_weight is None else row_weight
    for start in range(0, len(times), _BLOCK_ROWS):
        rows = slice(start, start + _BLOCK_ROWS)
        t_i, e_i = times[rows, None], events[rows, None] * row_weight[rows, None]
        pairs = e_i * ((t_i < times) | ((t_i == times) & (events == 0)))
        score = (eta[rows, None] > eta).astype(float) + 0.5 * (eta[rows, None] == eta)
        through = weights @ np.concatenate([(pairs * score).T, pairs.T], axis=1)
        width = pairs.shape[0]
        concordant += (weights[:, rows] * through[:, :width]).sum(axis=1)
        comparable += (weights[:, rows] * through[:, width:]).sum(axis=1)
    return concordant, comparable


def _pair_sums_sorted(times, events, eta, row_weight) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_pair_sums` of a single row of ones, in O(n log n) instead of every pair.

    Times are visited from the latest down, each patient added to a Fenwick tree of risk
    score ranks: at each time the censored patients are added first, then the events are
    counted against everyone added (an event is comparable with a later time, or with a
    censoring at its own time), then added. On a whole split of 300,000 rows the pair
    matrix would compare 9e10 pairs; scikit-survival's ``concordance_index_ipcw`` compares
    every pair too, so no library does this in less.
    """
    levels, rank = np.unique(eta, return_inverse=True)
    tree = [0] * (len(levels) + 1)
    at_rank = [0] * len(levels)
    added, concordant, comparable = 0, 0.0, 0.0

    def add(position: int) -> None:
        at_rank[position] += 1
        place = position + 1
        while place < len(tree):
            tree[place] += 1
            place += place & -place

    order = np.lexsort((events, -times))  # latest first; at one time, censored first
    boundaries = np.flatnonzero(np.diff(times[order])) + 1
    for group in np.split(order, boundaries):
        dead, censored = group[events[group] > 0], group[events[group] == 0]
        for index in censored.tolist():
            add(int(rank[index]))
        added += len(censored)
        for index in dead.tolist():
            weight = row_weight[index]
            if weight:
                below, place = 0, int(rank[index])  # added patients with a lower score
                while place > 0:
                    below += tree[place]
                    place -= place & -place
                concordant += weight * (below + 0.5 * at_rank[int(rank[index])])
                comparable += weight * added
        for index in dead.tolist():
            add(int(rank[index]))
        added += len(dead)
    return np.array([concordant]), np.array([comparable])


def weighted_c_index(times, events, eta, weights) -> np.ndarray:
    """Harrell's C-index per row of count weights (NaN without a comparable pair)."""
    concordant, comparable = _pair_sums(times, events, np.asarray(eta, float), weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(comparable > 0, concordant / comparable, np.nan)


def weighted_uno_c_index(times, events, eta, weights, censoring: Censoring,
                         tau: float) -> np.ndarray:  # fmt: skip
    """Uno's C-index (IPCW, pairs whose earlier time is before ``tau``) per row of weights.

    Harrell's pairs, each weighted by ``G(t_i-) ** -2`` of its earlier (event) time
    ``t_i``; scikit-survival's ``concordance_index_ipcw(train, test, eta, tau)`` but for
    the module's documented differences.
    """
    row_weight = np.where(times < tau, censoring.before(times) ** -2.0, 0.0)
    eta = np.asarray(eta, float)
    if weights.shape[0] == 1 and np.all(weights == 1):  # a whole split's estimate
        concordant, comparable = _pair_sums_sorted(times, events, eta, row_weight)
    else:
        concordant, comparable = _pair_sums(times, events, eta, weights, row_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(comparable > 0, concordant / comparable, np.nan)


def weighted_td_auroc(times, events, eta, weights, censoring: Censoring,
                      horizon: float) -> np.ndarray:  # fmt: skip
    """Cumulative/dynamic AUROC at ``horizon`` (Uno 2007) per row of count weights.

    Cases had the event by ``horizon`` (weighted by ``1 / G(t-)``), controls were still
    event-free after it; patients censored before ``horizon`` are left out.
    scikit-survival's ``cumulative_dynamic_auc(train, test, eta, [horizon])`` but for the
    module's documented differences.
    """
    cases = (times <= horizon) & (events == 1)
    controls = times > horizon
    case_weight = np.where(cases, 1 / censoring.before(times), 0.0)
    pair_weight = np.where(cases, case_weight, controls.astype(float))
    return weighted_auroc(cases.astype(float), np.asarray(eta, float).reshape(-1),
                          weights * pair_weight)  # fmt: skip


def brier_grid(times: np.ndarray, horizons: list[float]) -> np.ndarray:
    """Times the integrated Brier score averages over: from the first time to the last horizon."""
    high = min(max(horizons), float(np.quantile(times, 0.95)))
    low = float(times.min())
    return np.linspace(low, max(high, low), 50)


def weighted_integrated_brier(times, events, survival: np.ndarray, weights,
                              censoring: Censoring, grid: np.ndarray) -> np.ndarray:  # fmt: skip
    """Graf's IPCW Brier score averaged over ``grid`` (trapezoid rule), per row of weights.

    An event at ``t_i <= t`` weighs ``1 / G(t_i-)``, a patient still followed after ``t``
    ``1 / G(t)``; scikit-survival's ``integrated_brier_score(train, test, survival, grid)``
    but for the module's documented differences.

    Args:
        survival: Predicted ``S(t | x)``, examples x grid times.
    """
    died = (times[:, None] <= grid) & (events[:, None] == 1)
    alive = times[:, None] > grid
    loss = (survival**2 * died / censoring.before(times)[:, None]
            + (1 - survival) ** 2 * alive / censoring.at(grid)[None, :])  # fmt: skip
    per_time = (weights @ loss) / weights.sum(axis=1, keepdims=True)
    if len(grid) < 2 or grid[-1] <= grid[0]:
        return per_time[:, 0]
    return np.trapezoid(per_time, grid, axis=1) / (grid[-1] - grid[0])
