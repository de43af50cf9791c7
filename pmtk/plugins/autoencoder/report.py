"""What an autoencoder run writes besides the model: codes, the encoder, a plot, metrics vs PCA.

Metrics are computed on the standardised scale (training means and variances) over
the observed entries (missing values have no truth to compare with):

- ``reconstruction_mse``: mean squared error between input and reconstruction,
- ``r2``: variance explained (scikit-learn ``r2_score``; variance-weighted over features),
- ``pca_r2``: the same for PCA with as many components as the code, fitted on the
  training split (missing values filled with the training mean, as the model's
  input is) and applied to each split.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pmtk.core.contract.task import RunContext
from pmtk.plugins.autoencoder.models import (
    encoder_model,
    model_statistics,
    reset_to_pca_start,
    standardize,
)
from pmtk.plugins.autoencoder.reading import feature_matrix, feature_names

if TYPE_CHECKING:
    import keras

#: A categorical colour column with more values than this gets no legend.
MAX_LEGEND_ENTRIES = 20


def code_frame(ids: pd.Series, codes: np.ndarray) -> pd.DataFrame:
    """One row per example: ``id`` and the code ``z1..zk``."""
    codes = np.asarray(codes).reshape(len(ids), -1)
    frame = pd.DataFrame(codes.round(6), columns=[f"z{i}" for i in range(1, codes.shape[1] + 1)])
    frame.insert(0, "id", ids.to_numpy())
    return frame


def finish(model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
    """Picks the final weights, then writes ``encoder.keras``, ``embeddings.csv``, ``codes.png``.

    A ``pca_residual`` network that explains less validation variance than PCA
    is put back at its PCA starting point (returned as ``derived.kept_weights``, which
    the loop records in config.json), so the saved model is never worse than PCA on
    validation data.

    Args:
        model: The trained autoencoder (outputs ``code`` and ``reconstruction``).
        context: The run context; files go to ``context.run_dir``.
        splits: Per split name, a ``SplitData`` whose ``examples`` hold the features.

    Returns:
        Per split: ``reconstruction_mse``, ``r2`` and ``pca_r2``; the comparison with PCA;
        and under ``"derived"``, ``kept_weights`` (``trained`` or ``pca_start``).
    """
    from pmtk.core.loop.streamed_results import StreamedSplit

    if isinstance(splits.get("test"), StreamedSplit):  # a table read in batches
        from pmtk.plugins.autoencoder.streamed_report import finish_streamed

        return finish_streamed(model, context, splits)
    run_dir, options = context.run_dir, context.options
    color_column = context.derived.get("color_column", options.get("color_column"))
    outputs, results, components, test = _evaluate(model, splits, options)
    kept_weights = "trained"
    if _below_pca(results["val"]) and reset_to_pca_start(model, _training_rows(splits["train"])):
        kept_weights = "pca_start"
        print(
            "Note: the trained network explained less validation variance than PCA; "
            "kept its PCA starting point.",
            file=sys.stderr,
        )
        outputs, results, components, test = _evaluate(model, splits, options)
    encoder_model(model).save(run_dir / "encoder.keras")
    embeddings = embedding_frame(splits, outputs, color_column)
    embeddings.to_csv(run_dir / "embeddings.csv", index=False)
    plot_codes(run_dir / "codes.png", embeddings, color_column)
    scores = results.get("test", {})
    print(
        f"Test split: autoencoder r2 {scores.get('r2')}, PCA with {components} component(s) "
        f"r2 {scores.get('pca_r2')}.",
        file=sys.stderr,
    )
    names = feature_names(splits["test"].examples)
    by_feature = {"test": feature_r2(test[0], test[1], names)}
    return (
        results
        | versus_pca(test, components, options)
        | {"reconstruction_by_feature": by_feature, "derived": {"kept_weights": kept_weights}}
    )


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
        found[name] = _clean(1 - np.sum((truth - guess) ** 2) / total) if total > 0 else None
    return found


def versus_pca(test: tuple[np.ndarray, ...], components: int, options: dict[str, Any]) -> dict:
    """The PCA baseline and the bootstrap intervals of the test split, paired with PCA.

    Args:
        test: Standardised test targets, the network's and PCA's reconstructions.
        components: PCA components (the code size).
        options: The run's options (``bootstrap``, ``seed``).

    Returns:
        ``baseline``, ``baseline_ci``, ``ci`` and ``versus_baseline`` for metrics.json.
    """
    from pmtk.core.evaluation.split_metrics import paired_intervals

    target, rebuilt, by_pca = test

    def statistic(weights: np.ndarray) -> dict[str, np.ndarray]:
        mse, r2 = weighted_fit(target, rebuilt, weights)
        pca_mse, pca_r2 = weighted_fit(target, by_pca, weights)
        return {"reconstruction_mse": mse, "r2": r2,
                "baseline:reconstruction_mse": pca_mse, "baseline:r2": pca_r2}  # fmt: skip

    baseline = {
        "model": "pca",
        "inputs": f"{components} principal components of the standardised features",
        "test": dict(
            zip(("reconstruction_mse", "r2"), explained_variance(target, by_pca), strict=True)
        ),  # fmt: skip
    }
    intervals = paired_intervals(
        statistic, target, None, options.get("bootstrap", 1000), options["seed"], "reconstruction"
    )
    return {"baseline": baseline} | intervals


def _evaluate(model: keras.Model, splits: dict[str, Any], options: dict[str, Any]):
    """The model's outputs per split, the metrics per split and the PCA size."""
    from pmtk.core.data.batching import batches

    # The split datasets, not NumPy arrays: Keras' NumPy adapter makes TensorFlow log a
    # C++ error line under the deterministic ops the loop turns on.
    outputs = {
        name: model.predict(batches(split.dataset, options["batch_size"]), verbose=0)
        for name, split in splits.items()
    }
    results, components, test = reconstruction_metrics(
        model, splits, outputs, options["latent_dim"]
    )
    return outputs, results, components, test


