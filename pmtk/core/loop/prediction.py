"""Applying a trained run to new data, and the shape of every predictions table."""

from __future__ import annotations

import json
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

# prediction_frame and survival_columns moved below the task contract; importable here too.
from pmtk.core.contract.predictions_table import prediction_frame as prediction_frame
from pmtk.core.contract.predictions_table import survival_columns as survival_columns
from pmtk.core.contract.targets import Targets
from pmtk.core.contract.task import RunContext, Task
from pmtk.core.errors import DataError, PluginError

if TYPE_CHECKING:
    import keras

    from pmtk.core.host.plugins import PluginHost


#: Keys of ``config.json`` that ``pmtk predict`` needs.
_CONFIG_KEYS = ("task", "options", "target")


def load_run_config(run_dir: Path) -> dict:
    """The ``config.json`` of a finished run, after checking the run's files are there.

    Raises:
        DataError: The folder is not a finished pmtk run, or its ``config.json`` is damaged.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        problem = "is a file" if run_dir.exists() else "does not exist"
        raise DataError(
            f"{run_dir} {problem}; pass a run directory written by 'pmtk run' (the folder "
            "holding config.json and model.keras)."
        )
    absent = [name for name in ("config.json", "model.keras") if not (run_dir / name).is_file()]
    if absent:
        raise DataError(
            f"{run_dir} is not a finished pmtk run (no {' and no '.join(absent)}); "
            "pass a folder written by 'pmtk run'."
        )
    config_file = run_dir / "config.json"
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise DataError(
            f"{config_file} cannot be read as JSON ({_reason(error)}); the run is damaged: "
            "restore the file from a backup or train again with 'pmtk run'."
        ) from None
    missing = [key for key in _CONFIG_KEYS if not isinstance(config, dict) or key not in config]
    target = config.get("target") if isinstance(config, dict) else None
    if not missing and not isinstance(config["options"], dict):
        missing = ["options"]
    if not missing and not (isinstance(target, dict) and {"kind", "class_names"} <= set(target)):
        missing = ["target.kind and target.class_names"]
    if missing:
        lacking = f"a valid '{missing[0]}'"
        raise DataError(
            f"{config_file} lacks {lacking}, so it was not written by 'pmtk run' or was edited; "
            "restore the file from a backup or train again with 'pmtk run'."
        )
    return config


def run_task(config: dict, run_dir: Path, host: PluginHost) -> Task:
    """The installed task that made a run.

    Raises:
        DataError: No installed plugin provides the run's task.
    """
    try:
        return host.registry.task(str(config["task"]))
    except PluginError:
        known = ", ".join(sorted(host.registry.tasks)) or "none"
        raise DataError(
            f"{Path(run_dir) / 'config.json'}: the run was made by the task '{config['task']}', "
            f"which no installed plugin provides (installed: {known}); install the plugin "
            "package that provides it, then try again."
        ) from None


def check_model_file(path: Path) -> None:
    """Cheap check, without TensorFlow, that a ``.keras`` file is a complete archive.

    Raises:
        DataError: The file is truncated, corrupt or not a Keras archive.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            member = archive.testzip()
        broken = None if member is None else f"its part {member} fails its checksum"
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        broken, names = _reason(error), set()
    if broken is not None or "config.json" not in names:
        raise _damaged_model(path, broken or "no config.json inside")


def load_run_model(task: Task, path: Path) -> keras.Model:
    """Loads a run's ``model.keras`` through the task, in Keras' safe mode.

    Raises:
        DataError: The file is damaged, or safe mode refuses it (it holds Python code).
    """
    check_model_file(path)
    try:
        return task.load_model(path)
    except Exception as error:  # Keras raises many kinds for a damaged archive
        if "safe_mode" in str(error) or "Lambda" in str(error):
            raise DataError(
                f"{path} holds Python code (such as a Lambda layer) that Keras' safe mode "
                "refuses to run, and pmtk always loads models in safe mode; train the model "
                "again with 'pmtk run' (whose models need no such code)."
            ) from None
        raise _damaged_model(path, _reason(error)) from None


