"""The genomics task on data bigger than memory: sequences read in chunks, never loaded whole.

Past ``PMTK_STREAMING_ROWS`` records (``pmtk.core.data.part_threshold.part_threshold``), a
labelled FASTA file, a folder of per-class FASTA files, a CSV/TSV table and BED intervals on
``--genome`` stream (:mod:`pmtk.plugins.genomics.streamed_reading`); smaller data keeps the
in-memory path, which is faster. Splits come from a stable hash of the group, else the id
(``pmtk.core.data.splits.hash_splits``), or from the data's ``split`` column or ``split=``
fields (train and test only: validation is carved from train by the hash); on a genome,
held-out chromosomes go to test and validation chromosomes to val, the rest by the hash.
One pass over the data checks every base, counts the splits and classes, finds the longest
training sequence (the run's length, capped as on the in-memory path) and keeps seeded
samples of each split; each later pass (training epochs, scoring, predictions) reads the
data again, one chunk at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.part_threshold import in_parts
from pmtk.core.data.sampling import IMPORTANCE_ROWS, Reservoir
from pmtk.core.data.splits import SPLITS, carve_validation, hash_splits, split_names
from pmtk.core.errors import DataError, OptionError
from pmtk.core.evaluation.baseline import BASELINE_ROWS
from pmtk.core.loop.streamed import StreamedExamples
from pmtk.core.runtime.progress import progress
from pmtk.plugins.genomics.streamed_reading import BedSource, FastaSource, TableSource

if TYPE_CHECKING:
    import pandas as pd
    import tensorflow as tf

    from pmtk.core.contract.task import RunContext, Targets

#: A split column's training rows whose hash would put them in validation ("carve"): they
#: are validation rows when the column names no validation row, else training rows.
_BUCKETS = (*SPLITS, "carve")
#: The baseline's training and validation samples hold at most this many bases each (its
#: features are one-hot rows, copied several times by its scikit-learn pipeline: about 0.5 GB
#: transient at this size), and at most ``BASELINE_ROWS`` sequences.
SAMPLE_BASES = 2_000_000
#: More distinct labels than this is a numeric target: it keeps the in-memory path.
_DISTINCT_LABELS = 1000


class _KeepInMemory(Exception):
    """Raised by the statistics pass when the data is one the in-memory path handles."""


def open_sequences(path: Path, context: RunContext) -> StreamedSequences | None:
    """The streamed sequences of ``path``, or None when the in-memory path reads it.

    Raises:
        DataError: Bad data, met while reading (same sentences as the in-memory path).
        OptionError: Bad options (same sentences as the in-memory path).
    """
    source = _source(path, context)
    if source is None:
        return None
    rows = source.count()
    if rows == 0 or not in_parts(rows):
        return None  # small data is faster in memory; an empty file gets its error there
    if isinstance(source, FastaSource) and source.files is not None:
        from pmtk.plugins.genomics.reading import class_files

        class_files(path, context.reader_for)  # its note about files that are not FASTA
    try:
        return StreamedSequences(source, path, context, rows)
    except _KeepInMemory:
        return None


def _source(path: Path, context: RunContext):
    """The chunked reader of ``path``, or None when only the in-memory path reads it."""
    from pmtk.plugins.genomics.genome_data import chromosome_options, window_length
    from pmtk.plugins.genomics.intervals import is_bed, is_bed_folder
    from pmtk.plugins.genomics.reading import (
        TABLE_SUFFIXES,
        class_files,
        read_fasta,
        record_reader,
    )

    options, group = context.options, context.group_column
    if is_bed(path) or is_bed_folder(path):
        if options.get("genome") is None or group:
            return None  # the in-memory path says what is missing
        chromosome_options(options)
        genome = Path(options["genome"]).expanduser()
        return BedSource(path, genome, window_length(options, {}))
    if options.get("holdout_chromosomes") or options.get("val_chromosomes"):
        return None  # an error on the in-memory path: chromosomes need intervals
    if path.is_dir():
        files = class_files(path, context.reader_for, note=False)
        if any(record_reader(f, context.reader_for) is not read_fasta for f in files):
            return None  # a plugin's reader returns whole files
        return FastaSource(path, group, files)
    if path.name.lower().removesuffix(".gz").endswith(TABLE_SUFFIXES):
        return TableSource(path, group)
    if record_reader(path, context.reader_for) is read_fasta:
        return FastaSource(path, group, None)
    return None


class _Bucket:
    """What the statistics pass learns about one split's sequences."""

    def __init__(self) -> None:
        self.count = self.longest = self.over_cap = self.over_option = 0
        self.labels: Counter = Counter()
        self.chromosomes: set[str] = set()

    def add(self, part: pd.DataFrame, lengths: np.ndarray, option: int | None) -> None:
        from pmtk.plugins.genomics.encoding import MAX_SEQUENCE_LENGTH

        self.count += len(part)
        self.longest = max(self.longest, int(lengths.max()))
        self.over_cap += int((lengths > MAX_SEQUENCE_LENGTH).sum())
        self.over_option += int((lengths > option).sum()) if option else 0
        self.labels.update(part["label"].tolist())
        if len(self.labels) > _DISTINCT_LABELS:
            raise _KeepInMemory
        if "chrom" in part:
            self.chromosomes.update(part["chrom"].unique().tolist())

    def merge(self, other: _Bucket) -> None:
        self.count += other.count
        self.longest = max(self.longest, other.longest)
        self.over_cap += other.over_cap
        self.over_option += other.over_option
        self.labels += other.labels
        self.chromosomes |= other.chromosomes