def _training_rows(train: Any) -> np.ndarray | Any:
    """The training matrix, or past the streaming threshold the split's dataset to stream."""
    from pmtk.plugins.autoencoder.streamed import streams

    if streams(len(train.examples)):
        return train.dataset
    return feature_matrix(train.examples).astype("float64")


def _pca_baseline(train_input: np.ndarray, components: int) -> Any:
    """PCA of the standardised, imputed training rows; ``IncrementalPCA`` by batches past
    the streaming threshold (no copy of the matrix beyond one batch)."""
    from sklearn.decomposition import PCA

    from pmtk.core.data.streaming import incremental_pca
    from pmtk.plugins.autoencoder.streamed import BATCH_ROWS, streams

    if not streams(len(train_input)):
        return PCA(n_components=components, random_state=0).fit(np.nan_to_num(train_input))
    batches = (
        np.nan_to_num(train_input[start : start + BATCH_ROWS], nan=0.0)
        for start in range(0, len(train_input), BATCH_ROWS)
    )
    return incremental_pca(batches, components)


def _below_pca(metrics: dict[str, float | None]) -> bool:
    r2, pca_r2 = metrics.get("r2"), metrics.get("pca_r2")
    return r2 is not None and pca_r2 is not None and r2 < pca_r2


def reconstruction_metrics(
    model: keras.Model, splits: dict[str, Any], outputs: dict[str, dict], latent_dim: int
) -> tuple[dict[str, dict], int, tuple[np.ndarray, ...]]:
    """Reconstruction error and variance explained per split, for the model and PCA.

    Both are scored on the observed entries only (a missing value has no truth to
    compare with); PCA sees the same mean-imputed input as the model.

    Returns:
        The metrics per split, the number of PCA components used (the code size,
        unless the training split has fewer rows), and the test split's standardised
        targets with the network's and PCA's reconstructions.
    """
    mean, variance = model_statistics(model)
    targets = {
        name: (feature_matrix(split.examples).astype("float64") - mean) / np.sqrt(variance)
        for name, split in splits.items()
    }
    components = min(latent_dim, *targets["train"].shape)
    pca = _pca_baseline(targets["train"], components)
    results, test = {}, ()
    for name, target in targets.items():
        rebuilt = standardize(outputs[name]["reconstruction"].astype("float64"), mean, variance)
        by_pca = pca.inverse_transform(pca.transform(np.nan_to_num(target, nan=0.0)))
        mse, r2 = explained_variance(target, rebuilt)
        results[name] = {
            "reconstruction_mse": mse,
            "r2": r2,
            "pca_r2": explained_variance(target, by_pca)[1],
        }
        if name == "test":
            test = (target, rebuilt, by_pca)
    return results, components, test


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
    r2 = _clean(r2_score(truth, guess)) if len(target) > 1 else None  # a variance needs 2 rows
    return _clean(mean_squared_error(truth, guess)), r2


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


def embedding_frame(
    splits: dict[str, Any], outputs: dict[str, dict], color_column: str | None
) -> pd.DataFrame:
    """``id``, ``split``, the colour column (if any) and ``z1..zk`` of every row, in file order."""
    frames = []
    for name, split in splits.items():
        frame = code_frame(split.examples["id"], outputs[name]["code"])
        frame.insert(1, "split", name)
        if color_column is not None and color_column not in frame.columns:
            frame.insert(2, color_column, split.examples["color"].to_numpy())
        frame["_row"] = split.examples["row"].to_numpy()
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).sort_values("_row", kind="stable")
    return table.drop(columns="_row").reset_index(drop=True)


def plot_codes(path: Path, embeddings: pd.DataFrame, color_column: str | None) -> None:
    """Scatter plot of the first two code dimensions (z1 against row order for a 1-unit code).

    A numeric colour column with many values gets a colour scale; any other gets
    one colour per value.
    """
    from matplotlib.figure import Figure  # no pyplot: no global state, Agg canvas

    figure = Figure(figsize=(6.4, 5.2))
    axes = figure.subplots()
    x = embeddings["z1"].to_numpy()
    y = embeddings["z2"].to_numpy() if "z2" in embeddings else np.arange(len(x))
    axes.set_xlabel("z1")
    axes.set_ylabel("z2" if "z2" in embeddings else "row")
    colors = embeddings.get(color_column)
    if colors is None:
        axes.scatter(x, y, s=8, alpha=0.7)
    elif pd.api.types.is_numeric_dtype(colors) and colors.nunique() > MAX_LEGEND_ENTRIES:
        points = axes.scatter(x, y, c=colors.to_numpy(), s=8, alpha=0.7, cmap="viridis")
        figure.colorbar(points, ax=axes, label=color_column)
    else:
        labels = colors.astype(str).where(colors.notna(), "missing")
        for value in sorted(labels.unique()):
            chosen = (labels == value).to_numpy()
            axes.scatter(x[chosen], y[chosen], s=8, alpha=0.7, label=value)
        if labels.nunique() <= MAX_LEGEND_ENTRIES:
            axes.legend(title=color_column, markerscale=2, fontsize="small")
    axes.set_title(f"Autoencoder codes of {len(x)} rows")
    figure.savefig(path, dpi=120, bbox_inches="tight")


def _clean(value: float) -> float | None:
    value = float(value)
    return round(value, 6) if np.isfinite(value) else None
