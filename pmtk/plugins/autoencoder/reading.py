"""Reading a feature table (CSV, TSV or Parquet) into the autoencoder's examples table.

The examples table has ``id``, ``row`` (position in the file), optional ``split``,
``group`` and ``color`` columns, and one column per feature named
``FEATURE_PREFIX + <column name>`` (so a feature called ``id`` cannot clash).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pmtk.core.data.tables import finite_values, where
from pmtk.core.data.tables import group_column as core_group_column
from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    from pmtk.core.contract.context import RunContext

FEATURE_PREFIX = "feature:"
#: At most this many column names are listed in a message.
_LISTED = 8


def read_table(path: Path, context: RunContext) -> pd.DataFrame:
    """Reads ``path`` with the task's reader for its extension (``context.reader_for``).

    Raises:
        DataError: A folder, an extension no reader handles, a file the reader
            rejects, or a table without rows.
    """
    if path.is_dir():
        raise DataError(
            f"{path} is a folder without Parquet files; the autoencoder reads one CSV, TSV or "
            "Parquet file, or a folder of Parquet files, so pass --data FILE."
        )
    reader = context.reader_for(path.name)
    if reader is None:
        known = ", ".join(sorted(context.extensions()))
        raise DataError(
            f"{path} is not a file type the autoencoder reads; convert it to one of: {known}."
        )
    table = reader.read(path)
    if len(table) == 0 or table.shape[1] == 0:
        raise DataError(f"{path} has a header but no rows; add one row per sample.")
    return table


def training_examples(
    table: pd.DataFrame,
    source: str,
    options: Mapping[str, Any],
    *,
    group_column: str | None = None,
    features: list[str] | None = None,
    first_row: int = 0,
) -> pd.DataFrame:
    """The examples table for training: every numeric column not set aside is a feature.

    Set aside: ``--id-column``, ``--color-column``, the ``group_column`` the loop handed
    over (``context.group_column``), a ``split`` column and the ``--exclude`` columns.
    ``options`` is only read (the sample's column defaults already resolved in it).

    Args:
        table: The table as read (or one part of it, ``attrs["row_label"]`` naming its rows).
        source: The file, for messages.
        options: The run's options.
        group_column: The ``--group-column``, or None.
        features: The feature columns when they are fixed already (a table read in parts:
            from its schema, so that every part has the same); None finds them.
        first_row: Position of the table's first row in the file (a part's), for the
            ``row`` column and the ids made of row numbers.

    Raises:
        OptionError: A column named by an option is not in the table.
        DataError: Ids are missing or repeated, no numeric column is left, a column
            is not numeric, or a value is infinite.
    """
    excluded = [c.strip() for c in (options.get("exclude") or "").split(",") if c.strip()]
    named = [("--id-column", options.get("id_column")),
             ("--color-column", options.get("color_column"))]  # fmt: skip
    for flag, column in named + [("--exclude", column) for column in excluded]:
        if column is not None and column not in table.columns:
            raise OptionError(
                f"{source} has no column '{column}' ({flag}); its columns are: "
                f"{listed_names(table.columns)}."
            )
    group = core_group_column(table, group_column, source)
    if features is None:
        aside = {*(column for _, column in named), *excluded, group_column, "split"}
        features = [c for c in table.columns if c not in aside]
    features = numeric_features(features, table, source)
    nonfinite = "missing" if options.get("nonfinite_as_missing") else "refuse"
    examples = _examples(table, features, options.get("id_column"), source, nonfinite, first_row)
    if "split" in table.columns:
        examples["split"] = table["split"].to_numpy()
    if group is not None:
        examples["group"] = group.to_numpy()
    if options.get("color_column") is not None:
        examples["color"] = table[options["color_column"]].to_numpy()
    return examples


def numeric_features(candidates: list[str], table: pd.DataFrame, source: str) -> list[str]:
    """The candidate columns, after checking that there are some and all are numeric."""
    text = [c for c in candidates if not _is_numeric(table[c])]
    if len(text) == len(candidates):
        found = f"only non-numeric columns ({listed_names(text)})" if text else "no columns left"
        raise DataError(
            f"{source} has no numeric feature columns, found {found}; give a table with one "
            "numeric column per feature."
        )
    if text:
        listed = ",".join(text) if len(text) <= _LISTED else "followed by those columns"
        raise DataError(
            f"{source} has non-numeric column(s) {listed_names(text)}; leave them out with "
            f"--exclude {listed} (or name the id column with --id-column)."
        )
    return candidates


def prediction_examples(
    table: pd.DataFrame,
    source: str,
    features: list[str],
    id_column: str | None,
    *,
    first_row: int = 0,
) -> pd.DataFrame:
    """The examples table for ``pmtk predict``: the training features, in training order.

    A feature column read as text whose values are all numbers (or missing) is read as
    numbers: a part of a CSV column that holds text further down.

    Args:
        table: The table as read (or one part of it, ``attrs["row_label"]`` naming its rows).
        source: The file, for messages.
        features: The run's feature columns, in training order.
        id_column: The run's id column, or None (ids are row numbers).
        first_row: Position of the table's first row in the file (a part's).

    Raises:
        DataError: A training feature or the id column is missing, or not numeric.
    """
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise DataError(
            f"{source} lacks {len(missing)} feature column(s) the model was trained on "
            f"({listed_names(missing)}); give the same feature columns as the training data."
        )
    text = [f for f in features if _first_text(table[f]) is not None]
    if text:
        raise DataError(
            f"{source} has non-numeric values in feature column(s) {listed_names(text)} (first at "
            f"{where(table, _first_text(table[text[0]]))}); give numbers (or leave a cell empty "
            "for a missing value)."
        )
    if id_column is not None and id_column not in table.columns:
        raise DataError(
            f"{source} has no column '{id_column}' (the run's --id-column); add it so each "
            "code can be matched to its row."
        )
    numbers = table.assign(**{f: pd.to_numeric(table[f]) for f in features
                              if not _is_numeric(table[f])})  # fmt: skip
    return _examples(numbers, features, id_column, source, "refuse-predict", first_row)


def feature_names(examples: pd.DataFrame) -> list[str]:
    """The feature columns of an examples table, by their names in the data."""
    return [c[len(FEATURE_PREFIX) :] for c in examples.columns if c.startswith(FEATURE_PREFIX)]


def feature_matrix(examples: pd.DataFrame) -> np.ndarray:
    """The features of an examples table as a float32 matrix (NaN where missing)."""
    columns = [c for c in examples.columns if c.startswith(FEATURE_PREFIX)]
    return examples[columns].to_numpy(dtype="float32")


def _examples(
    table: pd.DataFrame,
    features: list[str],
    id_column: str | None,
    source: str,
    nonfinite: str,
    first_row: int,
) -> pd.DataFrame:
    """``id``, ``row`` and the features; ``nonfinite`` is ``refuse``, ``missing`` or
    ``refuse-predict`` (refuse without suggesting ``--nonfinite-as-missing``)."""
    values = finite_values(
        table[features].astype("float64"),
        table,
        source,
        as_missing=nonfinite == "missing",
        option_hint=nonfinite == "refuse",
    )
    rows = np.arange(first_row, first_row + len(table))
    examples = pd.DataFrame({"id": _ids(table, id_column, source, rows), "row": rows})
    values.columns = [f"{FEATURE_PREFIX}{name}" for name in features]
    return pd.concat([examples, values.reset_index(drop=True)], axis=1)


def _ids(table: pd.DataFrame, id_column: str | None, source: str, rows: np.ndarray) -> np.ndarray:
    """The id column as text, checked; without one, each row's number (from 1)."""
    if id_column is None:
        return (rows + 1).astype(str)
    ids = table[id_column]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise DataError(
            f"{source}: {where(table, row)} has no value in the id column '{id_column}'; give "
            "every row an id."
        )
    ids = ids.astype(str)
    repeated = np.flatnonzero(ids.duplicated().to_numpy())
    if len(repeated):
        row = int(repeated[0])
        first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
        raise DataError(
            f"{source}: {where(table, row)} repeats the id of {where(table, first)} in column "
            f"'{id_column}'; ids must be unique."
        )
    return ids.to_numpy()


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column)


def _first_text(column: pd.Series) -> int | None:
    """Position of the first value of a column that is neither missing nor a number, or
    None when there is none."""
    if _is_numeric(column):
        return None
    text = column.notna() & pd.to_numeric(column, errors="coerce").isna()
    return int(np.flatnonzero(text.to_numpy())[0]) if text.any() else None


def listed_names(columns) -> str:
    """The first few column names, comma-separated, for a message (``a, b and 3 more``)."""
    columns = [str(c) for c in columns]
    shown = ", ".join(columns[:_LISTED])
    return shown + (f" and {len(columns) - _LISTED} more" if len(columns) > _LISTED else "")
