"""The network's and PCA's reconstructions of every row of the splits, part by part.

:func:`reconstruct` reads each split through ``SplitData.parts()`` (one part when the data
is held, several when it is read in parts), so memory holds a part, not the table:

- per split, the sums of :class:`pmtk.plugins.autoencoder.fit_metrics.FitSums`, from which
  ``reconstruction_mse``, ``r2`` and ``pca_r2`` equal ``explained_variance`` of all rows;
- the test rows the intervals resample: every one up to ``bootstrap.RESAMPLED_ROWS``, else
  the seeded subsample of ``bootstrap.split_intervals``;
- the codes of every row, written to ``embeddings.csv`` in file order, and a seeded uniform
  sample of them for ``codes.png`` (every row up to ``plot_rows``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.data.sampling import Reservoir
from pmtk.plugins.autoencoder.codes import ROW, embedding_rows, in_file_order
from pmtk.plugins.autoencoder.fit_metrics import FitSums
from pmtk.plugins.autoencoder.models import standardize
from pmtk.plugins.autoencoder.principal_components import reconstructed
from pmtk.plugins.autoencoder.reading import feature_matrix

if TYPE_CHECKING:
    import keras
    import pandas as pd

    from pmtk.core.contract.context import SplitData


@dataclass
class Scales:
    """How rows are compared: the model's standardisation and the PCA baseline.

    Attributes:
        mean: Per-feature training mean (the model's ``standardize`` layer).
        variance: Per-feature training variance.
        axes: PCA axes of the standardised training rows (components x features).
        center: PCA centre.
        batch_size: Rows per prediction batch.
    """

    mean: np.ndarray
    variance: np.ndarray
    axes: np.ndarray
    center: np.ndarray
    batch_size: int


@dataclass
class Reconstructions:
    """What :func:`reconstruct` found (see the module docstring).

    Attributes:
        sums: Per split name, the fit sums of the network (``model``) and of ``pca``.
        kept: The kept test rows' standardised targets, network's and PCA's reconstructions.
        plotted: The ``embeddings.csv`` rows plotted (every row, or a sample).
    """

    sums: dict[str, FitSums]
    kept: tuple[np.ndarray, ...]
    plotted: pd.DataFrame


def split_rows(
    model: keras.Model, split: SplitData, scales: Scales
) -> Iterator[tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Every row of a split, part by part: ``(examples, target, rebuilt, by_pca, codes)``,
    the last four as arrays (targets and reconstructions standardised, NaN where missing)."""
    import tensorflow as tf

    from pmtk.core.data.batching import batches

    for examples, _ in split.parts():
        if not len(examples):
            continue
        # A dataset, not a NumPy array: Keras' NumPy adapter makes TensorFlow log a C++
        # error line under the deterministic ops the loop turns on.
        rows = tf.data.Dataset.from_tensor_slices(feature_matrix(examples))
        outputs = model.predict(batches(rows, scales.batch_size), verbose=0)
        matrix = feature_matrix(examples).astype(np.float64)
        target = (matrix - scales.mean) / np.sqrt(scales.variance)
        rebuilt = standardize(outputs["reconstruction"].astype(np.float64), scales.mean,
                              scales.variance)  # fmt: skip
        by_pca = reconstructed(target, scales.axes, scales.center)
        yield examples, target, rebuilt, by_pca, np.asarray(outputs["code"])


def fit_sums(model: keras.Model, split: SplitData, scales: Scales) -> FitSums:
    """The fit sums of one split (one pass over its rows)."""
    sums = FitSums(len(scales.mean))
    for _, target, rebuilt, by_pca, _ in split_rows(model, split, scales):
        sums.add(target, {"model": rebuilt, "pca": by_pca})
    return sums


def reconstruct(
    model: keras.Model,
    splits: dict[str, SplitData],
    scales: Scales,
    embeddings: Path,
    *,
    color_column: str | None,
    seed: int,
    plot_rows: int,
) -> Reconstructions:
    """One pass over every split: the sums, the kept test rows, ``embeddings`` written in
    file order and the plotted sample (see the module docstring)."""
    sums = {name: FitSums(len(scales.mean)) for name in splits}
    kept: list[list[np.ndarray]] = [[], [], []]
    streams = [_codes(model, name, split, scales, (sums[name], kept), color_column, seed)
               for name, split in splits.items()]  # fmt: skip
    plot = Reservoir(plot_rows, seed)
    with open(embeddings, "w", newline="") as handle:
        header = True
        for rows in in_file_order(streams):
            rows = rows.drop(columns=ROW)
            rows.to_csv(handle, index=False, header=header)
            header = False
            plot.add(rows)
    width = len(scales.mean)
    arrays = tuple(np.concatenate(s) if s else np.empty((0, width)) for s in kept)
    return Reconstructions(sums, arrays, plot.rows())


def _codes(model, name, split, scales, found, color_column, seed) -> Iterator[pd.DataFrame]:
    """One split's ``embeddings.csv`` rows, part by part, adding to ``found`` (the split's
    sums, and the kept test rows) as they pass."""
    from pmtk.core.evaluation.bootstrap import subsample

    sums, kept = found
    chosen = subsample(split.rows or 0, None, seed) if name == "test" else None
    seen = 0
    for examples, target, rebuilt, by_pca, codes in split_rows(model, split, scales):
        sums.add(target, {"model": rebuilt, "pca": by_pca})
        if name == "test":
            picked = slice(None) if chosen is None else _within(chosen[0], seen, len(target))
            for store, values in zip(kept, (target, rebuilt, by_pca), strict=True):
                store.append(values[picked])
            seen += len(target)
        yield embedding_rows(examples, name, codes, color_column)


def _within(rows: np.ndarray, start: int, count: int) -> np.ndarray:
    """Positions, within this part's test rows, of the chosen test-row indices."""
    inside = rows[(rows >= start) & (rows < start + count)]
    return inside - start
