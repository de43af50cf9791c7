"""The patient table: one row per patient, modality columns beside clinical ones.

The clinical columns, the target, ids, groups and splits are read exactly as the risk task
reads a cohort (``pmtk.plugins.risk.reading``); the ``--modality`` columns are kept as text
cells, an empty cell meaning the patient lacks that modality.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.errors import DataError
from pmtk.plugins.fusion.modalities import CELL_PREFIX, TABULAR, Modality
from pmtk.plugins.risk.columns import ids
from pmtk.plugins.risk.features import FEATURE_PREFIX, where
from pmtk.plugins.risk.reading import (
    id_source,
    prediction_examples,
    read_table,
    training_examples,
)

if TYPE_CHECKING:
    import pandas as pd

#: Examples-table column with the patient's position in the raw table (for messages).
ROW = "row"


def read_patients(
    path: Path,
    modalities: list[Modality],
    tabular: Modality,
    registry: Any,
    *,
    tabular_derived: Mapping[str, Any] | None = None,
    group_column: str | None = None,
) -> pd.DataFrame:
    """The examples table of a patient table: the risk task's columns plus one cell column
    per modality (``modality:NAME``, None where empty) and ``row``. Nothing is checked
    across modalities yet: see :func:`check_patients`.

    Args:
        path: The patient table (CSV, TSV or Parquet).
        modalities: The ``--modality`` columns.
        tabular: The clinical columns' modality (its options say target, id, exclusions).
        registry: The plugin registry (for the risk task's table readers).
        tabular_derived: When predicting: what training derived for the clinical columns.
        group_column: The ``--group-column`` (training only).

    Raises:
        DataError: A modality column missing from the table, or any of the risk task's
            refusals (repeated ids, bad numbers, no outcome).
    """
    source = str(path)
    raw = read_table(path, tabular.context(registry))
    absent = [m.name for m in modalities if m.name not in raw.columns]
    if absent:
        raise DataError(
            f"{source} has no column '{absent[0]}' (--modality); its columns are: "
            f"{', '.join(map(str, raw.columns))}."
        )
    if tabular_derived is None:
        examples = training_examples(
            raw, tabular.options, source, group_column=group_column,
            require_features=False,
        )  # fmt: skip
        id_column = id_source(examples, tabular.options.get("id_column"))
    else:
        examples = prediction_examples(raw, tabular_derived, source)
        id_column = tabular_derived.get("id_column")
    positions = _raw_positions(raw, examples, id_column, source)
    examples[ROW] = positions
    for modality in modalities:
        examples[CELL_PREFIX + modality.name] = cells(raw[modality.name]).to_numpy()[positions]
    # where() names rows by the raw file's line numbers; ROW holds the raw positions
    examples.attrs["row_label"] = raw.attrs.get("row_label", ("row", 1))
    return examples


def cells(values: pd.Series) -> pd.Series:
    """A modality column as stripped text, None where the cell is empty."""
    text = values.astype(object).where(values.notna(), None)
    stripped = text.map(lambda cell: None if cell is None else str(cell).strip())
    return stripped.where(stripped.ne(""), None)


def cell_where(source: str, examples: pd.DataFrame, column: str) -> Callable[[int], str]:
    """``where(position)`` naming the cell of ``column`` in the raw table's row ``position``."""
    return lambda position: f"{source}, {where(examples, int(position))}, column '{column}'"


def present(examples: pd.DataFrame, modality: Modality) -> np.ndarray:
    """Which patients have the modality: a non-empty cell, or for ``tabular`` any value."""
    if modality.name == TABULAR:
        features = [c for c in examples.columns if c.startswith(FEATURE_PREFIX)]
        if not features:
            return np.zeros(len(examples), dtype=bool)
        table = examples[features]
        known = table.notna() & table.astype(str).ne("")
        return known.any(axis=1).to_numpy()
    return examples[CELL_PREFIX + modality.name].notna().to_numpy()


def check_patients(
    examples: pd.DataFrame, modalities: list[Modality], source: str, *, training: bool
) -> None:
    """Refuses a patient with nothing known, and (training) a modality nobody has.

    Raises:
        DataError: Naming the row or the column and what to do.
    """
    from pmtk.plugins.fusion.modalities import TABULAR_TASK

    tabular = Modality(TABULAR, TABULAR_TASK, None, {}, TABULAR)
    if training:
        for modality in modalities:
            if not present(examples, modality).any():
                raise DataError(
                    f"{source}: the modality column '{modality.name}' is empty for every "
                    "patient; fill it in, or drop its --modality flag."
                )
    known = present(examples, tabular)
    for modality in modalities:
        known = known | present(examples, modality)
    if not known.all():
        position = int(examples[ROW].to_numpy()[np.flatnonzero(~known)[0]])
        raise DataError(
            f"{source}, {where(examples, position)}: every modality and every clinical value is "
            "missing, so pmtk cannot score this patient; add data for it or remove the row."
        )


def _raw_positions(
    raw: pd.DataFrame, examples: pd.DataFrame, id_column: str | None, source: str
) -> np.ndarray:
    """Each example's position in the raw table (rows without an outcome were left out)."""
    import pandas as pd

    if len(examples) == len(raw):
        return np.arange(len(raw))
    positions = pd.Index(ids(raw, id_column, source)).get_indexer(examples["id"])
    if (positions < 0).any():  # the risk reader's ids always come from the raw table
        raise DataError(f"{source}: could not match rows to patients; give an --id-column.")
    return positions
