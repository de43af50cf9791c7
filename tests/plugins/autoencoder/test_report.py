"""Run outputs: codes tables, the variance-explained metric and the plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.plugins.autoencoder.codes import (
    ROW,
    code_frame,
    embedding_rows,
    in_file_order,
    plot_codes,
)
from pmtk.plugins.autoencoder.fit_metrics import explained_variance


def test_explained_variance_matches_sklearn_when_complete():
    from sklearn.metrics import mean_squared_error, r2_score

    rng = np.random.default_rng(0)
    target = rng.normal(size=(20, 4)) * [1, 2, 3, 4] + [0, 1, 2, 3]
    rebuilt = target + rng.normal(scale=0.5, size=target.shape)
    mse, r2 = explained_variance(target, rebuilt)
    assert r2 == pytest.approx(r2_score(target, rebuilt, multioutput="variance_weighted"), 1e-5)
    assert mse == pytest.approx(mean_squared_error(target, rebuilt), 1e-5)


def test_explained_variance_skips_missing_entries():
    target = np.array([[1.0, np.nan], [2.0, 5.0], [3.0, 7.0]])
    rebuilt = np.array([[1.0, 1e6], [2.0, 5.0], [3.0, 7.0]])  # wrong only where nothing is known
    assert explained_variance(target, rebuilt) == (0.0, 1.0)
    assert explained_variance(target[:1, :1], rebuilt[:1, :1])[1] is None


def test_code_frame():
    frame = code_frame(pd.Series(["a", "b"]), np.array([[0.1234567, 2.0], [3.0, 4.0]]))
    assert list(frame.columns) == ["id", "z1", "z2"]
    assert frame.loc[0, "z1"] == 0.123457


def test_embeddings_are_in_file_order_with_split_and_color():
    def split(rows, ids):
        return pd.DataFrame({"id": ids, "row": rows, "color": ["x"] * len(rows)})

    splits = {"train": split([2, 0], ["c", "a"]), "test": split([1], ["b"])}
    outputs = {"train": {"code": np.array([[2.0], [0.0]])}, "test": {"code": np.array([[1.0]])}}
    streams = [[embedding_rows(splits[name], name, outputs[name]["code"], "cell_type")]
               for name in splits]  # fmt: skip
    table = pd.concat(in_file_order(streams), ignore_index=True).drop(columns=ROW)
    assert list(table.columns) == ["id", "split", "cell_type", "z1"]
    assert list(table["id"]) == ["a", "b", "c"]
    assert list(table["split"]) == ["train", "test", "train"]
    assert list(table["z1"]) == [0.0, 1.0, 2.0]


def test_parts_of_splits_merge_in_file_order():
    """Each split's parts in file order (as read in parts) give one table in file order."""
    rng = np.random.default_rng(0)
    split = rng.choice(["train", "val", "test"], 200, p=[0.7, 0.15, 0.15])

    def parts(name):  # read lazily, five parts per split, as parts() gives them
        for rows in np.array_split(np.flatnonzero(split == name), 5):
            examples = pd.DataFrame({"id": rows.astype(str), "row": rows})
            yield embedding_rows(examples, name, rows[:, None].astype(float), None)

    merged = list(in_file_order([parts(name) for name in ("train", "val", "test")]))
    table = pd.concat(merged, ignore_index=True)
    assert len(merged) > 1
    assert list(table[ROW]) == list(range(200))
    assert list(table["split"]) == list(split)
    assert list(table["z1"]) == list(range(200))


@pytest.mark.parametrize(
    ("codes", "colors"),
    [
        (2, None),
        (2, ["a", "b", None, "a"] * 10),
        (3, list(np.linspace(0, 1, 40))),
        (1, ["a", "b"] * 20),
    ],
    ids=["no-color", "categories-with-missing", "numeric-scale", "one-dimension"],
)
def test_plot_codes(tmp_path: Path, codes: int, colors):
    rng = np.random.default_rng(0)
    table = code_frame(pd.Series([str(i) for i in range(40)]), rng.normal(size=(40, codes)))
    if colors is not None:
        table["group"] = colors
    path = tmp_path / "codes.png"
    plot_codes(path, table, "group" if colors is not None else None)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_weighted_fit_equals_explained_variance_of_the_resample():
    """Count weights give what the duplicated rows give (the bootstrap relies on it)."""
    from pmtk.plugins.autoencoder.fit_metrics import explained_variance, weighted_fit

    rng = np.random.default_rng(0)
    target = rng.normal(size=(50, 6))
    target[rng.random((50, 6)) < 0.1] = np.nan
    rebuilt = np.nan_to_num(target) + rng.normal(0, 0.3, (50, 6))
    weights = rng.multinomial(50, np.ones(50) / 50, size=3).astype(float)
    mse, r2 = weighted_fit(target, rebuilt, weights)
    for row, counts in enumerate(weights):
        rows = np.repeat(np.arange(50), counts.astype(int))
        expected = explained_variance(target[rows], rebuilt[rows])
        assert (mse[row], r2[row]) == pytest.approx(expected, abs=1e-6)
