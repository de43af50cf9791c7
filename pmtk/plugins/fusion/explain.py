"""Each modality's contribution to each patient's prediction (``pmtk explain`` on a fused run).

A modality's contribution is the change in the explained class's probability when the
model loses that modality: the score with everything the patient has, minus the score with
that modality hidden (as if its cell were empty). Positive values pushed the prediction
towards the class. A modality the patient lacks contributes nothing (written as empty).
This is an occlusion over whole modalities, which the model was trained for (modality
dropout), so hiding one gives an input the model knows rather than an out-of-range one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pmtk.core.data.batching import batches
from pmtk.core.explaining import (
    Explainer,
    ExplainRun,
    ExplainSettings,
    Explanation,
    class_probabilities,
)
from pmtk.plugins.fusion.modalities import PRESENT


class FusionExplainer(Explainer):
    """Per patient, how much each modality moved the prediction."""

    description = "per-patient contribution of each modality (the score lost when it is hidden)"
    methods = ("modality_occlusion",)

    def explain(
        self, run: ExplainRun, examples: Any, settings: ExplainSettings, model: Any
    ) -> Explanation:
        """Contributions ``(patients, modalities)``; NaN where the patient lacks the modality."""
        from pmtk.plugins.fusion.evaluation import hidden

        dataset = run.task.dataset(examples, None, run.context)
        presence = np.stack([x[PRESENT] for x in dataset.as_numpy_iterator()])
        full = class_probabilities(self._predict(model, dataset, settings))
        chosen = (
            np.full(len(full), settings.class_index)
            if settings.class_index is not None
            else full.argmax(axis=1)
        )
        rows = np.arange(len(full))
        contributions = np.full(presence.shape, np.nan)
        for index in range(presence.shape[1]):
            without = self._predict(model, hidden(dataset, index), settings)
            scores = class_probabilities(without)
            has = presence[:, index] > 0
            contributions[has, index] = (full[rows, chosen] - scores[rows, chosen])[has]
        names = [entry["name"] for entry in run.context.derived["modalities"]]
        return Explanation(
            examples["id"].astype(str).tolist(),
            contributions,
            {"score": full[rows, chosen], "class": chosen, "modalities": names},
            {"mean_abs_contribution": {
                name: _rounded(np.nanmean(np.abs(contributions[:, i])))
                for i, name in enumerate(names)
            }},
        )  # fmt: skip

    def write(
        self,
        run: ExplainRun,
        examples: Any,
        explanation: Explanation,
        settings: ExplainSettings,
        output: Path,
    ) -> list[str]:
        """``modality_contributions.csv``: id, explained class, its score, one column each."""
        import pandas as pd

        names = explanation.details["modalities"]
        class_names = run.targets.class_names
        table = pd.DataFrame(explanation.maps.round(6), columns=names)
        table.insert(0, "score", explanation.details["score"].round(6))
        table.insert(0, "class", [class_names[i] if class_names else i
                                  for i in explanation.details["class"]])  # fmt: skip
        table.insert(0, "id", explanation.ids)
        table.to_csv(output / "modality_contributions.csv", index=False)
        return ["modality_contributions.csv"]

    @staticmethod
    def _predict(model: Any, dataset: Any, settings: ExplainSettings) -> np.ndarray:
        return model.predict(batches(dataset, settings.batch_size), verbose=0)


def _rounded(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 6)
