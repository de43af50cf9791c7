"""The loop's one data path: a task's examples read in parts, split, encoded and sampled.

A task yields its examples table in parts (:meth:`pmtk.core.contract.task.Task.read_parts`);
data that fits in memory is one part, which the source then holds. Everything else is done
here, once, for every size (as Keras' data adapters hide arrays and generators behind one
interface, the trainer and the results writer never ask which they hold):

- **targets**: inferred from the distinct labels of every part, encoded part by part;
- **splits**: one part is split stratified by class (and by group), several parts by a
  stable hash of the group, else the id; a ``split`` column wins either way
  (:mod:`pmtk.core.data.splits`: one alias table, one carving rule, one sentence);
- **what the task learns**: its :class:`~pmtk.core.contract.derivation.Derivation` gets the
  training rows part by part;
- **counts**: examples per split, classes per split, events per split;
- **samples**: a bounded, seeded uniform sample of every split (the whole split when it is
  small), for the baseline, the training metrics and the task's ``finish``;
- **passes**: every row of some splits, part by part, for scores and ``predictions.csv``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.context import SplitData
from pmtk.core.contract.targets import Targets, infer_targets
from pmtk.core.data.batching import chained
from pmtk.core.data.sample_data import data_path
from pmtk.core.data.splits import SPLITS, check_fractions, check_splits, column_names_validation
from pmtk.core.data.splitters import SplitRequest, Splitter, choose_splitter
from pmtk.core.data.tables import group_column  # noqa: F401  (pmtk.core.examples, deprecated)
from pmtk.core.errors import DataError
from pmtk.core.loop.tally import SplitTally
from pmtk.core.run.rundir import data_hash

if TYPE_CHECKING:
    import pandas as pd
    import tensorflow as tf

    from pmtk.core.contract.task import RunContext, Task


class ExampleSource:
    """A task's examples for one run: read, split, encoded, counted and sampled.

    Reading happens when it is built (one pass over the data, two when a ``split`` column
    names no validation row and the data comes in several parts).

    Attributes:
        task: The task.
        data_path: The data read.
        targets: Kind and class names (``values`` set when the data is held).
        derived: What the task learned from the training rows.
        held: Whether the data is one part, held in memory (else it is read again for each
            pass, and nothing per row is held but what the passes return).
        examples: The examples table when held, else None.
        split: The split of every held example, else None.
    """

    def __init__(self, task: Task, context: RunContext) -> None:
        self.task = task
        check_fractions(context.options.val_fraction, context.options.test_fraction)
        self.data_path = data_path(task, context.options.data)
        self.source = str(self.data_path)
        self.context = context
        self.examples: pd.DataFrame | None = None
        self.split: np.ndarray | None = None
        self.carve = False
        self._rows: dict[str, tuple[pd.DataFrame, Any]] = {}
        self._datasets: dict[str, tf.data.Dataset] = {}
        parts = iter(task.read_parts(self.data_path, context))
        first, second = next(parts, None), next(parts, None)
        if first is None or (len(first) == 0 and second is None):
            raise DataError(
                f"{self.data_path} holds no examples; point --data at a folder or file with data."
            )
        self.held = second is None
        if self.held:
            self._hold(first)
        else:
            self._count(itertools.chain([first, second], parts))
        #: The run context with the targets and what the task learned (its datasets need it).
        self.context = replace(context, targets=self.targets, derived=self.derived)

    # ------------------------------------------------------------------ reading

    def _hold(self, examples: pd.DataFrame) -> None:
        """One part: targets from every label, then the splitter sees every example."""
        targets = self._infer(examples["label"] if _labelled(self.task, examples) else None)
        strata = targets.values if targets.kind in ("binary", "multiclass") else None
        self.targets = targets
        self.splitter = self._choose_splitter(examples)
        # a survival target is split stratified by its event flag (censored or event)
        events = targets.values[:, 1].astype(int) if targets.kind == "survival" else None
        self.split = self._assign(examples, strata if events is None else events)
        check_splits(self.split, strata, targets.class_names, self.source)
        self.examples = examples
        self._tally([(examples, self.split)])

    def _count(self, parts: Iterator[pd.DataFrame]) -> None:
        """Several parts: one statistics pass (after a pass over the ``split`` column when it
        names no validation row in the first part); targets are inferred at its end."""
        first = next(parts)
        self.targets = None
        self.splitter = self._choose_splitter(first)
        self._tally((part, self._assign(part)) for part in itertools.chain([first], parts))

    def _choose_splitter(self, first: pd.DataFrame) -> Splitter:
        """The splitter (:func:`pmtk.core.data.splitters.choose_splitter`), and whether a
        ``split`` column needs validation carved from it (it names no validation row)."""
        name = self.context.options.splitter or self.task.splitter(self.context)
        splitter = choose_splitter(name, self.context.registry, first, self.held, self.source)
        if splitter.name == "column" and not column_names_validation([first["split"]]):
            # held data is all in ``first``; data in parts is read once more, its column only
            self.carve = self.held or not column_names_validation(
                part["split"] for part in self._read()
            )
        return splitter

    def _assign(self, part: pd.DataFrame, strata: np.ndarray | None = None) -> np.ndarray:
        """The splitter's split of one part (of every example when held)."""
        from pmtk.core.data.tables import where

        options = self.context.options
        request = SplitRequest(
            val_fraction=options.val_fraction,
            test_fraction=options.test_fraction,
            seed=options.seed,
            source=self.source,
            strata=strata,
            class_names=_class_names(self.targets),
            where=lambda position: where(part, position),
            carve=self.carve,
            options=options,
        )
        return np.asarray(self.splitter.assign(part, request), dtype=object)

    def _read(self) -> Iterator[pd.DataFrame]:
        """The examples, part by part, as the task reads them (a new read each call)."""
        parts = self.task.read_parts(self.data_path, self.context)
        yield from (part for part in parts if len(part))

    def _infer(self, labels: pd.Series | None) -> Targets:
        if labels is None:
            return Targets(self.task.target_kind or "reconstruction")
        return infer_targets(
            labels, source=self.source, kind=self.task.target_kind,
            positive_class=self.context.options.positive_class,
        )  # fmt: skip

    def _check_labels(self, part: pd.DataFrame) -> None:
        missing = part["label"].isna().to_numpy()
        if missing.any():
            from pmtk.core.data.tables import where

            place = where(part, int(np.flatnonzero(missing)[0]))
            raise DataError(f"{self.source}: {place} has no label; give every example a label.")

    def splits_of(self, part: pd.DataFrame) -> np.ndarray:
        """The split of every row of one part (held: the split of every example)."""
        return self.split if self.held else self._assign(part)

    # ------------------------------------------------------------------ the statistics pass

    def _tally(self, parts: Any) -> None:
        """Counts, labels, samples, test groups and what the task learns: one pass."""
        derivation = self.task.derivation(self.context)
        self.tally = SplitTally(self.context.options.seed)
        for part, split in parts:
            labelled = _labelled(self.task, part)
            if labelled and not self.held:
                self._check_labels(part)
            train = self.tally.add(part, split, labelled)
            if len(train):
                derivation.extend(train)
        if self.targets is None:  # read in parts: every label has been seen now
            self.targets = self._infer(self.tally.distinct_labels())
            self.tally.check(self.targets, self.source)
        self.tally.encode(self.targets)
        self.derived = derivation.aggregate(self.targets)

    # ------------------------------------------------------------------ what the loop reads

    def encode(self, part: pd.DataFrame) -> np.ndarray | None:
        """The encoded targets of one part's rows (None when the input is its own target)."""
        if self.targets.pairs_input_with_itself or "label" not in part:
            return None
        values = self.targets.encode(part["label"])
        return values.astype("float32") if self.targets.kind == "binary" else values

    def counts(self) -> dict[str, int]:
        """Examples per split."""
        return dict(self.tally.rows)

    def class_counts(self) -> dict[int, int]:
        """Training examples per encoded class (empty unless the target has classes)."""
        if self.targets.kind not in ("binary", "multiclass"):
            return {}
        return dict(sorted(self.tally.classes["train"].items()))

    def event_counts(self) -> dict[str, dict[str, int]] | None:
        """A survival target's events and censored examples per split; None otherwise."""
        if self.targets.kind != "survival":
            return None
        counts = self.tally.classes
        return {name: {"event": counts[name][1], "censored": counts[name][0]}
                for name in SPLITS}  # fmt: skip

    def test_groups(self) -> pd.Series | None:
        """The group of every test example, in the order of :meth:`parts`, or None."""
        import pandas as pd

        groups = self.tally.test_groups()
        return None if groups is None else pd.Series(groups, name="group")

    def test_subgroups(self, column: str) -> np.ndarray:
        """Each test example's value of ``column`` (``--subgroup-column``) as text, in the
        order of :meth:`parts` (:func:`pmtk.core.evaluation.subgroups.subgroup_values`)."""
        from pmtk.core.evaluation.subgroups import subgroup_values

        if self.held:
            every = subgroup_values(self.examples, column, self.data_path)
            return every[self.split == "test"]
        found = [subgroup_values(part, column, self.data_path)[self.splits_of(part) == "test"]
                 for part in self._read()]  # fmt: skip
        return np.concatenate(found) if found else np.array([], dtype=object)

    def split_data(self, name: str) -> SplitData:
        """One split as ``Task.finish`` and the baseline see it: every row when the data is
        held (with the dataset training used), else a bounded uniform sample; ``parts``
        reads every row either way."""
        if self.held:
            examples, targets = self._held_rows(name)
            dataset = self.dataset(name)
        else:
            sample = self.tally.samples[name]
            sample.limit = min(sample.limit, self.task.sample_rows(self.context) or sample.limit)
            examples = sample.rows().reset_index(drop=True)
            targets = self.encode(examples) if len(examples) else None
            dataset = self._pairs(examples, targets)
        return SplitData(
            examples, targets, dataset,
            parts=lambda: ((e, t) for _, e, t, _ in self.parts((name,))),
            rows=self.tally.rows[name],
        )  # fmt: skip

    def parts(self, names: tuple[str, ...]) -> Iterator[tuple[str, pd.DataFrame, Any, Any]]:
        """Every row of the splits named, part by part: ``(split, examples, targets,
        dataset)``, the dataset unbatched ``(x, y)`` (``(x, x)``) pairs of those rows."""
        if self.held:
            for name in names:
                yield name, *self._held_rows(name), self.dataset(name)
            return
        for part in self._read():
            split, encoded = self.splits_of(part), self.encode(part)
            for name in names:
                rows = split == name
                if rows.any():
                    chosen = part[rows].reset_index(drop=True)
                    targets = None if encoded is None else encoded[rows]
                    yield name, chosen, targets, self._pairs(chosen, targets)

    def dataset(self, name: str) -> tf.data.Dataset:
        """One split's unbatched dataset of ``(x, y)`` (``(x, x)`` when the input is its own
        target). Held data: built once per split, the training rows in a seeded random
        order when the shuffle buffer cannot hold them all; else streamed part by part."""
        if not self.held:
            return self._streamed(name)
        if name not in self._datasets:
            examples, targets = self._held_rows(name)
            self._datasets[name] = self._pairs(examples, targets)
        return self._datasets[name]

    def _held_rows(self, name: str) -> tuple[pd.DataFrame, Any]:
        if name not in self._rows:
            examples = self.examples[self.split == name].reset_index(drop=True)
            if name == "train" and len(examples) > 1:
                examples = self._shuffle_order(examples)
            self._rows[name] = examples, self.encode(examples)
        return self._rows[name]

    def _shuffle_order(self, examples: pd.DataFrame) -> pd.DataFrame:
        """The training rows in a seeded random order when the shuffle buffer holds only a
        window of them (large decoded images), so every window is a random sample."""
        from pmtk.core.data.batching import shuffle_buffer

        # One example's dataset tells the element size (one image decoded, no progress).
        probe = self._pairs(examples[:1], self.encode(examples[:1]))
        if len(examples) <= shuffle_buffer(probe, len(examples)):
            return examples
        order = np.random.default_rng(self.context.options.seed).permutation(len(examples))
        return examples.iloc[order].reset_index(drop=True)

    def _pairs(self, examples: pd.DataFrame, targets: Any) -> tf.data.Dataset:
        if self.targets.pairs_input_with_itself:
            return self.task.dataset(examples, None, self.context).map(lambda x: (x, x))
        return self.task.dataset(examples, targets, self.context)

    def _streamed(self, name: str) -> tf.data.Dataset:
        """A split read part by part, each part's dataset from the task: memory holds one.
        Its size is known from the statistics pass, as a held split's is (Keras counts its
        steps, the shuffle buffer and a model's choices, such as danq's position path, see it)."""
        import tensorflow as tf

        dataset = chained(lambda: (dataset for _, _, _, dataset in self.parts((name,))))
        return dataset.apply(tf.data.experimental.assert_cardinality(self.tally.rows[name]))

    @cached_property
    def data_hash(self) -> str:
        """Content hash of the data read, and of the files a held manifest lists
        (``config.json``, ``--resume``)."""
        listed = self.examples["path"] if self.held and "path" in self.examples else ()
        return data_hash(self.data_path, [Path(path) for path in listed])


def _class_names(targets: Targets | None) -> tuple[str, ...]:
    """What the strata of a split are called in messages: the classes, or a survival
    target's event flags."""
    if targets is None:
        return ()
    return ("censored", "event") if targets.kind == "survival" else tuple(targets.class_names)


def _labelled(task: Task, examples: pd.DataFrame) -> bool:
    """Whether the examples carry labels the loop reads (not a self-target task's)."""
    from pmtk.core.contract.targets import pairs_input_with_itself

    return "label" in examples and not pairs_input_with_itself(task.target_kind)
