"""Tiny feature tables for the autoencoder tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def make_table(rows: int = 40, features: int = 6, *, seed: int = 0) -> pd.DataFrame:
    """A learnable table: features are smooth functions of two hidden variables.

    Columns: ``sample`` (ids ``s000``...), ``kind`` (``a``/``b``, for colouring), then
    ``f1..fN``.
    """
    rng = np.random.default_rng(seed)
    hidden = rng.uniform(-1, 1, (rows, 2))
    weights = rng.normal(size=(2, features))
    values = np.tanh(hidden @ weights) + rng.normal(0, 0.05, (rows, features))
    table = pd.DataFrame(values.round(4), columns=[f"f{i}" for i in range(1, features + 1)])
    table.insert(0, "kind", np.where(hidden[:, 0] > 0, "a", "b"))
    table.insert(0, "sample", [f"s{i:03d}" for i in range(rows)])
    return table


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Writes ``table`` as CSV, TSV (``.tsv``/``.txt``) or Parquet, by the file's suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        table.to_parquet(path, index=False)
    else:
        table.to_csv(path, index=False, sep="\t" if path.suffix in (".tsv", ".txt") else ",")
    return path


@pytest.fixture
def features_csv(tmp_path: Path) -> Path:
    """A 40-row CSV with ``sample``, ``kind`` and six numeric features."""
    return write_table(make_table(), tmp_path / "data" / "features.csv")
