"""Survival outcomes of a cohort: ``--time-column`` and ``--event-column`` checked and paired.

Each bad value stops the run with one sentence naming the column and the lines (text
files) or rows (Parquet) where it occurs, never a patient identifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.tables import parse_numbers
from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.risk.column_plan import ColumnPlan, examples_frame, table_plan
from pmtk.plugins.risk.columns import column_roles, require_column
from pmtk.plugins.risk.features import where

if TYPE_CHECKING:
    import pandas as pd

#: Event column values read as "the event happened" and "censored", compared as lower-case text.
EVENT_VALUES = {"1": 1, "1.0": 1, "true": 1, "yes": 1, "0": 0, "0.0": 0, "false": 0, "no": 0}
_SHOWN = 5


def survival_columns(options: Mapping[str, Any]) -> tuple[str, str] | None:
    """The ``(time, event)`` columns of a survival run, or None for other targets.

    Raises:
        OptionError: Only one of the two columns is named, or ``--target`` is named too.
    """
    time, event = options.get("time_column"), options.get("event_column")
    if time is None and event is None:
        return None
    if time is None or event is None:
        given, missing = ("--time-column", "--event-column") if event is None else (
            "--event-column", "--time-column")  # fmt: skip
        raise OptionError(
            f"{given} needs {missing} too: a survival outcome is a follow-up time plus an event "
            "flag (1 event, 0 censored), so name both columns."
        )
    if options.get("target") is not None:
        raise OptionError(
            "--target cannot be combined with --time-column and --event-column; give --target "
            "for a yes/no or numeric outcome, or the two columns for a survival outcome."
        )
    if time == event:
        raise OptionError(f"--time-column and --event-column both name '{time}'; name two columns.")
    return time, event


def _lines(raw: pd.DataFrame, positions: np.ndarray) -> str:
    """``line 3, line 8, ... (12 in all)`` for the first few positions."""
    shown = ", ".join(where(raw, int(p)) for p in positions[:_SHOWN])
    return shown + (f", ... ({len(positions)} in all)" if len(positions) > _SHOWN else "")


def event_flags(
    raw: pd.DataFrame, column: str, source: str, *, require_event: bool = True
) -> np.ndarray:
    """The event column as 0/1.

    Args:
        raw: The table (or one batch of a streamed table, numbered by ``attrs["row_label"]``).
        column: The event column.
        source: The file, for messages.
        require_event: Refuse a table without events (a streamed batch leaves this to the
            end of the pass: :func:`no_events_error`).

    Raises:
        DataError: A value is missing or not one of 1/0, true/false, yes/no; or every
            patient is censored.
    """
    values = raw[column]
    text = values.astype(object).map(lambda v: "" if v is None or v != v else str(v).strip())
    flags = text.str.lower().map(EVENT_VALUES)
    bad = np.flatnonzero(flags.isna().to_numpy())
    if len(bad):
        found = sorted({text.iloc[p] or "(empty)" for p in bad})
        shown = ", ".join(repr(v) if v != "(empty)" else v for v in found[:8])
        raise DataError(
            f"{source}: event column '{column}' must hold 1/0, true/false or yes/no (event or "
            f"censored) but also holds {shown} ({_lines(raw, bad)}); recode those values."
        )
    flags = flags.to_numpy(dtype="int64")
    if require_event and not flags.any():
        raise no_events_error(column, source)
    return flags


def no_events_error(column: str, source: str) -> DataError:
    """The error of a cohort in which every patient is censored."""
    return DataError(
        f"{source}: every patient is censored (event column '{column}' holds no 1, true or "
        "yes); a survival model needs patients with an event, so check --event-column."
    )


def follow_up_times(raw: pd.DataFrame, column: str, source: str) -> np.ndarray:
    """The time column as positive float64 numbers.

    Raises:
        DataError: A time is missing, not a number, or zero or negative.
    """

    values = raw[column]
    with np.errstate(invalid="ignore"):
        times = parse_numbers(values).to_numpy()
    problems = (
        (values.isna().to_numpy(), "has no value"),
        (~np.isfinite(times) & values.notna().to_numpy(), "is not a number"),
        (np.isfinite(times) & (times <= 0), "is zero or negative"),
    )
    for mask, problem in problems:
        bad = np.flatnonzero(mask)
        if len(bad):
            raise DataError(
                f"{source}: time column '{column}' {problem} at {_lines(raw, bad)}; every "
                "follow-up time must be a positive number (time from baseline to the event or "
                "to the last contact), so fix or remove those rows."
            )
    return times


def horizons(options: Mapping[str, Any], longest: float, column: str, source: str) -> list[float]:
    """The ``--horizons`` option as numbers (empty: the run uses the median follow-up).

    Raises:
        OptionError: Not positive numbers, or beyond the longest follow-up time.
    """
    text = options.get("horizons")
    if text is None or not str(text).strip():
        return []
    try:
        values = [float(part) for part in str(text).split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or min(values) <= 0 or not all(np.isfinite(values)):
        raise OptionError(
            f"--horizons must be comma-separated positive times such as 365,730,1825 (in the "
            f"unit of '{column}'); got '{text}'."
        )
    beyond = [v for v in values if v >= longest]
    if beyond:
        raise OptionError(
            f"--horizons {', '.join(f'{v:g}' for v in beyond)} is not before the longest "
            f"follow-up in {source} ({longest:g} in '{column}'), so survival there cannot be "
            f"checked; choose horizons below {longest:g}."
        )
    return sorted(set(values))


def survival_roles(
    header: pd.DataFrame, options: Mapping[str, Any], columns: tuple[str, str], source: str,
    group_column: str | None,
) -> dict:  # fmt: skip
    """The column roles of a survival cohort (a whole table, or the header of a streamed one):
    both columns present, the event column neither id nor group, and not a feature.

    Raises:
        DataError: A column is missing.
        OptionError: The id or group column is the event column.
    """
    time_column, event_column = columns
    for option, column in (("--time-column", time_column), ("--event-column", event_column)):
        require_column(header, column, option, source)
    roles = column_roles(header, options, time_column, source, group_column)
    for option in ("id", "group"):
        if roles[option] == event_column:
            raise OptionError(f"--{option}-column '{event_column}' is the --event-column; pick "
                              "another.")  # fmt: skip
    roles["exclude"] = [*roles["exclude"], event_column]
    return roles


def training_examples(
    raw: pd.DataFrame,
    options: Mapping[str, Any],
    columns: tuple[str, str],
    source: str,
    *,
    group_column: str | None = None,
    plan: ColumnPlan | None = None,
    subgroup_column: str | None = None,
) -> pd.DataFrame:
    """The examples table of a survival cohort: ``label`` holds ``SurvivalLabel(time, event)``.

    A table read whole without a ``split`` column is split here, stratified by event (and by
    group with the ``group_column`` the loop handed over), so every split gets its share of
    events. A part of a table read in parts (``plan.in_parts``) is split by the loop, and the
    checks that need every row (some event, ``--horizons`` before the longest follow-up) are
    left to the end of the pass. The ``id_column`` column names the raw id column, for
    ``RiskTask.derive``.
    """
    import pandas as pd

    from pmtk.core.contract.targets import SurvivalLabel

    time_column, event_column = columns
    if plan is None:
        roles = survival_roles(raw, options, columns, source, group_column)
        plan = table_plan(raw, roles, time_column, source)
    times = follow_up_times(raw, time_column, source)
    events = event_flags(raw, event_column, source, require_event=not plan.in_parts)
    if not plan.in_parts:
        horizons(options, float(times.max()), time_column, source)  # checked before training
    labels = [SurvivalLabel(float(t), int(e)) for t, e in zip(times, events, strict=True)]
    label = pd.Series(labels, index=raw.index, dtype=object)
    nonfinite = "missing" if options.get("nonfinite_as_missing") else "refuse"
    examples = examples_frame(raw, label, plan, source, nonfinite=nonfinite,
                              subgroup_column=subgroup_column)  # fmt: skip
    return examples.reset_index(drop=True)
