"""The autoencoder's report on a streamed run: the in-memory report's files and metrics,
computed over batches of rows in memory bounded by the batch, not the table.

- the PCA baseline is ``IncrementalPCA`` of the standardised training rows (one pass);
- ``reconstruction_mse``, ``r2`` and ``pca_r2`` of every split, and the test split's
  per-feature r2, come from sums over every row (:class:`FitSums`), equal to the in-memory
  ``explained_variance`` up to rounding;
- ``embeddings.csv`` is written chunk by chunk, in file order;
- the test intervals resample every test row up to ``bootstrap.RESAMPLED_ROWS``; past it, the
  seeded subsample of ``bootstrap.split_intervals`` (the rows kept during the pass), moved to
  the whole split's estimate (``metrics.json``: ``sampled_rows.intervals``);
- ``codes.png`` shows a seeded uniform sample of at most :data:`PLOT_ROWS` rows
  (``sampled_rows.codes_plot``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.sampling import Reservoir
from pmtk.core.data.splits import SPLITS
from pmtk.core.data.statistics import RunningMoments
from pmtk.plugins.autoencoder import streamed
from pmtk.plugins.autoencoder.codes import code_frame, plot_codes
from pmtk.plugins.autoencoder.fit_metrics import below_pca, rounded, weighted_fit
from pmtk.plugins.autoencoder.models import (
    encoder_model,
    model_statistics,
    reset_to_pca_start,
    standardize,
)

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.task import RunContext

#: ``codes.png`` plots at most this many rows (a seeded uniform sample).
PLOT_ROWS = 10_000


class FitSums:
    """What :func:`fit_metrics.explained_variance` needs of a split, summed batch by batch.

    Per feature: the moments of the observed standardised values (so each feature is
    centred on its mean in the split) and the squared error of each reconstruction.
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
        ``explained_variance`` gives them (r2 None for a single row)."""
        count = self.moments.count.sum()
        if count == 0:
            return None, None
        error, spread = self.error[name].sum(), self.moments.m2.sum()
        # A constant truth: scikit-learn's r2_score gives 1 for a perfect fit, else 0.
        r2 = 1 - error / spread if spread > 0 else float(error == 0)
        return rounded(error / count), rounded(r2) if self.rows > 1 else None

    def by_feature(self, names: list[str], name: str = "model") -> dict[str, float | None]:
        """Variance explained per feature, as ``fit_metrics.feature_r2``."""
        found = {}
        for index, feature in enumerate(names):
            spread = self.moments.m2[index] if self.moments.count[index] > 1 else 0.0
            error = self.error[name][index]
            found[feature] = rounded(1 - error / spread) if spread > 0 else None
        return found


def finish_streamed(model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
    """``report.finish`` for a streamed run (``splits`` are ``StreamedSplit``; see the module).

    Returns:
        What ``report.finish`` returns, and ``sampled_rows``.
    """
    run_dir, options = context.run_dir, context.options
    features = splits["train"].streamed
    color_column = context.derived.get("color_column") or options.task_option("color_column")
    mean, variance = model_statistics(model)
    counts = features.counts()
    components = min(options["latent_dim"], counts["train"], len(mean))
    pca = streamed.streamed_pca(
        lambda: (standardize(matrix[split == "train"], mean, variance)
                 for _, matrix, split in features.decoded()),
        components,
    )  # fmt: skip
    kept_weights = "trained"
    if "encoder_linear" in {layer.name for layer in model.layers}:
        val = _pass(model, features, pca, (mean, variance), only="val")[0]["val"]
        results = {"r2": val.fit("model")[1], "pca_r2": val.fit("pca")[1]}
        if below_pca(results) and reset_to_pca_start(model, None, _start(pca, model)):
            kept_weights = "pca_start"
            print(
                "Note: the trained network explained less validation variance than PCA; "
                "kept its PCA starting point.",
                file=sys.stderr,
            )
    sums, kept, plotted = _pass(
        model, features, pca, (mean, variance), embeddings=run_dir / "embeddings.csv",
        color_column=color_column, seed=options["seed"],
    )  # fmt: skip
    encoder_model(model).save(run_dir / "encoder.keras")
    plot_codes(run_dir / "codes.png", plotted, color_column)
    results = {}
    for name in SPLITS:
        mse, r2 = sums[name].fit("model")
        results[name] = {"reconstruction_mse": mse, "r2": r2, "pca_r2": sums[name].fit("pca")[1]}
    print(
        f"Test split: autoencoder r2 {results['test']['r2']}, PCA with {components} "
        f"component(s) r2 {results['test']['pca_r2']}.",
        file=sys.stderr,
    )
    by_feature = {"test": sums["test"].by_feature(features.features)}
    sampled = {"intervals": len(kept[0]), "codes_plot": len(plotted)}
    return (
        results
        | _versus_pca(sums["test"], kept, components, options)
        | {"reconstruction_by_feature": by_feature, "sampled_rows": sampled,
           "derived": {"kept_weights": kept_weights}}
    )  # fmt: skip


def _start(pca: Any, model: keras.Model) -> tuple[np.ndarray, np.ndarray]:
    """The fitted PCA as ``models.pca_start`` gives it (rows padded to the code size)."""
    latent_dim = model.get_layer("encoder_linear").units
    components = np.zeros((latent_dim, pca.components_.shape[1]))
    components[: len(pca.components_)] = pca.components_
    return components, pca.mean_


def _pass(model, features, pca, statistics, *, only=None, embeddings=None, color_column=None,
          seed=0):  # fmt: skip
    """One pass over the table: sums per split, the test rows kept for the intervals, and
    (with ``embeddings``, a path) the codes written there and a sample of them to plot.

    Returns:
        ``(sums per split, (targets, reconstructions, PCA's) of the kept test rows,
        the plotted sample)``.
    """
    from pmtk.core.evaluation.bootstrap import subsample

    mean, variance = statistics
    width = len(mean)
    sums = {name: FitSums(width) for name in SPLITS}
    chosen = subsample(features.counts()["test"], None, seed)
    kept: list[list[np.ndarray]] = [[], [], []]
    plot = Reservoir(PLOT_ROWS, seed)
    seen_test, header = 0, True
    handle = open(embeddings, "w", newline="") if embeddings is not None else None  # noqa: SIM115
    try:
        for frame, matrix, split in features.decoded():
            rows = split == only if only is not None else np.ones(len(split), dtype=bool)
            if not rows.any():
                continue
            outputs = model.predict_on_batch(matrix[rows].astype(np.float32))
            target = (matrix[rows] - mean) / np.sqrt(variance)
            rebuilt = standardize(np.asarray(outputs["reconstruction"], "float64"), mean, variance)
            by_pca = pca.inverse_transform(pca.transform(np.nan_to_num(target, nan=0.0)))
            names = split[rows]
            for name in SPLITS:
                part = names == name
                if part.any():
                    sums[name].add(target[part], {"model": rebuilt[part], "pca": by_pca[part]})
            test = np.flatnonzero(names == "test")
            if only is None and len(test):
                picked = test if chosen is None else test[_within(chosen[0], seen_test, len(test))]
                for store, values in zip(kept, (target, rebuilt, by_pca), strict=True):
                    store.append(values[picked])
                seen_test += len(test)
            if handle is not None:
                codes = _code_rows(frame[rows], names, outputs["code"], color_column)
                codes.to_csv(handle, index=False, header=header)
                header = False
                plot.add(codes)
    finally:
        if handle is not None:
            handle.close()
    arrays = tuple(np.concatenate(s) if s else np.empty((0, width)) for s in kept)
    return sums, arrays, plot.rows()


def _within(rows: np.ndarray, start: int, count: int) -> np.ndarray:
    """Positions, within this batch's test rows, of the chosen test-row indices."""
    inside = rows[(rows >= start) & (rows < start + count)]
    return inside - start


def _code_rows(frame, names: np.ndarray, codes: np.ndarray, color_column: str | None):
    """``embeddings.csv`` rows of a batch: ``id``, ``split``, the colour column, ``z1..zk``."""
    table = code_frame(frame["id"].reset_index(drop=True), np.asarray(codes))
    table.insert(1, "split", names)
    if color_column is not None and color_column not in table.columns:
        table.insert(2, color_column, frame["color"].to_numpy())
    return table


def _versus_pca(sums: FitSums, kept: tuple[np.ndarray, ...], components: int, options) -> dict:
    """``report.versus_pca`` from the test sums, resampling the kept test rows."""
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

    every = len(target) == sums.rows  # no larger than RESAMPLED_ROWS: every row was kept

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
