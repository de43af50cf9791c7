"""Splitters by name: how examples are assigned to train, validation and test.

The habit of Ludwig's split registry: each way of splitting is a class registered by name,
chosen with ``--splitter NAME`` or, by default, by the data (:func:`choose_splitter`):

- ``column``: the data's ``split`` column (:data:`pmtk.core.data.splits.SPLIT_ALIASES`),
  validation carved from training when it names none;
- ``stratified``: at random, stratified by class, a group (patient) kept in one split;
- ``group``: at random by group only (no stratification);
- ``hash``: by a stable hash of each row's group, else id: one part at a time, so data read
  in parts is split without holding a table of assignments.

A plugin adds one with the ``pmtk_register_splitters`` hook (genomics adds ``chromosome``).
``stratified`` and ``group`` look at every example at once (:attr:`Splitter.whole`), so they
split data that is held in memory; the others split each part on its own.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from pmtk.core.data.part_threshold import part_threshold
from pmtk.core.data.splits import assign_splits, carve_validation, hash_splits, split_names
from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class SplitRequest:
    """What a splitter is told besides the examples.

    Attributes:
        val_fraction: Share of the examples (or groups) for validation.
        test_fraction: Share for testing.
        seed: The run's seed: the same seed gives the same split.
        source: The data file, for messages.
        strata: Class index per example (classification, held data), else None.
        class_names: Names of the classes, for messages.
        where: ``position -> "line N"`` naming a row of the examples, for messages.
        carve: The ``split`` column names no validation row anywhere in the data, so
            ``column`` carves validation from training.
        options: Every option of the run (a plugin's splitter reads its own there).
    """

    val_fraction: float
    test_fraction: float
    seed: int
    source: str
    strata: np.ndarray | None = None
    class_names: tuple[str, ...] = ()
    where: Callable[[int], str] | None = None
    carve: bool = False
    options: Any = None


class Splitter(abc.ABC):
    """One way of splitting examples; registered by :attr:`name`."""

    #: The ``--splitter`` value that chooses it.
    name: ClassVar[str]
    #: One line for ``pmtk run --help`` and the docs.
    description: ClassVar[str] = ""
    #: Whether it needs every example at once (then it splits held data only).
    whole: ClassVar[bool] = False

    @abc.abstractmethod
    def assign(self, examples: pd.DataFrame, request: SplitRequest) -> np.ndarray:
        """The split (``train``, ``val`` or ``test``) of every row of ``examples``.

        Args:
            examples: The examples table, or one part of it (``id``, ``label``, and
                ``group``/``split`` when the data has them; any column of the task).
            request: Fractions, seed and what messages need.

        Raises:
            DataError: The examples cannot be split this way (naming the file and row).
        """


def keys_of(examples: pd.DataFrame) -> np.ndarray:
    """What keeps examples together: the group (patient) when there is one, else the id."""
    keys = examples["group"] if "group" in examples else examples["id"]
    return keys.to_numpy(dtype=object)


class ColumnSplitter(Splitter):
    """The data's ``split`` column, through the one alias table."""

    name = "column"
    description = "the data's split column (train/val/test; validation carved when absent)"

    def assign(self, examples: pd.DataFrame, request: SplitRequest) -> np.ndarray:
        """The column's names; training rows carved into validation when it names none."""
        names = split_names(examples["split"], request.source, request.where)
        if request.carve:
            names = carve_validation(
                names, keys_of(examples), val_fraction=request.val_fraction, seed=request.seed
            )
        return names


class StratifiedSplitter(Splitter):
    """At random, stratified by class, groups kept whole (scikit-learn)."""

    name = "stratified"
    description = "at random, stratified by class, each group (patient) in one split"
    whole = True

    def assign(self, examples: pd.DataFrame, request: SplitRequest) -> np.ndarray:
        """:func:`pmtk.core.data.splits.assign_splits` with the classes as strata."""
        return _random(examples, request, request.strata)


class GroupSplitter(Splitter):
    """At random by group, not stratified."""

    name = "group"
    description = "at random by group (--group-column), not stratified by class"
    whole = True

    def assign(self, examples: pd.DataFrame, request: SplitRequest) -> np.ndarray:
        """:func:`pmtk.core.data.splits.assign_splits` with groups and no strata."""
        return _random(examples, request, None)


class HashSplitter(Splitter):
    """A stable hash of the group, else the id: the same row, the same split, any part."""

    name = "hash"
    description = "by a stable hash of the group, else the id (data of any size)"

    def assign(self, examples: pd.DataFrame, request: SplitRequest) -> np.ndarray:
        """:func:`pmtk.core.data.splits.hash_splits` of :func:`keys_of`."""
        return hash_splits(
            keys_of(examples),
            val_fraction=request.val_fraction,
            test_fraction=request.test_fraction,
            seed=request.seed,
        ).astype(object)


def _random(examples: pd.DataFrame, request: SplitRequest, strata) -> np.ndarray:
    return assign_splits(
        strata=strata,
        groups=examples.get("group", None),
        fixed=None,
        val_fraction=request.val_fraction,
        test_fraction=request.test_fraction,
        seed=request.seed,
        source=request.source,
        n=len(examples),
        class_names=list(request.class_names),
    )


#: The splitters of the core, by name (plugins add theirs through the registry).
BUILTIN_SPLITTERS: dict[str, Splitter] = {
    splitter.name: splitter
    for splitter in (ColumnSplitter(), StratifiedSplitter(), GroupSplitter(), HashSplitter())
}


def choose_splitter(
    name: str | None, registry: Any, first: pd.DataFrame, held: bool, source: str
) -> Splitter:
    """The splitter of a run, checked against its data.

    Args:
        name: ``--splitter`` (or the task's choice); None: the data's ``split`` column when
            it has one, else ``stratified`` for held data and ``hash`` for data read in parts.
        registry: The plugin registry (``registry.splitter(name)``), or None for the core's.
        first: The examples, or their first part (to see which columns there are).
        held: Whether every example is held in memory.
        source: The data, for messages.

    Raises:
        OptionError: An unknown splitter, or one that needs every example at once for data
            read in parts.
        DataError: ``column`` for data without a ``split`` column.
    """
    if name is None:
        name = "column" if "split" in first else ("stratified" if held else "hash")
    if registry is not None:
        splitter = registry.splitter(name)
    elif name in BUILTIN_SPLITTERS:
        splitter = BUILTIN_SPLITTERS[name]
    else:
        raise OptionError(
            f"Unknown splitter '{name}' (--splitter); choose one of: "
            f"{', '.join(sorted(BUILTIN_SPLITTERS))}."
        )
    if splitter.whole and not held:
        raise OptionError(
            f"--splitter {name} needs every example in memory, but {source} is read in parts "
            f"(more than {part_threshold():,} rows, PMTK_STREAMING_ROWS); use --splitter hash "
            "or a split column."
        )
    if splitter.name == "column" and "split" not in first:
        raise DataError(
            f"{source} has no 'split' column (--splitter column); add one with train, val or "
            "test per row, or choose another splitter."
        )
    return splitter
