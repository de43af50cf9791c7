"""The risk explainer: integrated gradients per patient and feature, against a reference patient.

Integrated gradients (Sundararajan et al. 2017) run on the model's preprocessed input (the
vector its first dense layer reads: standardised numbers, missing flags, one-hot
categories), from a reference patient to the patient. The reference patient has every
numeric feature at its training mean, every category at its most frequent training value
and nothing missing. Attributions of a feature's columns are summed, so each patient gets
one number per raw feature, and they add up to the patient's score minus the reference
patient's score (completeness; checked and reported in ``summary.json``).

The score is the probability of the positive class (binary; ``--class`` picks the other),
of the predicted class (multi-class; or ``--class``), or the predicted value (regression).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pmtk.core.explaining import Explainer, ExplainRun, ExplainSettings, Explanation, progress

#: Points on the straight path from the reference to the patient (midpoint rule).
STEPS = 64
#: Patients whose paths go through the model together.
ROWS_PER_PASS = 64
#: Largest |sum of attributions - (score - reference score)| accepted as complete.
COMPLETENESS_TOLERANCE = 0.01


def _encoded_tensor(model: Any) -> Any:
    """The preprocessed input: what the model's first ``Dense`` layer (found by type) reads."""
    from keras import layers

    for layer in model.layers:
        if isinstance(layer, layers.Dense):
            return layer.input
    raise ValueError(f"the model {model.name} has no Dense layer")


