"""Statistics of rows seen batch by batch: what a pass over data bigger than memory learns."""

from __future__ import annotations

import numpy as np


class RunningMoments:
    """Count, mean and variance per column, updated batch by batch (missing values skipped).

    Uses Chan et al.'s parallel update, so batches of any size give the one-pass result of
    ``np.nanmean`` and ``np.nanvar`` up to rounding.
    """

    def __init__(self, columns: int) -> None:
        self.count = np.zeros(columns)
        self.mean = np.zeros(columns)
        self.m2 = np.zeros(columns)

    def update(self, batch: np.ndarray) -> None:
        """Adds the rows of a 2-D float array."""
        batch = np.asarray(batch, dtype=np.float64)
        observed = np.isfinite(batch)
        count = observed.sum(axis=0)
        safe = np.where(observed, batch, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, safe.sum(axis=0) / np.maximum(count, 1), 0.0)
            m2 = (np.where(observed, batch - mean, 0.0) ** 2).sum(axis=0)
        total = self.count + count
        delta = mean - self.mean
        share = np.divide(count, total, out=np.zeros_like(total), where=total > 0)
        self.mean = self.mean + delta * share
        self.m2 = self.m2 + m2 + delta**2 * self.count * share
        self.count = total

    @property
    def variance(self) -> np.ndarray:
        """Population variance per column (0 where fewer than 2 values were seen)."""
        return np.divide(self.m2, self.count, out=np.zeros_like(self.m2), where=self.count > 1)
