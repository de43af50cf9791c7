"""The objects a task exchanges with the loop: the run context, a model's spec, a split.

Part of the task contract: nothing here imports anything above it, nor TensorFlow.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.options import COMMON_DEFAULTS
from pmtk.core.contract.reader import Reader, best_reader
from pmtk.core.errors import PmtkError

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


class Options(Settings):
    """The run context's ``options``: every option of the run, as a mapping and typed.

    As a mapping (``options["image_size"]``, ``options.get("seed")``) it holds the values the
    run was given, every option for a run pmtk started, and writing into it is deprecated as
    for :class:`Settings`. Typed reads state no default of their own:

    - ``options.seed``, ``options.bootstrap``, ...: a common option
      (:class:`pmtk.core.contract.options.RunOptions`), or its default where the mapping
      lacks it (a context built by hand, a run directory written by an older pmtk);
    - ``options.task_option("image_size")``: an option of the task, or the default its
      :class:`pmtk.core.contract.task.TaskOption` declares.
    """

    _declared: Mapping[str, Any] = MappingProxyType({})

    def __init__(self, values: Mapping[str, Any] = (), declared: Mapping[str, Any] = ()):
        """``values``: the run's options; ``declared``: the default of each option the task
        declares, by name."""
        super().__init__(values)
        self._declared = MappingProxyType(dict(declared))

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles without a deprecated write
        return (Options, (dict(self), dict(self._declared)))

    def __getattr__(self, name: str) -> Any:
        if name in COMMON_DEFAULTS:
            return self[name] if name in self else COMMON_DEFAULTS[name]
        raise AttributeError(
            f"Run options have no attribute '{name}': read a task's option with "
            f"options.task_option('{name}')."
        )

    def task_option(self, name: str) -> Any:
        """The value of the task's option ``name``.

        Returns:
            The run's value, or the default the task's ``TaskOption`` declares when the
            mapping lacks it.

        Raises:
            KeyError: The mapping lacks it and the task declares no such option, or the
                context was built without the registry that knows the task.
        """
        if name in self:
            return self[name]
        if name in self._declared:
            return self._declared[name]
        raise KeyError(
            f"The run's options have no '{name}', and no declaration of it is known: the "
            "task declares no such option, or the context was built without the registry "
            f"(give '{name}' in the options, or pass the registry)."
        )


def _settings(values: Mapping[str, Any] | None) -> Settings:
    # The same object when it already is one, so a copied context shares it.
    return values if isinstance(values, Settings) else Settings(values or {})


def _options(values: Mapping[str, Any] | None, registry: Any, task_name: str) -> Options:
    """The context's :class:`Options`: the same object when it already is one (a copied
    context shares it), else the values with the defaults the task declares."""
    if isinstance(values, Options):
        return values
    declared: dict[str, Any] = {}
    if registry is not None:
        try:
            declared = {option.name: option.default for option in registry.task(task_name).options}
        except (PmtkError, AttributeError):  # an unknown task, or no registry to ask
            declared = {}
    return Options(values or {}, declared)


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
        options: Resolved options (common and task-specific), as stored in ``config.json``:
            an :class:`Options` mapping, typed as ``options.seed`` (common options) and
            ``options.task_option("image_size")`` (the task's).
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
        object.__setattr__(self, "options", _options(self.options, self.registry, self.task))
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
    def options(self) -> Options:
        """The run's resolved options (the context's :class:`Options`)."""
        return self.context.options  # type: ignore[return-value]


@dataclass
class SplitData:
    """One split as ``Task.finish`` sees it.

    Data read whole gives every row of the split here. Data read in parts gives a bounded,
    seeded uniform sample of it (at most ``pmtk.core.evaluation.baseline.BASELINE_ROWS``
    rows), and :attr:`parts` reads every row again, part by part, for what must see them all.

    Attributes:
        examples: The split's rows of the examples table (or the sample of them).
        targets: Encoded targets aligned with ``examples`` (None for reconstruction).
        dataset: The unbatched dataset of ``examples``, as the task's ``dataset`` built it
            (pairs ``(x, x)`` for reconstruction).
        parts: ``parts()`` yields ``(examples, targets)`` for every row of the split, part by
            part in the order read; None when nothing but ``examples`` is known.
        rows: The number of rows of the split (``len(examples)`` when they are all there).
    """

    examples: pd.DataFrame
    targets: np.ndarray | None
    dataset: tf.data.Dataset
    parts: Callable[[], Iterator[tuple[pd.DataFrame, Any]]] | None = None
    rows: int | None = None