def _damaged_model(path: Path, reason: str) -> DataError:
    return DataError(
        f"{path} cannot be loaded as a Keras model ({reason}); the file is damaged or "
        "incomplete: restore it from a backup or train again with 'pmtk run'."
    )


def _reason(error: BaseException) -> str:
    """The first line of an exception's message, shortened, for a one-sentence error."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text[:160].rstrip(".")


@dataclass
class OpenRun:
    """A finished run, opened: what ``pmtk predict``, ``explain``, ``variants`` and the test
    kit read it through.

    Attributes:
        run_dir: The run directory.
        config: Its ``config.json``.
        task: The installed task that made it.
        context: A read-only context with the run's options, derived settings, targets and
            the task's readers (no group column: groups only matter for splitting).
        targets: Kind and class names (binary: index 1 is the class the model scores); for
            survival runs, the horizons and baseline hazard too.
    """

    run_dir: Path
    config: dict[str, Any]
    task: Task
    context: RunContext
    targets: Targets

    def load_model(self) -> keras.Model:
        """The run's ``model.keras``, loaded through the task in Keras' safe mode."""
        return load_run_model(self.task, self.run_dir / "model.keras")


def open_run(run_dir: Path, host: PluginHost, overrides: dict | None = None) -> OpenRun:
    """Opens a finished run of any installed task, checking its files first.

    Args:
        run_dir: A directory written by ``pmtk run``.
        host: The plugin host whose tasks and readers to use.
        overrides: Task options replacing the run's for reading new data
            (``{"genome": path}`` from ``pmtk predict --genome``).

    Raises:
        DataError: Not a finished run, a damaged one, or its task is not installed.
    """
    run_dir = Path(run_dir)
    config = load_run_config(run_dir)
    task = run_task(config, run_dir, host)
    check_model_file(run_dir / "model.keras")
    target = config["target"]
    derived = config.get("derived", {})
    # Runs before the "loop" section kept the baseline hazard in derived (read for one release).
    loop = config.get("loop") or {"survival": derived.get("survival")}
    survival = loop.get("survival") if target["kind"] == "survival" else None
    targets = Targets(target["kind"], list(target["class_names"]), survival=survival)
    options = {**config["options"], **(overrides or {})}
    context = host.registry.run_context(
        task.name, options, derived=derived, targets=targets, require_labels=False
    )
    return OpenRun(run_dir, config, task, context, targets)


@runtime_checkable
class PredictsInParts(Protocol):
    """Deprecated since 0.2: ``Task.read_parts(..., require_labels=False)`` does its job (the
    default ``read_parts`` still calls a task's ``prediction_parts``, for one release)."""

    def prediction_parts(self, path: Path, context: RunContext) -> Iterator[Any] | None:
        """Examples tables of ``path``, part by part in file order, as ``read`` with
        ``require_labels=False`` returns them for the part's rows; None to read it whole."""


def examples_in_parts(
    path: Path,
    context: RunContext,
    to_examples: Callable[[Any], Any],
    *,
    id_column: str | None,
) -> Iterator[Any] | None:
    """A table to predict read in parts, each made an examples table by ``to_examples``.

    For a task's :meth:`PredictsInParts.prediction_parts`: ``path`` is a file whose reader
    offers ``chunks`` (``pmtk.core.contract.reader.Reader``), or a folder of Parquet files, its rows
    numbered across the whole dataset. Each part's rows keep their numbers in the file, so
    messages name the right line; an ``id_column`` value repeated in a later part is refused
    as it is within one (the 8-byte hashes of the ids seen are all that is kept per row).

    Returns:
        The examples part by part, or None when the file's reader reads whole files only.
    """
    warnings.warn(
        "examples_in_parts is deprecated since pmtk 0.2 (prediction_parts is retired): yield "
        "the parts from Task.read_parts(..., require_labels=False); unique_ids refuses ids "
        "repeated across parts.",
        DeprecationWarning,
        stacklevel=2,
    )
    if path.is_dir():
        parts = _folder_parts(path, context)
    else:
        reader = context.reader_for(path.name)
        if reader is None or reader.chunks is None:
            return None
        parts = reader.chunks(path)
    return unique_ids(parts, to_examples, id_column, str(path))


def _folder_parts(folder: Path, context: RunContext) -> Iterator[Any]:
    from pmtk.core.data.arrow_tables import open_table

    before = 0  # rows in the files already read
    for file in map(Path, open_table(folder).files):  # open_table checks the files agree
        reader = context.reader_for(file.name)
        parts = reader.chunks(file) if reader.chunks else iter([reader.read(file)])
        rows = 0
        for part in parts:
            unit, first = part.attrs.get("row_label", ("row", 1))
            part.attrs["row_label"] = (unit, first + before)
            yield part
            rows = first + len(part) - 1
        before += rows


def unique_ids(
    parts: Iterator[Any],
    to_examples: Callable[[Any], Any],
    id_column: str | None,
    source: str,
) -> Iterator[Any]:
    """Examples tables of raw parts to predict, an id repeated in a later part refused as it
    is within one (the 8-byte hashes of the ids seen are all that is kept per row).

    Args:
        parts: Raw tables in file order, each numbered by ``attrs["row_label"]``.
        to_examples: Makes one raw part an examples table (with an ``id`` column).
        id_column: The raw column the ids come from; None (row numbers) checks nothing.
        source: The file, for the message.

    Raises:
        DataError: An id seen in an earlier part, naming its line or row.
    """
    import numpy as np
    import pandas as pd

    from pmtk.core.data.tables import where

    seen: list[np.ndarray] = []
    for raw in parts:
        if len(raw) == 0:
            continue
        examples = to_examples(raw)
        if id_column is not None and id_column in raw.columns:
            hashes = pd.util.hash_array(examples["id"].to_numpy(object))
            repeated = np.flatnonzero(np.isin(hashes, np.concatenate(seen))) if seen else []
            if len(repeated):
                raise DataError(
                    f"{source}: id column '{id_column}' repeats an earlier id at "
                    f"{where(raw, int(repeated[0]))}; ids must be unique per row."
                )
            seen.append(hashes)
        yield examples


def predict(
    run_dir: Path,
    data: Path,
    host: PluginHost,
    batch_size: int | None = None,
    overrides: dict | None = None,
):
    """Applies a run's model to the raw inputs at ``data``; :func:`predict_parts` joined.

    Returns:
        The predictions table (see :func:`prediction_frame`).
    """
    import pandas as pd

    return pd.concat(
        list(predict_parts(run_dir, data, host, batch_size, overrides)), ignore_index=True
    )


def predict_parts(
    run_dir: Path,
    data: Path,
    host: PluginHost,
    batch_size: int | None = None,
    overrides: dict | None = None,
) -> Iterator[Any]:
    """Applies a run's model to the raw inputs at ``data``, part by part.

    The task's ``read_parts(..., require_labels=False)`` gives parts of bounded size when it
    reads data bigger than memory, so memory does not grow with the file; else one part.
    ``overrides`` replaces task options of the run's ``config.json`` for reading the
    data (``{"genome": path}`` from ``pmtk predict --genome``).

    Yields:
        Predictions tables (see :func:`prediction_frame`), in the order of the inputs.

    Raises:
        PmtkError: Not a run, a damaged run, unknown task, or bad data (before the part
            that holds it is yielded).
    """
    from pmtk.core.runtime.tensorflow_setup import quiet_tensorflow

    run = open_run(run_dir, host, overrides)
    task, context, targets = run.task, run.context, run.targets
    batch_size = batch_size or context.options.batch_size
    data = Path(data).expanduser()
    if not data.exists():
        raise DataError(f"{data} does not exist; check the --data path.")
    parts = task.read_parts(data, context, require_labels=False)
    model = None
    for examples in parts:
        if len(examples) == 0:
            continue
        if model is None:  # after the first part is read: bad data is reported first
            quiet_tensorflow()
            model = run.load_model()
        yield _predicted(task, model, examples, context, targets, batch_size)
    if model is None:
        raise DataError(f"{data} holds no examples to predict; point --data at your data.")


def _predicted(task: Task, model, examples, context: RunContext, targets: Targets, batch_size):
    from pmtk.core.data.batching import batches

    dataset = task.dataset(examples, None, context)
    scores = model.predict(batches(dataset, batch_size), verbose=0)
    return task.prediction_frame(examples, scores, targets, examples.get("label"))
