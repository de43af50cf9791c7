"""Decoding every supported image format into the same model input."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pmtk.plugins.imaging.decoding import (
    UnreadableImage,
    is_color,
    read_dicom,
    read_opencv,
    to_model_input,
)

RED_BGR = (0, 0, 255)


def _color_image(channels: int, dtype=np.uint8) -> np.ndarray:
    top = np.iinfo(dtype).max
    image = np.zeros((8, 10, channels), dtype=dtype)
    image[:, :, 2] = top  # red in OpenCV's BGR order
    if channels == 4:
        image[:, :, 3] = top
    return image


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".tiff"], ids=lambda s: s[1:])
def test_rgb_is_returned_in_rgb_order(tmp_path: Path, suffix: str):
    path = tmp_path / f"red{suffix}"
    cv2.imwrite(str(path), _color_image(3))
    image = read_opencv(path)
    assert image.shape == (8, 10, 3)
    assert image[0, 0].tolist() == [255, 0, 0]


def test_rgba_png_keeps_alpha_and_rgb_order(tmp_path: Path):
    path = tmp_path / "red.png"
    cv2.imwrite(str(path), _color_image(4))
    image = read_opencv(path)
    assert image.shape == (8, 10, 4)
    assert image[0, 0].tolist() == [255, 0, 0, 255]
    assert to_model_input(image, 8, 3)[0, 0].tolist() == [255.0, 0.0, 0.0]


@pytest.mark.parametrize("suffix", [".png", ".tif"], ids=["png", "tiff"])
def test_16_bit_images_are_stretched_to_0_255(tmp_path: Path, suffix: str):
    path = tmp_path / f"deep{suffix}"
    pixels = np.tile(np.linspace(1000, 4000, 10, dtype=np.uint16), (8, 1))
    cv2.imwrite(str(path), pixels)
    image = read_opencv(path)
    assert image.dtype == np.uint16
    model_input = to_model_input(image, 10, 1)
    assert model_input.min() == pytest.approx(0.0, abs=1)
    assert model_input.max() == pytest.approx(255.0, abs=1)


def test_jpeg_grayscale(tmp_path: Path):
    path = tmp_path / "gray.jpg"
    cv2.imwrite(str(path), np.full((16, 16), 128, dtype=np.uint8))
    image = read_opencv(path)
    assert image.ndim == 2
    assert abs(int(image.mean()) - 128) <= 2


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.png"),
        (b"not an image at all", "text.png"),
        (b"\x89PNG\r\n\x1a\n\x00", "cut.png"),
    ],
    ids=["empty", "text", "truncated"],
)
def test_unreadable_files_raise(tmp_path: Path, content: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableImage):
        read_opencv(path)


@pytest.mark.parametrize(
    ("shape", "channels", "expected"),
    [((30, 40), 1, (16, 16, 1)), ((30, 40), 3, (16, 16, 3)), ((8, 8, 3), 1, (16, 16, 1)),
     ((8, 8, 4), 3, (16, 16, 3)), ((16, 16, 1), 1, (16, 16, 1))],
    ids=["gray-down", "gray-to-rgb", "rgb-to-gray-up", "rgba-to-rgb", "gray-keepdim"],
)  # fmt: skip
def test_to_model_input_shapes(shape, channels, expected):
    image = np.random.default_rng(0).integers(0, 255, shape).astype(np.uint8)
    result = to_model_input(image, 16, channels)
    assert result.shape == expected
    assert result.dtype == np.float32
    assert result.min() >= 0 and result.max() <= 255


def test_is_color():
    gray3 = np.repeat(np.arange(16, dtype=np.uint8).reshape(4, 4, 1), 3, axis=2)
    assert not is_color(gray3)
    assert not is_color(np.zeros((4, 4), np.uint8))
    assert is_color(_color_image(3))


def test_dicom_rescale_and_window(tmp_path: Path, write_dicom):
    pixels = np.array([[0, 1000], [2000, 4000]], dtype=np.uint16)
    path = write_dicom(
        tmp_path / "ct.dcm", pixels, slope=1.0, intercept=-1000, center=500, width=1000
    )
    image = read_dicom(path)
    # HU = raw - 1000 -> [-1000, 0, 1000, 3000]; window 0..1000 clips the ends.
    assert np.allclose(image, [[0.0, 0.0], [255.0, 255.0]], atol=0.5)


def test_dicom_monochrome1_is_inverted(tmp_path: Path, write_dicom):
    pixels = np.array([[0, 100], [200, 300]], dtype=np.uint16)
    mono1 = read_dicom(write_dicom(tmp_path / "m1.dcm", pixels, photometric="MONOCHROME1"))
    mono2 = read_dicom(write_dicom(tmp_path / "m2.dcm", pixels, photometric="MONOCHROME2"))
    assert mono1[0, 0] == pytest.approx(255.0)
    assert mono2[0, 0] == pytest.approx(0.0)
    assert np.allclose(mono1, 255.0 - mono2)


def test_dicom_multiframe_gives_middle_frame(tmp_path: Path, write_dicom):
    frames = np.stack([np.full((4, 4), v, np.uint16) for v in (0, 50, 100)])
    frames[1, 0, 0] = 400  # only the middle frame has this bright pixel
    image = read_dicom(write_dicom(tmp_path / "multi.dcm", frames))
    assert image.shape == (4, 4)
    assert image[0, 0] == pytest.approx(255.0)


def test_dicom_rgb(tmp_path: Path, write_dicom):
    pixels = np.zeros((4, 4, 3), np.uint8)
    pixels[..., 0] = 200
    image = read_dicom(write_dicom(tmp_path / "rgb.dcm", pixels, photometric="RGB"))
    assert image.shape == (4, 4, 3)
    assert is_color(image)


def test_not_dicom_raises(tmp_path: Path):
    path = tmp_path / "fake.dcm"
    path.write_bytes(b"hello")
    with pytest.raises(UnreadableImage):
        read_dicom(path)


@pytest.mark.parametrize("syntax", ["RLELossless", "JPEG2000Lossless"])
def test_compressed_dicom(tmp_path: Path, write_dicom, syntax: str):
    import pydicom
    from pydicom import uid

    pixels = np.tile(np.arange(0, 4000, 125, dtype=np.uint16), (32, 1))
    path = write_dicom(tmp_path / "plain.dcm", pixels)
    dataset = pydicom.dcmread(path)
    dataset.compress(getattr(uid, syntax))
    dataset.save_as(tmp_path / "packed.dcm")
    assert np.allclose(read_dicom(tmp_path / "packed.dcm"), read_dicom(path), atol=0.01)
