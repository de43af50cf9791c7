"""Tiny synthetic cohorts for the risk tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def make_cohort(rows: int = 60, target: str = "binary", seed: int = 0) -> pd.DataFrame:
    """A learnable cohort with numeric, categorical and missing values.

    Args:
        rows: Number of people.
        target: ``binary`` (``yes``/``no``), ``multiclass`` (three stages) or
            ``regression`` (a continuous score) in the column ``outcome``.
        seed: Random seed.
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(30, 90, rows).astype(float)
    bmi = rng.normal(27, 4, rows).round(1)
    smoking = rng.choice(["never", "former", "current"], rows)
    risk = (age - 60) / 10 + (smoking == "current") * 1.5
    frame = pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in range(rows)],
            "age": age,
            "bmi": np.where(rng.random(rows) < 0.15, np.nan, bmi),
            "smoking": np.where(rng.random(rows) < 0.1, None, smoking),
            "site": rng.choice(["north", "south"], rows),
        }
    )
    if target == "binary":
        frame["outcome"] = np.where(risk + rng.normal(0, 0.5, rows) > 0, "yes", "no")
    elif target == "multiclass":
        frame["outcome"] = np.array(["mild", "moderate", "severe"])[
            np.digitize(risk, np.quantile(risk, [1 / 3, 2 / 3]))
        ]
    else:
        frame["outcome"] = (50 + 10 * risk + rng.normal(0, 2, rows)).round(2)
    return frame


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Writes ``frame`` as CSV, TSV or Parquet, chosen by the file name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, sep="\t" if path.suffix == ".tsv" else ",", index=False)
    return path


@pytest.fixture
def cohort_csv(tmp_path: Path) -> Path:
    """A 60-row binary cohort CSV (target column ``outcome``)."""
    return write_table(make_cohort(), tmp_path / "data" / "cohort.csv")


def json_keys(value, prefix: str = "") -> set[str]:
    """Every key path of a JSON value (list items share one path), to compare two runs'
    ``metrics.json`` shapes."""
    if isinstance(value, dict):
        found = set()
        for key, inner in value.items():
            found |= {f"{prefix}/{key}"} | json_keys(inner, f"{prefix}/{key}")
        return found
    if isinstance(value, list):
        return set().union(*(json_keys(item, prefix + "[]") for item in value)) if value else set()
    return set()
