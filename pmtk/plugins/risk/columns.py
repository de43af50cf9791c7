"""The columns of a cohort table: their roles (id, group, excluded), kinds, ids and clean
feature values, shared by the reading of every kind of outcome.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.tables import finite_values
from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.risk.features import (
    FEATURE_PREFIX,
    category_text,
    infer_kind,
    numeric_values,
    where,
)

if TYPE_CHECKING:
    import pandas as pd

#: The column that fixes each row's split when the table has it.
SPLIT_COLUMN = "split"
#: Examples-table column naming the raw column the ids came from (None: line or row numbers).
ID_SOURCE = "id_column"


def column_list(text: str | None) -> list[str]:
    """``"a, b,c"`` -> ``["a", "b", "c"]`` (None -> [])."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def columns_hint(raw: pd.DataFrame) -> str:
    """The table's column names, comma-separated, for a message."""
    return ", ".join(map(str, raw.columns))


def require_column(raw: pd.DataFrame, column: str, option: str, source: str) -> None:
    """Refuses a table without ``column`` (given with ``option``), naming the columns it has."""
    if column not in raw.columns:
        raise DataError(
            f"{source} has no column '{column}' ({option}); its columns are: {columns_hint(raw)}."
        )


def notice(message: str) -> None:
    """A ``Note:`` line on stderr."""
    print(f"Note: {message}", file=sys.stderr)


def column_roles(
    raw: pd.DataFrame,
    options: Mapping[str, Any],
    target: str,
    source: str,
    group: str | None = None,
) -> dict:
    """The columns that are not features: id, group (the one handed over), split, excluded."""
    roles = {
        "id": options.get("id_column"),
        "group": group,
        "exclude": column_list(options.get("exclude")),
        "categorical": column_list(options.get("categorical")),
    }
    for option, column in (("--id-column", roles["id"]), ("--group-column", roles["group"])):
        if column is not None:
            require_column(raw, column, option, source)
            if column == target:
                raise OptionError(f"{option} '{column}' is the --target column; pick another.")
    for option in ("exclude", "categorical"):
        for column in roles[option]:
            require_column(raw, column, f"--{option}", source)
    if target in roles["exclude"]:
        raise OptionError(f"--exclude lists the --target column '{target}'; remove it from there.")
    return roles


def feature_kinds(
    raw: pd.DataFrame, roles: dict, target: str, source: str, *, require_features: bool = True
) -> dict[str, str]:
    """Kind of every candidate feature column, with identifiers, dates and empties sorted out.

    Raises:
        DataError: A column is empty in every row, or (with ``require_features``) no feature
            is left.
    """
    skip = {target, roles["id"], roles["group"], SPLIT_COLUMN, *roles["exclude"]}
    kinds: dict[str, str] = {}
    for column in raw.columns:
        if column in skip:
            continue
        with np.errstate(invalid="ignore"):  # inf in a column: reported by feature_frame
            kind = infer_kind(raw[column], column, categorical=column in roles["categorical"])
        if kind == "empty":
            raise empty_column_error(column, source)
        kinds[column] = kind
    usable = any(kind in ("numeric", "categorical") for kind in kinds.values())
    if require_features and not usable:
        raise no_features_error(source)
    return kinds


def empty_column_error(column: str, source: str) -> DataError:
    """The error of a feature column without a value in any row."""
    return DataError(
        f"{source}: column '{column}' is empty in every row; remove it or add it to "
        f"--exclude {column}."
    )


def no_features_error(source: str) -> DataError:
    """The error of a table with nothing besides its target, id and group columns."""
    return DataError(
        f"{source} has no feature columns besides the target, id and group; "
        "add the columns that describe each person."
    )


def identifier_column(kinds: dict[str, str], roles: dict) -> str | None:
    """Chooses the id column among identifier-like columns and says what happened to the rest."""
    identifiers = [column for column, kind in kinds.items() if kind == "identifier"]
    dates = [column for column, kind in kinds.items() if kind == "date"]
    id_column = roles["id"]
    if id_column is None and identifiers:
        id_column = identifiers.pop(0)
        notice(f"column '{id_column}' has a different value in every row; using it as the id "
                "(not a feature). Pass --id-column to choose another.")  # fmt: skip
    for column in identifiers:
        notice(f"column '{column}' has a different value in every row and is left out as an "
                "identifier; list it in --categorical to use it as a feature.")  # fmt: skip
    for column in dates:
        notice(f"column '{column}' holds dates and is left out; convert it to a number "
                "(for example days since baseline) to use it.")  # fmt: skip
    return id_column


def ids(raw: pd.DataFrame, column: str | None, source: str) -> pd.Series:
    """One id per row: the id column as text, or the row's line/row number.

    Raises:
        DataError: The id column is missing somewhere or repeats a value.
    """
    import pandas as pd

    if column is None or column not in raw.columns:
        return pd.Series([where(raw, i) for i in range(len(raw))], index=raw.index, dtype=object)
    values = category_text(raw[column])
    blank = np.flatnonzero((values == "").to_numpy())
    repeated = np.flatnonzero(values.duplicated().to_numpy())
    for positions, problem in ((blank, "has no value"), (repeated, "repeats an earlier id")):
        if len(positions):
            raise DataError(
                f"{source}: id column '{column}' {problem} at {where(raw, int(positions[0]))}; "
                "ids must be unique per row (use --group-column for people with several rows)."
            )
    return values


def feature_frame(
    raw: pd.DataFrame, kinds: dict[str, str], source: str, *, nonfinite: str = "refuse"
) -> dict[str, pd.Series]:
    """Clean feature values: float64 with NaN (numeric), text with '' for missing (categorical).

    Args:
        raw: The table as read.
        kinds: Kind of every feature column.
        source: The file, for messages.
        nonfinite: ``refuse`` (training), ``missing`` (``--nonfinite-as-missing``) or
            ``refuse-predict`` (no option to suggest).

    Raises:
        DataError: A numeric column holds text, or an infinite or overflowing number.
    """
    import pandas as pd

    numeric = {
        column: numeric_values(raw[column], column, raw, source)
        for column, kind in kinds.items()
        if kind == "numeric"
    }
    if numeric:
        checked = finite_values(
            pd.DataFrame(numeric, index=raw.index),
            raw,
            source,
            as_missing=nonfinite == "missing",
            option_hint=nonfinite == "refuse",
        )
        numeric = {column: checked[column] for column in numeric}
    frame = {}
    for column, kind in kinds.items():
        if kind == "numeric":
            frame[FEATURE_PREFIX + column] = numeric[column]
        elif kind == "categorical":
            frame[FEATURE_PREFIX + column] = category_text(raw[column])
    return frame
