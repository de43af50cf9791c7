"""95% percentile intervals by bootstrap over test examples, or over patients when grouped."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: A test split smaller than this gets no intervals (too few examples to resample).
MIN_EXAMPLES = 10
CONFIDENCE = 0.95

#: Maps count weights (resamples x examples) to named values, one per resample (NaN: undefined).
Statistic = Callable[[np.ndarray], dict[str, np.ndarray]]
#: A split with more examples is bootstrapped on a subsample of about this many (see
#: :func:`subsample`): the m-out-of-n bootstrap keeps the time bounded as the data grow.
RESAMPLED_ROWS = 20_000
#: Weights held in memory at once (resamples x examples), to bound memory on large splits.
_BATCH_CELLS = 1_000_000


class SingleExamples(Sequence):
    """The units of an ungrouped split: example ``i`` alone, without one array per example.

    A list of 300,000 one-element arrays costs tens of MB and seconds to build; this
    answers the same questions (length, ``units[i]``) from the count alone.
    """

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [np.array([i]) for i in range(self.count)[index]]
        if not -self.count <= index < self.count:
            raise IndexError(index)
        return np.array([index % self.count])


def resampling_units(count: int, groups: Any = None) -> Sequence[np.ndarray]:
    """Example indices of each unit that is resampled: one example, or one group (patient).

    Resampling whole groups keeps a patient's correlated examples together, so the
    interval is not narrowed by counting one patient many times.
    """
    if groups is None:
        return SingleExamples(count)
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(groups).astype(str))
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)


def intervals(
    statistic: Statistic, units: Sequence[np.ndarray], resamples: int, seed: int
) -> dict[str, list[float] | None]:
    """Percentile intervals of every value ``statistic`` returns, from one set of resamples.

    scipy draws the resamples of units; each becomes a row of count weights over the
    examples (a patient drawn twice counts all its examples twice). Every value is
    computed on the same resamples, so differences between two models' metrics are
    paired. Resamples where a value is undefined (one class only) are left out of that
    value's interval; a value undefined in most resamples gets ``None``.

    Args:
        statistic: Maps count weights to named values (see :data:`Statistic`).
        units: Example indices per resampling unit (see :func:`resampling_units`).
        resamples: Number of bootstrap resamples.
        seed: Seed of the resampling generator.

    Returns:
        Per name, ``[low, high]`` rounded to 6 places, or ``None``.
    """
    from scipy import stats

    single = isinstance(units, SingleExamples)
    examples = len(units) if single else sum(len(unit) for unit in units)
    unit_of = None
    if not single:
        unit_of = np.empty(examples, dtype=int)
        for number, unit in enumerate(units):
            unit_of[unit] = number
    names = list(statistic(np.ones((1, examples))))

    def values(drawn: np.ndarray, axis: int = -1) -> np.ndarray:
        rows = drawn.shape[0]
        flat = (drawn.astype(int) + len(units) * np.arange(rows)[:, None]).ravel()
        counts = np.bincount(flat, minlength=rows * len(units)).reshape(rows, len(units))
        weights = counts if unit_of is None else counts[:, unit_of]
        result = statistic(weights.astype(float))
        return np.stack([result[name] for name in names])

    with warnings.catch_warnings():
        # Distribution only: the interval is taken below with undefined resamples left out.
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (np.arange(len(units)),),
            values,
            n_resamples=resamples,
            vectorized=True,
            batch=max(1, _BATCH_CELLS // examples),
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


def subsample(
    count: int, groups: Any, seed: int, limit: int | None = None
) -> tuple[np.ndarray, float] | None:
    """A seeded subsample for the m-out-of-n bootstrap of a split past ``limit`` rows
    (default :data:`RESAMPLED_ROWS`).

    Resampling m of n units and scaling each interval's width by sqrt(m/n) around the whole
    split's estimate (Bickel, Götze and van Zwet, 1997) is valid for sqrt(n)-consistent
    metrics (means, rates, AUROC) and costs m, not n, per resample.

    Returns:
        The example indices (whole groups when ``groups`` is given) and sqrt(m/n) in
        resampled units; None when the split is no larger than the limit.
    """
    limit = limit or RESAMPLED_ROWS
    if count <= limit:
        return None
    rng = np.random.default_rng(seed)
    if groups is None:
        rows = np.sort(rng.choice(count, limit, replace=False))
        return rows, float(np.sqrt(limit / count))
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(groups).astype(str))
    units = int(codes.max()) + 1
    kept = max(MIN_EXAMPLES, round(units * limit / count))
    if kept >= units:
        return None
    chosen = rng.choice(units, kept, replace=False)
    return np.flatnonzero(np.isin(codes, chosen)), float(np.sqrt(kept / units))


def split_intervals(
    statistic_of: Callable[[Any], Statistic],
    count: int,
    groups: Any,
    resamples: int,
    seed: int,
    limit: int | None = None,
) -> dict[str, list[float] | None]:
    """:func:`intervals` of a split, in bounded time however many rows it has.

    Up to ``limit`` rows (default :data:`RESAMPLED_ROWS`; lower for statistics whose cost
    grows with the square of the rows) every row is resampled. Past it, the intervals come from
    the seeded :func:`subsample` and are moved to the whole split's estimate with their width
    scaled by sqrt(m/n), as the run's test metrics are (``pmtk.core.evaluation.split_metrics``).

    Args:
        statistic_of: ``statistic_of(rows)`` is the :data:`Statistic` of those rows of the
            split (``rows`` is ``slice(None)`` for all of them, else an index array).
        count: Rows of the split.
        groups: Group of each row (resampled whole), or None.
        resamples: Bootstrap resamples.
        seed: Seed of the subsample and of the resampling.
    """
    everything = slice(None)
    part = subsample(count, groups, seed, limit)
    if part is None:
        return intervals(statistic_of(everything), resampling_units(count, groups), resamples, seed)
    rows, factor = part
    part_groups = None if groups is None else np.asarray(groups)[rows]
    found = intervals(statistic_of(rows), resampling_units(len(rows), part_groups), resamples, seed)
    whole = _estimates(statistic_of(everything), count)
    sampled = _estimates(statistic_of(rows), len(rows))
    moved: dict[str, list[float] | None] = {}
    for name, bounds in found.items():
        centres = (whole[name], sampled[name])
        if bounds is None or not np.isfinite(centres).all():
            moved[name] = None
            continue
        moved[name] = [round(centres[0] + factor * (b - centres[1]), 6) for b in bounds]
    return moved


def _estimates(statistic: Statistic, count: int) -> dict[str, float]:
    return {name: float(np.asarray(value).reshape(-1)[0])
            for name, value in statistic(np.ones((1, count))).items()}  # fmt: skip
