"""Column kinds of a cohort table: numeric, categorical or identifier, and their clean values
(also as the model's named inputs).

Pure pandas: nothing here imports TensorFlow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.tables import parse_numbers
from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

#: Examples-table columns holding features are named ``FEATURE_PREFIX + column`` so that a
#: feature called ``id``, ``label`` or ``group`` never collides with the loop's own columns.
FEATURE_PREFIX = "feature:"
#: A text column whose non-missing values are at least this share numbers is a numeric
#: column with bad entries (an error), not a categorical column.
NUMERIC_SHARE = 0.9
#: Categories kept per column (most frequent first); rarer ones share the unseen-category slot.
MAX_CATEGORIES = 50
#: Text put in place of a missing categorical value; it is a category of its own.
MISSING_CATEGORY = ""
#: A column name that says "id" as a word: ``id``, ``patient_id``, ``ID.number``.
ID_NAME = re.compile(r"^id$|[_\s.\-]id$|^id[_\s.\-]", re.IGNORECASE)
#: A camel-case id name: ``PatientID``, ``SubjectId``; case matters (not "lipid").
CAMEL_ID = re.compile(r"[a-z]I[Dd]$")


def where(raw: pd.DataFrame, position: int) -> str:
    """How to point the user at a row: ``line N`` of a text file, ``row N`` otherwise."""
    unit, offset = raw.attrs.get("row_label", ("row", 1))
    return f"{unit} {position + offset}"


def is_numeric_dtype(values: pd.Series) -> bool:
    """Numbers, but not booleans (which are two categories)."""
    import pandas as pd

    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def category_text(values: pd.Series) -> pd.Series:
    """Categorical values as stripped text, ``MISSING_CATEGORY`` where missing.

    Whole numbers are written without ``.0`` so a code column reads the same
    whether or not pandas saw a missing value in it.
    """

    def text(value: Any) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return MISSING_CATEGORY
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return str(int(value))
        return str(value).strip()

    missing = values.isna().to_numpy()
    result = [
        MISSING_CATEGORY if gone else text(v) for v, gone in zip(values, missing, strict=True)
    ]
    return _series(result, values.index, dtype=object)


def numeric_values(values: pd.Series, column: str, raw: pd.DataFrame, source: str) -> pd.Series:
    """A numeric column as float64 (NaN where missing).

    Raises:
        DataError: A non-missing value is not a number; names the column and first bad row.
    """

    if is_numeric_dtype(values):
        return values.astype("float64")
    parsed = parse_numbers(values)
    bad = np.flatnonzero((parsed.isna() & values.notna()).to_numpy())
    if len(bad):
        position = int(bad[0])
        raise DataError(
            f"{source}: column '{column}' holds numbers but {where(raw, position)} has "
            f"{values.iloc[position]!r}; fix that value, leave it empty if it is missing, or list "
            "the column in --categorical if its values are categories."
        )
    return parsed


def infer_kind(values: pd.Series, column: str, *, categorical: bool = False) -> str:
    """``numeric``, ``categorical``, ``identifier``, ``empty`` or ``date`` for one column.

    A column is numeric when it has a numeric type or when at least
    ``NUMERIC_SHARE`` of its values parse as numbers (the rest are then errors
    reported by :func:`numeric_values`). A non-numeric column with a different
    value in every row, or an integer column named like an id (``patient_id``,
    ``ID``) with a different value in every row, is an identifier.
    """
    import pandas as pd

    present = values.dropna()
    if len(present) == 0:
        return "empty"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    unique_per_row = len(values) > 1 and present.nunique() == len(values)
    if categorical:
        return "categorical"
    if is_numeric_dtype(values):
        whole = np.all(np.mod(present.to_numpy(dtype="float64"), 1) == 0)
        named_id = bool(ID_NAME.search(column) or CAMEL_ID.search(column))
        return "identifier" if unique_per_row and whole and named_id else "numeric"
    text = present.astype(str).str.strip()
    parsed = parse_numbers(text)
    if parsed.notna().mean() >= NUMERIC_SHARE:
        return (
            infer_kind(parsed.reindex(values.index), column) if parsed.notna().all() else "numeric"
        )
    return "identifier" if unique_per_row else "categorical"


def vocabulary(counts: Mapping[str, int] | pd.Series) -> list[str]:
    """Training categories of a column, most frequent first (ties alphabetical), capped.

    Args:
        counts: Training rows per category (``values.value_counts()``, or a ``Counter``
            summed over the parts of a table read in parts).
    """
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [str(name) for name, _ in ordered[:MAX_CATEGORIES]]


def model_inputs(examples: pd.DataFrame, derived: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The model's named inputs of some examples: ``(n, 1)`` float32 (NaN where missing) per
    numeric column, ``(n, 1)`` text ('' where missing) per categorical column."""
    inputs: dict[str, np.ndarray] = {}
    for feature in derived["numeric"]:
        values = examples[FEATURE_PREFIX + feature["column"]].to_numpy(dtype="float32")
        inputs[feature["input"]] = values.reshape(-1, 1)
    for feature in derived["categorical"]:
        values = examples[FEATURE_PREFIX + feature["column"]].astype(object).to_numpy()
        inputs[feature["input"]] = values.astype(str).reshape(-1, 1)
    return inputs


def input_names(columns: list[str]) -> dict[str, str]:
    """Model input name per column: the name with characters Keras dislikes replaced, unique."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        base = re.sub(r"[^0-9A-Za-z_.\-]", "_", column).strip("_") or "column"
        name, suffix = base, 2
        while name.lower() in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name.lower())
        names[column] = name
    return names


def _series(data: list, index: pd.Index, dtype: Any) -> pd.Series:
    import pandas as pd

    return pd.Series(data, index=index, dtype=dtype)
