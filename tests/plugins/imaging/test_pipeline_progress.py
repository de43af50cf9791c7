"""The decode pass of the imaging pipeline reports its progress through core.runtime.progress."""

from __future__ import annotations

import io

import numpy as np

from pmtk.core.runtime import progress as progress_module
from pmtk.plugins.imaging import pipeline


def test_decode_pass_prints_quarter_lines_when_not_a_terminal(monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    paths = [f"image{i}.png" for i in range(600)]
    dataset = pipeline.image_dataset(
        paths,
        None,
        lambda path: np.zeros((4, 4, 1), np.float32),
        image_size=4,
        channels=1,
        what="training images",
        skip_hint=True,
    )
    assert dataset.cardinality() == 600
    lines = stderr.getvalue().splitlines()
    assert lines[-1] == "Decoding training images: 600 of 600 (100%)"
    assert lines[0] == "Decoding training images: 256 of 600 (25%)"  # batches of 256 files
