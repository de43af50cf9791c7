"""The chromosome hold-out: the ``chromosome`` splitter, whole chromosomes to test and val.

``--holdout-chromosomes`` sends every interval on those chromosomes to the test split and
``--val-chromosomes`` to validation; the other intervals train, and a split that no
chromosome names is carved from them by a stable hash of the interval
(``chrom:start-end(strand)``) and the seed (:func:`pmtk.core.data.splits.hash_splits`, the
core's rule for carving and for data read in parts). A row's split depends on the row alone,
so :class:`ChromosomeSplitter` splits one part at a time, data read whole or in parts alike.
``GenomicsTask.splitter`` chooses it when either option is given.

:class:`SplitChromosomes` gathers the chromosomes of each split over every interval, checks
them and gives them as JSON, which every row of a part carries in its ``split_chromosomes``
column, so the task's derivation, which sees the training rows only, records them in
``config.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.splits import SPLITS, hash_splits
from pmtk.core.data.splitters import SplitRequest, Splitter
from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.genomics.intervals import interval_names

if TYPE_CHECKING:
    import pandas as pd

#: Column of the examples table holding the chromosomes of each split, as JSON (same in
#: every row: ``{"train": [...], "val": [...], "test": [...]}``).
SPLIT_CHROMOSOMES = "split_chromosomes"
#: The splitter's name (``--splitter chromosome``).
CHROMOSOME_SPLITTER = "chromosome"


def parse_chromosomes(text: str | None) -> list[str]:
    """``chr8,chr9`` -> ``["chr8", "chr9"]`` (blank entries dropped)."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def chromosome_options(options: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The ``--holdout-chromosomes`` and ``--val-chromosomes`` as lists.

    Raises:
        OptionError: A chromosome is named in both.
    """
    holdout = parse_chromosomes(options.get("holdout_chromosomes"))
    val = parse_chromosomes(options.get("val_chromosomes"))
    both = sorted(set(holdout) & set(val))
    if both:
        raise OptionError(
            f"Chromosome {both[0]!r} is in both --holdout-chromosomes and --val-chromosomes; "
            "give each chromosome to one split only."
        )
    return holdout, val


def interval_splits(frame: pd.DataFrame, request: SplitRequest) -> np.ndarray:
    """The split of every interval: named chromosomes first, the others by the hash.

    Args:
        frame: Intervals (``chrom``, ``start``, ``end``, ``strand``): all or one part.
        request: Fractions and seed; ``options`` holds the chromosome options.

    Raises:
        OptionError: A chromosome named twice, or a hashed split's fraction not in (0, 1).
    """
    holdout, val = chromosome_options(request.options or {})
    fractions = {"val": request.val_fraction, "test": request.test_fraction}
    for name, named in (("val", val), ("test", holdout)):
        if named:
            fractions[name] = 0.0  # the chromosomes named fill the split
        elif not 0 < fractions[name] < 1:
            raise OptionError(
                f"The {name} fraction must be between 0 and 1; got {fractions[name]}."
            )
    keys = interval_names(frame).to_numpy(dtype=object)
    split = hash_splits(keys, val_fraction=fractions["val"], test_fraction=fractions["test"],
                        seed=request.seed).astype(object)  # fmt: skip
    chromosomes = frame["chrom"].to_numpy(dtype=object)
    split[np.isin(chromosomes, holdout)] = "test"
    split[np.isin(chromosomes, val)] = "val"
    return split


class ChromosomeSplitter(Splitter):
    """Whole chromosomes to test (``--holdout-chromosomes``) and validation
    (``--val-chromosomes``); the other intervals by a stable hash (see the module)."""

    name = CHROMOSOME_SPLITTER
    description = (
        "BED intervals: --holdout-chromosomes to test, --val-chromosomes to validation, "
        "the rest by a stable hash"
    )

    def assign(self, examples: pd.DataFrame, request: SplitRequest) -> np.ndarray:
        """:func:`interval_splits` of one part (or of every interval).

        Raises:
            DataError: The examples are not intervals on a genome.
        """
        if "chrom" not in examples:
            raise DataError(
                f"{request.source} holds sequences, not intervals on a genome, so it cannot be "
                "split by chromosome (--splitter chromosome); pass --data intervals.bed "
                "--genome genome.fa, or choose another splitter."
            )
        return interval_splits(examples, request)


class SplitChromosomes:
    """The chromosomes of each split, gathered part by part over every interval.

    Args:
        request: What :func:`interval_splits` is given.
    """

    def __init__(self, request: SplitRequest) -> None:
        self.request = request
        self.holdout, self.val = chromosome_options(request.options or {})
        self.found: dict[str, set[str]] = {name: set() for name in SPLITS}

    def extend(self, frame: pd.DataFrame) -> None:
        """Adds the chromosomes of some intervals, each to the split it goes to."""
        split = interval_splits(frame, self.request)
        chromosomes = frame["chrom"].to_numpy(dtype=object)
        for name in SPLITS:
            self.found[name].update(np.unique(chromosomes[split == name]).tolist())

    def aggregate(self) -> str:
        """The chromosomes of each split as JSON, once every interval has been added.

        Raises:
            DataError: A named chromosome carries no interval, or nothing is left to train on.
        """
        source = self.request.source
        present = set().union(*self.found.values())
        for flag, names in (("--holdout-chromosomes", self.holdout),
                            ("--val-chromosomes", self.val)):  # fmt: skip
            for name in names:
                if name not in present:
                    raise DataError(
                        f"{source}: no interval lies on chromosome {name!r} ({flag}), so "
                        f"that split would be empty; the intervals lie on "
                        f"{', '.join(sorted(present)[:8])}: choose chromosomes that carry "
                        "intervals."
                    )
        if not self.found["train"]:
            raise DataError(
                f"{source}: every interval lies on a held-out chromosome, so nothing is left "
                "to train on; hold out fewer chromosomes."
            )
        return json.dumps({name: sorted(self.found[name]) for name in SPLITS})


def split_chromosomes(train: pd.DataFrame) -> dict[str, list[str]] | None:
    """The chromosomes of each split, from the ``split_chromosomes`` column of the rows; None
    when they have none (another splitter split them)."""
    if SPLIT_CHROMOSOMES in train and len(train):
        return json.loads(train[SPLIT_CHROMOSOMES].iloc[0])
    return None
