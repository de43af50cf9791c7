"""Train/validation/test splits for every task and every data size: one module, one rule set.

- A ``split`` column wins. :data:`SPLIT_ALIASES` is the one table of names it may hold (any
  case, spaces ignored), and :func:`split_names` gives the one sentence for a value it may
  not. A column that names no validation rows gets them carved out of its training rows by
  :func:`carve_validation`: the same rows whatever the data's size.
- Otherwise data read whole is split at random, stratified by class and kept together by
  group (:func:`assign_splits`); data read in parts is split by a stable hash of each row's
  group, else id (:func:`hash_splits`), so no table of assignments is held.
- :func:`check_splits` refuses an empty split or a split that lacks a class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import pandas as pd

SPLITS = ("train", "val", "test")
#: What a ``split`` column may hold for each split (compared in lower case, stripped).
SPLIT_ALIASES = {"train": "train", "training": "train", "val": "val", "valid": "val",
                 "validation": "val", "dev": "val", "test": "test", "testing": "test"}  # fmt: skip


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
    keys: pd.Series | np.ndarray | None = None,
    where: Callable[[int], str] | None = None,
) -> np.ndarray:
    """Assigns each example to ``train``, ``val`` or ``test``.

    A ``split`` column wins; otherwise examples are split at random, stratified by
    class when ``strata`` is given, keeping every group in one split when
    ``groups`` is given. A ``split`` column with train and test but no val rows
    (common in public data sets) gets its validation split carved out of train
    (:func:`carve_validation`, by the group, else ``keys``, else the row number).

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
        keys: Each example's id, to carve a validation split from a ``split`` column.
        where: ``position -> "line N"`` naming a row in messages (default ``"row N"``).

    Returns:
        An array of split names, one per example.
    """
    if fixed is not None:
        result = split_names(fixed, source, where)
        if "val" not in set(result):
            carve_keys = groups if groups is not None else keys
            carve_keys = np.arange(n) if carve_keys is None else np.asarray(carve_keys)
            result = carve_validation(result, carve_keys, val_fraction=val_fraction, seed=seed)
        return result
    check_fractions(val_fraction, test_fraction)
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


def check_fractions(val_fraction: float, test_fraction: float) -> None:
    """Refuses validation and test shares that leave no training data.

    Raises:
        OptionError: A share outside (0, 1), or shares summing to 1 or more.
    """
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise OptionError(
            "--val-fraction and --test-fraction must each be between 0 and 1 and sum to less "
            f"than 1; got {val_fraction} and {test_fraction}."
        )


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


def split_names(values: Any, source: str, where: Callable[[int], str] | None = None) -> np.ndarray:
    """The split of each row named by a ``split`` column, through :data:`SPLIT_ALIASES`.

    Args:
        values: The column's values (one batch of them when the data is read in parts).
        source: The data file, for the message.
        where: ``position -> "line N"`` naming a row (default ``"row N"``, counted from 1).

    Raises:
        DataError: A value the table does not name, with its row and the names allowed.
    """
    import pandas as pd

    values = pd.Series(values).reset_index(drop=True)
    names = values.astype(str).str.strip().str.lower().map(SPLIT_ALIASES)
    unknown = np.flatnonzero(names.isna().to_numpy())
    if len(unknown):
        position = int(unknown[0])
        place = where(position) if where is not None else f"row {position + 1}"
        raise DataError(
            f"{source}: {place} has split '{values[position]}'; the 'split' column may only "
            "hold train, val or test (or training, valid, validation, dev, testing)."
        )
    return names.to_numpy(dtype=object)


def carve_validation(
    names: np.ndarray, keys: Any, *, val_fraction: float, seed: int, to: str = "val"
) -> np.ndarray:
    """A ``split`` column's training rows that become validation when it names none.

    The rows are those whose key (group, else id) :func:`hash_splits` would put in
    validation at ``val_fraction``: a stable choice, so data read whole and data read in
    parts carve the same rows, and a patient's rows go together.

    Args:
        names: Split per row from :func:`split_names`.
        keys: Group, else id, per row.
        val_fraction: The share of the training rows (or groups) carved.
        seed: The run's seed.
        to: What carved rows become (a pass that does not yet know whether the column names
            validation rows marks them apart).

    Returns:
        A copy of ``names`` with the carved rows set to ``to``.
    """
    carved = hash_splits(keys, val_fraction=val_fraction, test_fraction=0.0, seed=seed) == "val"
    names = np.array(names, dtype=object)
    names[(names == "train") & carved] = to
    return names


def hash_splits(keys: Any, *, val_fraction: float, test_fraction: float, seed: int) -> np.ndarray:
    """``train``/``val``/``test`` per key from a stable 64-bit hash of the key and the seed.

    The same key always lands in the same split (so a group stays together and no table of
    assignments is needed); the shares approach the fractions as the number of keys grows.
    """
    import pandas as pd

    values = np.asarray(keys).astype(str).astype(object)
    hashed = pd.util.hash_array(values, hash_key=f"pmtk{seed:012d}"[-16:], categorize=False)
    unit = hashed.astype(np.float64) / 2.0**64
    return np.where(
        unit < test_fraction, "test", np.where(unit < test_fraction + val_fraction, "val", "train")
    )


def batch_splits(
    keys: Any,
    options: Mapping[str, Any],
    fixed: Any = None,
    where: Callable[[int], str] | None = None,
    source: str = "",
    carve: bool = False,
) -> np.ndarray:
    """One part's splits when data is read in parts: its ``split`` column's names, else
    :func:`hash_splits` of ``keys`` with the run's fractions and seed.

    Args:
        keys: The group, else the id, of each row.
        options: The run's options (``val_fraction``, ``test_fraction``, ``seed``).
        fixed: The part's ``split`` values, or None.
        where: ``position -> "line N"`` / ``"row N"`` for a message.
        source: The file, for a message.
        carve: The ``split`` column names no validation rows anywhere in the data
            (:func:`column_names_validation`): carve them from training.

    Raises:
        DataError: A ``split`` value :data:`SPLIT_ALIASES` does not hold.
    """
    val_fraction, seed = options["val_fraction"], options["seed"]
    if fixed is None:
        return hash_splits(
            keys, val_fraction=val_fraction, test_fraction=options["test_fraction"], seed=seed
        )
    names = split_names(fixed, source, where)
    if carve:
        names = carve_validation(names, keys, val_fraction=val_fraction, seed=seed)
    return names


def column_names_validation(batches: Iterable[Any]) -> bool:
    """Whether a ``split`` column, read part by part, names any validation row (stops at the
    first one; values it cannot name are left for :func:`split_names` to refuse)."""
    import pandas as pd

    for values in batches:
        names = pd.Series(values).astype(str).str.strip().str.lower().map(SPLIT_ALIASES)
        if (names == "val").any():
            return True
    return False


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
