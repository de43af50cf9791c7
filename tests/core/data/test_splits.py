"""Train/validation/test splits: stratified, grouped, fixed by a column, and their errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data.splits import (
    SPLITS,
    assign_splits,
    batch_splits,
    check_splits,
    split_names,
)
from pmtk.core.errors import DataError, OptionError

SOURCE = "/data/cohort.csv"


def _split(strata=None, groups=None, fixed=None, *, n=None, seed=0, val=0.15, test=0.15):
    if n is None:
        n = len(strata) if strata is not None else len(groups if groups is not None else fixed)
    return assign_splits(
        strata=strata,
        groups=groups,
        fixed=fixed,
        val_fraction=val,
        test_fraction=test,
        seed=seed,
        source=SOURCE,
        n=n,
    )


def _classes(*counts: int) -> np.ndarray:
    return np.concatenate([np.full(count, index) for index, count in enumerate(counts)])


@pytest.mark.parametrize(
    "counts", [(50, 50), (70, 30), (40, 30, 30)], ids=["balanced", "imbalanced", "three-classes"]
)
def test_stratified_split_is_70_15_15_with_every_class_everywhere(counts):
    strata = _classes(*counts)
    split = _split(strata)
    n = len(strata)
    assert set(split) == set(SPLITS)
    for name, share in (("train", 0.70), ("val", 0.15), ("test", 0.15)):
        members = split == name
        assert abs(members.sum() / n - share) <= 0.03, name
        assert set(strata[members]) == set(range(len(counts))), name
        for index, count in enumerate(counts):
            # Stratified: each class keeps its share in every split (within rounding).
            assert abs((strata[members] == index).sum() - count * share) <= 2


def test_same_seed_same_split_other_seed_different():
    strata = _classes(30, 30)
    first, again = _split(strata, seed=3), _split(strata, seed=3)
    assert (first == again).all()
    assert (first != _split(strata, seed=4)).any()


def test_unstratified_split_for_regression():
    split = _split(None, n=100)
    sizes = {name: int((split == name).sum()) for name in SPLITS}
    # sklearn rounds the test share up, so validation may get one example more.
    assert sizes["test"] == 15 and sizes["val"] in (15, 16) and sum(sizes.values()) == 100


def _patients(count: int, per_patient: int) -> pd.Series:
    return pd.Series([f"p{i // per_patient:02d}" for i in range(count * per_patient)])


def _assert_groups_in_one_split(split: np.ndarray, groups: pd.Series) -> None:
    splits_per_group = pd.Series(split).groupby(groups.to_numpy()).nunique()
    assert (splits_per_group == 1).all(), splits_per_group[splits_per_group > 1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_groups_never_straddle_splits_when_stratified(seed):
    groups = _patients(40, 3)
    # Patients are all-positive or all-negative, alternately.
    strata = np.array([int(g[1:]) % 2 for g in groups])
    split = _split(strata, groups, seed=seed)
    _assert_groups_in_one_split(split, groups)
    check_splits(split, strata, ["no", "yes"], SOURCE)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_groups_never_straddle_splits_without_strata(seed):
    groups = _patients(30, 4)
    split = _split(None, groups, seed=seed)
    _assert_groups_in_one_split(split, groups)
    assert set(split) == set(SPLITS)


def test_too_few_groups_for_a_stratified_group_split_is_a_clear_error():
    groups = _patients(4, 5)
    strata = np.array([int(g[1:]) % 2 for g in groups])
    with pytest.raises(DataError, match="only 4 groups") as caught:
        _split(strata, groups)
    assert SOURCE in str(caught.value) and "'split' column" in str(caught.value)


def test_too_few_groups_without_strata_is_a_data_error():
    with pytest.raises(DataError, match=SOURCE):
        _split(None, pd.Series(["a"] * 10 + ["b"] * 10))


@pytest.mark.parametrize(
    "values",
    [
        ["train", "val", "test", "train"],
        ["TRAIN", "Validation", " test ", "Train"],
        ["training", "valid", "testing", "train"],
    ],
    ids=["lower", "mixed-case-spaces", "long-names"],
)
def test_split_column_overrides_random_split(values):
    fixed = pd.Series(values * 3)
    split = _split(_classes(6, 6), groups=_patients(4, 3), fixed=fixed)
    assert list(split) == ["train", "val", "test", "train"] * 3


def test_invalid_split_value_names_the_row():
    fixed = pd.Series(["train", "val", "holdout", "test"])
    with pytest.raises(DataError) as caught:
        _split(fixed=fixed)
    message = str(caught.value)
    assert SOURCE in message and "row 3" in message and "'holdout'" in message
    assert "train, val or test" in message


def test_class_with_too_few_examples_is_a_clear_error():
    with pytest.raises(DataError) as caught:
        _split(_classes(20, 2))
    message = str(caught.value)
    assert message.startswith(SOURCE) and "only 2 example(s)" in message
    assert "at least 3" in message and "'split' column" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("val", "test"),
    [(0.0, 0.15), (0.15, 0.0), (1.2, 0.1), (0.5, 0.5), (-0.1, 0.2)],
    ids=["val-zero", "test-zero", "val-above-one", "sum-one", "negative"],
)
def test_bad_fractions_are_option_errors(val, test):
    with pytest.raises(OptionError, match="--val-fraction and --test-fraction"):
        _split(_classes(20, 20), val=val, test=test)


def test_check_splits_rejects_an_empty_split():
    split = np.array(["train", "train", "val", "val"])
    with pytest.raises(DataError, match="the test split is empty") as caught:
        check_splits(split, None, [], SOURCE)
    assert SOURCE in str(caught.value)


def test_check_splits_rejects_a_class_missing_from_a_split():
    split = np.array(["train", "train", "val", "val", "test", "test"])
    strata = np.array([0, 1, 0, 1, 0, 0])
    with pytest.raises(DataError) as caught:
        check_splits(split, strata, ["normal", "lesion"], SOURCE)
    message = str(caught.value)
    assert SOURCE in message and "test split has no example of class 'lesion'" in message


def test_check_splits_accepts_complete_splits():
    split = np.array(["train", "val", "test"] * 2)
    check_splits(split, np.array([0, 0, 0, 1, 1, 1]), ["a", "b"], SOURCE)


def test_split_column_without_val_carves_val_from_train():
    fixed = pd.Series(["train"] * 4000 + ["test"] * 1000)
    ids = pd.Series([f"P{i:05d}" for i in range(5000)])
    result = assign_splits(
        strata=np.array([0, 1] * 2500), groups=None, fixed=fixed, val_fraction=0.2,
        test_fraction=0.15, seed=1, source="data.csv", n=5000, keys=ids,
    )  # fmt: skip
    assert (result[4000:] == "test").all()
    assert 0.17 < (result[:4000] == "val").mean() < 0.23
    # The rows read in parts carve are the same rows, whatever the part boundaries.
    options = {"val_fraction": 0.2, "test_fraction": 0.15, "seed": 1}
    parts = [batch_splits(ids[i : i + 700], options, fixed[i : i + 700], carve=True)
             for i in range(0, 5000, 700)]  # fmt: skip
    assert (np.concatenate(parts) == result).all()


def test_carving_keeps_a_group_in_one_split():
    groups = pd.Series([f"patient{i // 4}" for i in range(800)])
    result = assign_splits(
        strata=None, groups=groups, fixed=pd.Series(["train"] * 600 + ["test"] * 200),
        val_fraction=0.15, test_fraction=0.15, seed=3, source="data.csv", n=800,
    )  # fmt: skip
    assert (pd.Series(result).groupby(groups).nunique() == 1).all()
    assert (result[:600] == "val").any()


@pytest.mark.parametrize("spelt", ["validation", "Valid", " VAL ", "dev"])
def test_the_alias_table_is_shared_by_both_paths(spelt):
    fixed = pd.Series(["train", spelt, "test", "Training", "testing"])
    expected = ["train", "val", "test", "train", "test"]
    assert list(split_names(fixed, "data.csv")) == expected
    options = {"val_fraction": 0.15, "test_fraction": 0.15, "seed": 0}
    assert list(batch_splits(np.arange(5), options, fixed)) == expected


def test_a_value_outside_the_table_names_its_row_on_both_paths():
    fixed = pd.Series(["train", "train", "holdout"])
    with pytest.raises(DataError, match=r"^data.csv: row 3 has split 'holdout'; the 'split' col"):
        split_names(fixed, "data.csv")
    options = {"val_fraction": 0.15, "test_fraction": 0.15, "seed": 0}
    with pytest.raises(DataError, match=r"^data.csv: line 12 has split 'holdout'; the 'split' c"):
        batch_splits(np.arange(3), options, fixed, lambda i: f"line {i + 10}", "data.csv")
