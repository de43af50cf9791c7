"""Examples from BED intervals on a genome: each interval's window cut from ``--genome``.

One reader for every size: the intervals of each BED file (a folder's files interleaved) are
read in parts of about ``chunking.CHUNK_BASES`` bases once they number more than
``PMTK_STREAMING_ROWS``, else as one part, and each part gets its windows cut from the genome.
What only the whole data can tell (which ids repeat, which chromosomes each split holds,
whether any interval has a class when predicting) comes from :class:`IntervalPlan`: the
part itself when the data is one part, else one scan of the intervals (without the genome),
kept for the passes that follow. Splits by chromosome: :mod:`.chromosome_splits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.options import RunOptions
from pmtk.core.data.part_threshold import in_parts
from pmtk.core.data.splitters import SplitRequest
from pmtk.core.errors import OptionError
from pmtk.plugins.genomics.chromosome_splits import SPLIT_CHROMOSOMES, SplitChromosomes
from pmtk.plugins.genomics.chunking import (
    chunk_records,
    count_lines,
    files_signature,
    interleaved,
    repeated_hashes,
)
from pmtk.plugins.genomics.intervals import bed_files, file_intervals, unique_ids

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import pandas as pd

    from pmtk.core.contract.context import RunContext

#: ``--sequence-length`` when training from intervals on a genome and none is given.
DEFAULT_WINDOW = 1000


def window_length(options: Any, derived: Any) -> int:
    """The window cut around each interval: the run's length, ``--sequence-length``, or 1000."""
    length = derived.get("sequence_length") or options.get("sequence_length") or DEFAULT_WINDOW
    if length < 1:
        raise OptionError(f"--sequence-length must be at least 1; got {length}.")
    return int(length)


def genome_path(path: Path, context: RunContext, require_labels: bool) -> Path | None:
    """The genome the intervals at ``path`` lie on; None when ``path`` holds no BED.

    Raises:
        OptionError: BED without ``--genome``, or chromosome options without BED.
    """
    from pmtk.plugins.genomics.intervals import is_bed, is_bed_folder

    options = context.options
    if not (is_bed(path) or is_bed_folder(path)):
        chromosomes = options.get("holdout_chromosomes") or options.get("val_chromosomes")
        if chromosomes and require_labels:
            raise OptionError(
                "--holdout-chromosomes and --val-chromosomes need BED intervals on a genome; "
                f"{path} is not a BED file: pass --data intervals.bed --genome genome.fa."
            )
        return None
    genome = options.get("genome")
    if genome is not None and not Path(genome).expanduser().exists():
        genome = context.derived.get("genome", genome)  # a relative path from another folder
    if genome is None:
        raise OptionError(
            f"{path} holds BED intervals, which need the genome they lie on: add "
            "--genome genome.fa (plain or bgzip FASTA)."
        )
    return Path(genome).expanduser()


@dataclass(frozen=True)
class IntervalPlan:
    """What every interval of the data tells each part (see the module docstring).

    Attributes:
        repeated: Hashes of the ids that occur more than once (they get ``#<line>``).
        labelled: Whether any interval has a class (when predicting: else no ``label``).
        chromosomes: The chromosomes of each split as JSON when the run splits by
            chromosome (``chromosome_splits.SplitChromosomes``), else None.
    """

    repeated: np.ndarray
    labelled: bool
    chromosomes: str | None = None

    @classmethod
    def scan(cls, parts: Iterable[pd.DataFrame], request: SplitRequest | None) -> IntervalPlan:
        """The plan of the intervals in ``parts`` (ids as in the files); ``request`` when the
        run splits by chromosome."""
        import pandas as pd

        named = None if request is None else SplitChromosomes(request)
        hashes, labelled = [], False
        for frame in parts:
            hashes.append(pd.util.hash_array(frame["id"].to_numpy(dtype=object)))
            labelled = labelled or not frame["label"].isin(["", "."]).all()
            if named is not None:
                named.extend(frame)
        chromosomes = None if named is None else named.aggregate()
        return cls(repeated_hashes(hashes), labelled, chromosomes)

    def apply(self, frame: pd.DataFrame, require_labels: bool) -> pd.DataFrame:
        """One part's intervals with unique ids (and the chromosomes of each split)."""
        if self.chromosomes is not None:
            frame[SPLIT_CHROMOSOMES] = self.chromosomes
        if not require_labels and not self.labelled:
            frame = frame.drop(columns="label")
        return unique_ids(frame, self.repeated)


def chromosome_request(context: RunContext, source: str) -> SplitRequest:
    """What the ``chromosome`` splitter is told for this run (fractions, seed, options)."""
    options = RunOptions.from_mapping(context.options)
    return SplitRequest(val_fraction=options.val_fraction, test_fraction=options.test_fraction,
                        seed=options.seed, source=source, options=context.options)  # fmt: skip


