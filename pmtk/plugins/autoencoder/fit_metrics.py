"""How well a reconstruction fits its standardised targets, over the observed entries: the
report's metrics (see ``autoencoder.report``), of a matrix or summed part by part
(:class:`FitSums`).
"""

from __future__ import annotations

import warnings

import numpy as np

from pmtk.core.data.statistics import RunningMoments


def explained_variance(
    target: np.ndarray, rebuilt: np.ndarray
) -> tuple[float | None, float | None]:
    """Mean squared error and variance explained over the observed (non-NaN) entries.

    Each feature is centred on its observed mean in this split before the entries
    are pooled, so scikit-learn's ``r2_score`` of the pooled entries equals
    ``1 - sum of squared errors / sum of per-feature variances`` (its
    ``variance_weighted`` average when nothing is missing).

    Returns:
        ``(mse, r2)``; r2 is None for a single row, both are None when nothing is observed.
    """
    from sklearn.metrics import mean_squared_error, r2_score

    observed = ~np.isnan(target)
    if observed.sum() == 0:
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing features have no mean
        center = np.nan_to_num(np.nanmean(target, axis=0), nan=0.0)
    truth, guess = (target - center)[observed], (rebuilt - center)[observed]
    r2 = rounded(r2_score(truth, guess)) if len(target) > 1 else None  # a variance needs 2 rows
    return rounded(mean_squared_error(truth, guess)), r2


def weighted_fit(
    target: np.ndarray, rebuilt: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`explained_variance` once per row of count weights (bootstrap resamples).

    Args:
        target: Standardised targets (rows x features), NaN where missing.
        rebuilt: Reconstructions of the same shape.
        weights: Counts of each row, shape (resamples, rows).

    Returns:
        ``(mse, r2)``, each of shape (resamples,); NaN where undefined.
    """
    observed = ~np.isnan(target)
    values = np.where(observed, target, 0.0)
    squared_error = np.where(observed, (values - rebuilt) ** 2, 0.0)
    count = weights @ observed
    total, spread = weights @ values, weights @ values**2
    with np.errstate(divide="ignore", invalid="ignore"):
        # Each feature centred on its mean in the resample, as explained_variance does.
        variance = np.where(count > 0, spread - total**2 / count, 0.0).sum(axis=1)
        error = (weights @ squared_error).sum(axis=1)
        mse = error / count.sum(axis=1)
        r2 = np.where(variance > 0, 1 - error / variance, np.nan)
    return mse, r2


def feature_r2(
    target: np.ndarray, rebuilt: np.ndarray, names: list[str]
) -> dict[str, float | None]:
    """Variance explained per feature (observed entries), for the report's bar chart.

    Returns:
        Per feature name, ``1 - SSE / SST`` on the standardised scale (None when the
        feature is constant or missing in this split).
    """
    found: dict[str, float | None] = {}
    for index, name in enumerate(names):
        observed = ~np.isnan(target[:, index])
        truth, guess = target[observed, index], rebuilt[observed, index]
        total = float(np.sum((truth - truth.mean()) ** 2)) if len(truth) > 1 else 0.0
        found[name] = rounded(1 - np.sum((truth - guess) ** 2) / total) if total > 0 else None
    return found


def below_pca(metrics: dict[str, float | None]) -> bool:
    """Whether the network's ``r2`` is below PCA's ``pca_r2`` in one split's metrics."""
    r2, pca_r2 = metrics.get("r2"), metrics.get("pca_r2")
    return r2 is not None and pca_r2 is not None and r2 < pca_r2


def rounded(value: float) -> float | None:
    """A metric rounded to 6 decimals, None when it is not a finite number."""
    value = float(value)
    return round(value, 6) if np.isfinite(value) else None


class FitSums:
    """What :func:`explained_variance` needs of a split, summed part by part.

    Per feature: the moments of the observed standardised values (so each feature is
    centred on its mean in the split) and the squared error of each reconstruction.

    Args:
        width: Number of features.
        names: The reconstructions compared (``model``, ``pca``).
    """

    def __init__(self, width: int, names: tuple[str, ...] = ("model", "pca")) -> None:
        self.rows = 0
        self.moments = RunningMoments(width)
        self.error = {name: np.zeros(width) for name in names}

    def add(self, target: np.ndarray, rebuilt: dict[str, np.ndarray]) -> None:
        """Adds rows: standardised targets (NaN where missing) and their reconstructions."""
        observed = ~np.isnan(target)
        self.rows += len(target)
        self.moments.update(target)
        for name, guess in rebuilt.items():
            self.error[name] += np.where(observed, (target - guess) ** 2, 0.0).sum(axis=0)

    def fit(self, name: str) -> tuple[float | None, float | None]:
        """``(mse, r2)`` of one reconstruction over the observed entries, as
        :func:`explained_variance` gives them (r2 None for a single row)."""
        count = self.moments.count.sum()
        if count == 0:
            return None, None
        error, spread = self.error[name].sum(), self.moments.m2.sum()
        # A constant truth: scikit-learn's r2_score gives 1 for a perfect fit, else 0.
        r2 = 1 - error / spread if spread > 0 else float(error == 0)
        return rounded(error / count), rounded(r2) if self.rows > 1 else None

    def by_feature(self, names: list[str], name: str = "model") -> dict[str, float | None]:
        """Variance explained per feature, as :func:`feature_r2`."""
        found = {}
        for index, feature in enumerate(names):
            spread = self.moments.m2[index] if self.moments.count[index] > 1 else 0.0
            error = self.error[name][index]
            found[feature] = rounded(1 - error / spread) if spread > 0 else None
        return found
