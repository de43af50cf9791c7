"""The genomics task: a sequence classifier over one-hot DNA."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.task import RunContext, Task, TaskOption
from pmtk.core.errors import OptionError
from pmtk.plugins.genomics.encoding import MAX_SEQUENCE_LENGTH, example_where, trimmed_note

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import tensorflow as tf


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
        """Reads any of the three layouts, or BED intervals on ``--genome``; checks every base."""
        from pmtk.plugins.genomics.encoding import check_sequences
        from pmtk.plugins.genomics.reading import read_sequences

        examples = _read_intervals(path, context, require_labels)
        if examples is not None:
            return examples
        examples = read_sequences(
            path,
            require_labels=require_labels,
            group_column=context.group_column if require_labels else None,
            reader_for=context.reader_for,
        )
        check_sequences(examples["sequence"], lambda index: example_where(examples, index, path))
        return examples

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

    def stream(self, path: Path, context: RunContext) -> Any:
        """The data read in chunks when it holds more than ``PMTK_STREAMING_ROWS`` records
        (FASTA, a folder of FASTA, CSV/TSV, BED on ``--genome``); None keeps the in-memory
        path (see ``genomics.streamed``)."""
        from pmtk.plugins.genomics.streamed import open_sequences

        return open_sequences(Path(path), context)

    def load_model(self, path: Path):
        """Registers the genomics layers, then loads the model."""
        import pmtk.plugins.genomics.layers  # noqa: F401

        return super().load_model(path)

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """Chooses the sequence length: ``--sequence-length``, else the longest (capped)."""
        longest = int(train["sequence"].str.len().max())
        length = context.options.get("sequence_length")
        if length is not None and length < 1:
            raise OptionError(f"--sequence-length must be at least 1; got {length}.")
        if length is None:
            length = min(longest, MAX_SEQUENCE_LENGTH)
        trimmed_note(int((train["sequence"].str.len() > length).sum()), length)
        derived = {"sequence_length": length, "longest_training_sequence": longest}
        if "chrom" in train:
            from pmtk.plugins.genomics.genome_data import split_chromosomes

            derived["genome"] = str(Path(context.options["genome"]).expanduser().resolve())
            derived["chromosomes"] = split_chromosomes(train)
        return derived

    def dataset(
        self, examples: pd.DataFrame, targets: np.ndarray | None, context: RunContext
    ) -> tf.data.Dataset:
        """Sequences as raw bytes padded/trimmed to the run's length (the model one-hot encodes)."""
        import tensorflow as tf

        from pmtk.plugins.genomics.encoding import pack

        length = context.derived["sequence_length"]
        # A streamed run's samples and chunks: the statistics pass said what is trimmed.
        if targets is None and not examples.attrs.get("streamed"):
            longer = int((examples["sequence"].str.len() > length).sum())
            if longer:
                print(
                    f"Note: {longer} sequence(s) are longer than the model's {length} bases; "
                    f"only their first {length} bases are scored.",
                    file=sys.stderr,
                )
        packed = pack(examples["sequence"].tolist(), length)
        if targets is None:
            return tf.data.Dataset.from_tensor_slices(packed)
        return tf.data.Dataset.from_tensor_slices((packed, targets))

    def baseline_features(self, examples, dataset, context: RunContext):
        """One-hot bases at every position, flattened (what a position-aware linear model sees)."""
        from pmtk.plugins.genomics.encoding import one_hot, pack

        packed = pack(examples["sequence"].tolist(), context.derived["sequence_length"])
        return one_hot(packed).reshape(len(packed), -1)


def _read_intervals(path: Path, context: RunContext, require_labels: bool):
    """BED intervals cut from ``--genome``; None when ``path`` is not BED.

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
    from pmtk.plugins.genomics.genome_data import read_genome_examples

    return read_genome_examples(
        path,
        Path(genome),
        options,
        context.derived,
        require_labels=require_labels,
        group_column=context.group_column,
    )
