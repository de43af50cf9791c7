"""A feature table read in parts: a Parquet, CSV or TSV file past the part threshold, or a
folder of Parquet files (at any size).

The table is opened through pyarrow (:func:`pmtk.core.data.arrow_tables.open_table`), with
one type per column, so every part has the same columns; the feature columns are chosen
once, from its schema, with the checks and messages of a table read whole. Each batch of
rows is then made an examples table by the same code as a whole file
(:mod:`pmtk.plugins.autoencoder.reading`), its rows numbered by their place in the file.
Smaller files are read whole (one part).

What is checked part by part: text in a numeric column (naming its line), infinite values,
missing ids, and ids repeated within a part (across parts that would need every id in memory).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.arrow_tables import open_table, open_table_in_parts, scan_batches
from pmtk.plugins.autoencoder.models import check_options
from pmtk.plugins.autoencoder.reading import (
    feature_names,
    prediction_examples,
    training_examples,
)
from pmtk.plugins.autoencoder.sample import column_options

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.contract.context import RunContext

_TEXT = (".csv", ".tsv")
#: Notes printed in this process: a table in parts is read once per pass (statistics, every
#: epoch, evaluation), and what it says is worth one line.
_NOTES: set[str] = set()


def table_in_parts(
    path: Path, context: RunContext, *, require_labels: bool = True
) -> Iterator[pd.DataFrame] | None:
    """The examples tables of ``path``, part by part in file order; None when the table is
    small enough to be read whole.

    Args:
        path: The ``--data`` path.
        context: The run context (predicting: ``derived`` holds the run's features).
        require_labels: False when predicting: the run's features are read.

    Raises:
        DataError, OptionError: What a whole table would be refused for, found from the
            schema (before any part is read).
    """
    opened = open_table_in_parts(path, "add one row per sample")
    if opened is None:
        return None
    table, _ = opened
    source = str(path)
    derived = context.derived
    if not require_labels and derived.get("features"):
        features = list(derived["features"])
        id_column = context.options.get("id_column") or derived.get("id_column")
        # Features are read as text and made numbers part by part, as a whole file's are.
        table = _typed(table, path, {id_column, *features})

        def examples(raw: pd.DataFrame, first_row: int) -> pd.DataFrame:
            return prediction_examples(raw, source, features, id_column, first_row=first_row)

        return _parts(table, path, examples)
    options = {**context.options, **column_options(context.options, path)}
    group_column = context.group_column
    table = _typed(table, path, {options.get("id_column"), group_column, "split"})
    header = table.schema.empty_table().to_pandas()
    features = feature_names(training_examples(header, source, options, group_column=group_column))
    check_options(options, len(features), source)
    masked = bool(options.get("nonfinite_as_missing"))

    def examples(raw: pd.DataFrame, first_row: int) -> pd.DataFrame:
        return training_examples(raw, source, options, group_column=group_column,
                                 features=features, first_row=first_row)  # fmt: skip

    return _parts(table, path, examples, features if masked else None)


def _typed(table: Any, path: Path, text_columns: set[str | None]) -> Any:
    """A CSV/TSV table opened again with ``text_columns`` read as text (ids and groups stay
    as written); any other table as it is."""
    if path.suffix.lower() not in _TEXT:
        return table
    return open_table(path, text_columns - {None})


def _parts(
    table: Any,
    path: Path,
    examples: Callable[[pd.DataFrame, int], pd.DataFrame],
    masked: list[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """Every batch of the table, made an examples table, its rows named by file line (CSV,
    TSV) or row. ``masked``: feature columns whose infinite values become missing (one note
    for the whole table, not one per part)."""
    unit, first = ("line", 2) if path.suffix.lower() in _TEXT else ("row", 1)
    offset = infinite = 0
    for batch in scan_batches(table, table.schema.names):
        if batch.num_rows == 0:
            continue
        raw = batch.to_pandas()
        raw.attrs["row_label"] = (unit, first + offset)
        if masked is not None:
            values = raw[masked].to_numpy(dtype=np.float64)
            found = np.isinf(values)
            if found.any():
                infinite += int(found.sum())
                raw[masked] = np.where(found, np.nan, values)
        yield examples(raw, offset)
        offset += batch.num_rows
    if infinite:
        _note(f"{path}: {infinite} infinite or too large value(s) are treated as missing "
              "(--nonfinite-as-missing).")  # fmt: skip


def _note(message: str) -> None:
    """A ``Note:`` line on stderr, once per process."""
    if message not in _NOTES:
        _NOTES.add(message)
        print(f"Note: {message}", file=sys.stderr)
