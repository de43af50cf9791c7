"""A cohort bigger than memory, read in parts: each part's examples made as a whole file's.

A Parquet, CSV or TSV file past ``PMTK_STREAMING_ROWS`` rows
(:func:`pmtk.core.data.arrow_tables.open_table_in_parts`), or a folder of Parquet files, is
read in Arrow batches (:func:`pmtk.core.data.arrow_tables.part_batches`); smaller files (and
compressed or ``.txt`` tables) are read whole by ``RiskTask.read``. Each raw part numbers its
rows by their line (CSV/TSV) or row (Parquet) in the file, so messages name the right one,
and becomes examples through the same functions as a whole file
(``reading.training_examples``, ``reading.prediction_examples``).

What a part cannot decide alone is decided once, before the first part: the columns' roles,
kinds and the id column from the table's schema (a CSV's column types are fixed from its first
block by ``csv_blocks.csv_format``: numbers as float64; ids, groups, splits and the columns
``--categorical`` names as text), in a :class:`~pmtk.plugins.risk.columns.ColumnPlan`. What
needs every row is checked at the end of the pass (:class:`PassChecks`): two outcomes, no
feature column empty in every row, a survival cohort's events and ``--horizons``. Notes are
written on the first pass only (while ``context.derived`` is still empty). The loop splits
the parts (by a stable hash of the group, else the id, or by the ``split`` column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.data.arrow_tables import open_table, open_table_in_parts, part_batches
from pmtk.core.loop.prediction import unique_ids
from pmtk.plugins.risk.column_plan import ColumnPlan, named_id_column, schema_kinds
from pmtk.plugins.risk.columns import (
    SPLIT_COLUMN,
    column_list,
    column_roles,
    empty_column_error,
    no_features_error,
    notice,
    require_column,
)
from pmtk.plugins.risk.features import CAMEL_ID, FEATURE_PREFIX, ID_NAME
from pmtk.plugins.risk.reading import (
    prediction_examples,
    resolved_target,
    target_name,
    too_few_outcomes,
    training_examples,
)
from pmtk.plugins.risk.survival_reading import (
    horizons,
    no_events_error,
    survival_columns,
    survival_roles,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow.dataset as ds

    from pmtk.core.contract.task import RunContext

_TEXT = (".csv", ".tsv")


def cohort_parts(
    path: Path, context: RunContext, *, require_labels: bool = True
) -> Iterator[pd.DataFrame] | None:
    """The examples of ``path`` part by part, or None when it is read whole.

    Args:
        path: The ``--data`` file or folder.
        context: The run context (when predicting, ``derived`` holds the training schema).
        require_labels: False when predicting: parts as ``prediction_examples`` makes them,
            an id repeated in a later part refused as within one.

    Raises:
        DataError: A Parquet folder whose files disagree or cannot be read (at once); bad
            values, naming their line or row (as the parts are read).
    """
    opened = open_table_in_parts(path, "give a header row and one row per person")
    if opened is None:
        return None
    table, rows = opened
    if require_labels:
        return _training_parts(path, context, table, rows)
    return _prediction_parts(path, context, table, rows)


def raw_parts(path: Path, table: ds.Dataset, columns: list[str], rows: int) -> Iterator[Any]:
    """The raw rows of ``columns`` part by part, each numbered by ``attrs["row_label"]``:
    ``("line", N)`` in a CSV/TSV file (whose header is line 1), ``("row", N)`` in Parquet."""
    unit, first = ("line", 2) if path.suffix.lower() in _TEXT else ("row", 1)
    offset = 0
    for batch in part_batches(table, columns, rows):
        raw = batch.to_pandas()
        raw.attrs["row_label"] = (unit, first + offset)
        offset += len(raw)
        yield raw


def _training_parts(
    path: Path, context: RunContext, table: ds.Dataset, rows: int
) -> Iterator[pd.DataFrame]:
    options, source = context.options, str(path)
    say = notice if not context.derived else _silent  # notes once, on the statistics pass
    if path.suffix.lower() in _TEXT:
        table = open_table(path, _text_columns(table.schema.names, context))
    plan, target = _schema_plan(table.schema, context, source, say)
    subgroup = options.get("subgroup_column")
    wanted = {target, *plan.kinds, plan.roles["group"], plan.id_column, SPLIT_COLUMN, subgroup}
    wanted |= set(survival_columns(options) or ())
    columns = [name for name in table.schema.names if name in wanted]
    checks = PassChecks(plan, options, source)
    for raw in raw_parts(path, table, columns, rows):
        examples = training_examples(raw, options, source, group_column=context.group_column,
                                     plan=plan, subgroup_column=subgroup)  # fmt: skip
        checks.add(len(raw), examples)
        examples.attrs["row_label"] = raw.attrs["row_label"]
        yield examples
    checks.finish(target, say)


def _prediction_parts(
    path: Path, context: RunContext, table: ds.Dataset, rows: int
) -> Iterator[pd.DataFrame]:
    derived, source = context.derived, str(path)
    needed = [f["column"] for f in (*derived["numeric"], *derived["categorical"])]
    text = [derived.get("id_column"), derived.get("target")]
    text += [f["column"] for f in derived["categorical"]]
    if path.suffix.lower() in _TEXT:  # read as the whole file is: categories as written
        table = open_table(path, {name for name in text if name is not None})
    columns = [name for name in table.schema.names if name in {*needed, *text}]
    parts = raw_parts(path, table, columns, rows)
    to_examples = partial(prediction_examples, derived=derived, source=source)
    return unique_ids(parts, to_examples, derived.get("id_column"), source)


def _schema_plan(
    schema: Any, context: RunContext, source: str, say: Callable[[str], None]
) -> tuple[ColumnPlan, str]:
    """The plan of every part, from the table's schema, and the target column (the time
    column of a survival cohort); the same checks as a whole table's, with its sentences."""
    import pandas as pd

    options, group = context.options, context.group_column
    header = pd.DataFrame(columns=schema.names)
    survival = survival_columns(options)
    if survival is not None:
        target = survival[0]
        roles = survival_roles(header, options, survival, source, group)
    else:
        target = target_name(header, options, source)
        roles = column_roles(header, options, target, source, group)
    if options.get("subgroup_column") is not None:
        require_column(header, options["subgroup_column"], "--subgroup-column", source)
    kinds = schema_kinds(schema, roles, target, say)
    id_column = named_id_column(kinds, roles, say)
    for column in (id_column, roles["group"]):
        kinds.pop(column, None)
    if not kinds:
        raise no_features_error(source)
    return ColumnPlan(roles, kinds, id_column, in_parts=True), target