class StreamedSequences(StreamedExamples):
    """DNA sequences read chunk by chunk (see the module docstring)."""

    def __init__(self, source: Any, path: Path, context: RunContext, rows: int) -> None:
        from pmtk.plugins.genomics.genome_data import chromosome_options

        self.source, self.data_path, self.name = source, path, str(path)
        self.options, self.rows = context.options, rows
        self.bed = isinstance(source, BedSource)
        self.holdout, self.val_chromosomes = chromosome_options(self.options)
        self.carve_to = "train"
        self.width = source.length if self.bed else None
        self.targets: Targets
        self.derived = self._scan()
        self.width = self.derived["sequence_length"]

    # ------------------------------------------------------------------ splits

    def _fractions(self) -> tuple[float, float]:
        val = self.options.val_fraction
        test = self.options.test_fraction
        if not (0 < val < 1 and 0 < test < 1 and val + test < 1):
            raise OptionError(
                "--val-fraction and --test-fraction must each be between 0 and 1 and sum to "
                f"less than 1; got {val} and {test}."
            )
        if self.bed:  # a split named by chromosomes takes no share of the rest
            return (0.0 if self.val_chromosomes else val), (0.0 if self.holdout else test)
        return val, test

    def _buckets(self, frame: pd.DataFrame, offset: int) -> np.ndarray:
        """The bucket of every example: a split, or ``carve`` (see :data:`_BUCKETS`)."""
        seed = self.options.seed
        val, test = self._fractions()
        key = frame["group"] if "group" in frame else frame.get("key", frame["id"])
        keys = key.to_numpy(dtype=object)
        if "split" not in frame:
            buckets = hash_splits(keys, val_fraction=val, test_fraction=test, seed=seed)
            buckets = buckets.astype(object)
            if self.bed:
                buckets[frame["chrom"].isin(self.holdout).to_numpy()] = "test"
                buckets[frame["chrom"].isin(self.val_chromosomes).to_numpy()] = "val"
            return buckets
        names = split_names(
            frame["split"], self.name, lambda position: f"row {offset + position + 1}"
        )
        # "carve" until the statistics pass knows whether the column names validation rows
        buckets = carve_validation(names, keys, val_fraction=val, seed=seed, to="carve")
        return buckets

    def _decoded(self, statistics: bool = False) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """Every example with its split (its bucket in the statistics pass), chunk by chunk."""
        from pmtk.plugins.genomics.encoding import check_sequences, example_where

        if self.bed:
            frames = self.source.frames(self.width, statistics=statistics)
        else:
            frames = self.source.frames(self.width)
        offset = 0
        for frame in frames:
            if statistics and not self.bed:  # BED windows are not checked in memory either
                sequences = frame["sequence"].tolist()
                check_sequences(sequences, lambda i, f=frame: example_where(f, i, self.data_path))
            buckets = self._buckets(frame, offset)
            offset += len(frame)
            if not statistics:
                buckets[buckets == "carve"] = self.carve_to
            yield frame, buckets

    # ------------------------------------------------------------------ the statistics pass

    def _scan(self) -> dict[str, Any]:
        """One pass: checks, split and class counts, lengths, samples; returns ``derived``."""
        import pandas as pd

        option = self.options.get("sequence_length")
        if option is not None and option < 1:
            raise OptionError(f"--sequence-length must be at least 1; got {option}.")
        stats = {name: _Bucket() for name in _BUCKETS}
        seed = self.options.seed
        limits = {"train": BASELINE_ROWS, "carve": BASELINE_ROWS, "val": BASELINE_ROWS,
                  "test": IMPORTANCE_ROWS}  # fmt: skip
        self.samples = {name: Reservoir(limit, seed) for name, limit in limits.items()}
        groups, ids = [], []
        passes = ((len(f), (f, b)) for f, b in self._decoded(statistics=True))
        for frame, buckets in progress(passes, self.rows, "Statistics of the sequences",
                                       weights=True):  # fmt: skip
            lengths = frame["sequence"].str.len().to_numpy()
            if "key" in frame:  # ids that may repeat (a folder, BED)
                ids.append(pd.util.hash_array(frame["id"].to_numpy(dtype=object)))
            for name in _BUCKETS:
                mask = buckets == name
                if mask.any():
                    stats[name].add(frame[mask], lengths[mask], option)
                    self.samples[name].add(frame[mask])
            if "group" in frame:
                groups.append(
                    pd.util.hash_array(frame["group"][buckets == "test"].to_numpy(object))
                )
        self._resolve(stats)
        self.groups = np.concatenate(groups) if groups else None
        if ids:
            values, counts = np.unique(np.concatenate(ids), return_counts=True)
            self.source.duplicates(values[counts > 1])
        self.targets = self._targets(stats)
        self._check(stats)
        return self._derived(stats, option)

    def _resolve(self, stats: dict[str, _Bucket]) -> None:
        """Carved rows join validation when the split column names none, else training."""
        self.carve_to = "val" if stats["val"].count == 0 else "train"
        stats[self.carve_to].merge(stats.pop("carve"))
        carved = self.samples.pop("carve")
        kept = self.samples[self.carve_to]
        kept.parts += carved.parts
        kept.keys += carved.keys
        self.split_counts = {name: stats[name].count for name in SPLITS}

    def _targets(self, stats: dict[str, _Bucket]) -> Targets:
        import pandas as pd

        from pmtk.core.contract.targets import infer_targets

        labels = Counter()
        for bucket in stats.values():
            labels += bucket.labels
        raw = pd.Series(sorted(labels), dtype=object)
        targets = infer_targets(raw, source=self.name,
                                positive_class=self.options.get("positive_class"))  # fmt: skip
        if targets.kind not in ("binary", "multiclass"):
            raise _KeepInMemory
        self.codes = dict(zip(raw, targets.encode(raw).tolist(), strict=True))
        self.train_classes = Counter()
        for label, count in stats["train"].labels.items():
            self.train_classes[self.codes[label]] += count
        targets.values = None
        return targets

    def _check(self, stats: dict[str, _Bucket]) -> None:
        """The in-memory path's checks: no empty split, every class in every split."""
        from pmtk.core.data.splits import check_splits
        from pmtk.plugins.genomics.genome_data import check_chromosomes_present

        if self.bed:
            present = set().union(*(bucket.chromosomes for bucket in stats.values()))
            check_chromosomes_present(self.holdout, self.val_chromosomes, present, self.name)
            if stats["train"].count == 0:
                raise DataError(
                    f"{self.name}: every interval lies on a held-out chromosome, so nothing is "
                    "left to train on; hold out fewer chromosomes."
                )
        # One entry per split and class present: all that check_splits looks at.
        split, strata = [], []
        for name in SPLITS:
            for label in stats[name].labels:
                split.append(name)
                strata.append(self.codes[label])
        check_splits(np.array(split, dtype=object), np.array(strata),
                     list(self.targets.class_names), self.name)  # fmt: skip

    def _derived(self, stats: dict[str, _Bucket], option: int | None) -> dict[str, Any]:
        from pmtk.plugins.genomics.encoding import MAX_SEQUENCE_LENGTH, trimmed_note

        train = stats["train"]
        length = option if option is not None else min(train.longest, MAX_SEQUENCE_LENGTH)
        if self.bed:
            length = self.source.length
        trimmed_note(train.over_option if option is not None else train.over_cap, length)
        derived: dict[str, Any] = {"sequence_length": length,
                                   "longest_training_sequence": train.longest}  # fmt: skip
        if self.bed:
            from pmtk.plugins.genomics.intervals import note_padding

            note_padding(None, None, length, padded=self.source.padded)
            derived["genome"] = str(self.source.genome_path.resolve())
            derived["chromosomes"] = {name: sorted(stats[name].chromosomes) for name in SPLITS}
        rows = max(1, min(BASELINE_ROWS, SAMPLE_BASES // length))
        for name in ("train", "val"):
            self.samples[name].limit = rows
        return derived

    # ------------------------------------------------------------------ what the loop reads

    def _encoded(self, examples: pd.DataFrame) -> np.ndarray:
        values = examples["label"].map(self.codes).fillna(-1).to_numpy(dtype="int32")
        return values.astype("float32") if self.targets.kind == "binary" else values

    def _packed(self, examples: pd.DataFrame) -> np.ndarray:
        from pmtk.plugins.genomics.encoding import pack

        return pack(examples["sequence"].tolist(), self.width)

    def dataset(self, name: str, context: RunContext) -> tf.data.Dataset:
        """One split's unbatched ``(bytes, target)`` dataset, read chunk by chunk."""
        import tensorflow as tf

        def generate() -> Iterator[Any]:
            for frame, split in self._decoded():
                part = frame[split == name]
                if len(part):
                    yield self._packed(part), self._encoded(part)

        dtype = tf.int32 if self.targets.kind == "multiclass" else tf.float32
        signature = (tf.TensorSpec((None, self.width), tf.uint8), tf.TensorSpec((None,), dtype))
        rows = tf.data.Dataset.from_generator(generate, output_signature=signature).unbatch()
        # Known from the statistics pass: Keras counts its steps, the loop sizes its shuffle
        # buffer and the danq model chooses its position path, as in memory.
        return rows.apply(tf.data.experimental.assert_cardinality(self.split_counts[name]))

    def batches(self, context: RunContext) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
        """Every example in chunks: packed bytes, encoded targets, split names."""
        for frame, split in self._decoded():
            yield self._packed(frame), self._encoded(frame), split

    def chunks(self, name: str, context: RunContext) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """One split's examples and encoded targets, chunk by chunk in file order."""
        for frame, split in self._decoded():
            part = frame[split == name].reset_index(drop=True)
            if len(part):
                part.attrs["streamed"] = True
                yield part, self._encoded(part)

    def sample(self, name: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The seeded uniform sample of one split kept by the statistics pass."""
        rows = self.source.fix_ids(self.samples[name].rows().reset_index(drop=True))
        rows.attrs["streamed"] = True
        return rows, self._encoded(rows)

    def test_groups(self) -> np.ndarray | None:
        """A hash of each test example's group, in file order (None without groups)."""
        return self.groups
