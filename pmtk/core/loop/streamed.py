"""What the loop needs from a task whose table is read from disk in batches, not loaded.

A task that can stream implements :class:`StreamingTask`: given the ``--data`` path it
returns a :class:`StreamedExamples` (or None to keep the in-memory path, which is faster on
small tables). The loop then trains on the split datasets it streams and writes the run
with :mod:`pmtk.core.loop.streamed_results`: no examples table, no per-row split array.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pmtk.core.data.sample_data import data_path
from pmtk.core.run.rundir import content_hash

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import tensorflow as tf

    from pmtk.core.contract.task import RunContext, Targets, Task


class StreamedExamples(abc.ABC):
    """A table read in batches: its targets, what training learned, and per-split streams.

    Attributes:
        data_path: The data that was read.
        targets: Kind and class names (``values`` is None: targets stream with the rows).
        derived: What the task learned from one pass over the training rows (the same
            settings its ``derive`` returns on the in-memory path).
        split_counts: Examples per split, counted by that pass.
        train_classes: Training examples per encoded class, if the target has classes.
    """

    data_path: Path
    targets: Targets
    derived: dict[str, Any]
    split_counts: dict[str, int]

    def counts(self) -> dict[str, int]:
        """Examples per split (``split_counts``, which the statistics pass fills)."""
        return dict(self.split_counts)

    def class_counts(self) -> dict[int, int]:
        """Training examples per encoded class (``train_classes``; empty for regression)."""
        return dict(getattr(self, "train_classes", {}))

    @abc.abstractmethod
    def dataset(self, name: str, context: RunContext) -> tf.data.Dataset:
        """One split's unbatched ``(x, y)`` dataset, streamed in file order."""

    @abc.abstractmethod
    def batches(self, context: RunContext) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
        """Every example in file order, in batches: model inputs (as :meth:`dataset` gives
        them, batched), encoded targets, and the split name of each row."""

    @abc.abstractmethod
    def chunks(self, name: str, context: RunContext) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """One split's examples tables and encoded targets, in the order of :meth:`dataset`."""

    @abc.abstractmethod
    def sample(self, name: str) -> tuple[pd.DataFrame, np.ndarray]:
        """A bounded, seeded uniform sample of one split's examples and encoded targets."""

    @abc.abstractmethod
    def test_groups(self) -> np.ndarray | None:
        """A code per test example of its group (patient), for grouped intervals; or None."""

    def test_subgroups(self, column: str) -> np.ndarray | None:
        """Each test example's value of ``column`` (``--subgroup-column``) as text, in the
        order of :meth:`chunks`; None when this table does not collect them (the default)."""
        return None

    def event_counts(self) -> dict[str, dict[str, int]] | None:
        """A survival target's events and censored examples per split, over every row (the
        loop holds only a sample of the training split); None otherwise (the default)."""
        return None

    @cached_property
    def data_hash(self) -> str:
        """Content hash of the data read (``config.json``, ``--resume``)."""
        return content_hash(self.data_path)


@runtime_checkable
class StreamingTask(Protocol):
    """A task that can read data bigger than memory (risk, genomics and autoencoder do)."""

    def stream(self, path: Path, context: RunContext) -> StreamedExamples | None:
        """The streamed examples of ``path``, or None to read it into memory."""


def open_streamed(task: Task, context: RunContext) -> StreamedExamples | None:
    """The task's streamed examples when it streams this ``--data``, else None."""
    if not isinstance(task, StreamingTask):
        return None
    return task.stream(data_path(task, context.options.get("data")), context)
