"""What the autoencoder learns from its training rows, part by part: the task's derivation.

The loop hands every training row to :class:`FeatureDerivation`, one part at a time (all of
them at once when the data is held); ``derive`` is the same derivation on one part. It keeps:

- per feature, the count, mean and variance of the observed values
  (:class:`pmtk.core.data.statistics.RunningMoments`);
- per pair of features, the sums from which the PCA of the standardised rows is formed
  (:class:`pmtk.plugins.autoencoder.principal_components.CrossProducts`).

Its settings (``config.json``'s ``derived``) are the feature names, the id and colour
columns, the means and variances the model standardises with (``standardize``), the
constant features, and the PCA that both starts ``pca_residual`` and is the report's
baseline (``pca``). Memory depends on the number of features, never on the rows.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.derivation import Derivation
from pmtk.core.data.sample_data import sample_data_path
from pmtk.core.data.statistics import RunningMoments
from pmtk.plugins.autoencoder.principal_components import CrossProducts
from pmtk.plugins.autoencoder.reading import feature_matrix, feature_names, listed_names
from pmtk.plugins.autoencoder.sample import SAMPLE_DATA, column_options

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.contract.context import RunContext
    from pmtk.core.contract.targets import Targets

#: Training variances at or below this are constant features; they are scaled by 1, not by 0.
VARIANCE_FLOOR = 1e-12


class TrainingSummary:
    """Moments and cross products of the training rows' features, added part by part."""

    def __init__(self) -> None:
        self.moments: RunningMoments | None = None
        self.products: CrossProducts | None = None

    def add(self, matrix: np.ndarray) -> None:
        """Adds rows: a 2-D float array of raw features, NaN where missing."""
        if self.moments is None:
            self.moments = RunningMoments(matrix.shape[1])
            self.products = CrossProducts(matrix.shape[1])
        self.moments.update(matrix)
        self.products.add(matrix)

    @property
    def rows(self) -> int:
        """Rows added so far."""
        return 0 if self.products is None else self.products.rows

    def statistics(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-feature mean and variance over the observed values.

        A feature with no observed value gets mean 0; a constant one (variance at most
        :data:`VARIANCE_FLOOR`) gets variance 1, so it standardises to 0.
        """
        moments = self.moments
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.where(moments.count > 0, moments.mean, 0.0)
            variance = np.where(moments.count > 0, moments.variance, np.nan)
        variance = np.where(np.isfinite(variance) & (variance > VARIANCE_FLOOR), variance, 1.0)
        return mean, variance

    def settings(self, latent_dim: int) -> dict[str, Any]:
        """``standardize`` (means, variances), ``pca`` (at most ``latent_dim`` axes and the
        centre) and the positions of the ``constant`` features, as JSON-ready lists."""
        mean, variance = self.statistics()
        size = min(latent_dim, self.rows, len(mean))
        axes, center = self.products.principal_axes(mean, variance, size)
        constant = np.flatnonzero(self.moments.variance <= VARIANCE_FLOOR)
        return {
            "standardize": {"mean": mean.tolist(), "variance": variance.tolist()},
            "pca": {"axes": axes.tolist(), "center": center.tolist()},
            "constant": constant.tolist(),
        }


def summarized(matrix: np.ndarray, latent_dim: int) -> dict[str, Any]:
    """:meth:`TrainingSummary.settings` of one matrix of training rows."""
    summary = TrainingSummary()
    summary.add(matrix)
    return summary.settings(latent_dim)


def feature_statistics(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and variance of one matrix (:meth:`TrainingSummary.statistics`)."""
    summary = TrainingSummary()
    summary.add(matrix)
    return summary.statistics()


def standardization(derived: Any) -> tuple[np.ndarray, np.ndarray]:
    """The means and variances the model standardises with, from the derived settings."""
    return (np.asarray(derived["standardize"]["mean"], dtype=np.float64),
            np.asarray(derived["standardize"]["variance"], dtype=np.float64))  # fmt: skip


def pca_start(derived: Any, latent_dim: int) -> tuple[np.ndarray, np.ndarray]:
    """The PCA of the derived settings as the ``pca_residual`` model starts from it
    (:func:`padded`)."""
    center = np.asarray(derived["pca"]["center"], dtype=np.float64)
    axes = np.asarray(derived["pca"]["axes"], dtype=np.float64).reshape(-1, len(center))
    return padded(axes, center, latent_dim)


def padded(axes: np.ndarray, center: np.ndarray, latent_dim: int) -> tuple[np.ndarray, np.ndarray]:
    """PCA axes with zero rows added up to ``latent_dim`` (fewer training rows than the
    code: the extra code units start at zero), and the centre."""
    components = np.zeros((latent_dim, len(center)))
    components[: len(axes)] = axes
    return components, center


class FeatureDerivation(Derivation):
    """The autoencoder's settings, learned from the training rows part by part.

    Args:
        context: The run context (options: ``latent_dim``, ``data``, the column options).
    """

    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.summary = TrainingSummary()
        self.features: list[str] | None = None

    def extend(self, train: pd.DataFrame) -> None:
        """Adds the training rows of one part (an examples table of ``reading``)."""
        if self.features is None:
            self.features = feature_names(train)
        if len(train):
            self.summary.add(feature_matrix(train).astype(np.float64))

    def aggregate(self, targets: Targets | None = None) -> dict[str, Any]:
        """The settings (see the module docstring); warns about constant features."""
        options = self.context.options
        learned = self.summary.settings(options.task_option("latent_dim"))
        constant = [self.features[index] for index in learned.pop("constant")]
        if constant:
            print(
                f"Warning: {_source(options)}: constant column(s) {listed_names(constant)} carry "
                "no information; they are kept, standardised to 0 and reconstructed as their "
                "mean.",
                file=sys.stderr,
            )
        return ({"features": list(self.features)} | column_options(options) | learned
                | {"constant_features": constant})  # fmt: skip


def _source(options: Any) -> str:
    """The data path as messages name it: ``--data``, else the bundled sample."""
    data = options.data
    return str(Path(data).expanduser()) if data else str(sample_data_path(SAMPLE_DATA))