def _text_columns(names: list[str], context: RunContext) -> set[str]:
    """The columns of a CSV read as text, whatever they hold, as a whole file reads them:
    id, group, split and ``--categorical`` columns, a survival cohort's time and event (so a
    bad value gets the whole file's sentence), an excluded ``--subgroup-column``, and the
    first column named like an id when no ``--id-column`` is given (:func:`named_id_column`).
    """
    options = context.options
    chosen = {options.get("id_column"), context.group_column, SPLIT_COLUMN}
    chosen |= set(column_list(options.get("categorical")))
    chosen |= set(survival_columns(options) or ())
    excluded = column_list(options.get("exclude"))
    if options.get("subgroup_column") in excluded:
        chosen.add(options["subgroup_column"])
    if options.get("id_column") is None:
        skip = {resolved_target(options), *excluded, *chosen}
        named = [n for n in names if n not in skip and (ID_NAME.search(n) or CAMEL_ID.search(n))]
        chosen |= set(named[:1])
    return {name for name in chosen if name is not None}


class PassChecks:
    """What only every part together tells, checked at the end of a pass over the parts:
    rows left out for want of an outcome, two outcomes at least, no feature column empty in
    every row; for survival, some event and ``--horizons`` before the longest follow-up."""

    def __init__(self, plan: ColumnPlan, options: Any, source: str) -> None:
        self.options, self.source = options, source
        self.survival = survival_columns(options)
        self.features = {c: kind for c, kind in plan.kinds.items()
                         if kind in ("numeric", "categorical")}  # fmt: skip
        self.present = dict.fromkeys(self.features, 0)
        self.read = self.kept = self.events = 0
        self.outcomes: set = set()
        self.longest = 0.0

    def add(self, rows: int, examples: pd.DataFrame) -> None:
        """Counts one part: ``rows`` read, ``examples`` made from them."""
        self.read, self.kept = self.read + rows, self.kept + len(examples)
        for column, kind in self.features.items():
            values = examples[FEATURE_PREFIX + column]
            present = values.ne("") if kind == "categorical" else values.notna()
            self.present[column] += int(present.sum())
        if self.survival is None:
            if len(self.outcomes) < 2:
                self.outcomes.update(examples["label"].unique()[:2].tolist())
        elif len(examples):
            self.events += sum(label.event for label in examples["label"])
            self.longest = max(self.longest, max(label.time for label in examples["label"]))

    def finish(self, target: str, say: Callable[[str], None]) -> None:
        """The checks of the whole table, and the note of the rows left out.

        Raises:
            DataError: As a whole table's reading would.
            OptionError: ``--horizons`` not before the longest follow-up.
        """
        for column, count in self.present.items():
            if count == 0:
                raise empty_column_error(column, self.source)
        if self.read > self.kept:
            say(f"left out {self.read - self.kept} row(s) with no '{target}' value.")
        if self.survival is None:
            if len(self.outcomes) < 2:
                raise too_few_outcomes(sorted(self.outcomes, key=str), target, self.source)
            return
        if self.events == 0:
            raise no_events_error(self.survival[1], self.source)
        horizons(self.options, self.longest, target, self.source)


def _silent(message: str) -> None:
    """No note (passes after the first)."""
