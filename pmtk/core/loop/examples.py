"""From ``--data`` to split, encoded examples: the part of a run that needs no TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.contract.targets import Targets, infer_targets, pairs_input_with_itself
from pmtk.core.contract.task import RunContext, Task
from pmtk.core.data.sample_data import data_path
from pmtk.core.data.splits import SPLITS, assign_splits, check_splits
from pmtk.core.errors import DataError
from pmtk.core.run.rundir import content_hash

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class PreparedExamples:
    """Examples read, encoded and assigned to splits.

    Attributes:
        data_path: The data that was read.
        examples: The task's examples table.
        targets: Kind, class names and encoded values.
        split: Split name per example.
    """

    data_path: Path
    examples: pd.DataFrame
    targets: Targets
    split: np.ndarray

    def part(self, name: str) -> tuple[pd.DataFrame, np.ndarray | None]:
        """Examples and encoded targets of one split."""
        mask = self.split == name
        values = None if self.targets.values is None else self.targets.values[mask]
        return self.examples[mask].reset_index(drop=True), values

    def counts(self) -> dict[str, int]:
        """Examples per split."""
        return {name: int((self.split == name).sum()) for name in SPLITS}

    @cached_property
    def data_hash(self) -> str:
        """Content hash of the data read: the file or folder, plus the files a manifest lists.

        Computed once per run: ``config.json`` records it and ``--resume`` checks it.
        """
        files = [self.data_path]
        if "path" in self.examples and self.data_path.is_file():
            files += [Path(p) for p in self.examples["path"]]
        if len(files) == 1:
            return content_hash(files[0])
        import hashlib

        digest = hashlib.sha256()
        for file in files:
            digest.update(content_hash(file).encode())
        return "sha256:" + digest.hexdigest()


def prepare_examples(task: Task, context: RunContext) -> PreparedExamples:
    """Reads the data, encodes targets, assigns and checks splits.

    Raises:
        DataError: Any problem with the data, naming the file and what to do.
    """
    options = context.options
    path = data_path(task, options.data)
    examples = task.read(path, context)
    if len(examples) == 0:
        raise DataError(f"{path} holds no examples; point --data at a folder or file with data.")
    source = str(path)
    if pairs_input_with_itself(task.target_kind):  # no labels to read
        targets = Targets(task.target_kind)
    else:
        targets = infer_targets(
            examples["label"],
            source=source,
            kind=task.target_kind,
            positive_class=options.positive_class,
        )
    strata = targets.values if targets.kind in ("binary", "multiclass") else None
    split = assign_splits(
        strata=strata,
        groups=examples.get("group"),
        fixed=examples.get("split"),
        val_fraction=options.val_fraction,
        test_fraction=options.test_fraction,
        seed=options.seed,
        source=source,
        n=len(examples),
        class_names=targets.class_names,
        keys=examples["id"],
    )
    check_splits(split, strata, targets.class_names, source)
    return PreparedExamples(path, examples, targets, split)


def group_column(table: pd.DataFrame, column: str | None, source: str) -> pd.Series | None:
    """The ``--group-column`` of a table, as text, for the examples' ``group`` column.

    Returns:
        None when no column is named.

    Raises:
        DataError: The column is not in the table; lists the columns.
    """
    if column is None:
        return None
    if column not in table.columns:
        raise DataError(
            f"{source} has no column '{column}' (--group-column); its columns are: "
            f"{', '.join(map(str, table.columns))}."
        )
    return table[column].astype(str)
