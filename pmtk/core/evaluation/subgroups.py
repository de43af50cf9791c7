"""Metrics per subgroup (sex, age band, site) of the test split, with 95% intervals.

``--subgroup-column COL`` names any column of the data table: a cohort's column, or an
extra column of an imaging or sequence manifest. Subgroups with fewer than
``bootstrap.MIN_EXAMPLES`` examples, or one class only, keep their ``n`` and get
``null`` metrics rather than numbers nobody should read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.errors import DataError
from pmtk.core.evaluation import bootstrap, metrics

if TYPE_CHECKING:
    import pandas as pd


#: File endings whose header ``--subgroup-column`` is checked against before training.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".parquet", ".pq")
#: Prefix plugins give feature columns in their examples tables.
FEATURE_PREFIX = "feature:"
#: Prefix of a column a task adds to its examples to carry a ``--subgroup-column`` that is
#: not one of its features (so data read in parts never reads its table again).
SUBGROUP_PREFIX = "subgroup:"


def table_columns(path: Path) -> list[str] | None:
    """The column names of a CSV, TSV or Parquet file or a folder of Parquet files (its first
    file), or None for anything else."""
    import pyarrow.parquet as pq

    from pmtk.core.data.tables import text_header

    name = path.name.lower()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".parquet", ".pq"))
        return list(pq.read_schema(files[0]).names) if files else None
    if not path.is_file() or not name.endswith(TABLE_SUFFIXES):
        return None
    try:
        if name.endswith((".parquet", ".pq")):
            return list(pq.read_schema(path).names)
        return text_header(path)
    except (DataError, OSError, ValueError):
        return None  # the task's reader gives the one-sentence error for a bad file


def subgroup_values(examples: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    """The subgroup of every row of the examples table, as text ('missing' when empty).

    Looks in the task's feature columns first, then in a ``subgroup:COLUMN`` column the task
    carries, then re-reads the data table and lines its rows up with the examples (by
    ``row`` number, image ``path`` or position).

    Raises:
        DataError: The column is not in the data, or its rows cannot be matched.
    """
    import pandas as pd

    if FEATURE_PREFIX + column in examples:
        return subgroup_text(examples[FEATURE_PREFIX + column])
    if SUBGROUP_PREFIX + column in examples:  # carried by a task that reads it in parts
        return subgroup_text(examples[SUBGROUP_PREFIX + column])
    columns = table_columns(Path(path))
    if columns is not None and column in columns:
        raw = _read_table(Path(path))
        if "row" in examples and len(raw) >= examples["row"].max() - 1:
            return subgroup_text(raw[column].iloc[examples["row"].to_numpy() - 2])
        if "path" in raw and "id" in examples:
            by_path = pd.Series(raw[column].to_numpy(), index=raw["path"].astype(str).str.strip())
            if examples["id"].isin(by_path.index).all() and by_path.index.is_unique:
                return subgroup_text(by_path.loc[examples["id"]])
        if len(raw) == len(examples):
            return subgroup_text(raw[column])
    if column in examples:
        return subgroup_text(examples[column])
    raise DataError(
        f"{path}: the rows of --subgroup-column '{column}' cannot be matched to the examples "
        f"(columns: {', '.join(columns or map(str, examples.columns))}); give a table with "
        "one row per example."
    )


def subgroup_metrics(
    kind: str,
    values: np.ndarray,
    truth: np.ndarray,
    scores: np.ndarray,
    *,
    groups: Any = None,
    resamples: int,
    seed: int,
) -> dict[str, dict[str, Any]]:
    """Metrics, ``n`` and 95% intervals of each subgroup of the test split.

    Args:
        kind: ``binary``, ``multiclass`` or ``regression``.
        values: Subgroup of each test example.
        truth: Encoded test targets.
        scores: The model's test scores.
        groups: Group (patient) of each test example, resampled whole.
        resamples: Bootstrap resamples (0: no intervals).
        seed: Seed of the resampling.

    Returns:
        Per subgroup value, the split's metrics plus ``n`` and ``ci``; ``null`` metrics
        for subgroups too small or with one class only.
    """
    from pmtk.core.evaluation.resampled import weighted_metrics

    names = list(metrics.evaluate(kind, truth, scores))
    found: dict[str, dict[str, Any]] = {}
    for value in sorted(set(values)):
        index = np.flatnonzero(values == value)
        part_truth, part_scores = truth[index], scores[index]
        small = len(index) < bootstrap.MIN_EXAMPLES or (
            kind != "regression" and len(np.unique(part_truth)) < 2
        )
        if small:
            found[value] = dict.fromkeys(names) | {"n": len(index), "ci": dict.fromkeys(names)}
            continue
        entry: dict[str, Any] = metrics.evaluate(kind, part_truth, part_scores)
        entry["n"] = len(index)
        entry["ci"] = dict.fromkeys(names)
        if resamples:
            part_groups = None if groups is None else np.asarray(groups)[index]

            def statistic_of(rows, t=part_truth, s=part_scores):
                return lambda weights: weighted_metrics(kind, t[rows], s[rows], weights)

            entry["ci"] = bootstrap.split_intervals(
                statistic_of, len(index), part_groups, resamples, seed
            )
        found[value] = entry
    return found


def _read_table(path: Path) -> pd.DataFrame:
    import pandas as pd

    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    separator = "\t" if ".tsv" in name else ","
    table = pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False)
    table.columns = [str(c).strip() for c in table.columns]
    return table


def subgroup_text(values: Any) -> np.ndarray:
    """Each value as stripped text, ``missing`` where empty or NaN: the name of its subgroup."""
    import pandas as pd

    series = pd.Series(np.asarray(values, dtype=object))
    text = series.astype(str).str.strip()
    return text.where(series.notna() & (text != "") & (text != "nan"), "missing").to_numpy()
