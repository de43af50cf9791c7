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
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.task import RunContext
from pmtk.plugins.autoencoder.codes import embedding_frame, plot_codes
from pmtk.plugins.autoencoder.fit_metrics import (
    below_pca,
    explained_variance,
    feature_r2,
    weighted_fit,
)
from pmtk.plugins.autoencoder.models import (
    encoder_model,
    model_statistics,
    reset_to_pca_start,
    standardize,
)
from pmtk.plugins.autoencoder.reading import feature_matrix, feature_names

if TYPE_CHECKING:
    import keras


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
    color_column = context.derived.get("color_column") or options.task_option("color_column")
    outputs, results, components, test = _evaluate(model, splits, options)
    kept_weights = "trained"
    if below_pca(results["val"]) and reset_to_pca_start(model, _training_rows(splits["train"])):
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
        statistic, target, None, options.bootstrap, options.seed, "reconstruction"
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
    from pmtk.plugins.autoencoder.streamed import in_parts

    if in_parts(len(train.examples)):
        return train.dataset
    return feature_matrix(train.examples).astype("float64")


def _pca_baseline(train_input: np.ndarray, components: int) -> Any:
    """PCA of the standardised, imputed training rows; ``IncrementalPCA`` by batches past
    the streaming threshold (no copy of the matrix beyond one batch)."""
    from sklearn.decomposition import PCA

    from pmtk.core.data.statistics import incremental_pca
    from pmtk.plugins.autoencoder.streamed import BATCH_ROWS, in_parts

    if not in_parts(len(train_input)):
        return PCA(n_components=components, random_state=0).fit(np.nan_to_num(train_input))
    batches = (
        np.nan_to_num(train_input[start : start + BATCH_ROWS], nan=0.0)
        for start in range(0, len(train_input), BATCH_ROWS)
    )
    return incremental_pca(batches, components)


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
