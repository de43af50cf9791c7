"""What each modality brings: the fused model evaluated with only that modality shown.

For each modality, every other modality of every test patient is hidden (its presence set
to 0, so the model sees the learned "missing" embeddings), and the test metrics are computed
with intervals as for the whole run. A patient without the modality then gets the model's
prediction for a patient about whom nothing is known, which is what the modality alone
tells about them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.batching import batches
from pmtk.core.evaluation.split_metrics import evaluate_splits
from pmtk.plugins.fusion.modalities import PRESENT, Modality

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

    from pmtk.core.contract.context import RunContext, SplitData
    from pmtk.core.contract.task import Task


def masked(dataset: tf.data.Dataset, factors: np.ndarray) -> tf.data.Dataset:
    """``dataset`` with ``present`` multiplied by ``factors`` (a 0 hides that modality)."""
    import tensorflow as tf

    factors = tf.constant(np.asarray(factors, dtype="float32"))

    def hide(x, *y):
        x = dict(x) | {PRESENT: x[PRESENT] * factors}
        return (x, *y) if y else x

    return dataset.map(hide)


def shown_only(dataset: tf.data.Dataset, index: int) -> tf.data.Dataset:
    """``dataset`` with every modality hidden except modality ``index``."""
    factors = np.zeros(modality_count(dataset), dtype="float32")
    factors[index] = 1.0
    return masked(dataset, factors)


def hidden(dataset: tf.data.Dataset, index: int) -> tf.data.Dataset:
    """``dataset`` with modality ``index`` hidden."""
    factors = np.ones(modality_count(dataset), dtype="float32")
    factors[index] = 0.0
    return masked(dataset, factors)


def modality_metrics(
    task: Task, model: keras.Model, context: RunContext, test: SplitData
) -> dict[str, Any]:
    """``metrics.json``'s ``modalities``: per modality name, ``test`` metrics with ``ci``.

    Also ``patients_with_modality``: the test patients that have it.
    """
    from pmtk.plugins.fusion.table import present

    options = context.options
    kind = context.targets.kind
    groups = test.examples["group"].to_numpy() if "group" in test.examples else None
    results: dict[str, Any] = {}
    for index, entry in enumerate(context.derived["modalities"]):
        modality = Modality.from_json(entry)
        dataset = shown_only(test.dataset, index)
        scores = model.predict(batches(dataset, options["batch_size"]), verbose=0)
        evaluated = evaluate_splits(
            kind, {"test": test.targets}, {"test": scores}, None, groups=groups,
            resamples=options.bootstrap, seed=options.seed,
        )  # fmt: skip
        evaluated["test"]["patients_with_modality"] = int(present(test.examples, modality).sum())
        results[modality.name] = evaluated
    return results


def modality_count(dataset: tf.data.Dataset) -> int:
    """Modalities of a fused dataset (the width of ``present``)."""
    spec = dataset.element_spec
    spec = spec[0] if isinstance(spec, tuple) else spec
    return int(spec[PRESENT].shape[-1])
