"""The autoencoder explainer: how badly each row and feature is reconstructed, and the outliers.

The error of a feature in a row is its squared reconstruction error on the standardised
scale (divided by the feature's training variance), the scale the model was trained on,
so features with large units do not dominate. Missing entries have no error (empty
cells). A row's error is the mean over its observed features; the rows with the largest
errors are the ones the model finds least typical of its training data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pmtk.core.explaining import Explainer, ExplainRun, ExplainSettings, Explanation

#: Rows listed in ``worst_rows.csv``, and features named per row.
WORST_ROWS = 20
WORST_FEATURES = 3


class AutoencoderExplainer(Explainer):
    """Per-feature reconstruction error of every row; the worst-reconstructed rows."""

    description = "per-feature reconstruction error and the worst-reconstructed rows"
    methods = ("reconstruction_error",)
    uses_classes = False

    def explain(
        self, run: ExplainRun, examples: Any, settings: ExplainSettings, model: Any
    ) -> Explanation:
        """Squared standardised error per row and feature (NaN where the value is missing)."""
        from pmtk.plugins.autoencoder.models import model_statistics
        from pmtk.plugins.autoencoder.reading import feature_matrix

        matrix = feature_matrix(examples).astype("float64")
        output = model.predict(matrix.astype("float32"), batch_size=settings.batch_size,
                               verbose=0)  # fmt: skip
        _, variance = model_statistics(model)
        error = (matrix - np.asarray(output["reconstruction"], "float64")) ** 2
        error = error / np.where(variance > 1e-12, variance, 1.0)
        ids = examples["id"].astype(str).tolist()
        row_error = np.nanmean(np.where(np.isnan(matrix), np.nan, error), axis=1)
        summary = {"mean_reconstruction_error": round(float(np.nanmean(row_error)), 6)}
        return Explanation(ids, error, {"row_error": row_error}, summary)

    def write(
        self,
        run: ExplainRun,
        examples: Any,
        explanation: Explanation,
        settings: ExplainSettings,
        output: Path,
    ) -> list[str]:
        """``reconstruction_error.csv`` (id, one column per feature) and ``worst_rows.csv``."""
        import pandas as pd

        from pmtk.plugins.autoencoder.reading import feature_names

        features = feature_names(examples)
        table = pd.DataFrame(explanation.maps.round(6), columns=features)
        table.insert(0, "id", explanation.ids)
        table.to_csv(output / "reconstruction_error.csv", index=False)
        row_error = explanation.details["row_error"]
        order = np.argsort(-np.nan_to_num(row_error, nan=-1.0))[:WORST_ROWS]
        worst = []
        for rank, row in enumerate(order, start=1):
            values = np.nan_to_num(explanation.maps[row], nan=-1.0)
            top = np.argsort(-values)[:WORST_FEATURES]
            worst.append({
                "rank": rank,
                "id": explanation.ids[row],
                "mean_error": round(float(row_error[row]), 6),
                "worst_features": ";".join(features[i] for i in top if values[i] >= 0),
            })  # fmt: skip
        pd.DataFrame(worst).to_csv(output / "worst_rows.csv", index=False)
        return ["reconstruction_error.csv", "worst_rows.csv"]
