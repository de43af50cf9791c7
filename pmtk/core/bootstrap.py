"""95% percentile intervals by bootstrap over test examples, or over patients when grouped."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

#: A test split smaller than this gets no intervals (too few examples to resample).
MIN_EXAMPLES = 10
CONFIDENCE = 0.95

Statistic = Callable[[np.ndarray], dict[str, float | None]]


def resampling_units(count: int, groups: Any = None) -> list[np.ndarray]:
    """Example indices of each unit that is resampled: one example, or one group (patient).

    Resampling whole groups keeps a patient's correlated examples together, so the
    interval is not narrowed by counting one patient many times.
    """
    if groups is None:
        return [np.array([index]) for index in range(count)]
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(groups).astype(str))
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)


def intervals(
    statistic: Statistic, units: list[np.ndarray], resamples: int, seed: int
) -> dict[str, list[float] | None]:
    """Percentile intervals of every value ``statistic`` returns, from one set of resamples.

    Every value is computed on the same resamples, so differences between two models'
    metrics are paired. Resamples where a value is undefined (one class only) are left
    out of that value's interval; a value undefined in most resamples gets ``None``.

    Args:
        statistic: Maps example indices to named values (``None`` when undefined).
        units: Example indices per resampling unit (see :func:`resampling_units`).
        resamples: Number of bootstrap resamples.
        seed: Seed of the resampling generator.

    Returns:
        Per name, ``[low, high]`` rounded to 6 places, or ``None``.
    """
    from scipy import stats

    names = list(statistic(np.concatenate(units)))

    def values(unit_indices: np.ndarray) -> np.ndarray:
        chosen = np.concatenate([units[i] for i in unit_indices.astype(int)])
        result = statistic(chosen)
        return np.array([np.nan if result[n] is None else result[n] for n in names], float)

    with warnings.catch_warnings():
        # Distribution only: the interval is taken below with undefined resamples left out.
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (np.arange(len(units)),),
            values,
            n_resamples=resamples,
            vectorized=False,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    tail = 100 * (1 - CONFIDENCE) / 2
    bounds: dict[str, list[float] | None] = {}
    for name, distribution in zip(names, result.bootstrap_distribution, strict=True):
        defined = distribution[~np.isnan(distribution)]
        if len(defined) < resamples / 2:
            bounds[name] = None
            continue
        low, high = np.percentile(defined, [tail, 100 - tail])
        bounds[name] = [round(float(low), 6), round(float(high), 6)]
    return bounds
