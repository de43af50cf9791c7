"""The objects a task exchanges with the loop: the run context, a model's spec, a split.

Part of the task contract: nothing here imports anything above it, nor TensorFlow.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.reader import Reader, best_reader

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import tensorflow as tf

    from pmtk.core.contract.targets import Targets

#: Shape of one input example without the batch dimension; a dict for named inputs.
InputShape = tuple[int | None, ...] | dict[str, tuple[int | None, ...]]


class Settings(dict):
    """The run context's ``options`` and ``derived``: a mapping plugins only read.

    Writing into it (``context.derived["x"] = 1``) is deprecated: for one release it still
    works and is stored in ``config.json``, with a ``DeprecationWarning``; a task returns
    what it learns instead (``derive()``, or ``finish()``'s ``"derived"`` key).
    """

    def _deprecated(self) -> None:
        warnings.warn(
            "Writing into the run context's options or derived settings is deprecated and "
            "will fail in the next release: return them from Task.derive() (or from "
            "Task.finish() under the 'derived' key) instead.",
            DeprecationWarning,
            stacklevel=3,
        )

    def __setitem__(self, key: str, value: Any) -> None:
        self._deprecated()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._deprecated()
        super().__delitem__(key)

    def __ior__(self, other: Any) -> Settings:  # type: ignore[override]
        self._deprecated()
        super().update(other)
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Deprecated: see the class docstring."""
        self._deprecated()
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Deprecated when ``key`` is missing: see the class docstring."""
        if key not in self:
            self._deprecated()
        return super().setdefault(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        """Deprecated: see the class docstring."""
        self._deprecated()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        """Deprecated: see the class docstring."""
        self._deprecated()
        return super().popitem()

    def clear(self) -> None:
        """Deprecated: see the class docstring."""
        self._deprecated()
        super().clear()


def _settings(values: Mapping[str, Any] | None) -> Settings:
    # The same object when it already is one, so a copied context shares it.
    return values if isinstance(values, Settings) else Settings(values or {})


@dataclass(frozen=True)
class RunContext:
    """Everything a task, a model builder or a callback may need about the current run.

    The loop builds it; tasks, builders and callbacks only read it: the context is frozen and
    ``options`` and ``derived`` are read-only mappings (:class:`Settings`; writing into
    them still works for one release, with a ``DeprecationWarning``). A task returns what
    it learns from :meth:`pmtk.core.contract.task.Task.derive`, and the loop makes a new
    context with it (``dataclasses.replace``). The loop's own bookkeeping (class weights, workers,
    calibration temperature, survival baseline hazard) is not here: it is written to the
    ``"loop"`` section of ``config.json``.

    Attributes:
        task: Name of the task.
        options: Resolved options (common and task-specific), as stored in ``config.json``.
        registry: The plugin registry of this process. Kept for plugins written before
            ``readers`` existed; a task needs only ``readers``.
        derived: What the task's ``derive`` returned from the training data (for example
            the number of image channels), stored in ``config.json`` for prediction.
        run_dir: Directory being written, or ``None`` while predicting.
        targets: Kind, class names and positive class of the run's targets
            (:class:`pmtk.core.contract.targets.Targets`; values are set only while training).
        readers: Every reader registered for the task (``pmtk_register_readers``).
        group_column: The ``--group-column`` to read groups from, or ``None`` (no column
            given, or predicting: groups only matter for splitting).
    """

    task: str
    options: Mapping[str, Any]
    registry: Any = None
    derived: Mapping[str, Any] = field(default_factory=dict)
    run_dir: Path | None = None
    targets: Targets | None = None
    readers: tuple[Reader, ...] = ()
    group_column: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", _settings(self.options))
        object.__setattr__(self, "derived", _settings(self.derived))

    def reader_for(self, file_name: str) -> Reader | None:
        """The task's reader for ``file_name`` (longest matching ending wins), or None."""
        if not self.readers and self.registry is not None:
            return self.registry.reader_for(self.task, file_name)
        return best_reader(self.readers, file_name)

    def extensions(self) -> set[str]:
        """Every file ending some reader of the task accepts."""
        if not self.readers and self.registry is not None:
            return self.registry.extensions(self.task)
        return {ext for reader in self.readers for ext in reader.extensions}


@dataclass
class ModelSpec:
    """What a model builder (and an encoder builder) receives.

    Attributes:
        input_shape: Shape of one input example without the batch dimension; a dict of
            shapes for a model with named inputs (the risk task: one ``(1,)`` per column).
        kind: One of :data:`pmtk.core.contract.targets.TARGET_KINDS`.
        num_classes: Number of classes (1 for regression and binary outputs use 1 unit).
        class_names: Class names in output order (empty for regression/reconstruction).
        context: The run context (options, derived settings).
        train_dataset: Unbatched training ``tf.data.Dataset`` of ``(x, y)``, for
            adapting preprocessing layers; never used for fitting by the builder.
        class_weight: The class weights ``fit`` will use (None when unweighted), for
            models that correct their outputs for them.
    """

    input_shape: InputShape
    kind: str
    num_classes: int
    class_names: list[str]
    context: RunContext
    train_dataset: tf.data.Dataset | None = None
    class_weight: dict[int, float] | None = None

    @property
    def options(self) -> Mapping[str, Any]:
        """The run's resolved options."""
        return self.context.options


@dataclass
class SplitData:
    """One split as the loop and ``Task.finish`` see it.

    Attributes:
        examples: The split's rows of the examples table.
        targets: Encoded targets aligned with ``examples`` (None for reconstruction).
        dataset: The split's unbatched dataset, as the task's ``dataset`` built it.
    """

    examples: pd.DataFrame
    targets: np.ndarray | None
    dataset: tf.data.Dataset