def genome_parts(
    path: Path,
    genome: Path,
    context: RunContext,
    *,
    require_labels: bool = True,
    by_chromosome: bool = False,
    note: bool = True,
) -> Iterator[pd.DataFrame]:
    """The examples of BED intervals on ``genome``, part by part (one part when small).

    Args:
        path: A BED/narrowPeak file or a folder of per-class BED files.
        genome: The genome FASTA (``--genome``, or the run's when predicting).
        context: The run context (sequence length, chromosome options, seed, fractions;
            ``derived`` holds the trained length when predicting).
        require_labels: False when predicting.
        by_chromosome: Whether the run splits by chromosome (the ``chromosome`` splitter):
            the parts then carry the chromosomes of each split, checked over every interval.
        note: Whether to say how many windows run past a chromosome end (once per run).

    Yields:
        The intervals tables (see :func:`read_intervals`) plus ``sequence`` (and
        ``split_chromosomes`` when splitting by chromosome).

    Raises:
        DataError: A bad BED line, an unknown chromosome, a bad genome, an empty holdout.
        OptionError: ``--group-column`` (chromosomes are the groups of intervals).
    """
    from pmtk.plugins.genomics.genome import Genome
    from pmtk.plugins.genomics.intervals import (
        check_chromosomes,
        cut_sequences,
        note_padding,
        padded_windows,
    )

    if context.group_column and require_labels:
        raise OptionError(
            "--group-column does not apply to BED intervals; hold out whole chromosomes with "
            "--holdout-chromosomes instead."
        )
    source = str(path)
    length = window_length(context.options, context.derived)
    files = bed_files(path)
    counts = [count_lines(file) for file, _ in files]
    whole = not in_parts(sum(counts))
    if whole:
        parts = [_joined(files, require_labels)]
    else:
        parts = interleaved([file_intervals(file, label, require_labels=require_labels,
                                            whole=False, limit=chunk_records(length))
                             for file, label in files], counts)  # fmt: skip
    request = chromosome_request(context, source) if by_chromosome and require_labels else None
    opened, padded = Genome(genome), 0
    try:
        if whole:
            check_chromosomes(parts[0], opened)
            plan = IntervalPlan.scan(parts, request)
        else:
            plan = _scanned(path, files, require_labels, request)
        for frame in parts:
            if not whole:
                check_chromosomes(frame, opened)
            frame = plan.apply(frame, require_labels)
            padded += padded_windows(frame, opened, length)
            frame["sequence"] = cut_sequences(frame, opened, length)
            yield frame
    finally:
        opened.close()
    if note:
        note_padding(None, None, length, padded=padded)


def read_intervals(path: Path, *, require_labels: bool = True) -> pd.DataFrame:
    """A BED file (class in the name column) or a folder of BED files (class = file stem),
    whole: the intervals :func:`genome_parts` cuts windows for when they are one part.

    Returns:
        Columns ``id`` (``chrom:start-end(strand)``, ``#<line>`` added when it repeats),
        ``chrom``, ``start``, ``end``, ``strand``, ``centre``, ``file``, ``line`` and, where
        known, ``label``.

    Raises:
        DataError: No BED files, a bad line, or an unlabelled interval when labels are needed.
    """
    frame = _joined(bed_files(path), require_labels)
    return IntervalPlan.scan([frame], None).apply(frame, require_labels)


def _joined(files: list[tuple[Path, str | None]], require_labels: bool) -> pd.DataFrame:
    import pandas as pd

    frames = [frame for file, label in files
              for frame in file_intervals(file, label, require_labels=require_labels)]  # fmt: skip
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _scanned(
    path: Path, files: list[tuple[Path, str | None]], require_labels: bool,
    request: SplitRequest | None,
) -> IntervalPlan:  # fmt: skip
    """The plan of data read in parts: one scan of its intervals per process and content."""
    signature = files_signature(file for file, _ in files)
    settings = None
    if request is not None:
        options = request.options
        settings = (request.val_fraction, request.test_fraction, request.seed,
                    options.get("holdout_chromosomes"), options.get("val_chromosomes"))  # fmt: skip
    return _scan(signature, str(path), require_labels, settings)


@lru_cache(maxsize=4)
def _scan(signature: tuple, path: str, require_labels: bool, settings: tuple | None):
    request = None
    if settings is not None:
        val_fraction, test_fraction, seed, holdout, val = settings
        options = {"holdout_chromosomes": holdout, "val_chromosomes": val}
        request = SplitRequest(val_fraction=val_fraction, test_fraction=test_fraction,
                               seed=seed, source=path, options=options)  # fmt: skip
    parts = (frame for file, label in bed_files(Path(path))
             for frame in file_intervals(file, label, require_labels=require_labels,
                                         whole=False))  # fmt: skip
    return IntervalPlan.scan(parts, request)
