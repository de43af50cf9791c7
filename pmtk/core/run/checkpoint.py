"""Resuming a run: the whole training state saved after every epoch, and what it belongs to.

Keras 3's ``BackupAndRestore`` restores the model and optimizer variables and the epoch, but
not early stopping's counters and best weights, nor the random-generator states of dropout
and augmentation layers, and it writes weights and epoch as two files. This checkpoint is one
file replaced atomically after every epoch (``checkpoint/state.npz`` in the staging folder):
every model and optimizer variable (generator states included), the finished epoch, early
stopping's state and its best weights. ``checkpoint/run.json`` records the options and the data
hash the run belongs to, so a resume with other options or data is refused.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from pmtk.core.errors import OptionError
from pmtk.core.run.rundir import CHECKPOINT_FOLDER, CHECKPOINT_STATE
from pmtk.core.runtime.interruption import raise_if_interrupted

IDENTITY = "run.json"
#: Options that may differ between a run and its resume.
_FREE_OPTIONS = {"resume", "output", "config"}
_ES_FIELDS = ("wait", "best", "best_epoch", "stopped_epoch")


@dataclass
class Checkpoint:
    """The training state after ``epoch`` finished epochs."""

    epoch: int
    epochs: int
    finished: bool
    variables: list[np.ndarray]
    early_stopping: dict[str, Any]
    best_weights: list[np.ndarray] | None


def identity(task_name: str, options: dict[str, Any], data_hash: str) -> dict[str, Any]:
    """What a checkpoint belongs to: the task, the options that shape training, the data."""
    shaping = {
        name: str(value) if isinstance(value, Path) else value
        for name, value in sorted(options.items())
        if name not in _FREE_OPTIONS and name != "data"
    }
    return {"task": task_name, "options": shaping, "data_hash": data_hash}


def write_identity(staging: Path, belongs_to: dict[str, Any]) -> None:
    """Records what the checkpoints in ``staging`` belong to (before the first epoch)."""
    folder = staging / CHECKPOINT_FOLDER
    folder.mkdir(exist_ok=True)
    (folder / IDENTITY).write_text(json.dumps(belongs_to, indent=2, default=str) + "\n")


def check_identity(staging: Path, belongs_to: dict[str, Any]) -> None:
    """Refuses to resume a checkpoint made with other options or data.

    Raises:
        OptionError: Names the first difference and what to do.
    """
    path = staging / CHECKPOINT_FOLDER / IDENTITY
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        recorded = {}
    advice = f"resume with the same command, or remove {staging} to start over."
    if recorded.get("task") != belongs_to["task"]:
        raise OptionError(
            f"Cannot resume: {staging} holds a run of task '{recorded.get('task')}', "
            f"not '{belongs_to['task']}'; {advice}"
        )
    before = recorded.get("options", {})
    now = json.loads(json.dumps(belongs_to["options"], default=str))
    for name in sorted(set(before) | set(now)):
        if before.get(name) != now.get(name):
            flag = "--" + name.replace("_", "-")
            was = f"with {flag} {before[name]!r}" if name in before else f"without {flag}"
            raise OptionError(
                f"Cannot resume: {staging} was started {was}, "
                f"this command gives {now.get(name)!r}; {advice}"
            )
    if recorded.get("data_hash") != belongs_to["data_hash"]:
        raise OptionError(
            f"Cannot resume: the data changed since {staging} was started "
            f"(content hash {belongs_to['data_hash']}, was {recorded.get('data_hash')}); {advice}"
        )


def _variables(model: keras.Model) -> list:
    return list(model.variables) + list(model.optimizer.variables)


def load(staging: Path, model: keras.Model) -> Checkpoint:
    """Reads the checkpoint in ``staging`` and puts its variables into ``model``.

    ``model`` must be compiled the same way as the run that saved it (call inside the
    distribution strategy's scope).

    Raises:
        OptionError: The checkpoint does not fit the model.
    """
    path = staging / CHECKPOINT_FOLDER / CHECKPOINT_STATE
    with np.load(path, allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
        saved = [arrays[f"v{i}"] for i in range(meta["variables"])]
        best = [arrays[f"b{i}"] for i in range(meta["best_weights"])] or None
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    variables = _variables(model)
    shapes = [tuple(v.shape) for v in variables]
    if shapes != [a.shape for a in saved]:
        raise OptionError(
            f"Cannot resume: the checkpoint in {staging} does not fit this model "
            f"({len(saved)} saved variables, the model has {len(variables)}); "
            f"remove {staging} to start over."
        )
    for variable, value in zip(variables, saved, strict=True):
        variable.assign(value)
    return Checkpoint(
        meta["epoch"], meta["epochs"], meta["finished"], saved, meta["early_stopping"], best
    )


def trim_history(path: Path, epochs: int) -> None:
    """Keeps the header and the rows of the first ``epochs`` epochs of a CSV history."""
    if not path.exists():
        return
    lines = path.read_bytes().decode().splitlines(keepends=True)  # keeps CSVLogger's CRLF
    kept = lines[:1]
    for line in lines[1:]:
        first = line.split(",", 1)[0]
        if line.endswith("\n") and first.isdigit() and int(first) < epochs:
            kept.append(line)
    _replace(path, lambda handle: handle.write("".join(kept).encode()))


def _replace(path: Path, write) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """``EarlyStopping`` whose counters and best weights survive a resume.

    Args:
        restored: Its state from a checkpoint (``None`` for a fresh run).
        best_weights: The best weights from the checkpoint.
        **kwargs: As for ``keras.callbacks.EarlyStopping``.
    """

    def __init__(self, restored=None, best_weights=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.restored, self.restored_weights = restored, best_weights

    def on_train_begin(self, logs=None) -> None:
        super().on_train_begin(logs)
        if self.restored:
            for field in _ES_FIELDS:
                setattr(self, field, self.restored[field])
            self.best_weights = self.restored_weights

    def state(self) -> dict[str, Any]:
        """The counters a resume needs (``best`` as a plain float)."""
        state = {field: getattr(self, field) for field in _ES_FIELDS}
        state["best"] = None if self.best is None else float(self.best)
        return state


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the training state after every epoch; put it after every other callback.

    The state is copied at the end of the epoch; writing it (about 30 MB for a 2-million
    parameter model with Adam, fsync included) runs in a background thread while the next
    epoch trains. One write at a time, in epoch order; the next epoch's end and the end of
    training wait for it, and a failed write raises there.

    Args:
        staging: The run's staging folder.
        early_stopping: The run's early stopping, whose state is saved along.
    """

    def __init__(self, staging: Path, early_stopping: ResumableEarlyStopping) -> None:
        super().__init__()
        self.path = staging / CHECKPOINT_FOLDER / CHECKPOINT_STATE
        self.early_stopping = early_stopping
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="pmtk-checkpoint")
        self._writing: Future | None = None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        total = self.params.get("epochs", epoch + 1)
        variables = [np.array(v.numpy()) for v in _variables(self.model)]
        best = self.early_stopping.best_weights or []
        meta = {
            "epoch": epoch + 1,
            "epochs": total,
            "finished": bool(self.model.stop_training) or epoch + 1 >= total,
            "early_stopping": self.early_stopping.state(),
            "variables": len(variables),
            "best_weights": len(best),
        }
        arrays = {f"v{i}": value for i, value in enumerate(variables)}
        arrays |= {f"b{i}": np.asarray(value) for i, value in enumerate(best)}
        arrays["meta"] = np.array(json.dumps(meta))
        self.path.parent.mkdir(exist_ok=True)
        self.wait()
        self._writing = self._writer.submit(
            _replace, self.path, lambda handle: np.savez(handle, **arrays)
        )

    def on_train_end(self, logs=None) -> None:
        self.wait()

    def wait(self) -> None:
        """Blocks until the last state handed to the writer is on disk (raises if it failed)."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def close(self) -> None:
        """Waits for the last write, then ends the writer thread."""
        try:
            self.wait()
        finally:
            self._writer.shutdown(wait=True)


class StopOnSignal(keras.callbacks.Callback):
    """Raises a remembered SIGINT/SIGTERM after every batch, whatever swallowed its first raise."""

    def on_train_batch_end(self, batch, logs=None) -> None:
        raise_if_interrupted()

    def on_test_batch_end(self, batch, logs=None) -> None:
        raise_if_interrupted()

    def on_epoch_begin(self, epoch, logs=None) -> None:
        raise_if_interrupted()


def resume_note(resumed: Checkpoint) -> str:
    """The one line that says where a resumed run continues."""
    if resumed.finished:
        return f"Resuming after epoch {resumed.epoch}: training had finished; writing the results."
    return (
        f"Resuming from epoch {resumed.epoch + 1} of {resumed.epochs} "
        f"({resumed.epoch} finished epoch(s) restored)."
    )
