"""The autoencoder's statistics and PCA by batches, for training splits past a size threshold.

Below :func:`part_threshold` rows the in-memory path stays (one matrix, exact
``PCA``): it is faster. Above it, means and variances come from one pass of
:class:`pmtk.core.data.statistics.RunningMoments` and the PCA start and baseline from
``IncrementalPCA`` fitted batch by batch, so the float64 copy of the training matrix and
its standardised twin are never built. A table past the threshold is itself read in
batches (``autoencoder.streamed_table``); its training split then always lands here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.part_threshold import (  # noqa: F401
    DEFAULT_THRESHOLD,
    THRESHOLD_VARIABLE,
    in_parts,
    part_threshold,
)
from pmtk.core.data.statistics import RunningMoments, incremental_pca
from pmtk.core.runtime.progress import progress

if TYPE_CHECKING:
    import tensorflow as tf

#: Rows per batch of a streamed pass.
BATCH_ROWS = 16_384


def dataset_rows(dataset: tf.data.Dataset) -> int:
    """Rows of an unbatched dataset (counted once when TensorFlow does not know them)."""
    known = int(dataset.cardinality())
    return known if known >= 0 else int(dataset.reduce(0, lambda count, _: count + 1))


def matrix_batches(dataset: tf.data.Dataset, description: str | None = None) -> Iterator:
    """Float64 feature batches of an unbatched dataset of ``x`` or ``(x, y)``."""

    def batches() -> Iterator[tuple[int, np.ndarray]]:
        for element in dataset.batch(BATCH_ROWS).as_numpy_iterator():
            matrix = element[0] if isinstance(element, tuple) else element
            yield len(matrix), np.asarray(matrix, dtype="float64")

    if description is None:
        return (matrix for _, matrix in batches())
    return progress(batches(), dataset_rows(dataset), description, weights=True)


def streamed_statistics(
    batches: Iterator[np.ndarray], columns: int, floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and variance over observed values, by batches.

    Same conventions as the in-memory ``feature_statistics``: a feature with no observed
    value gets mean 0, one with variance at most ``floor`` gets variance 1.
    """
    moments = RunningMoments(columns)
    for batch in batches:
        moments.update(batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.where(moments.count > 0, moments.mean, 0.0)
        variance = np.where(moments.count > 1, moments.variance, np.nan)
    variance = np.where(np.isfinite(variance) & (variance > floor), variance, 1.0)
    return mean, variance


def streamed_pca(standardized: Callable[[], Iterator[np.ndarray]], components: int) -> Any:
    """``IncrementalPCA`` of the standardised, imputed training rows, one pass by batches.

    Args:
        standardized: Makes a fresh iterator of standardised batches (missing already 0).
        components: Number of components.
    """
    return incremental_pca(standardized(), components)
