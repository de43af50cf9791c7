"""From a raw cohort table to pmtk's examples table: target, id, group, split and features.

Training decides each column's role and kind here; prediction reuses the
schema learned at training (``context.derived``), so a single raw row predicts
exactly like a row of the training file. The examples table says which raw column
its ids came from in its ``id_column`` column, for ``RiskTask.derive``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.tables import finite_values, parse_numbers
from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.risk.column_plan import ColumnPlan, examples_frame, table_plan
from pmtk.plugins.risk.columns import (
    ID_SOURCE,
    column_roles,
    columns_hint,
    feature_frame,
    ids,
    notice,
    require_column,
)
from pmtk.plugins.risk.features import where

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.contract.task import RunContext

#: Target column of the bundled sample cohort, used when --data and --target are both omitted.
SAMPLE_TARGET = "disease"
_SHOWN = 5


def read_table(path: Path, context: RunContext) -> pd.DataFrame:
    """Reads ``path`` with the task's reader for its extension (``context.reader_for``).

    Raises:
        DataError: A folder, an unsupported extension, or a file the reader rejects.
    """
    if path.is_dir():
        raise DataError(
            f"{path} is a folder without Parquet files; the risk task reads one CSV, TSV or "
            "Parquet file, or a folder of Parquet files."
        )
    reader = context.reader_for(path.name)
    if reader is None:
        known = ", ".join(sorted(context.extensions()))
        raise DataError(f"{path} has an extension the risk task cannot read; use one of: {known}.")
    raw = reader.read(path)
    if raw.shape[1] == 0 or len(raw) == 0:
        raise DataError(f"{path} has no data rows; give a header row and one row per person.")
    return raw


def resolved_target(options: Mapping[str, Any]) -> str | None:
    """The outcome column a run uses: ``--target``, else ``disease`` for the bundled sample.

    A survival run's target is its ``--time-column``. None: user data without ``--target``.
    """
    target = options.get("target")
    if target is None and options.get("time_column") is not None:
        return options["time_column"]
    if target is None and options.get("data") is None:
        return SAMPLE_TARGET
    return target


def target_name(raw: pd.DataFrame, options: Mapping[str, Any], source: str) -> str:
    """The outcome column (:func:`resolved_target`), checked against the table.

    Raises:
        DataError: No --target with user data, or the column is not in the table.
    """
    target = resolved_target(options)
    if target is None:
        raise OptionError(
            f"Name the outcome column of {source} with --target COLUMN; its columns are: "
            f"{columns_hint(raw)}."
        )
    require_column(raw, target, "--target", source)
    return target


def label_values(values: pd.Series, column: str, source: str, *, whole: bool = True) -> pd.Series:
    """The raw target as the loop's ``label``: numbers when every value is one, else text.

    Args:
        values: The target column of the rows with an outcome.
        column: Its name, for the message.
        source: The file, for the message.
        whole: False for one part of a table read in parts: text stays text (the table's
            column type says what it holds, so every part agrees) and the check for two
            outcomes is left to the end of the pass (:func:`too_few_outcomes`).

    Raises:
        DataError: Fewer than two distinct outcomes.
    """
    import pandas as pd

    present = values.dropna()
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        text = present.astype(str).str.strip()
        parsed = parse_numbers(text) if whole else None
        present = parsed if whole and parsed.notna().all() else text.astype(object)
    if whole and present.nunique() < 2:
        raise too_few_outcomes(present.unique()[:1].tolist(), column, source)
    return present


def too_few_outcomes(found: list, column: str, source: str) -> DataError:
    """The error of a target column with fewer than two outcomes (``found``: the one seen)."""
    what = f"only the value {found[0]!r}" if found else "no values"
    return DataError(
        f"{source}: the target column '{column}' holds {what}; a risk model needs at least "
        "two outcomes. Check --target or add rows with the other outcome."
    )


def _finite_target(raw: pd.DataFrame, target: str, source: str, as_missing: bool) -> pd.Series:
    """The raw target, with infinite numbers refused (or made missing with the option)."""

    values = raw[target]
    parsed = parse_numbers(values)
    if not np.isinf(parsed.to_numpy()).any() or parsed.notna().sum() < values.notna().sum():
        return values  # no infinity, or text classes (where 'inf' is just a name)
    checked = finite_values(parsed.to_frame(target), raw, source, as_missing=as_missing)
    return values.where(checked[target].notna() | parsed.isna())


def training_examples(
    raw: pd.DataFrame,
    options: Mapping[str, Any],
    source: str,
    *,
    group_column: str | None = None,
    require_features: bool = True,
    plan: ColumnPlan | None = None,
    subgroup_column: str | None = None,
) -> pd.DataFrame:
    """The examples table of a training file (rows without an outcome are left out).

    Args:
        raw: The table as read, or one part of a table read in parts.
        options: The run's options (only read).
        source: The file, for messages.
        group_column: The ``--group-column`` the loop handed over (``context.group_column``).
        require_features: Refuse a table with no feature column (fusion's patient table
            may have none besides its modality columns).
        plan: What each column is, decided once for a table read in parts; None decides it
            from ``raw`` (:func:`pmtk.plugins.risk.columns.table_plan`).
        subgroup_column: The ``--subgroup-column`` (see ``columns.examples_frame``).

    Returns:
        ``id``, ``label``, optional ``group`` and ``split``, the features, the subgroup and
        :data:`ID_SOURCE` (the raw id column, for ``RiskTask.derive``).
    """
    from pmtk.plugins.risk import survival_reading

    columns = survival_reading.survival_columns(options)
    if columns is not None:
        return survival_reading.training_examples(
            raw, options, columns, source, group_column=group_column, plan=plan,
            subgroup_column=subgroup_column,
        )  # fmt: skip
    target = target_name(raw, options, source)
    if plan is None:
        roles = column_roles(raw, options, target, source, group_column)
        plan = table_plan(raw, roles, target, source, require_features=require_features)
    as_missing = bool(options.get("nonfinite_as_missing"))
    label = _finite_target(raw, target, source, as_missing)
    examples = examples_frame(raw, label, plan, source, subgroup_column=subgroup_column,
                              nonfinite="missing" if as_missing else "refuse")  # fmt: skip
    missing = examples["label"].isna().to_numpy()
    if missing.any():
        if not plan.in_parts:  # read in parts: one note at the end of the pass
            positions = np.flatnonzero(missing)
            shown = ", ".join(where(raw, int(p)) for p in positions[:_SHOWN])
            more = ", ..." if len(positions) > _SHOWN else ""
            notice(f"left out {len(positions)} row(s) with no '{target}' value ({shown}{more}).")
        examples = examples[~missing]
    examples["label"] = label_values(examples["label"], target, source, whole=not plan.in_parts)
    return examples.reset_index(drop=True)


def id_source(examples: pd.DataFrame, default: str | None = None) -> str | None:
    """The raw column the examples' ids came from (None: line or row numbers).

    ``default`` (the ``--id-column``) answers for a table built without that column.
    """
    if ID_SOURCE not in examples or len(examples) == 0:
        return default
    return examples[ID_SOURCE].iloc[0]


def prediction_examples(raw: pd.DataFrame, derived: Mapping[str, Any], source: str) -> pd.DataFrame:
    """The examples table of a file to predict, using the columns the model was trained on.

    The target column is optional; extra columns are ignored.

    Raises:
        DataError: A feature column the model needs is absent, or holds bad numbers.
    """
    import pandas as pd

    kinds = {f["column"]: "numeric" for f in derived["numeric"]}
    kinds |= {f["column"]: "categorical" for f in derived["categorical"]}
    absent = [column for column in kinds if column not in raw.columns]
    if absent:
        raise DataError(
            f"{source} lacks the column(s) {', '.join(map(repr, absent))} the model was trained "
            "on; add them (empty values are allowed)."
        )
    columns = {"id": ids(raw, derived.get("id_column"), source)}
    target = derived.get("target")
    if target in raw.columns and "event_column" not in derived:  # survival: no label needed
        columns["label"] = raw[target]
    features = feature_frame(raw, kinds, source, nonfinite="refuse-predict")
    return pd.DataFrame(columns | features).reset_index(drop=True)
