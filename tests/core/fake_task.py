"""A tiny numeric task and plugin for testing the core without any built-in task.

The ``fake`` task reads a CSV of two numeric features (``x1``, ``x2``) and a
``label``; its only model is a small Dense network. Used in-process by
``test_training.py`` and ``test_examples.py``, and by the ``--distribute mirrored``
subprocess test, which imports this module by name (``tests.core.fake_task``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmtk import hookimpl
from pmtk.core.contract.options import RunOptions
from pmtk.core.contract.task import ModelSpec, RunContext, Task, TaskOption
from pmtk.core.errors import DataError

TASK_NAME = "fake"


class FakeTask(Task):
    """Two numeric features per row of a CSV; labels inferred by the core."""

    name = TASK_NAME
    description = "two numeric features (test only)"
    options = (TaskOption("hidden_units", int, 4, "Units of the hidden layer."),)
    default_model = "dense"

    def read(self, path: Path, context: RunContext, *, require_labels: bool = True):
        """Reads the CSV as the examples table."""
        if not path.is_file():
            raise DataError(f"{path} is not a CSV file; pass the fake task's CSV.")
        table = pd.read_csv(path)
        table["id"] = table["id"].astype(str)
        return table

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """Remembers the training size, to show derived settings reach config.json."""
        return {"train_rows": len(train)}

    def dataset(self, examples: pd.DataFrame, targets, context: RunContext):
        """Unbatched ``(features, target)`` pairs."""
        import tensorflow as tf

        features = examples[["x1", "x2"]].to_numpy(dtype="float32")
        if targets is None:
            return tf.data.Dataset.from_tensor_slices(features)
        return tf.data.Dataset.from_tensor_slices((features, targets))

    def finish(self, model, context: RunContext, splits: dict[str, Any]) -> dict:
        """Returns a derived value, and writes one the deprecated way (as old plugins do)."""
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            context.derived["written_in_finish"] = True  # deprecated: still stored, warned
        OBSERVED["finish_warnings"] += [warning.category.__name__ for warning in caught]
        return {"derived": {"finished_rows": len(splits["train"].examples)}}


#: Filled by the builder and callback below, so a test can see what the loop did.
OBSERVED: dict[str, list] = {
    "replicas": [],
    "epochs": [],
    "callback_replicas": [],
    "finish_warnings": [],
}


def build_dense(spec: ModelSpec):
    """Input(2) -> Dense(hidden_units, relu) -> the core's output layer."""
    import keras
    import tensorflow as tf
    from keras import layers

    from pmtk.core.contract.targets import output_layer

    # The loop calls builders inside the strategy scope; record how many replicas it has.
    OBSERVED["replicas"].append(tf.distribute.get_strategy().num_replicas_in_sync)
    inputs = keras.Input(shape=spec.input_shape, name="features")
    hidden = layers.Dense(spec.options.get("hidden_units", 4), activation="relu")(inputs)
    outputs = output_layer(spec.kind, spec.num_classes)(hidden)
    return keras.Model(inputs, outputs, name="fake_dense")


def build_broken(spec: ModelSpec):
    """A builder that fails, as a buggy plugin would."""
    raise RuntimeError("builder exploded")


def make_epoch_counter():
    """A Keras callback recording each finished epoch and the strategy's replica count."""
    import keras

    class EpochCounter(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            OBSERVED["callback_replicas"].append(
                self.model.distribute_strategy.num_replicas_in_sync
            )

        def on_epoch_end(self, epoch, logs=None):
            OBSERVED["epochs"].append(epoch)

    return EpochCounter()


class FakePlugin:
    """Registers the fake task, its models and an epoch-counting callback."""

    @hookimpl
    def pmtk_register_tasks(self, register):
        register(FakeTask())

    @hookimpl
    def pmtk_register_models(self, register):
        register(TASK_NAME, "dense", build_dense, "tiny Dense network")
        register(TASK_NAME, "broken", build_broken, "raises while building")

    @hookimpl
    def pmtk_register_callbacks(self, register, context):
        register(make_epoch_counter())


def write_table(
    path: Path,
    counts: dict[str, int],
    *,
    seed: int = 0,
    split: list[str] | None = None,
) -> Path:
    """Writes a learnable CSV: class ``i`` is a blob centred at ``(2i, -2i)``.

    Args:
        path: CSV file to write.
        counts: Examples per class label.
        seed: NumPy seed of the features.
        split: Optional ``split`` column value per row.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for index, (label, count) in enumerate(counts.items()):
        centre = np.array([2.0 * index, -2.0 * index])
        for point in rng.normal(centre, 0.5, size=(count, 2)):
            rows.append({"x1": point[0], "x2": point[1], "label": label})
    table = pd.DataFrame(rows)
    table.insert(0, "id", [f"row{i:03d}" for i in range(len(table))])
    if split is not None:
        table["split"] = split
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path


def options_for(data: Path, output: Path, **overrides: Any) -> RunOptions:
    """Resolved options of a tiny fake run (what ``pmtk run fake`` would pass to train).

    ``overrides`` may name common options and the task's own (``hidden_units``).
    """
    task_options = {option.name: option.default for option in FakeTask.options}
    values = dict(
        data=data, output=output, model="dense", epochs=2, batch_size=8, patience=5, seed=7
    )
    return RunOptions.from_mapping(values | task_options | overrides)
