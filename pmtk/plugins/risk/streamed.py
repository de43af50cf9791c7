"""The risk task on a cohort bigger than memory: read in batches, never loaded whole.

A Parquet, CSV or TSV file past ``PMTK_STREAMING_ROWS`` rows
(``pmtk.core.data.part_threshold.part_threshold``), or a folder of Parquet files, streams;
smaller files (and compressed or ``.txt`` tables) keep the in-memory path. A Parquet file's
row count and column kinds come from its metadata and types; a CSV's row count is estimated
from its first block and its column types are fixed from that block
(``pmtk.core.data.csv_blocks.csv_format``: numbers as float64, the id, group, split and
``--categorical`` columns as text, so a later block cannot change a column's type);
splits from a stable hash of the group, else the id, else the row number
(``pmtk.core.data.splits.hash_splits``); means, variances, missing shares and vocabularies
from one pass over the training rows, feeding the same in-model preprocessing as the
in-memory path (the medians that fill missing numbers come from a 50,000-row training
sample).

Survival targets (``--time-column``/``--event-column``) stream too: times and events are
checked batch by batch and counted per split (``risk.streamed_survival``), and the targets
are ``(time, event)`` pairs. ``--subgroup-column`` keeps each test row's subgroup as a small
code (the only per-row memory besides the scores the loop holds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.arrow_tables import (
    carves_validation,
    open_table,
    open_table_in_parts,
    scan_batches,
)
from pmtk.core.data.sampling import IMPORTANCE_ROWS, Reservoir
from pmtk.core.data.splits import SPLITS, batch_splits
from pmtk.core.data.statistics import RunningMoments
from pmtk.core.data.tables import finite_values, where
from pmtk.core.errors import DataError
from pmtk.core.evaluation.baseline import BASELINE_ROWS
from pmtk.core.loop.streamed import StreamedExamples
from pmtk.plugins.risk.columns import column_list, column_roles
from pmtk.plugins.risk.features import (
    CAMEL_ID,
    FEATURE_PREFIX,
    ID_NAME,
    MAX_CATEGORIES,
    category_text,
    input_names,
    model_inputs,
)
from pmtk.plugins.risk.reading import label_values, resolved_target, target_name
from pmtk.plugins.risk.streamed_columns import (
    Subgroups,
    column_kinds,
    id_column,
    note,
    numbered,
    text,
    trimmed,
)
from pmtk.plugins.risk.streamed_survival import SurvivalPass
from pmtk.plugins.risk.survival_reading import survival_roles

if TYPE_CHECKING:
    import pandas as pd
    import tensorflow as tf

    from pmtk.core.contract.task import RunContext, Targets

_TEXT = (".csv", ".tsv")
_DISTINCT_LABELS = 1000


def open_cohort(path: Path, context: RunContext) -> StreamedCohort | None:
    """The streamed cohort of ``path``, or None when the in-memory path reads it.

    Raises:
        DataError: A Parquet folder whose files disagree, or that cannot be read.
    """
    opened = open_table_in_parts(path, "give one row per person")
    if opened is None:
        return None
    table, rows = opened
    subgroup = context.options.get("subgroup_column")
    if subgroup is not None and subgroup not in table.schema.names:
        raise DataError(
            f"{path} has no column '{subgroup}' (--subgroup-column); its columns are: "
            f"{', '.join(table.schema.names)}."
        )
    if path.suffix.lower() in _TEXT:
        table = open_table(path, _text_columns(table.schema.names, context))
    return StreamedCohort(table, path, context, rows)


def _text_columns(names: list[str], context: RunContext) -> set[str]:
    """The columns of a CSV read as text: id, group, split and ``--categorical`` ones, and
    the first column named like an id when no ``--id-column`` is given (as ``id_column``).

    A survival run's time and event columns are text too, so a bad value gets the in-memory
    reader's sentence; so is an excluded ``--subgroup-column`` (as the in-memory path reads it).
    """
    from pmtk.plugins.risk.survival_reading import survival_columns

    options = context.options
    chosen = {options.get("id_column"), context.group_column, "split"}
    chosen |= set(column_list(options.get("categorical")))
    chosen |= set(survival_columns(options) or ())
    if options.get("subgroup_column") in column_list(options.get("exclude")):
        chosen.add(options["subgroup_column"])
    if options.get("id_column") is None:
        skip = {resolved_target(options), *column_list(options.get("exclude")), *chosen}
        named = [n for n in names if n not in skip and (ID_NAME.search(n) or CAMEL_ID.search(n))]
        chosen |= set(named[:1])
    return {name for name in chosen if name is not None}


class StreamedCohort(StreamedExamples):
    """A Parquet cohort read batch by batch (see the module docstring)."""

    def __init__(self, table: Any, path: Path, context: RunContext, rows: int) -> None:
        import pandas as pd

        from pmtk.plugins.risk.survival_reading import survival_columns

        self.table, self.data_path, self.source = table, path, str(path)
        self.estimated_rows = rows  # exact for Parquet, estimated for a CSV (progress only)
        self.options = options = context.options
        self.text = path.suffix.lower() in _TEXT  # errors name lines, not rows
        header = pd.DataFrame(columns=table.schema.names)  # the checks of the in-memory path
        columns = survival_columns(options)
        self.survival = None if columns is None else SurvivalPass(columns, options, self.source)
        if columns is not None:
            roles = survival_roles(header, options, columns, self.source, context.group_column)
        self.target = target_name(header, options, self.source)
        if columns is None:
            roles = column_roles(header, options, self.target, self.source, context.group_column)
        self.subgroup = options.get("subgroup_column")
        self.subgroups = Subgroups()
        self.kinds = column_kinds(table.schema, roles, self.target)
        self.id_column = id_column(self.kinds, roles)
        self.group_column = roles["group"]
        self.has_split = "split" in table.schema.names
        self.carve = carves_validation(table)
        for column in (self.id_column, self.group_column):
            self.kinds.pop(column, None)
        if not self.kinds:
            raise DataError(
                f"{self.source} has no feature columns besides the target, id and group; "
                "add the columns that describe each person."
            )
        self.names = input_names(list(self.kinds))
        self.targets: Targets
        self.derived = self._scan(context)

    # ------------------------------------------------------------------ reading batches

    def _columns(self, with_ids: bool) -> list[str]:
        columns = [self.target, *self.kinds, self.group_column, self.id_column]
        columns += ["split"] if self.has_split else []
        columns += [self.survival.event_column] if self.survival is not None else []
        columns += [self.subgroup] if self.subgroup is not None else []
        if not with_ids and self.group_column is not None:
            columns.remove(self.id_column)  # the group decides the split
        return list(dict.fromkeys(c for c in columns if c is not None))

    def _decoded(self, with_ids: bool = True) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """Every labelled row as examples, with its split, batch by batch in file order."""
        import pandas as pd

        offset = 0
        for batch in scan_batches(self.table, self._columns(with_ids)):
            self.rows_read = offset + batch.num_rows
            raw = trimmed(batch, [self.id_column, *self.kinds]).to_pandas()
            raw.index = pd.RangeIndex(offset, offset + len(raw))
            unit, first = ("line", 2) if self.text else ("row", 1)  # a CSV's header is line 1
            raw.attrs["row_label"] = (unit, first + offset)
            offset += len(raw)
            examples = self._examples(raw)
            yield examples, self._splits(raw, examples)

    def _examples(self, raw: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        columns: dict[str, Any] = {}
        if self.id_column is not None and self.id_column in raw:
            columns["id"] = text(raw[self.id_column])
            blank = np.flatnonzero((columns["id"] == "").to_numpy())
            if len(blank):
                raise DataError(
                    f"{self.source}: id column '{self.id_column}' has no value at row "
                    f"{int(raw.index[blank[0]]) + 1}; ids must be unique per row (use "
                    "--group-column for people with several rows)."
                )
        else:
            columns["id"] = pd.Series([f"row {i + 1}" for i in raw.index], index=raw.index)
        labelled = raw[self.target].notna().to_numpy()
        if self.survival is not None:  # every row has a valid time and event, or stops here
            columns["time"], columns["event"] = self.survival.values(raw)
            labelled = np.ones(len(raw), dtype=bool)
        else:
            columns["label"] = raw[self.target]
        if self.group_column is not None:
            group = category_text(raw[self.group_column])
            fallback = pd.Series([f"row:{i + 1}" for i in raw.index], index=raw.index)
            columns["group"] = group.where(raw[self.group_column].notna(), fallback)
        numeric = [c for c, kind in self.kinds.items() if kind == "numeric"]
        values = raw[numeric].astype("float64")
        as_missing = bool(self.options.get("nonfinite_as_missing"))
        if not as_missing:
            finite_values(values.reset_index(drop=True), numbered(raw), self.source)
        values = values.mask(np.isinf(values.to_numpy()))
        for column, kind in self.kinds.items():
            feature = values[column] if kind == "numeric" else text(raw[column])
            columns[FEATURE_PREFIX + column] = feature
        if self.subgroup is not None:  # as the in-memory path: a feature's value, else raw
            feature = FEATURE_PREFIX + self.subgroup
            columns["subgroup"] = columns[feature] if feature in columns else raw[self.subgroup]
        examples = pd.DataFrame(columns)
        return examples[labelled]

    def _splits(self, raw: pd.DataFrame, examples: pd.DataFrame) -> np.ndarray:
        key = examples["group"] if self.group_column is not None else examples["id"]
        fixed = raw.loc[examples.index, "split"] if self.has_split else None
        first = int(raw.index[0]) if len(raw) else 0

        def place(position: int) -> str:  # the row in the file, as the batch numbers it
            return where(raw, int(examples.index[position]) - first)

        return batch_splits(
            key.to_numpy(), self.options, fixed, place, self.source, carve=self.carve
        )

    # ------------------------------------------------------------------ the statistics pass

    def _scan(self, context: RunContext) -> dict[str, Any]:
        """One pass: split counts, training statistics, labels, samples; returns ``derived``."""
        import pandas as pd

        from pmtk.core.runtime.progress import progress

        numeric = [c for c, kind in self.kinds.items() if kind == "numeric"]
        moments, label_moments = RunningMoments(len(numeric)), RunningMoments(1)
        vocabularies = {c: Counter() for c, kind in self.kinds.items() if kind == "categorical"}
        present = Counter()
        self.split_counts = dict.fromkeys(SPLITS, 0)
        labels, train_labels = Counter(), Counter()
        seed = self.options.seed
        limits = {"train": BASELINE_ROWS, "val": BASELINE_ROWS, "test": IMPORTANCE_ROWS}
        self.samples = {name: Reservoir(limit, seed) for name, limit in limits.items()}
        groups, rows, self.rows_read = [], 0, 0
        batches = ((len(e), (e, s)) for e, s in self._decoded())
        total = self.estimated_rows
        for examples, split in progress(batches, total, "Statistics of the table", weights=True):
            rows += len(examples)
            present.update(self._present(examples))
            if self.survival is not None:
                self.survival.add(examples, split)
            elif len(labels) < _DISTINCT_LABELS:
                labels.update(examples["label"].tolist())
            for name in SPLITS:
                part = examples[split == name]
                self.split_counts[name] += len(part)
                self.samples[name].add(part)
            train = examples[split == "train"]
            moments.update(train[[FEATURE_PREFIX + c for c in numeric]].to_numpy())
            for column, counts in vocabularies.items():
                counts.update(train[FEATURE_PREFIX + column].value_counts().to_dict())
            if self.survival is None and len(train_labels) < _DISTINCT_LABELS:
                train_labels.update(train["label"].tolist())  # classes are few
            if self.survival is None and pd.api.types.is_numeric_dtype(train["label"]):
                label_moments.update(train["label"].to_numpy(dtype="float64").reshape(-1, 1))
            if self.subgroup is not None:
                self.subgroups.add(examples["subgroup"][split == "test"])
            if self.group_column is not None:
                test_groups = examples["group"][split == "test"].to_numpy(object)
                groups.append(pd.util.hash_array(test_groups))
        self._check(rows, self.rows_read, present)
        self.groups = np.concatenate(groups) if groups else None
        self.targets = self._targets(labels, context)
        self.train_classes = self._class_counts(train_labels)
        return self._derived(numeric, moments, vocabularies, label_moments)

    def _present(self, examples: pd.DataFrame) -> dict[str, int]:
        """Values present per feature column (a missing category is '')."""
        counts = {}
        for column, kind in self.kinds.items():
            values = examples[FEATURE_PREFIX + column]
            counts[column] = int(
                values.ne("").sum() if kind == "categorical" else values.notna().sum()
            )
        return counts

    def _check(self, rows: int, total: int, present: Counter) -> None:
        for column in self.kinds:
            if present[column] == 0:
                raise DataError(
                    f"{self.source}: column '{column}' is empty in every row; remove it or add "
                    f"it to --exclude {column}."
                )
        if rows < total:
            note(f"left out {total - rows} row(s) with no '{self.target}' value.")
        for name, count in self.split_counts.items():
            if count == 0:
                raise DataError(
                    f"{self.source}: the {name} split has no rows; give more rows, or fix the "
                    "split column."
                )

    def _targets(self, labels: Counter, context: RunContext) -> Targets:
        import pandas as pd

        from pmtk.core.contract.targets import Targets, infer_targets

        if self.survival is not None:
            return Targets("survival", [], None)

        values = label_values(pd.Series(list(labels)), self.target, self.source)
        targets = infer_targets(values, source=self.source,
                                positive_class=self.options.get("positive_class"))  # fmt: skip
        if targets.kind != "regression":
            raw = pd.Series(list(labels))
            self.codes = dict(zip(raw, targets.encode(raw).tolist(), strict=True))
        targets.values = None
        return targets

    def _class_counts(self, train_labels: Counter) -> dict[int, int]:
        import pandas as pd

        if self.targets.kind not in ("binary", "multiclass"):
            return {}
        labels = pd.Series(list(train_labels))
        codes = self.targets.encode(labels)
        counts: Counter = Counter()
        for code, label in zip(codes, train_labels, strict=True):
            counts[int(code)] += train_labels[label]
        return dict(counts)

    def _derived(self, numeric, moments, vocabularies, label_moments) -> dict[str, Any]:
        train_sample = self.samples["train"].rows()
        entries = []
        train_rows = self.split_counts["train"]
        for index, column in enumerate(numeric):
            entry = {"column": column, "input": self.names[column]}
            if moments.count[index] == 0:  # as features.statistics: a neutral 0
                entries.append(entry | {"median": 0.0, "mean": 0.0, "variance": 1.0})
                entries[-1]["missing"] = 1.0
                continue
            values = train_sample[FEATURE_PREFIX + column].dropna()
            entries.append(entry | {
                "median": float(values.median()) if len(values) else float(moments.mean[index]),
                "mean": float(moments.mean[index]),
                "variance": float(moments.variance[index]) or 1.0,
                "missing": round(1 - float(moments.count[index]) / train_rows, 6),
            })  # fmt: skip
        categorical = []
        for column, counts in vocabularies.items():
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            vocabulary = [str(name) for name, _ in ordered[:MAX_CATEGORIES]]
            categorical.append({"column": column, "input": self.names[column],
                                "vocabulary": vocabulary})  # fmt: skip
        derived = {"target": resolved_target(self.options), "id_column": self.id_column,
                   "numeric": entries, "categorical": categorical}  # fmt: skip
        if self.survival is not None:
            derived |= self.survival.settings(train_sample["time"].to_numpy())
        elif label_moments.count[0] > 0:
            derived["target_mean"] = float(label_moments.mean[0])
            derived["target_std"] = float(np.sqrt(label_moments.variance[0])) or 1.0
        return derived

    # ------------------------------------------------------------------ what the loop reads

    def _encoded(self, examples: pd.DataFrame) -> np.ndarray:
        """``Targets.encode``, looked up by raw value (one Python call per distinct label);
        survival: ``(n, 2)`` float32 rows of time and event."""
        if self.survival is not None:
            return examples[["time", "event"]].to_numpy(dtype="float32").reshape(-1, 2)
        labels = examples["label"]
        if self.targets.kind == "regression":
            return labels.to_numpy(dtype="float32")
        values = labels.map(self.codes).fillna(-1).to_numpy(dtype="int32")
        return values.astype("float32") if self.targets.kind == "binary" else values

    def batches(self, context: RunContext) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
        """Every labelled row in batches: model inputs, encoded targets, split names."""
        for examples, split in self._decoded(with_ids=False):
            yield model_inputs(examples, context.derived), self._encoded(examples), split

    def chunks(self, name: str, context: RunContext) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """One split's examples and encoded targets, batch by batch in file order (a survival
        run's ``label`` holds ``SurvivalLabel`` pairs, for the predictions table)."""
        from pmtk.core.contract.targets import SurvivalLabel

        for examples, split in self._decoded():
            part = examples[split == name].reset_index(drop=True)
            if len(part) and self.survival is not None:
                pairs = zip(part["time"].tolist(), part["event"].tolist(), strict=True)
                part["label"] = [SurvivalLabel(float(t), int(e)) for t, e in pairs]
            if len(part):
                yield part, self._encoded(part)

    def dataset(self, name: str, context: RunContext) -> tf.data.Dataset:
        """One split's unbatched ``(inputs, target)`` dataset, streamed from disk."""
        import tensorflow as tf

        derived = context.derived

        def generate() -> Iterator[Any]:
            for examples, split in self._decoded(with_ids=False):
                part = examples[split == name]
                if len(part):
                    yield model_inputs(part, derived), self._encoded(part)

        inputs = {f["input"]: tf.TensorSpec((None, 1), tf.float32) for f in derived["numeric"]}
        inputs |= {f["input"]: tf.TensorSpec((None, 1), tf.string) for f in derived["categorical"]}
        dtype = tf.int32 if self.targets.kind == "multiclass" else tf.float32
        shape = (None, 2) if self.survival is not None else (None,)  # (time, event) pairs
        signature = (inputs, tf.TensorSpec(shape, dtype))
        rows = tf.data.Dataset.from_generator(generate, output_signature=signature).unbatch()
        # Known from the statistics pass: Keras then counts its steps, and the loop sizes
        # its shuffle buffer, as for an in-memory dataset.
        return rows.apply(tf.data.experimental.assert_cardinality(self.split_counts[name]))

    def sample(self, name: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The seeded uniform sample of one split kept by the statistics pass."""
        rows = self.samples[name].rows().reset_index(drop=True)
        return rows, self._encoded(rows)

    def test_groups(self) -> np.ndarray | None:
        """A hash of each test example's group, in file order (None without groups)."""
        return self.groups

    def test_subgroups(self, column: str) -> np.ndarray | None:
        """Each test example's ``--subgroup-column`` value as text, in file order."""
        return self.subgroups.values() if column == self.subgroup else None

    def event_counts(self) -> dict[str, dict[str, int]] | None:
        """Events and censored patients per split (survival), over every row."""
        return None if self.survival is None else self.survival.counts()
