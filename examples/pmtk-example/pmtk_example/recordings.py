"""Reading 1-D recordings: a CSV/TSV with one row per recording, or ``.npy`` files.

Layouts:

- a CSV or TSV with ``id`` (optional), ``label`` (optional when predicting), an optional
  ``split`` column and the samples in columns ``s0``, ``s1``, ...;
- a folder with one sub-folder per class holding one 1-D ``.npy`` array per recording;
- when predicting: a flat folder of ``.npy`` files, or one ``.npy`` file.

No TensorFlow here: ``pmtk ecg-info`` uses this module too.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pmtk.core.data.tables import group_column
from pmtk.core.errors import DataError

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
_SAMPLE_COLUMN = re.compile(r"s(\d+)")


def read_recordings(
    path: Path, *, require_labels: bool = True, group: str | None = None
) -> pd.DataFrame:
    """Reads recordings into an examples table with a ``signal`` column of float32 arrays.

    Args:
        path: A CSV/TSV file, a folder of class folders of ``.npy`` files, or (when
            predicting) a flat folder of ``.npy`` files or one ``.npy`` file.
        require_labels: Whether every recording must have a label.
        group: Table column whose groups (patients) stay in one split.

    Returns:
        Columns ``id``, ``signal`` and, where known, ``label``, ``split``, ``group``.

    Raises:
        DataError: Unknown layout, missing columns, non-numeric samples, bad arrays.
    """
    path = Path(path)
    if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES:
        return _read_table(path, require_labels, group)
    if path.is_file() and path.suffix.lower() == ".npy" and not require_labels:
        return pd.DataFrame({"id": [path.name], "signal": [_load_npy(path)]})
    if path.is_dir():
        return _read_folder(path, require_labels)
    raise DataError(
        f"{path} is neither a CSV/TSV of recordings nor a folder of .npy files; point --data "
        "at a CSV with id,label,s0,s1,... columns or at one sub-folder of .npy files per class."
    )


def _read_table(path: Path, require_labels: bool, group: str | None) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, sep=TABLE_SUFFIXES[path.suffix.lower()])
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataError(f"{path} is not a readable table ({error}); fix or replace it.") from None
    columns = sorted(
        (c for c in table.columns if _SAMPLE_COLUMN.fullmatch(str(c))),
        key=lambda c: int(str(c)[1:]),
    )
    if not columns:
        raise DataError(
            f"{path} has no sample columns (s0, s1, ...); name the columns holding the "
            "recording's samples s0, s1, s2 and so on."
        )
    if require_labels and "label" not in table.columns:
        raise DataError(f"{path} has no 'label' column; add one with each recording's class.")
    samples = table[columns].apply(pd.to_numeric, errors="coerce")
    bad = samples.isna().to_numpy()
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"{path}, line {row + 2}, column {columns[column]}: the sample is missing or not a "
            "number; every recording needs a number in every sample column."
        )
    frame = pd.DataFrame(
        {"id": table["id"].astype(str) if "id" in table else [f"row{i}" for i in table.index]}
    )
    frame["signal"] = list(samples.to_numpy(dtype="float32"))
    for name in ("label", "split"):
        if name in table.columns and (require_labels or name == "label"):
            frame[name] = table[name].astype(str).to_numpy()
    groups = group_column(table, group, str(path))
    if groups is not None:
        frame["group"] = groups.to_numpy()
    return _unique_ids(frame, path)


def _read_folder(path: Path, require_labels: bool) -> pd.DataFrame:
    files = sorted(p for p in path.rglob("*.npy") if p.is_file())
    if not files:
        raise DataError(f"{path} contains no .npy recordings; point --data at your recordings.")
    nested = [f for f in files if f.parent != path]
    if require_labels and len(nested) < len(files):
        top = next(f for f in files if f.parent == path)
        raise DataError(
            f"{path} has recordings outside class folders (such as {top.name}); move every "
            ".npy file into a sub-folder named after its class."
        )
    frame = pd.DataFrame({"id": [f.relative_to(path).as_posix() for f in files]})
    frame["signal"] = [_load_npy(f) for f in files]
    if len(nested) == len(files):
        frame["label"] = [f.parent.name for f in files]
    return frame


def _load_npy(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise DataError(f"{path} is not a readable .npy file ({error}); replace it.") from None
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise DataError(
            f"{path} holds a {array.dtype} array of shape {array.shape}; a recording must be "
            "a non-empty 1-D numeric array."
        )
    if not np.isfinite(array).all():
        position = int(np.flatnonzero(~np.isfinite(array))[0])
        raise DataError(f"{path}, sample {position}: not a finite number; fix the recording.")
    return array.astype("float32")


def _unique_ids(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    repeated = frame["id"][frame["id"].duplicated()]
    if len(repeated):
        raise DataError(
            f"{path}: the id '{repeated.iloc[0]}' appears more than once; give every "
            "recording its own id."
        )
    return frame


def fit_length(signals: list[np.ndarray], length: int) -> np.ndarray:
    """Stacks recordings into ``(n, length, 1)``, zero-padding or trimming each at the end."""
    stacked = np.zeros((len(signals), length, 1), dtype="float32")
    for row, signal in enumerate(signals):
        kept = signal[:length]
        stacked[row, : len(kept), 0] = kept
    return stacked
