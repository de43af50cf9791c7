"""What each column of a cohort is, decided once for the whole table, and the examples of
some of its rows.

A :class:`ColumnPlan` is decided from the values of a table read whole (:func:`table_plan`),
or once from the schema of a table read in parts (:func:`schema_kinds`,
:func:`named_id_column`), so that every part agrees; :func:`examples_frame` makes the
examples of any rows with it, for every kind of outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmtk.core.data.splits import split_names
from pmtk.core.data.tables import group_column as core_group_column
from pmtk.core.evaluation.subgroups import SUBGROUP_PREFIX
from pmtk.plugins.risk.columns import (
    ID_SOURCE,
    SPLIT_COLUMN,
    feature_frame,
    feature_kinds,
    identifier_column,
    ids,
    notice,
    require_column,
)
from pmtk.plugins.risk.features import CAMEL_ID, FEATURE_PREFIX, ID_NAME, where

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


@dataclass(frozen=True)
class ColumnPlan:
    """What each column of a cohort is, decided once for the whole table.

    Attributes:
        roles: The columns that are not features (:func:`column_roles`).
        kinds: Kind of every candidate feature column: ``numeric`` and ``categorical`` are
            features; a table read whole also has ``identifier`` and ``date`` columns.
        id_column: The raw column the ids come from (None: line or row numbers).
        in_parts: The plan of a table read in parts (:func:`schema_kinds`): what needs every
            row (two outcomes, a column empty in every row, events, horizons) and the notes
            are the reader's, at the end of its pass, not each part's.
    """

    roles: dict
    kinds: dict[str, str]
    id_column: str | None
    in_parts: bool = False


def table_plan(
    raw: pd.DataFrame, roles: dict, target: str, source: str, *, require_features: bool = True
) -> ColumnPlan:
    """The plan of a table read whole: kinds from its values (:func:`feature_kinds`), the id
    column among its identifier-like columns (:func:`identifier_column`)."""
    kinds = feature_kinds(raw, roles, target, source, require_features=require_features)
    return ColumnPlan(roles, kinds, identifier_column(kinds, roles))


def schema_kinds(
    schema: pa.Schema, roles: dict, target: str, say: Callable[[str], None] = notice
) -> dict[str, str]:
    """``numeric`` or ``categorical`` per candidate feature column of a table read in parts,
    from its column types (a CSV's fixed from its first block, ``csv_blocks.csv_format``).

    Numbers are numeric; text, booleans and dictionaries categorical, as is every column
    ``--categorical`` names; dates and other types are left out with a note (``say``).
    """
    import pyarrow.types as types

    skip = {target, roles["group"], SPLIT_COLUMN, *roles["exclude"]}
    kinds = {}
    for field in schema:
        kind = field.type
        text = types.is_string(kind) or types.is_large_string(kind) or types.is_dictionary(kind)
        if field.name in skip:
            continue
        if types.is_temporal(kind):
            say(f"column '{field.name}' holds dates and is left out; convert it to a number "
                "(for example days since baseline) to use it.")  # fmt: skip
        elif field.name in roles["categorical"] or text or types.is_boolean(kind):
            kinds[field.name] = "categorical"
        elif types.is_integer(kind) or types.is_floating(kind):
            kinds[field.name] = "numeric"
        else:
            say(f"column '{field.name}' ({kind}) is neither numbers nor text and is left out.")
    return kinds


def named_id_column(
    kinds: dict[str, str], roles: dict, say: Callable[[str], None] = notice
) -> str | None:
    """The id column of a table read in parts: ``--id-column``, else the first column named
    like an id, else None (line or row numbers).

    A table read whole also recognises an id by a different value in every row; that needs
    the whole column, so a table read in parts goes by the name.
    """
    if roles["id"] is not None:
        return roles["id"]
    for column in kinds:
        if ID_NAME.search(column) or CAMEL_ID.search(column):
            say(f"column '{column}' is named like an id; using it as the id (not a feature). "
                "Pass --id-column to choose another.")  # fmt: skip
            return column
    say("no id column; rows are numbered and splits follow the row numbers. Pass "
        "--id-column so that a patient keeps its split when rows move.")  # fmt: skip
    return None


def examples_frame(
    raw: pd.DataFrame,
    label: pd.Series,
    plan: ColumnPlan,
    source: str,
    *,
    nonfinite: str,
    subgroup_column: str | None = None,
) -> pd.DataFrame:
    """The examples table of some raw rows, for every kind of outcome.

    Args:
        raw: The table as read (or one part of it, numbered by ``attrs["row_label"]``).
        label: The ``label`` column.
        plan: What each column is.
        source: The file, for messages.
        nonfinite: As :func:`feature_frame`.
        subgroup_column: The ``--subgroup-column``: carried as ``subgroup:COLUMN`` when it is
            not a feature, so the loop never reads the table again for it.

    Returns:
        ``id``, ``label``, optional ``group`` and ``split``, the features, the subgroup and
        :data:`ID_SOURCE`. A ``split`` value the column may not hold is refused here, naming
        its line or row (the loop applies the column).

    Raises:
        DataError: A bad id, group, split value or feature value.
    """
    import pandas as pd

    columns = {"id": ids(raw, plan.id_column, source), "label": label}
    group = core_group_column(raw, plan.roles["group"], source)
    if group is not None:
        # a row without a group is its own group: it cannot share a patient with another row
        columns["group"] = group.where(raw[plan.roles["group"]].notna(), "row:" + columns["id"])
    if SPLIT_COLUMN in raw.columns:
        split_names(raw[SPLIT_COLUMN], source, lambda position: where(raw, position))
        columns["split"] = raw[SPLIT_COLUMN]
    columns |= feature_frame(raw, plan.kinds, source, nonfinite=nonfinite)
    if subgroup_column is not None and FEATURE_PREFIX + subgroup_column not in columns:
        require_column(raw, subgroup_column, "--subgroup-column", source)
        columns[SUBGROUP_PREFIX + subgroup_column] = raw[subgroup_column]
    examples = pd.DataFrame(columns, index=raw.index)
    examples[ID_SOURCE] = pd.Series([plan.id_column] * len(examples), index=raw.index,
                                    dtype=object)  # fmt: skip
    return examples
