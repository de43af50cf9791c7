"""The model-randomisation sanity check (Adebayo et al., 2018) of every explanation.

The same explanations are computed with the upper half of the model's weight layers
shuffled and compared with Spearman's rank correlation. A high correlation means the
explanation barely depends on what the model learned, and the report and ``pmtk explain``
say so (``pmtk.core.report.explanations.warnings_of``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import keras
    import pandas as pd

    from pmtk.core.explaining.contract import Explainer, ExplainRun, ExplainSettings, Explanation

#: Median rank correlation (trained vs randomised model) at or above which a warning is printed.
SANITY_THRESHOLD = 0.5
#: Share of the model's weight layers, counted from the output, that the check shuffles.
RANDOMISED_SHARE = 0.5


def randomise_top_layers(model: keras.Model, share: float = RANDOMISED_SHARE, seed: int = 0):
    """Shuffles the weight matrices of the upper ``share`` of the model's weight layers.

    A weight layer is one with a trainable weight of two or more dimensions (dense,
    convolution, recurrent kernels); counted from the output, at least one. Every
    entry of each of its weight matrices is permuted at random: a re-initialisation
    that keeps each matrix's own distribution of values (so activations keep their
    scale) but none of what training arranged. Changes ``model`` in place.

    Returns:
        Names of the layers randomised.
    """
    rng = np.random.default_rng(seed)
    weighted = [
        layer
        for layer in model.layers
        if any(len(weight.shape) >= 2 for weight in layer.trainable_weights)
    ]
    chosen = weighted[-max(1, math.ceil(len(weighted) * share)) :] if weighted else []
    for layer in chosen:
        for weight in layer.trainable_weights:
            if len(weight.shape) >= 2:
                values = np.asarray(weight.numpy())
                weight.assign(rng.permutation(values.reshape(-1)).reshape(values.shape))
    return [layer.name for layer in chosen]


def rank_correlations(trained: np.ndarray, randomised: np.ndarray) -> list[float]:
    """Spearman's rho per example between two sets of explanations (NaN entries ignored).

    Examples with fewer than three values, or constant ones, are left out; when that
    leaves none, one rho over all examples' values pooled is returned instead.
    """
    values = [_spearman(first, second) for first, second in zip(trained, randomised, strict=True)]
    values = [value for value in values if value is not None]
    if not values:
        pooled = _spearman(trained, randomised)
        values = [] if pooled is None else [pooled]
    return values


def _spearman(first: np.ndarray, second: np.ndarray) -> float | None:
    from scipy.stats import spearmanr

    first, second = np.ravel(first), np.ravel(second)
    keep = np.isfinite(first) & np.isfinite(second)
    if keep.sum() < 3 or np.ptp(first[keep]) == 0 or np.ptp(second[keep]) == 0:
        return None
    return float(spearmanr(first[keep], second[keep]).statistic)


def sanity_check(
    explainer: Explainer,
    run: ExplainRun,
    examples: pd.DataFrame,
    settings: ExplainSettings,
    model: keras.Model,
    trained: Explanation,
) -> dict[str, Any]:
    """The model-randomisation check on the first ``explainer.sanity_examples`` rows.

    Randomises ``model`` in place (call it last).

    Returns:
        The ``sanity_check`` entry of ``summary.json``.
    """
    count = min(len(examples), explainer.sanity_examples)
    layers = randomise_top_layers(model)
    randomised = explainer.explain(run, examples.head(count), settings, model)
    rhos = rank_correlations(trained.maps[:count], randomised.maps)
    median = round(float(np.median(rhos)), 4) if rhos else None
    return {
        "method": "model randomisation (weights of the top layers shuffled), Spearman rank "
        "correlation between the explanations of the trained and the randomised model",
        "randomised_layers": layers,
        "examples": count,
        "compared": len(rhos),
        "median_spearman": median,
        "spearman": [round(r, 4) for r in rhos],
        "threshold": SANITY_THRESHOLD,
        "passed": None if median is None else bool(median < SANITY_THRESHOLD),
    }
