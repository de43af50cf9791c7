"""Applying a trained run to new data, and the shape of every predictions table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.errors import DataError
from pmtk.core.targets import Targets
from pmtk.core.task import RunContext

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.plugins import PluginHost


def prediction_frame(
    ids: pd.Series, scores: np.ndarray, targets: Targets, labels: pd.Series | None = None
) -> pd.DataFrame:
    """One row per example: ``id``, ``label`` (if known), ``predicted`` and scores.

    Binary: ``score`` is the probability of the positive class. Multiclass:
    ``score`` is the probability of the predicted class, plus ``p_<class>``
    columns. Regression: ``predicted`` is the value.
    """
    import pandas as pd

    frame = pd.DataFrame({"id": ids.to_numpy()})
    if labels is not None:
        frame["label"] = labels.to_numpy()
    if targets.kind == "binary":
        probability = scores.reshape(-1)
        frame["predicted"] = np.where(probability >= 0.5, *targets.class_names[::-1])
        frame["score"] = probability.round(6)
    elif targets.kind == "multiclass":
        frame["predicted"] = np.array(targets.class_names)[scores.argmax(axis=1)]
        frame["score"] = scores.max(axis=1).round(6)
        for index, name in enumerate(targets.class_names):
            frame[f"p_{name}"] = scores[:, index].round(6)
    else:
        frame["predicted"] = scores.reshape(len(frame), -1)[:, 0]
    return frame


def load_run_config(run_dir: Path) -> dict:
    """The ``config.json`` of a finished run.

    Raises:
        DataError: The folder is not a finished pmtk run.
    """
    config_file = Path(run_dir) / "config.json"
    if not (config_file.is_file() and (Path(run_dir) / "model.keras").is_file()):
        raise DataError(
            f"{run_dir} is not a finished pmtk run (no config.json and model.keras); "
            "pass a folder written by 'pmtk run'."
        )
    return json.loads(config_file.read_text())


def predict(run_dir: Path, data: Path, host: PluginHost, batch_size: int | None = None):
    """Applies a run's model to the raw inputs at ``data``.

    Returns:
        The predictions table (see :func:`prediction_frame`).

    Raises:
        PmtkError: Not a run, unknown task, or bad data.
    """
    from pmtk.core.runtime import quiet_tensorflow

    config = load_run_config(run_dir)
    task = host.registry.task(config["task"])
    target = config["target"]
    targets = Targets(target["kind"], target["class_names"])
    context = RunContext(
        task.name, config["options"], host.registry, config.get("derived", {}), targets=targets
    )
    data = Path(data).expanduser()
    if not data.exists():
        raise DataError(f"{data} does not exist; check the --data path.")
    examples = task.read(data, context, require_labels=False)
    if len(examples) == 0:
        raise DataError(f"{data} holds no examples to predict; point --data at your data.")
    quiet_tensorflow()
    from pmtk.core.training import batches

    model = task.load_model(Path(run_dir) / "model.keras")
    dataset = task.dataset(examples, None, context)
    scores = model.predict(
        batches(dataset, batch_size or config["options"]["batch_size"]), verbose=0
    )
    labels = examples.get("label", None)
    return task.prediction_frame(examples, scores, targets, labels)
