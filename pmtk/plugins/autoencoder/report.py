"""What an autoencoder run writes besides the model: codes, the encoder, a plot, metrics vs PCA.

Metrics are computed on the standardised scale (training means and variances) over
the observed entries (missing values have no truth to compare with):

- ``reconstruction_mse``: mean squared error between input and reconstruction,
- ``r2``: variance explained (scikit-learn ``r2_score``; variance-weighted over features),
- ``pca_r2``: the same for PCA with as many components as the code, fitted on the
  training split (missing values filled with the training mean, as the model's
  input is) and applied to each split.

Every split is read part by part (``SplitData.parts()``, one part when the data is held;
:mod:`pmtk.plugins.autoencoder.reconstructions`), so the metrics are sums over every row
and memory holds one part: the same numbers for data of any size. ``metrics.json``'s
``sampled_rows`` says how many test rows the intervals resampled and how many rows
``codes.png`` shows.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.task import RunContext
from pmtk.plugins.autoencoder.codes import plot_codes
from pmtk.plugins.autoencoder.derivation import pca_start
from pmtk.plugins.autoencoder.fit_metrics import FitSums, below_pca, weighted_fit
from pmtk.plugins.autoencoder.models import encoder_model, model_statistics, reset_to_pca_start
from pmtk.plugins.autoencoder.reconstructions import Scales, fit_sums, reconstruct

if TYPE_CHECKING:
    import keras

#: ``codes.png`` plots at most this many rows (a seeded uniform sample).
PLOT_ROWS = 10_000


def finish(model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
    """Picks the final weights, then writes ``encoder.keras``, ``embeddings.csv``, ``codes.png``.

    A ``pca_residual`` network that explains less validation variance than PCA
    is put back at its PCA starting point (returned as ``derived.kept_weights``, which
    the loop records in config.json), so the saved model is never worse than PCA on
    validation data.

    Args:
        model: The trained autoencoder (outputs ``code`` and ``reconstruction``).
        context: The run context; files go to ``context.run_dir``; ``derived`` holds the
            PCA of the training rows (``autoencoder.derivation``).
        splits: Per split name, a ``SplitData`` whose ``parts()`` give every row.

    Returns:
        Per split: ``reconstruction_mse``, ``r2`` and ``pca_r2``; the comparison with PCA;
        the test split's r2 per feature; ``sampled_rows``; and under ``"derived"``,
        ``kept_weights`` (``trained`` or ``pca_start``).
    """
    run_dir, options, derived = context.run_dir, context.options, context.derived
    color_column = derived.get("color_column") or options.task_option("color_column")
    size = len(derived["pca"]["axes"])  # the code size, or fewer training rows
    scales = Scales(*model_statistics(model), *pca_start(derived, size), options.batch_size)
    kept_weights = _kept_weights(model, splits["val"], scales, derived)
    found = reconstruct(
        model, splits, scales, run_dir / "embeddings.csv",
        color_column=color_column, seed=options.seed, plot_rows=PLOT_ROWS,
    )  # fmt: skip
    encoder_model(model).save(run_dir / "encoder.keras")
    plot_codes(run_dir / "codes.png", found.plotted, color_column)
    results = {name: _metrics(sums) for name, sums in found.sums.items()}
    print(
        f"Test split: autoencoder r2 {results['test']['r2']}, PCA with {size} component(s) "
        f"r2 {results['test']['pca_r2']}.",
        file=sys.stderr,
    )
    by_feature = {"test": found.sums["test"].by_feature(list(derived["features"]))}
    sampled = {"intervals": len(found.kept[0]), "codes_plot": len(found.plotted)}
    return (
        results
        | versus_pca(found.sums["test"], found.kept, size, options)
        | {"reconstruction_by_feature": by_feature, "sampled_rows": sampled,
           "derived": {"kept_weights": kept_weights}}
    )  # fmt: skip


def _kept_weights(model: keras.Model, val: Any, scales: Scales, derived: Any) -> str:
    """``pca_start`` after putting a ``pca_residual`` network that explains less validation
    variance than PCA back at its PCA start; else ``trained``."""
    if "encoder_linear" not in {layer.name for layer in model.layers}:
        return "trained"
    if not below_pca(_metrics(fit_sums(model, val, scales))):
        return "trained"
    start = pca_start(derived, model.get_layer("encoder_linear").units)
    reset_to_pca_start(model, None, start)
    print(
        "Note: the trained network explained less validation variance than PCA; "
        "kept its PCA starting point.",
        file=sys.stderr,
    )
    return "pca_start"


def _metrics(sums: FitSums) -> dict[str, float | None]:
    mse, r2 = sums.fit("model")
    return {"reconstruction_mse": mse, "r2": r2, "pca_r2": sums.fit("pca")[1]}


def versus_pca(
    sums: FitSums, kept: tuple[np.ndarray, ...], components: int, options: Any
) -> dict[str, Any]:
    """The PCA baseline and the bootstrap intervals of the test split, paired with PCA.

    Args:
        sums: The test split's fit sums (every row).
        kept: Standardised targets, the network's and PCA's reconstructions of the test
            rows kept for resampling (every row up to ``bootstrap.RESAMPLED_ROWS``).
        components: PCA components (the code size, or fewer training rows).
        options: The run's options (``bootstrap``, ``seed``).

    Returns:
        ``baseline``, ``baseline_ci``, ``ci`` and ``versus_baseline`` for metrics.json.
    """
    from pmtk.core.evaluation.split_metrics import paired_intervals

    target, rebuilt, by_pca = kept

    def whole(weights: np.ndarray) -> dict[str, np.ndarray]:
        values = {}
        for prefix, name in (("", "model"), ("baseline:", "pca")):
            mse, r2 = sums.fit(name)
            values[f"{prefix}reconstruction_mse"] = _repeat(mse, weights)
            values[f"{prefix}r2"] = _repeat(r2, weights)
        return values

    def of_kept(weights: np.ndarray) -> dict[str, np.ndarray]:
        mse, r2 = weighted_fit(target, rebuilt, weights)
        pca_mse, pca_r2 = weighted_fit(target, by_pca, weights)
        return {"reconstruction_mse": mse, "r2": r2,
                "baseline:reconstruction_mse": pca_mse, "baseline:r2": pca_r2}  # fmt: skip

    every = len(target) == sums.rows  # every test row was kept

    def statistic_of(rows: Any):
        return of_kept if every or not isinstance(rows, slice) else whole

    mse, r2 = sums.fit("pca")
    baseline = {
        "model": "pca",
        "inputs": f"{components} principal components of the standardised features",
        "test": {"reconstruction_mse": mse, "r2": r2},
    }
    intervals = paired_intervals(
        statistic_of(slice(None)), range(sums.rows), None, options.bootstrap,
        options.seed, "reconstruction", statistic_of=statistic_of,
    )  # fmt: skip
    return {"baseline": baseline} | intervals


def _repeat(value: float | None, weights: np.ndarray) -> np.ndarray:
    return np.full(len(weights), np.nan if value is None else value)
