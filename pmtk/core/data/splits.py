"""Train/validation/test splits shared by every task: stratified, grouped, or given by a column."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import pandas as pd

SPLITS = ("train", "val", "test")
_SPLIT_NAMES = {"train": "train", "training": "train", "val": "val", "valid": "val",
                "validation": "val", "test": "test", "testing": "test"}  # fmt: skip


def assign_splits(
    *,
    strata: np.ndarray | None,
    groups: pd.Series | None,
    fixed: pd.Series | None,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    source: str,
    n: int,
    class_names: list[str] | None = None,
) -> np.ndarray:
    """Assigns each example to ``train``, ``val`` or ``test``.

    A ``split`` column wins; otherwise examples are split at random, stratified by
    class when ``strata`` is given, keeping every group in one split when
    ``groups`` is given. A ``split`` column with train and test but no val rows
    (common in public data sets) gets its validation split carved out of train.

    Args:
        strata: Class index per example, or None (regression, reconstruction).
        groups: Group (patient) per example, or None.
        fixed: The data's ``split`` column, or None.
        val_fraction: Share of examples (or groups) for validation.
        test_fraction: Share of examples (or groups) for testing.
        seed: Random seed; the same seed gives the same split.
        source: The data file, for error messages.
        n: Number of examples.
        class_names: Names of the classes, for error messages.

    Returns:
        An array of split names, one per example.
    """
    if fixed is not None:
        result = _fixed_splits(fixed, source)
        if "val" not in set(result) and "train" in set(result):
            train = np.flatnonzero(result == "train")
            sub = lambda a: None if a is None else a[train]  # noqa: E731
            _, val = _split(
                train, val_fraction, sub(strata),
                None if groups is None else groups.iloc[train], seed, source,
            )  # fmt: skip
            result[val] = "val"
        return result
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise OptionError(
            "--val-fraction and --test-fraction must each be between 0 and 1 and sum to less "
            f"than 1; got {val_fraction} and {test_fraction}."
        )
    if strata is not None:
        _check_class_sizes(strata, class_names or [], source)
    index = np.arange(n)
    rest, test = _split(index, test_fraction, strata, groups, seed, source)
    share = val_fraction / (1 - test_fraction)
    sub = lambda a: None if a is None else a[rest]  # noqa: E731
    train, val = _split(
        rest, share, sub(strata), None if groups is None else groups.iloc[rest], seed, source
    )
    result = np.empty(n, dtype=object)
    result[train], result[val], result[test] = "train", "val", "test"
    return result


def _split(index, fraction, strata, groups, seed, source) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import (
        GroupShuffleSplit,
        StratifiedGroupKFold,
        train_test_split,
    )

    if groups is None:
        try:
            return train_test_split(
                index, test_size=fraction, stratify=strata, random_state=seed, shuffle=True
            )
        except ValueError as error:
            raise DataError(
                f"{source}: cannot split {len(index)} examples into train/val/test ({error}); "
                "add examples or give a 'split' column."
            ) from None
    group_values = groups.to_numpy()
    if strata is None:
        splitter = GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
        try:
            first, second = next(splitter.split(index, groups=group_values))
        except ValueError as error:
            raise DataError(
                f"{source}: cannot split {len(index)} examples in {len(set(group_values))} groups "
                f"into train/val/test ({error}); add patients, lower the fractions or give a "
                "'split' column."
            ) from None
    else:
        folds = max(2, round(1 / fraction))
        if len(np.unique(group_values)) < folds:
            raise DataError(
                f"{source}: only {len(np.unique(group_values))} groups; splitting by group needs "
                f"at least {folds}. Add patients, lower the fractions or give a 'split' column."
            )
        splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        first, second = next(splitter.split(index, strata, groups=group_values))
    return index[first], index[second]


def _check_class_sizes(strata: np.ndarray, class_names: list[str], source: str) -> None:
    classes, counts = np.unique(strata, return_counts=True)
    if counts.min() < len(SPLITS):
        smallest = class_names[int(classes[counts.argmin()])] if class_names else "a class"
        raise DataError(
            f"{source}: class '{smallest}' has only {counts.min()} example(s); each class needs "
            "at least 3 (one each for train, validation and test). Add examples or give a "
            "'split' column."
        )


def _fixed_splits(fixed: pd.Series, source: str) -> np.ndarray:
    names = fixed.astype(str).str.strip().str.lower()
    unknown = ~names.isin(list(_SPLIT_NAMES))
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataError(
            f"{source}: row {row + 1} has split '{fixed.iloc[row]}'; the 'split' column may only "
            "hold train, val or test."
        )
    return names.map(_SPLIT_NAMES).to_numpy(dtype=object)


def check_splits(
    split: np.ndarray, strata: np.ndarray | None, class_names: list[str], source: str
) -> None:
    """Raises a DataError when a split is empty or lacks a class.

    Args:
        split: Split name per example.
        strata: Class index per example, or None.
        class_names: Names of the classes, for the message.
        source: The data file, for error messages.
    """
    for name in SPLITS:
        members = split == name
        if not members.any():
            raise DataError(
                f"{source}: the {name} split is empty; add examples or fix the 'split' column."
            )
        if strata is None:
            continue
        missing = set(range(len(class_names))) - set(np.unique(strata[members]).tolist())
        if missing:
            absent = ", ".join(repr(class_names[i]) for i in sorted(missing))
            raise DataError(
                f"{source}: the {name} split has no example of class {absent}; add examples of "
                "that class or change the 'split' column or group column."
            )
