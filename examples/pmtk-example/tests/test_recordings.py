"""Reading recordings: both layouts, prediction inputs, and every bad input's message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pmtk_example.recordings import fit_length, read_recordings
from pmtk_example.synthetic import write_npy_folder

from pmtk.core.errors import DataError


def test_csv_gives_ids_labels_and_float_signals(recordings_csv):
    examples = read_recordings(recordings_csv)
    assert len(examples) == 24 and examples["id"].iloc[0] == "rec000"
    assert set(examples["label"]) == {"normal", "arrhythmia"}
    assert (
        examples["signal"].iloc[0].shape == (64,) and examples["signal"].iloc[0].dtype == "float32"
    )


def test_csv_without_labels_can_be_predicted(tmp_path, recordings_csv):
    table = pd.read_csv(recordings_csv).drop(columns=["label", "id"])
    table.to_csv(tmp_path / "unlabelled.csv", index=False)
    examples = read_recordings(tmp_path / "unlabelled.csv", require_labels=False)
    assert list(examples["id"][:2]) == ["row0", "row1"] and "label" not in examples


def test_npy_folders_per_class(tmp_path):
    root = write_npy_folder(tmp_path / "npy", per_class=3, length=50)
    examples = read_recordings(root)
    assert sorted(set(examples["label"])) == ["arrhythmia", "normal"]
    assert examples["id"].iloc[0] == "arrhythmia/arrhythmia_000.npy"
    single = read_recordings(root / "normal" / "normal_000.npy", require_labels=False)
    assert single["id"].tolist() == ["normal_000.npy"]


def test_fit_length_pads_and_trims():
    stacked = fit_length([np.ones(3, "float32"), np.arange(6, dtype="float32")], 4)
    assert stacked.shape == (2, 4, 1)
    assert stacked[0, :, 0].tolist() == [1, 1, 1, 0] and stacked[1, :, 0].tolist() == [0, 1, 2, 3]


def _csv(text: str):
    def write(folder: Path) -> Path:
        path = folder / "bad.csv"
        path.write_text(text)
        return path

    return write


def _npy(array) -> object:
    def write(folder: Path) -> Path:
        (folder / "normal").mkdir()
        np.save(folder / "normal" / "x.npy", np.asarray(array))
        return folder

    return write


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (_csv("id,label,a,b\n1,x,0,1\n"), "has no sample columns"),
        (_csv("id,s0,s1\n1,0,1\n"), "has no 'label' column"),
        (_csv("id,label,s0,s1\n1,x,0,1\n2,y,0,oops\n"), "line 3, column s1: the sample is missing"),
        (_csv("id,label,s0\n1,x,0\n1,y,1\n"), "the id '1' appears more than once"),
        (_npy(np.zeros((4, 4))), "a recording must be a non-empty 1-D numeric array"),
        (_npy([0.0, np.nan]), "sample 1: not a finite number"),
        (lambda folder: folder, "contains no .npy recordings"),
        (lambda folder: folder / "missing.txt", "is neither a CSV/TSV of recordings"),
    ],
    ids=["no-sample-columns", "no-label", "not-a-number", "duplicate-id", "npy-2d", "npy-nan",
         "empty-folder", "unknown-layout"],
)  # fmt: skip
def test_bad_inputs_name_the_file_and_the_fix(tmp_path, write, message):
    path = write(tmp_path)
    with pytest.raises(DataError, match=message) as caught:
        read_recordings(path)
    assert str(path) in str(caught.value)
