"""The imaging pipeline: what its elements hold, the cache the decode pass fills, failures."""

from __future__ import annotations

import numpy as np
import pytest

from pmtk.core.errors import DataError
from pmtk.plugins.imaging import pipeline


def _decoder(calls: list[str], bad: tuple[str, ...] = ()):
    def decode(path: str) -> np.ndarray:
        calls.append(path)
        if path in bad:
            raise ValueError(f"cannot decode {path}\nsecond line")
        return np.full((4, 4, 1), float(path.removeprefix("image")), np.float32)

    return decode


def _dataset(decode, count: int = 20, targets=None):
    paths = [f"image{i}" for i in range(count)]
    return pipeline.image_dataset(paths, targets, decode, image_size=4, channels=1)


def test_elements_are_the_images_in_file_order():
    dataset = _dataset(_decoder([]))
    assert dataset.element_spec.shape == (4, 4, 1)
    images = np.stack(list(dataset.as_numpy_iterator()))
    np.testing.assert_array_equal(images[:, 0, 0, 0], np.arange(20))


def test_targets_are_zipped_in_order():
    dataset = _dataset(_decoder([]), targets=np.arange(20) % 2)
    pairs = list(dataset.as_numpy_iterator())
    assert [int(target) for _, target in pairs] == [i % 2 for i in range(20)]
    assert [int(image[0, 0, 0]) for image, _ in pairs] == list(range(20))


@pytest.mark.parametrize("share, decodes", [(0.4, 20), (0.0, 60)], ids=["cached", "streaming"])
def test_the_decode_pass_fills_the_cache(monkeypatch, share: float, decodes: int):
    monkeypatch.setattr(pipeline, "CACHE_SHARE", share)
    calls: list[str] = []
    dataset = _dataset(_decoder(calls))
    for _ in range(2):
        assert sum(1 for _ in dataset) == 20
    assert len(calls) == decodes  # the decode pass, then two epochs unless cached


def test_failures_name_each_file_with_the_reader_message():
    decode = _decoder([], bad=("image3", "image11"))
    with pytest.raises(DataError) as caught:
        _dataset(decode)
    message = str(caught.value)
    assert message.startswith("2 image file(s) cannot be read")
    assert "image3 (cannot decode image3), image11 (cannot decode image11)" in message
    assert "second line" not in message and "--skip-bad-images" in message
