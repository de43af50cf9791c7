"""Streaming images from disk through ``tf.data``: parallel decode, cache when it fits, checks."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from pmtk.core.errors import DataError
from pmtk.core.runtime.progress import progress

#: Share of physical memory the decoded-image cache may take.
CACHE_SHARE = 0.4
#: Images decoded per Python call: amortises the tf.data-to-Python hop over several files.
CHUNK = 8
_SHOWN_BAD_FILES = 5
#: Images between two progress updates of the decode pass.
_PROGRESS_STEP = 256


def cache_fits(count: int, image_size: int, channels: int) -> bool:
    """Whether ``count`` decoded float32 images fit the in-memory cache budget."""
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return count * image_size * image_size * channels * 4 <= CACHE_SHARE * memory


def image_dataset(
    paths: Sequence[str],
    targets: np.ndarray | None,
    decode: Callable[[str], np.ndarray],
    *,
    image_size: int,
    channels: int,
    what: str = "images",
    skip_hint: bool = True,
):
    """An unbatched dataset of ``(image, target)`` (or ``image``) decoded from ``paths``.

    Decoding runs in parallel threads (OpenCV and pydicom release the GIL) and
    is cached in memory when it fits. Every file is decoded once before the
    dataset is returned, which fills the cache and finds unreadable files before
    any training starts.

    Args:
        paths: Image files.
        targets: Encoded targets aligned with ``paths``, or None.
        decode: ``path -> float32 (image_size, image_size, channels)`` array.
        image_size: Height and width after resizing.
        channels: 1 or 3.
        what: How to name these images in progress lines ("training images").
        skip_hint: Whether the error mentions ``--skip-bad-images`` (training only).

    Raises:
        DataError: Some files cannot be decoded; lists them.
    """
    import tensorflow as tf

    shape = (image_size, image_size, channels)
    # The reader's own message per file that failed; the element itself is left all zeros.
    # Failures are kept here rather than as a flag in each element, so that the cached
    # elements are the images alone and a cached epoch runs no map after the cache.
    reasons: dict[str, str] = {}

    def load(chunk: np.ndarray) -> np.ndarray:
        images = np.zeros((len(chunk), *shape), dtype=np.float32)
        for index, path in enumerate(chunk):
            try:
                images[index] = decode(path.decode())
            except Exception as error:  # reported, with the file names, right after the scan
                reasons.setdefault(path.decode(), _first_line(error))
        return images

    def load_tensors(chunk):
        images = tf.numpy_function(load, [chunk], tf.float32, stateful=False)
        images.set_shape((None, *shape))
        return images

    dataset = tf.data.Dataset.from_tensor_slices(list(paths)).batch(CHUNK)
    dataset = dataset.map(load_tensors, num_parallel_calls=tf.data.AUTOTUNE).unbatch()
    # unbatch() forgets the length; Keras needs it to know where an epoch ends.
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(paths)))
    if cache_fits(len(paths), image_size, channels):
        dataset = dataset.cache()
    _check_readable(dataset, paths, what, skip_hint, reasons)
    if targets is None:
        return dataset
    return tf.data.Dataset.zip(dataset, tf.data.Dataset.from_tensor_slices(targets))


def _first_line(error: BaseException) -> str:
    """An exception's message, first line only and shortened, for a one-sentence error."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return (lines[0] if lines else type(error).__name__)[:160].rstrip(".")


def _every(dataset, step: int, count: int):
    """Pulls every element of ``dataset`` through, yielding ``(images done, None)`` per ``step``.

    ``shard`` hands Python one element in ``step`` and drops the others inside tf.data,
    without copying them or calling a function per element; it reads its input to the end,
    so a cache upstream is complete afterwards.
    """
    for _ in dataset.shard(step, step - 1):
        yield step, None
    if count % step:
        yield count % step, None


def _check_readable(
    dataset, paths: Sequence[str], what: str, skip_hint: bool, reasons: dict[str, str]
) -> None:
    """Decodes every image once (filling the cache) and raises if any failed, keeping what
    the reader said about each file."""
    decoded = _every(dataset, _PROGRESS_STEP, len(paths))
    for _ in progress(decoded, len(paths), f"Decoding {what}", weights=True):
        pass  # the pass itself decodes and fills the cache
    bad = [path for path in paths if path in reasons]
    if bad:
        named = [f"{path} ({reasons[path]})" for path in bad]
        more = " ..." if len(bad) > _SHOWN_BAD_FILES else ""
        shown = ", ".join(named[:_SHOWN_BAD_FILES]) + more
        hint = ", or pass --skip-bad-images to leave them out" if skip_hint else ""
        raise DataError(
            f"{len(bad)} image file(s) cannot be read (corrupt, empty or not an image): {shown}; "
            f"fix or remove them{hint}."
        )
