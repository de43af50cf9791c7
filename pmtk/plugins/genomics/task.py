"""The genomics task: a sequence classifier over one-hot DNA, and what it learns from its
training sequences (:class:`SequenceDerivation`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.derivation import Derivation
from pmtk.core.contract.task import RunContext, Task, TaskOption
from pmtk.core.errors import OptionError
from pmtk.plugins.genomics.chromosome_splits import CHROMOSOME_SPLITTER, split_chromosomes
from pmtk.plugins.genomics.encoding import MAX_SEQUENCE_LENGTH, trimmed_note

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import tensorflow as tf

    from pmtk.core.contract.targets import Targets


#: Bases of each split's sample when the data is read in parts (see ``sample_rows``); the
#: sample also holds at most ``pmtk.core.evaluation.baseline.BASELINE_ROWS`` sequences.
SAMPLE_BASES = 2_000_000


class GenomicsTask(Task):
    """Classifies DNA sequences (FASTA or CSV/TSV) into the classes of the data."""

    name = "genomics"
    description = (
        "Recurrent network over one-hot DNA (FASTA or CSV/TSV of sequences, or BED intervals "
        "with --genome)."
    )
    default_model = "danq"
    default_encoder = "danq"
    sample_data = "genomics"
    baseline_inputs = "one-hot bases at each position"
    options = (
        TaskOption(
            "sequence_length",
            int,
            None,
            f"Bases per sequence after padding/trimming at the end (default: the longest "
            f"training sequence, at most {MAX_SEQUENCE_LENGTH}; with --genome, the window "
            f"cut around each interval, default 1000).",
        ),
        TaskOption(
            "genome",
            Path,
            None,
            "Reference genome FASTA (plain or bgzip) to cut BED intervals from; indexed in "
            "pmtk's cache, never beside the genome.",
        ),
        TaskOption(
            "holdout_chromosomes",
            str,
            None,
            "With --genome: comma-separated chromosomes whose intervals all go to the test split.",
        ),
        TaskOption(
            "val_chromosomes",
            str,
            None,
            "With --genome: comma-separated chromosomes whose intervals all go to validation.",
        ),
        TaskOption("reverse_complement", bool, False, "Train on random reverse complements too."),
        TaskOption("filters", int, 128, "Convolution filters (danq, cnn)."),
        TaskOption("kernel_size", int, 19, "Convolution width in bases (danq, cnn)."),
        TaskOption("pool_size", int, 8, "Max-pooling width in bases (danq, cnn)."),
        TaskOption("units", int, 64, "Recurrent units per direction, and dense units."),
        TaskOption("dropout_rate", float, 0.2, "Dropout after pooling and before the dense layer."),
    )

    def read(self, path: Path, context: RunContext, *, require_labels: bool = True):
        """Reads any of the three layouts, or BED intervals on ``--genome``: the parts of
        :meth:`read_parts` joined (the one part when the data is small)."""
        import pandas as pd

        parts = list(self.read_parts(path, context, require_labels=require_labels))
        if len(parts) == 1:
            return parts[0]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"id": []})

    def read_parts(self, path: Path, context: RunContext, *, require_labels: bool = True):
        """The examples in parts of about 2,000,000 bases once they hold more records than
        ``PMTK_STREAMING_ROWS``, else one part: a labelled FASTA, a folder of per-class FASTA,
        a CSV/TSV table, or BED intervals cut from ``--genome``; every base checked.

        When predicting, says once (after the last part) how many sequences are longer than
        the run's length."""
        from pmtk.plugins.genomics.genome_data import genome_parts, genome_path
        from pmtk.plugins.genomics.sequence_parts import sequence_parts

        path = Path(path)
        # Notes are said on the run's first pass over the data, or when predicting.
        note = not context.derived or not require_labels
        genome = genome_path(path, context, require_labels)
        if genome is not None:
            chosen = context.options.get("splitter") or self.splitter(context)
            by_chromosome = chosen == CHROMOSOME_SPLITTER
            parts = genome_parts(path, genome, context, require_labels=require_labels,
                                 by_chromosome=by_chromosome, note=note)  # fmt: skip
        else:
            group = context.group_column if require_labels else None
            parts = sequence_parts(path, require_labels=require_labels, group_column=group,
                                   reader_for=context.reader_for, note=note)  # fmt: skip
        length, longer = context.derived.get("sequence_length"), 0
        for part in parts:
            if length is not None and not require_labels:
                longer += int((part["sequence"].str.len() > length).sum())
            yield part
        if longer:
            print(
                f"Note: {longer} sequence(s) are longer than the model's {length} bases; "
                f"only their first {length} bases are scored.",
                file=sys.stderr,
            )

    def modality_examples(self, cells, base: Path, context: RunContext, where):
        """Fusion: each cell holds a patient's DNA sequence itself (A, C, G, T, IUPAC codes)."""
        import pandas as pd

        from pmtk.plugins.genomics.encoding import check_sequences

        sequences = [str(cell).strip() for cell in cells]
        check_sequences(sequences, lambda position: where(cells.index[position]))
        return pd.DataFrame(
            {"id": [str(index) for index in cells.index], "sequence": sequences},
            index=cells.index,
        )

    def load_model(self, path: Path):
        """Registers the genomics layers, then loads the model."""
        import pmtk.plugins.genomics.layers  # noqa: F401

        return super().load_model(path)

    def splitter(self, context: RunContext) -> str | None:
        """``chromosome`` when ``--holdout-chromosomes`` or ``--val-chromosomes`` is given
        (whole chromosomes to test and validation); else the core's choice."""
        options = context.options
        if options.get("holdout_chromosomes") or options.get("val_chromosomes"):
            return CHROMOSOME_SPLITTER
        return None

    def derivation(self, context: RunContext) -> SequenceDerivation:
        """The sequence length (and chromosomes) learned part by part from the training rows."""
        return SequenceDerivation(context)

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """Chooses the sequence length: ``--sequence-length``, else the longest (capped);
        :meth:`derivation` on one part."""
        derivation = self.derivation(context)
        derivation.extend(train)
        return derivation.aggregate(context.targets)

    def dataset(
        self, examples: pd.DataFrame, targets: np.ndarray | None, context: RunContext
    ) -> tf.data.Dataset:
        """Sequences as raw bytes padded/trimmed to the run's length (the model one-hot encodes)."""
        import tensorflow as tf

        from pmtk.plugins.genomics.encoding import pack

        packed = pack(examples["sequence"].tolist(), context.derived["sequence_length"])
        if targets is None:
            return tf.data.Dataset.from_tensor_slices(packed)
        return tf.data.Dataset.from_tensor_slices((packed, targets))

    def sample_rows(self, context: RunContext) -> int:
        """Samples of data read in parts hold at most :data:`SAMPLE_BASES` bases: the
        baseline's one-hot features take 16 bytes a base (copied by its scikit-learn pipeline,
        about 0.5 GB transient at this size)."""
        return max(1, SAMPLE_BASES // context.derived["sequence_length"])

    def baseline_features(self, examples, dataset, context: RunContext):
        """One-hot bases at every position, flattened (what a position-aware linear model sees)."""
        from pmtk.plugins.genomics.encoding import one_hot, pack

        packed = pack(examples["sequence"].tolist(), context.derived["sequence_length"])
        return one_hot(packed).reshape(len(packed), -1)


class SequenceDerivation(Derivation):
    """Accumulates the training sequences' lengths (and chromosomes) part by part.

    Args:
        context: The run context (``--sequence-length``, ``--genome``).

    Raises:
        OptionError: ``--sequence-length`` below 1.
    """

    def __init__(self, context: RunContext) -> None:
        self.length = context.options.get("sequence_length")
        if self.length is not None and self.length < 1:
            raise OptionError(f"--sequence-length must be at least 1; got {self.length}.")
        self.genome = context.options.get("genome")
        self.longest = self.over_cap = self.over_length = 0
        self.chromosomes: set[str] = set()
        self.split_chromosomes: dict[str, list[str]] | None = None
        self.intervals = False

    def extend(self, train: pd.DataFrame) -> None:
        """Adds the lengths of one part's training sequences (and their chromosomes)."""
        if not len(train):
            return
        lengths = train["sequence"].str.len().to_numpy()
        self.longest = max(self.longest, int(lengths.max()))
        self.over_cap += int((lengths > MAX_SEQUENCE_LENGTH).sum())
        if self.length is not None:
            self.over_length += int((lengths > self.length).sum())
        if "chrom" in train:
            self.intervals = True
            self.chromosomes.update(train["chrom"].unique().tolist())
            self.split_chromosomes = self.split_chromosomes or split_chromosomes(train)

    def aggregate(self, targets: Targets | None = None) -> dict[str, Any]:
        """The sequence length and what it was chosen from; notes how many are trimmed."""
        length = self.length if self.length is not None else min(self.longest, MAX_SEQUENCE_LENGTH)
        trimmed_note(self.over_length if self.length is not None else self.over_cap, length)
        derived: dict[str, Any] = {"sequence_length": length,
                                   "longest_training_sequence": self.longest}  # fmt: skip
        if self.intervals:
            derived["genome"] = str(Path(self.genome).expanduser().resolve())
            derived["chromosomes"] = self.split_chromosomes or {"train": sorted(self.chromosomes)}
        return derived
