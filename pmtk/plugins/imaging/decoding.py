"""Reading medical images into arrays: OpenCV for bitmaps, pydicom for DICOM.

Readers return the image as stored (``uint8``, ``uint16`` or float), channels
in RGB(A) order; :func:`to_model_input` then gives every image the same size,
channel count and 0-255 intensity range, in training and prediction alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: File endings OpenCV decodes for pmtk.
OPENCV_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
DICOM_EXTENSIONS = (".dcm", ".dicom")


class UnreadableImage(Exception):
    """The file is not an image the reader can decode (corrupt, empty or unsupported)."""


def read_opencv(path: str | Path) -> np.ndarray:
    """Decodes PNG, JPEG, BMP or TIFF (8/16-bit, gray, RGB, RGBA) with OpenCV.

    Returns:
        ``(H, W)`` or ``(H, W, C)`` array in RGB(A) order, dtype as stored.

    Raises:
        UnreadableImage: Empty, corrupt or unsupported file.
    """
    import cv2

    # np.fromfile + imdecode instead of imread: works for any path and fails loudly.
    raw = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED) if raw.size else None
    if image is None:
        raise UnreadableImage(f"OpenCV cannot decode {path}")
    # In place: a fresh full-size buffer per image costs more than the channel swap itself.
    if image.ndim == 3 and image.shape[2] == 3:
        cv2.cvtColor(image, cv2.COLOR_BGR2RGB, dst=image)
    elif image.ndim == 3 and image.shape[2] == 4:
        cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA, dst=image)
    return image


def read_dicom(path: str | Path) -> np.ndarray:
    """Decodes a DICOM file with pydicom into display values.

    Applies the modality LUT (rescale slope/intercept), then the VOI LUT or the
    stored window (centre/width) when present, and inverts MONOCHROME1 so that
    bright always means dense. Multi-frame grayscale files give their middle frame.

    Returns:
        ``float32`` ``(H, W)`` or ``(H, W, 3)`` array.

    Raises:
        UnreadableImage: Not DICOM, no pixel data, or a compression pydicom cannot decode.
    """
    import pydicom
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    try:
        dataset = pydicom.dcmread(str(path))
        pixels = dataset.pixel_array
    except Exception as error:  # pydicom raises many types for corrupt/compressed files
        raise UnreadableImage(f"pydicom cannot decode {path}: {error}") from None
    photometric = str(dataset.get("PhotometricInterpretation", "MONOCHROME2"))
    samples = int(dataset.get("SamplesPerPixel", 1))
    if samples == 1 and pixels.ndim == 3:
        pixels = pixels[pixels.shape[0] // 2]
    if samples == 1:
        pixels = apply_modality_lut(pixels, dataset)
        pixels = apply_voi_lut(pixels, dataset)
        if photometric == "MONOCHROME1":
            pixels = pixels.max() + pixels.min() - pixels
    elif photometric.startswith("YBR"):
        from pydicom.pixels import convert_color_space

        pixels = convert_color_space(pixels, photometric, "RGB")
    return _stretch(np.asarray(pixels, dtype=np.float32))


def _stretch(image: np.ndarray) -> np.ndarray:
    """Maps an image's own minimum..maximum onto 0..255 (a constant image becomes 0)."""
    low, high = float(image.min()), float(image.max())
    if high <= low:
        return np.zeros_like(image, dtype=np.float32)
    return ((image - low) * (255.0 / (high - low))).astype(np.float32)


def to_model_input(image: np.ndarray, image_size: int, channels: int) -> np.ndarray:
    """Resizes to ``image_size`` squared, sets the channel count, scales to float 0..255.

    ``uint8`` keeps its values; ``uint16`` and float images are stretched from
    their own minimum..maximum, because 16-bit medical images rarely use the
    full range. Alpha is dropped; gray is repeated for RGB; RGB becomes luminance
    for gray. Resizing comes first, in the stored type, because it is the costly
    step and is fastest on small integers.
    """
    import cv2

    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    if image.dtype not in (np.uint8, np.uint16, np.float32):
        image = image.astype(np.float32)
    height, width = image.shape[:2]
    if (height, width) != (image_size, image_size):
        shrinking = height > image_size or width > image_size
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        image = cv2.resize(image, (image_size, image_size), interpolation=interpolation)
    if channels == 1 and image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    image = image.astype(np.float32) if image.dtype == np.uint8 else _stretch(image)
    if channels == 3 and image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return image.reshape(image_size, image_size, channels)


def is_color(image: np.ndarray) -> bool:
    """Whether an image has colour channels that actually differ."""
    if image.ndim < 3 or image.shape[2] < 3:
        return False
    rgb = image[:, :, :3]
    return not (
        np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 1], rgb[:, :, 2])
    )
