"""The columns of a streamed cohort: their roles and kinds from the Parquet schema, and clean
text values of a batch, without reading the table.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np

from pmtk.plugins.risk.features import CAMEL_ID, ID_NAME, category_text

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def note(message: str) -> None:
    """A ``Note:`` line on stderr."""
    print(f"Note: {message}", file=sys.stderr)


def column_kinds(schema: pa.Schema, roles: dict, target: str) -> dict[str, str]:
    """``numeric`` or ``categorical`` per feature column, from its Parquet type.

    Numbers are numeric, text, booleans and dictionaries categorical (and every column
    ``--categorical`` names); dates and other types are left out with a note.
    """
    import pyarrow.types as types

    skip = {target, roles["group"], "split", *roles["exclude"]}
    kinds = {}
    for field in schema:
        kind = field.type
        if field.name in skip:
            continue
        if types.is_temporal(kind):
            note(f"column '{field.name}' holds dates and is left out; convert it to a number "
                 "(for example days since baseline) to use it.")  # fmt: skip
        elif field.name in roles["categorical"] or _is_text(kind) or types.is_boolean(kind):
            kinds[field.name] = "categorical"
        elif types.is_integer(kind) or types.is_floating(kind):
            kinds[field.name] = "numeric"
        else:
            note(f"column '{field.name}' ({kind}) is neither numbers nor text and is left out.")
    return kinds


def _is_text(kind: pa.DataType) -> bool:
    import pyarrow.types as types

    return types.is_string(kind) or types.is_large_string(kind) or types.is_dictionary(kind)


def id_column(kinds: dict[str, str], roles: dict) -> str | None:
    """``--id-column``, else the first column named like an id, else None (row numbers).

    The in-memory path also recognises an id by a different value in every row; that needs
    the whole column, so a streamed table goes by the name.
    """
    if roles["id"] is not None:
        return roles["id"]
    for column in kinds:
        if ID_NAME.search(column) or CAMEL_ID.search(column):
            note(f"column '{column}' is named like an id; using it as the id (not a feature). "
                 "Pass --id-column to choose another.")  # fmt: skip
            return column
    note("no id column; rows are numbered and splits follow the row numbers. Pass "
         "--id-column so that a patient keeps its split when rows move.")  # fmt: skip
    return None


def trimmed(batch: pa.RecordBatch, columns: list[str | None]) -> pa.RecordBatch:
    """Text columns among ``columns`` stripped, '' where missing, by pyarrow (no Python loop)."""
    import pyarrow.compute as pc
    import pyarrow.types as types

    arrays = list(batch.columns)
    for index, field in enumerate(batch.schema):
        text = types.is_string(field.type) or types.is_large_string(field.type)
        if field.name in columns and text:
            arrays[index] = pc.fill_null(pc.utf8_trim_whitespace(arrays[index]), "")
    return type(batch).from_arrays(arrays, schema=batch.schema)


def text(values: pd.Series) -> pd.Series:
    """``features.category_text``, skipped for text :func:`trimmed` already cleaned."""
    if values.dtype == object and values.map(type).eq(str).all():
        return values
    return category_text(values)


def numbered(raw: pd.DataFrame) -> pd.DataFrame:
    """An empty stand-in for a batch that numbers its rows as the batch does: by their line
    in a CSV/TSV file, their row in a Parquet file."""
    import pandas as pd

    stand_in = pd.DataFrame(index=range(len(raw)))
    first = int(raw.index[0]) + 1 if len(raw) else 1
    stand_in.attrs["row_label"] = raw.attrs.get("row_label", ("row", first))
    return stand_in


class Subgroups:
    """Each test row's ``--subgroup-column`` value, held as a small code (4 bytes a row).

    Values become text as the in-memory path makes them
    (``pmtk.core.evaluation.subgroups``: stripped,
    ``missing`` where empty); each distinct text is kept once.
    """

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.parts: list[np.ndarray] = []

    def add(self, values: pd.Series) -> None:
        """Appends a batch's test rows, in file order."""
        from pmtk.core.evaluation.subgroups import subgroup_text

        texts = subgroup_text(values.to_numpy(dtype=object)).astype(str)
        distinct, inverse = np.unique(texts, return_inverse=True)
        codes = [self.codes.setdefault(str(value), len(self.codes)) for value in distinct]
        self.parts.append(np.asarray(codes, dtype=np.int32)[inverse.reshape(-1)])

    def values(self) -> np.ndarray:
        """The subgroup of every test row so far, as text (object array)."""
        names = np.array(list(self.codes), dtype=object)
        if not self.parts:
            return np.array([], dtype=object)
        return names[np.concatenate(self.parts)]
