"""A reader for pmtk's imaging task: images stored as NumPy ``.npy`` arrays.

The imaging task calls ``read(path)`` for every file whose name ends in one of the
reader's extensions and expects an ``(H, W)`` or ``(H, W, C)`` array (C = 1, 3 or 4,
RGB order); ``uint8`` values are taken as 0-255 pixels, other types are stretched
from their own minimum to maximum.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pmtk.core.contract.task import Reader

EXTENSIONS = (".npy",)


class NotAnImage(ValueError):
    """The ``.npy`` file holds something that is not an image."""


def read_npy_image(path: str | Path) -> np.ndarray:
    """Loads one image array.

    Args:
        path: A ``.npy`` file written by ``numpy.save``.

    Returns:
        The array, ``bool`` turned into ``uint8`` 0/255.

    Raises:
        NotAnImage: Unreadable file, pickled objects, or a shape that is not an image.
    """
    try:
        image = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise NotAnImage(f"{path} is not a readable .npy array ({error})") from None
    channels_ok = image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (1, 3, 4))
    if not channels_ok or min(image.shape[:2], default=0) == 0:
        raise NotAnImage(
            f"{path} holds an array of shape {image.shape}; expected (height, width) or "
            "(height, width, channels) with 1, 3 or 4 channels"
        )
    if image.dtype == bool:
        return image.astype(np.uint8) * 255
    if not np.issubdtype(image.dtype, np.number):
        raise NotAnImage(f"{path} holds {image.dtype} values; expected numbers")
    return image


READER = Reader("npy", EXTENSIONS, read_npy_image, "NumPy .npy image arrays [pmtk-example]")
