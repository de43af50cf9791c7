"""What one pass over the examples counts and keeps: the statistics the loop holds of data
it may never hold whole.

Per split: the examples, the labels (by value while there are few distinct ones, by event
flag for survival), a bounded seeded uniform sample of rows, and the test split's groups.
From the label counts come the target's kind and class names, the class weights and the
check that every split holds every class.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.targets import Targets, is_survival
from pmtk.core.data.sampling import Reservoir
from pmtk.core.data.splits import SPLITS, check_splits
from pmtk.core.errors import DataError
from pmtk.core.evaluation.baseline import BASELINE_ROWS

if TYPE_CHECKING:
    import pandas as pd

#: Distinct labels counted per split; past it a numeric target is continuous (regression).
MAX_DISTINCT_LABELS = 10_000


class SplitTally:
    """Counts, labels, samples and test groups of every split, added part by part.

    Args:
        seed: Seed of the samples.
        sample_rows: Rows kept at most per split's sample.
    """

    def __init__(self, seed: int, sample_rows: int = BASELINE_ROWS) -> None:
        self.rows = dict.fromkeys(SPLITS, 0)
        self.labels = {name: LabelCounts() for name in SPLITS}
        self.samples = {name: Reservoir(sample_rows, seed) for name in SPLITS}
        self.groups: list[np.ndarray] = []
        self.classes: dict[str, Counter] = {name: Counter() for name in SPLITS}

    def add(self, part: pd.DataFrame, split: np.ndarray, labelled: bool) -> pd.DataFrame:
        """Adds one part whose rows have the splits ``split``; returns its training rows."""
        train = part[:0]
        for name in SPLITS:
            rows = split == name
            if not rows.any():
                continue
            chosen = part[rows]
            self.rows[name] += len(chosen)
            if labelled:
                self.labels[name].add(chosen["label"])
            self.samples[name].add(chosen)
            if name == "train":
                train = chosen
            if name == "test" and "group" in part:
                self.groups.append(chosen["group"].astype(str).to_numpy(dtype=object))
        return train

    def distinct_labels(self) -> pd.Series:
        """Every distinct label seen, to infer the target from."""
        return LabelCounts.distinct(self.labels.values())

    def encode(self, targets: Targets) -> None:
        """Turns the label counts into counts per encoded class (or event flag)."""
        self.classes = {name: self.labels[name].encoded(targets) for name in SPLITS}

    def check(self, targets: Targets, source: str) -> None:
        """:func:`check_splits` on the counts: one entry per split and class present."""
        classes = targets.kind in ("binary", "multiclass")
        split, strata = [], []
        for name in SPLITS:
            present = sorted(self.labels[name].encoded(targets)) if classes else [0]
            present = present if self.rows[name] else []
            split += [name] * len(present)
            strata += present
        check_splits(np.array(split, dtype=object), np.array(strata) if classes else None,
                     targets.class_names, source)  # fmt: skip
        for name in SPLITS if targets.kind == "survival" else ():
            if self.rows[name] and not self.labels[name].events[1]:
                raise DataError(
                    f"{source}: the {name} split has no events (all {self.rows[name]} of its "
                    "patients are censored); data read in parts is split by a hash of the id "
                    "or group, not by event, so give more patients with events, or a split "
                    "column that puts events in every split."
                )

    def test_groups(self) -> np.ndarray | None:
        """The group of every test example, in the order added; None without groups."""
        return np.concatenate(self.groups) if self.groups else None


class LabelCounts:
    """The raw labels of one split, counted: by value while there are few distinct ones
    (classes), by event flag for survival; a continuous target stops being counted."""

    def __init__(self) -> None:
        self.values: Counter = Counter()
        self.events: Counter = Counter()
        self.first: Any = None

    def add(self, labels: pd.Series) -> None:
        """Counts one part's labels."""
        if not len(labels):
            return
        if self.first is None:
            self.first = labels.iloc[:1]
        if is_survival(labels):
            self.events.update(int(label.event) for label in labels)
        elif len(self.values) <= MAX_DISTINCT_LABELS:
            self.values.update(labels.tolist())

    @staticmethod
    def distinct(splits: Any) -> pd.Series:
        """Every distinct label seen (a survival label stands for its kind)."""
        import pandas as pd

        splits = list(splits)
        firsts = [s.first for s in splits if s.first is not None]
        if firsts and is_survival(firsts[0]):
            return firsts[0]
        values = set().union(*(s.values for s in splits))
        return pd.Series(sorted(values, key=str), dtype=object if not values else None)

    def encoded(self, targets: Targets) -> Counter:
        """Examples per encoded class (per event flag for survival); empty otherwise."""
        import pandas as pd

        if targets.kind == "survival":
            return Counter(self.events)
        if targets.kind not in ("binary", "multiclass") or not self.values:
            return Counter()
        keys = targets.encode(pd.Series(list(self.values)))
        counts: Counter = Counter()
        for key, count in zip(keys.tolist(), self.values.values(), strict=True):
            counts[int(key)] += count
        return counts