def feature_columns(derived: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """Each raw feature and the columns of the preprocessed input that encode it.

    Order of the model's encoding: standardised numbers, missing flags of the numbers
    that had missing values in training, then one one-hot block per category column
    (its training vocabulary plus one slot for unseen categories).
    """
    numeric, categorical = derived["numeric"], derived["categorical"]
    groups = [(feature["column"], [index]) for index, feature in enumerate(numeric)]
    position = len(numeric)
    for index, feature in enumerate(numeric):
        if feature["missing"] > 0:
            groups[index][1].append(position)
            position += 1
    for feature in categorical:
        width = len(feature["vocabulary"]) + 1
        groups.append((feature["column"], list(range(position, position + width))))
        position += width
    return groups


def reference_inputs(derived: dict[str, Any]) -> dict[str, np.ndarray]:
    """The raw model input of the reference patient (training means, most frequent categories)."""
    inputs = {f["input"]: np.array([[f["mean"]]], dtype="float32") for f in derived["numeric"]}
    for feature in derived["categorical"]:
        vocabulary = feature["vocabulary"]
        inputs[feature["input"]] = np.array([[vocabulary[0] if vocabulary else ""]], dtype=str)
    return inputs


def _score(output: Any, kind: str, classes: np.ndarray) -> Any:
    from pmtk.core.explaining import class_score

    return output[:, 0] if kind == "regression" else class_score(output, classes)


def integrated_gradients(
    head: Any, encoded: np.ndarray, reference: np.ndarray, kind: str, classes: np.ndarray
) -> np.ndarray:
    """Attributions ``(n, columns)`` of ``head``'s score, from ``reference`` to each row.

    ``ROWS_PER_PASS`` rows go through together (their ``STEPS`` path points stacked).
    """
    import tensorflow as tf

    alphas = ((np.arange(STEPS) + 0.5) / STEPS).astype("float32")
    attributions = np.zeros_like(encoded)
    for start in range(0, len(encoded), ROWS_PER_PASS):
        rows = encoded[start : start + ROWS_PER_PASS]
        difference = rows - reference[None, :]
        path = reference + alphas[None, :, None] * difference[:, None, :]
        tensor = tf.convert_to_tensor(path.reshape(-1, encoded.shape[1]))
        chosen = np.repeat(classes[start : start + len(rows)], STEPS)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            score = _score(head(tensor, training=False), kind, chosen)
        gradient = tape.gradient(score, tensor).numpy().reshape(len(rows), STEPS, -1)
        attributions[start : start + len(rows)] = difference * gradient.mean(axis=1)
        progress(start + len(rows), len(encoded), "patients", len(rows))
    return attributions


class RiskExplainer(Explainer):
    """Integrated gradients per patient and feature, with a completeness check."""

    description = "integrated gradients per patient and feature vs a reference patient"
    methods = ("integrated_gradients",)

    def explain(
        self, run: ExplainRun, examples: Any, settings: ExplainSettings, model: Any
    ) -> Explanation:
        """Per-feature attributions of every row; ``summary`` holds the completeness check."""
        import keras

        derived, kind = run.context.derived, run.targets.kind
        tensor = _encoded_tensor(model)
        encoder, head = keras.Model(model.input, tensor), keras.Model(tensor, model.output)
        dataset = run.task.dataset(examples, None, run.context)
        inputs = next(iter(dataset.batch(len(examples))))
        encoded = np.asarray(encoder(inputs, training=False), dtype="float32")
        reference = np.asarray(encoder(reference_inputs(derived), training=False))[0]
        output = np.asarray(head(encoded, training=False))
        if kind == "binary":
            default = np.ones(len(encoded), dtype=int)
        else:
            default = output.argmax(axis=1) if kind == "multiclass" else np.zeros(len(encoded))
        chosen = settings.class_index
        classes = default if chosen is None else np.full(len(encoded), chosen)
        columns = integrated_gradients(head, encoded, reference, kind, classes)
        scores = np.asarray(_score(output, kind, classes))
        reference_scores = np.asarray(
            _score(head(np.repeat(reference[None], len(encoded), 0)), kind, classes)
        )
        groups = feature_columns(derived)
        maps = np.stack([columns[:, index].sum(axis=1) for _, index in groups], axis=1)
        gap = np.abs(maps.sum(axis=1) - (scores - reference_scores))
        summary = {
            "reference": "training means, most frequent categories, nothing missing",
            "reference_score": round(float(reference_scores[0]), 6),
            "completeness": {
                "steps": STEPS,
                "max_abs_gap": round(float(gap.max()), 6),
                "mean_abs_gap": round(float(gap.mean()), 6),
                "tolerance": COMPLETENESS_TOLERANCE,
                "holds": bool(gap.max() <= COMPLETENESS_TOLERANCE),
            },
        }
        if gap.max() > COMPLETENESS_TOLERANCE:
            summary["warnings"] = [
                f"attributions differ from score minus reference score by up to "
                f"{gap.max():.3g} (more than {COMPLETENESS_TOLERANCE}); the integration is coarse."
            ]
        ids = examples["id"].astype(str).tolist()
        details = {"features": [name for name, _ in groups], "scores": scores}
        return Explanation(ids, maps, details, summary)

    def write(
        self,
        run: ExplainRun,
        examples: Any,
        explanation: Explanation,
        settings: ExplainSettings,
        output: Path,
    ) -> list[str]:
        """``attributions.csv`` (id, then one column per feature) and ``importance.png``."""
        import pandas as pd

        features = explanation.details["features"]
        table = pd.DataFrame(explanation.maps.round(6), columns=features)
        table.insert(0, "id", explanation.ids)
        table.to_csv(output / "attributions.csv", index=False)
        plot_importance(output / "importance.png", features, explanation.maps, run.run_dir)
        return ["attributions.csv", "importance.png"]


def plot_importance(path: Path, features: list[str], maps: np.ndarray, run_dir: Path) -> None:
    """Mean |attribution| per feature, beside the run's permutation importance when it has one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    mean = np.abs(maps).mean(axis=0)
    order = np.argsort(mean)
    permutation = None
    if (run_dir / "importance.csv").is_file():
        permutation = pd.read_csv(run_dir / "importance.csv").set_index("feature")
    panels = 2 if permutation is not None else 1
    height = 1.2 + 0.3 * len(features)
    figure, axes = plt.subplots(1, panels, figsize=(5 * panels, height), squeeze=False)
    names = [features[i] for i in order]
    axes[0, 0].barh(names, mean[order], color="#1f77b4")
    axes[0, 0].set_title("integrated gradients: mean |attribution|", fontsize=9)
    if permutation is not None:
        values = [permutation["importance"].get(name, np.nan) for name in names]
        metric = permutation["metric"].iloc[0] if len(permutation) else "metric"
        axes[0, 1].barh(names, values, color="#ff7f0e")
        axes[0, 1].set_title(f"permutation importance (drop in test {metric})", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
