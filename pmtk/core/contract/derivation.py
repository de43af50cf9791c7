"""What a task learns from its training rows, accumulated part by part.

The loop reads a task's examples in parts (:meth:`pmtk.core.contract.task.Task.read_parts`)
and hands every training row to the task's :class:`Derivation`, one part at a time
(``extend``), then reads the settings once (``aggregate``): the habit of MONAI's
``Cumulative``. Data that fits in memory is one part.

A task that overrides only ``derive`` gets :class:`WholeDerivation`, which keeps the training
parts and calls ``derive`` on them joined: right for data that fits in memory. A task that
reads data bigger than memory returns its own derivation, whose memory does not grow with the
rows (running moments, vocabulary counts, a bounded sample).
"""

from __future__ import annotations

import abc
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.contract.targets import Targets


class Derivation(abc.ABC):
    """Accumulates what a task learns from its training rows (see the module docstring)."""

    @abc.abstractmethod
    def extend(self, train: pd.DataFrame) -> None:
        """Adds training rows: one part of the examples table (all of it for small data).

        Args:
            train: Training rows of one part, in the order they were read.
        """

    @abc.abstractmethod
    def aggregate(self, targets: Targets) -> dict[str, Any]:
        """The settings learned from every row added, as ``Task.derive`` returns them.

        Args:
            targets: The run's targets (kind and class names), known once every part has
                been read.

        Returns:
            JSON-serialisable settings: the run context's ``derived``, stored in
            ``config.json`` for prediction.
        """


class WholeDerivation(Derivation):
    """The training parts joined, given to the task's ``derive`` (holds every training row).

    Args:
        task: The task whose ``derive`` is called.
        context: The run context (``aggregate`` adds the targets to it, as ``derive`` sees).
    """

    # The task and context are not annotated with their types: task.py imports this module.
    def __init__(self, task: Any, context: Any) -> None:
        self.task, self.context = task, context
        self.parts: list[pd.DataFrame] = []

    def extend(self, train: pd.DataFrame) -> None:
        """Keeps the rows."""
        self.parts.append(train)

    def aggregate(self, targets: Targets) -> dict[str, Any]:
        """``task.derive`` on every training row, in the order read."""
        import pandas as pd

        train = pd.concat(self.parts, ignore_index=True) if self.parts else pd.DataFrame()
        return self.task.derive(train, replace(self.context, targets=targets))
