"""A test kit for plugin authors: check that a task trains, saves, reloads and predicts the same.

Use it from your plugin's tests with tiny synthetic data you write yourself::

    from pmtk.testing import check_task, write_image_folder

    def test_my_model_round_trips(tmp_path):
        images = write_image_folder(tmp_path / "images")
        check_task("imaging", images, options={"model": "my_net", "image_size": 16},
                   tmp_path=tmp_path)

:func:`check_task` trains one short epoch through pmtk's own training loop and
raises ``AssertionError`` with a plain explanation when anything does not match.
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk import hookimpl
from pmtk.core.errors import PmtkError
from pmtk.core.host.plugins import PluginHost, get_plugin_host

if TYPE_CHECKING:
    import keras
    import pandas as pd

#: Files every finished run directory holds (``predictions.csv`` too, unless reconstruction).
RUN_FILES = ("model.keras", "config.json", "history.csv", "metrics.json")
#: Options that keep the check to one short, seeded epoch; ``options`` overrides them.
QUICK_OPTIONS = {"epochs": 1, "batch_size": 8, "patience": 1, "seed": 0}
_CATCHER = "pmtk-testing-model-catcher"


@dataclass
class TaskCheck:
    """What :func:`check_task` produced, for further assertions of your own.

    Attributes:
        run_dir: The finished run directory.
        metrics: The content of ``metrics.json``.
        predictions: The table ``pmtk predict`` gives for the data.
    """

    run_dir: Path
    metrics: dict[str, Any]
    predictions: pd.DataFrame


def check_task(
    task_name: str,
    data: Path | str | Callable[[Path], Path],
    *,
    tmp_path: Path,
    options: dict[str, Any] | None = None,
    host: PluginHost | None = None,
    tolerance: float = 1e-4,
) -> TaskCheck:
    """Trains one epoch of ``task_name`` on ``data`` and checks the run can be reused.

    The check runs the real loop (:func:`pmtk.core.loop.training.train` with options
    resolved by :func:`pmtk.core.host.options.resolve`), then asserts that the run
    directory is complete, that ``model.keras`` reloads with plain
    ``keras.saving.load_model`` and scores like the in-memory model, and that
    ``pmtk predict`` on the same data gives the scores the run wrote to
    ``predictions.csv``.

    Args:
        task_name: A task registered by a loaded plugin.
        data: Data path given to ``--data``, or a function that writes the data
            into the folder it receives and returns the path.
        tmp_path: An empty folder for the data and the run (pytest's ``tmp_path``).
        options: Option values, as ``pmtk run`` names them (``{"image_size": 16}``).
        host: The plugin host (default: the process-wide one, which loads installed
            plugins through their entry points).
        tolerance: Largest allowed absolute difference between two scores.

    Returns:
        The run directory, its metrics and the prediction table.

    Raises:
        AssertionError: Any step failed; the message says which and why.
    """
    host = host or get_plugin_host()
    tmp_path = Path(tmp_path)
    if callable(data):
        (tmp_path / "data").mkdir(parents=True, exist_ok=True)
        data = data(tmp_path / "data")
    data = Path(data)
    catcher = _ModelCatcher()
    host.register(catcher, _CATCHER)  # re-collects the registry with the catcher's callback
    try:
        run_dir = _train(task_name, data, tmp_path / "run", options or {}, host)
        metrics = _check_run_directory(run_dir, task_name)
        predictions = _check_reload_and_predict(run_dir, data, catcher.model, host, tolerance)
    finally:
        host.unregister(_CATCHER)
    return TaskCheck(run_dir, metrics, predictions)


class _ModelCatcher:
    """A plugin whose callback keeps the model the loop trained, as it is after fit."""

    def __init__(self) -> None:
        self.model: keras.Model | None = None

    @hookimpl
    def pmtk_register_callbacks(self, register, context):
        import keras

        catcher = self

        class KeepModel(keras.callbacks.Callback):
            def on_train_end(self, logs=None):
                catcher.model = self.model

        register(KeepModel())


def _train(task_name: str, data: Path, output: Path, given: dict, host: PluginHost) -> Path:
    from pmtk.core.host.options import all_options, resolve
    from pmtk.core.loop.training import train

    try:
        task = host.registry.task(task_name)
    except PmtkError as error:
        raise AssertionError(
            f"check_task: {error} Install your plugin (pip install -e .) or register it on "
            "the host you pass (host.register(plugin, name))."
        ) from None
    values = {option.name: option.default for option in all_options(task)}
    unknown = sorted(set(given) - set(values))
    assert not unknown, (
        f"check_task: unknown option(s) {', '.join(unknown)} for task '{task_name}'; "
        f"its options are: {', '.join(sorted(values))}."
    )
    values.update(QUICK_OPTIONS)
    values.update(given)
    values.update(data=data, output=output)
    try:
        return train(task, resolve(task, values, set(given)), host)
    except PmtkError as error:
        raise AssertionError(
            f"check_task: training '{task_name}' on {data} failed: {error}"
        ) from None


def _check_run_directory(run_dir: Path, task_name: str) -> dict[str, Any]:
    config_file = run_dir / "config.json"
    config = json.loads(config_file.read_text()) if config_file.is_file() else {}
    expected = list(RUN_FILES)
    if config.get("target", {}).get("kind") != "reconstruction":
        expected.append("predictions.csv")
    missing = [name for name in expected if not (run_dir / name).is_file()]
    assert not missing, f"check_task: the run directory {run_dir} lacks {', '.join(missing)}."
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics.get("task") == task_name and config.get("task") == task_name, (
        f"check_task: metrics.json and config.json of {run_dir} should name the task "
        f"'{task_name}'; they name {metrics.get('task')!r} and {config.get('task')!r}."
    )
    absent = [key for key in ("train", "val", "test", "n") if key not in metrics]
    assert not absent, f"check_task: metrics.json of {run_dir} lacks {', '.join(absent)}."
    return metrics


def _check_reload_and_predict(
    run_dir: Path, data: Path, model: keras.Model | None, host: PluginHost, tolerance: float
) -> pd.DataFrame:
    import keras

    from pmtk.core.loop.prediction import predict

    assert model is not None, "check_task: the training callback never saw the trained model."
    examples, inputs = _prediction_inputs(run_dir, data, host)
    try:
        reloaded = keras.saving.load_model(run_dir / "model.keras")
    except Exception as error:
        raise AssertionError(
            f"check_task: keras.saving.load_model cannot reload {run_dir / 'model.keras'} "
            f"({type(error).__name__}: {error}). Register custom layers with "
            "@keras.saving.register_keras_serializable and give them a get_config()."
        ) from None
    _assert_close(
        _scores(model, inputs),
        _scores(reloaded, inputs),
        tolerance,
        "the model reloaded from model.keras scores differently from the trained model; a "
        "custom layer probably leaves a setting out of get_config() or its weights unsaved",
    )
    predictions = predict(run_dir, data, host)
    _compare_with_run_predictions(run_dir, predictions, tolerance)
    return predictions


def _prediction_inputs(run_dir: Path, data: Path, host: PluginHost):
    """The batched inputs ``pmtk predict`` feeds the model, built the way it builds them."""
    from pmtk.core.data.batching import batches
    from pmtk.core.loop.prediction import open_run

    run = open_run(run_dir, host)
    examples = run.task.read(data, run.context, require_labels=False)
    dataset = run.task.dataset(examples, None, run.context)
    return examples, batches(dataset, run.config["options"]["batch_size"])


def _scores(model: keras.Model, inputs) -> list[np.ndarray]:
    import keras

    outputs = model.predict(inputs, verbose=0)
    return [np.asarray(output, dtype="float64") for output in keras.tree.flatten(outputs)]


def _assert_close(expected: Sequence, actual: Sequence, tolerance: float, problem: str) -> None:
    for left, right in zip(expected, actual, strict=True):
        assert left.shape == right.shape, (
            f"check_task: {problem} (output shapes {left.shape} and {right.shape})."
        )
        if left.size:
            worst = float(np.nanmax(np.abs(left - right)))
            assert worst <= tolerance, (
                f"check_task: {problem} (largest difference {worst:.3g}, tolerance {tolerance})."
            )


def _compare_with_run_predictions(run_dir: Path, predicted: pd.DataFrame, tolerance: float):
    """``predictions.csv`` (written by the in-memory model) against ``pmtk predict``, by id."""
    import pandas as pd

    file = run_dir / "predictions.csv"
    if not file.is_file():
        return  # reconstruction runs write no test predictions
    written = pd.read_csv(file, dtype={"id": str})
    predicted = predicted.assign(id=predicted["id"].astype(str))
    unknown = sorted(set(written["id"]) - set(predicted["id"]))
    assert not unknown, (
        f"check_task: pmtk predict gives no row for the test examples {unknown[:5]} of "
        f"{file}; the task's read() should give the same ids with and without labels."
    )
    merged = written.merge(predicted, on="id", suffixes=("", "_predict"))
    for column in written.columns:
        other = f"{column}_predict"
        if column == "id" or other not in merged:
            continue
        if pd.api.types.is_numeric_dtype(merged[column]):
            values = [merged[column].to_numpy("float64"), merged[other].to_numpy("float64")]
            _assert_close([values[0]], [values[1]], tolerance, _PREDICT_MISMATCH.format(column))
        else:
            differ = merged[merged[column].astype(str) != merged[other].astype(str)]
            assert differ.empty, (
                f"check_task: {_PREDICT_MISMATCH.format(column)} (ids {list(differ['id'][:5])})."
            )


_PREDICT_MISMATCH = (
    "pmtk predict and the run's predictions.csv disagree on '{}' for the same examples; "
    "the task probably prepares inputs differently when predicting (keep preprocessing in "
    "the model, or learn it in derive())"
)


def write_image_folder(
    root: Path,
    *,
    classes: Sequence[str] = ("lesion", "normal"),
    per_class: int = 8,
    size: int = 16,
    suffix: str = ".png",
) -> Path:
    """Writes a tiny learnable image set, one sub-folder per class (a bright disc marks the first).

    Args:
        root: Folder to create.
        classes: Class names.
        per_class: Images per class.
        size: Height and width in pixels.
        suffix: ``.png`` (written by OpenCV) or ``.npy`` (NumPy arrays, for reader plugins).

    Returns:
        ``root``.
    """
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:size, :size]
    for index, name in enumerate(classes):
        folder = Path(root) / name
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            image = (rng.random((size, size)) * 60 + 60).astype(np.uint8)
            if index == 0:
                centre = rng.integers(size // 4, 3 * size // 4, 2)
                image[(yy - centre[0]) ** 2 + (xx - centre[1]) ** 2 <= (size // 5) ** 2] = 240
            _write_image(folder / f"{name}_{number:03d}{suffix}", image)
    return Path(root)


def _write_image(path: Path, image: np.ndarray) -> None:
    if path.suffix == ".npy":
        np.save(path, image)
        return
    import cv2

    if not cv2.imwrite(str(path), image):
        raise ValueError(f"OpenCV cannot write {path.suffix} files; use .png or .npy.")
