"""Examples from BED intervals on a genome: cut windows, and splits by chromosome.

``--holdout-chromosomes`` sends every interval on those chromosomes to the test split and
``--val-chromosomes`` to validation; the other intervals are split at random (stratified,
seeded) into what remains. The result is the examples' ``split`` column, and the
chromosomes of each split are written in every row's ``split_chromosomes`` column (JSON),
so ``GenomicsTask.derive``, which sees the training rows only, records them in
``config.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.options import RunOptions
from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import pandas as pd

#: ``--sequence-length`` when training from intervals on a genome and none is given.
DEFAULT_WINDOW = 1000
#: Column of the examples table holding the chromosomes of each split, as JSON (same in
#: every row: ``{"train": [...], "val": [...], "test": [...]}``).
SPLIT_CHROMOSOMES = "split_chromosomes"


def window_length(options: dict[str, Any], derived: dict[str, Any]) -> int:
    """The window cut around each interval: the run's length, ``--sequence-length``, or 1000."""
    length = derived.get("sequence_length") or options.get("sequence_length") or DEFAULT_WINDOW
    if length < 1:
        raise OptionError(f"--sequence-length must be at least 1; got {length}.")
    return int(length)


def read_genome_examples(
    path: Path,
    genome_path: Path,
    options: dict[str, Any],
    derived: dict[str, Any],
    *,
    require_labels: bool = True,
    group_column: str | None = None,
) -> pd.DataFrame:
    """Intervals read from ``path`` with their windows cut from the genome.

    Args:
        path: A BED/narrowPeak file or a folder of per-class BED files.
        genome_path: The genome FASTA (``--genome``).
        options: The run's options (sequence length, holdout chromosomes, seed, fractions).
        derived: The run's derived settings (the trained length, when predicting).
        require_labels: False when predicting.
        group_column: The ``--group-column`` the loop handed over (refused: chromosomes
            are the groups of intervals).

    Returns:
        The intervals table (see ``intervals.read_intervals``) plus ``sequence`` and, when
        training, ``split`` and ``split_chromosomes``.

    Raises:
        DataError: A bad BED line, an unknown chromosome, a bad genome, an empty holdout.
    """
    from pmtk.plugins.genomics.genome import Genome
    from pmtk.plugins.genomics.intervals import (
        check_chromosomes,
        cut_sequences,
        note_padding,
        read_intervals,
    )

    if group_column and require_labels:
        raise OptionError(
            "--group-column does not apply to BED intervals; hold out whole chromosomes with "
            "--holdout-chromosomes instead."
        )
    frame = read_intervals(path, require_labels=require_labels)
    length = window_length(options, derived)
    genome = Genome(genome_path)
    try:
        check_chromosomes(frame, genome)
        if require_labels:
            split = chromosome_splits(frame, options, str(path))
            frame["split"] = split
            frame[SPLIT_CHROMOSOMES] = json.dumps(
                {
                    name: sorted(set(frame["chrom"][split == name]))
                    for name in ("train", "val", "test")
                }
            )
        note_padding(frame, genome, length)
        frame["sequence"] = cut_sequences(frame, genome, length)
    finally:
        genome.close()
    return frame


def parse_chromosomes(text: str | None) -> list[str]:
    """``chr8,chr9`` -> ``["chr8", "chr9"]`` (blank entries dropped)."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def chromosome_options(options: dict[str, Any]) -> tuple[list[str], list[str]]:
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


def check_chromosomes_present(
    holdout: list[str], val: list[str], present: set[str], source: str
) -> None:
    """Raises a DataError when a held-out or validation chromosome carries no interval."""
    for flag, names in (("--holdout-chromosomes", holdout), ("--val-chromosomes", val)):
        for name in names:
            if name not in present:
                raise DataError(
                    f"{source}: no interval lies on chromosome {name!r} ({flag}), so that split "
                    f"would be empty; the intervals lie on {', '.join(sorted(present)[:8])}: "
                    "choose chromosomes that carry intervals."
                )


def chromosome_splits(frame: pd.DataFrame, options: dict[str, Any], source: str) -> np.ndarray:
    """The split of every interval: held-out chromosomes first, the rest at random.

    Raises:
        OptionError: A chromosome is both held out and for validation.
        DataError: A named chromosome carries no interval.
    """
    from pmtk.core.data.splits import assign_splits

    holdout, val = chromosome_options(options)
    check_chromosomes_present(holdout, val, set(frame["chrom"]), source)
    common = RunOptions.from_mapping(options)
    seed, val_fraction, test_fraction = common.seed, common.val_fraction, common.test_fraction
    labels = frame["label"].astype(str).to_numpy()
    class_names, strata = np.unique(labels, return_inverse=True)
    strata = strata if len(class_names) <= 20 else None  # many values: a regression target
    split = np.full(len(frame), "", dtype=object)
    split[frame["chrom"].isin(holdout).to_numpy()] = "test"
    split[frame["chrom"].isin(val).to_numpy()] = "val"
    rest = np.flatnonzero(split == "")
    if len(rest) == 0:
        raise DataError(
            f"{source}: every interval lies on a held-out chromosome, so nothing is left to "
            "train on; hold out fewer chromosomes."
        )
    common = {"seed": seed, "source": source, "class_names": list(class_names)}
    if not holdout and not val:
        return assign_splits(
            strata=strata, groups=None, fixed=None, val_fraction=val_fraction,
            test_fraction=test_fraction, n=len(frame), **common,
        )  # fmt: skip
    if holdout and val:
        split[rest] = "train"
        return split
    missing, fraction = ("val", val_fraction) if holdout else ("test", test_fraction)
    split[rest] = _carve(rest, fraction, None if strata is None else strata[rest], missing, common)
    return split


def _carve(rest: np.ndarray, fraction: float, strata, name: str, common: dict) -> np.ndarray:
    """``train`` or ``name`` for each of the remaining intervals, stratified and seeded."""
    from sklearn.model_selection import train_test_split

    if not 0 < fraction < 1:
        raise OptionError(f"The {name} fraction must be between 0 and 1; got {fraction}.")
    try:
        _, chosen = train_test_split(
            np.arange(len(rest)), test_size=fraction, stratify=strata,
            random_state=common["seed"], shuffle=True,
        )  # fmt: skip
    except ValueError as error:
        raise DataError(
            f"{common['source']}: cannot carve a {name} split out of {len(rest)} intervals "
            f"({error}); add intervals or name the {name} chromosomes with "
            f"{'--val-chromosomes' if name == 'val' else '--holdout-chromosomes'}."
        ) from None
    labels = np.full(len(rest), "train", dtype=object)
    labels[chosen] = name
    return labels


def split_chromosomes(train: pd.DataFrame) -> dict[str, list[str]]:
    """The chromosomes of each split, from the ``split_chromosomes`` column of the rows.

    Rows without that column (intervals given with their own ``split`` column, say) give
    the training chromosomes only.
    """
    if SPLIT_CHROMOSOMES in train and len(train):
        return json.loads(train[SPLIT_CHROMOSOMES].iloc[0])
    return {"train": sorted(set(train["chrom"]))}
