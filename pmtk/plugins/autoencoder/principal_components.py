"""PCA of the standardised training rows, from sums kept part by part.

The autoencoder's PCA (the ``pca_residual`` start and the ``pca_r2`` baseline) is fitted on
the training rows standardised with the training means and variances, missing values
filled with the mean (0 once standardised). Those statistics are only known once every
training row has been seen, so :class:`CrossProducts` keeps, per pair of features, sums
that do not depend on them; :meth:`CrossProducts.principal_axes` then forms the
covariance of the standardised rows and takes its eigenvectors, as scikit-learn's ``PCA``
does with its ``covariance_eigh`` solver (signs included). One part or many, the result is
the exact PCA up to rounding; memory grows with the features squared, never with the rows.
"""

from __future__ import annotations

import numpy as np


class CrossProducts:
    """Sums over the rows seen, per feature and pair of features (NaN: missing).

    With ``y`` the values shifted by the first part's column means (for precision) and 0
    where missing, and ``o`` the observed flags, it keeps ``sum y_j y_k``, ``sum y_j``,
    the row count and, once a value has been missing, ``sum y_j o_k`` and ``sum o_j o_k``.

    Args:
        width: Number of features.
    """

    def __init__(self, width: int) -> None:
        self.rows = 0
        self.shift: np.ndarray | None = None
        self.products = np.zeros((width, width))
        self.sums = np.zeros(width)
        self.counts = np.zeros(width)
        self.paired_sums: np.ndarray | None = None
        self.paired_counts: np.ndarray | None = None

    def add(self, matrix: np.ndarray) -> None:
        """Adds the rows of a 2-D float array (NaN where a value is missing)."""
        matrix = np.asarray(matrix, dtype=np.float64)
        observed = ~np.isnan(matrix)
        if self.shift is None:
            counts = observed.sum(axis=0)
            totals = np.where(observed, matrix, 0.0).sum(axis=0)
            self.shift = np.divide(totals, counts, out=np.zeros(len(totals)), where=counts > 0)
        values = np.where(observed, matrix - self.shift, 0.0)
        if self.paired_sums is None and not observed.all():
            width = len(self.sums)
            self.paired_sums = np.outer(self.sums, np.ones(width))
            self.paired_counts = np.full((width, width), float(self.rows))
        self.products += values.T @ values
        if self.paired_sums is not None:
            flags = observed.astype(np.float64)
            self.paired_sums += values.T @ flags
            self.paired_counts += flags.T @ flags
        self.sums += values.sum(axis=0)
        self.counts += observed.sum(axis=0)
        self.rows += len(matrix)

    def principal_axes(
        self, mean: np.ndarray, variance: np.ndarray, components: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The PCA of the rows standardised with ``mean`` and ``variance`` (missing: 0).

        Args:
            mean: Per-feature mean to subtract.
            variance: Per-feature variance to divide by (its square root).
            components: Number of principal axes.

        Returns:
            ``(axes, center)``: the axes (``components`` x features, largest variance
            first, each signed so that its largest entry is positive) and the mean of the
            standardised rows, as ``sklearn.decomposition.PCA`` gives ``components_`` and
            ``mean_``.
        """
        width = len(self.sums)
        shift = np.zeros(width) if self.shift is None else self.shift
        offset = np.asarray(mean, dtype=np.float64) - shift  # the mean, on the shifted scale
        scale = np.sqrt(np.asarray(variance, dtype=np.float64))
        paired_sums = self.paired_sums
        paired_counts = self.paired_counts
        if paired_sums is None:  # nothing missing
            paired_sums = np.outer(self.sums, np.ones(width))
            paired_counts = np.full((width, width), float(self.rows))
        centred = (self.products - paired_sums * offset[None, :] - paired_sums.T * offset[:, None]
                   + paired_counts * np.outer(offset, offset))  # fmt: skip
        gram = centred / np.outer(scale, scale)
        center = (self.sums - self.counts * offset) / scale / max(self.rows, 1)
        covariance = (gram - self.rows * np.outer(center, center)) / max(self.rows - 1, 1)
        values, vectors = np.linalg.eigh(covariance)
        axes = vectors[:, ::-1][:, :components].T.copy()
        strongest = np.argmax(np.abs(axes), axis=1)
        axes *= np.sign(axes[np.arange(len(axes)), strongest])[:, None]
        return axes, center


def reconstructed(standardized: np.ndarray, axes: np.ndarray, center: np.ndarray) -> np.ndarray:
    """Standardised rows (NaN: missing, read as 0) projected on ``axes`` and back, as
    ``PCA.inverse_transform(PCA.transform(...))`` gives them."""
    filled = np.nan_to_num(standardized, nan=0.0) - center
    return filled @ axes.T @ axes + center
