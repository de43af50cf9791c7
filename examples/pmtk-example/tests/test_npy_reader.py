"""The ``.npy`` image reader contributed to pmtk's imaging task."""

from __future__ import annotations

import numpy as np
import pytest
from pmtk_example.npy_reader import NotAnImage, read_npy_image


@pytest.mark.parametrize(
    "shape", [(8, 8), (8, 8, 1), (8, 8, 3), (8, 8, 4)], ids=["gray", "one-channel", "rgb", "rgba"]
)
def test_reads_image_arrays(tmp_path, shape):
    np.save(tmp_path / "image.npy", np.full(shape, 7, dtype=np.uint16))
    image = read_npy_image(tmp_path / "image.npy")
    assert image.shape == shape and image.dtype == np.uint16


def test_bool_masks_become_0_255(tmp_path):
    np.save(tmp_path / "mask.npy", np.eye(4, dtype=bool))
    assert read_npy_image(tmp_path / "mask.npy").max() == 255


@pytest.mark.parametrize(
    ("array", "message"),
    [(np.zeros(5), "shape \\(5,\\)"), (np.zeros((4, 4, 2)), "1, 3 or 4 channels"),
     (np.array([["a"]]), "expected numbers")],
    ids=["1-d", "two-channels", "strings"],
)  # fmt: skip
def test_rejects_arrays_that_are_not_images(tmp_path, array, message):
    np.save(tmp_path / "bad.npy", array)
    with pytest.raises(NotAnImage, match=message):
        read_npy_image(tmp_path / "bad.npy")


def test_rejects_files_that_are_not_npy(tmp_path):
    (tmp_path / "bad.npy").write_text("not numpy")
    with pytest.raises(NotAnImage, match="not a readable .npy array"):
        read_npy_image(tmp_path / "bad.npy")
