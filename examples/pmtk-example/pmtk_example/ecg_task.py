"""The ``ecg`` task: classifies 1-D physiological recordings with a small 1-D CNN.

It only reads data and builds datasets; splitting, class encoding, training,
evaluation and the run directory come from pmtk's shared loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.task import RunContext, Task, TaskOption

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import tensorflow as tf

#: Bundled sample: 60 synthetic recordings (normal rhythm / arrhythmia), 256 samples each.
SAMPLE_DATA = Path(__file__).resolve().parent / "sample_data" / "ecg.csv"


class EcgTask(Task):
    """ECG-like recordings (CSV rows or ``.npy`` files) into the classes of the data."""

    name = "ecg"
    description = "1-D CNN on ECG-like recordings (CSV rows or .npy files) [pmtk-example]."
    default_model = "cnn1d"
    # An absolute path: pmtk looks task sample data up under its own sample_data folder,
    # and joining an absolute path onto that folder gives the absolute path back.
    sample_data = str(SAMPLE_DATA)
    options = (
        TaskOption("filters", int, 16, "Filters of the first convolution (cnn1d)."),
        TaskOption("kernel_size", int, 7, "Convolution width in samples (cnn1d)."),
        TaskOption("dropout_rate", float, 0.2, "Dropout before the output layer (cnn1d)."),
    )

    def read(self, path: Path, context: RunContext, *, require_labels: bool = True):
        """Reads a CSV/TSV of recordings or folders of ``.npy`` files (see ``recordings``)."""
        from pmtk_example.recordings import read_recordings

        group = context.options.get("group_column") if require_labels else None
        return read_recordings(path, require_labels=require_labels, group=group)

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """Remembers the recording length (the longest training recording) for prediction."""
        return {"length": int(max(len(signal) for signal in train["signal"]))}

    def dataset(
        self, examples: pd.DataFrame, targets: np.ndarray | None, context: RunContext
    ) -> tf.data.Dataset:
        """Recordings as ``(length, 1)`` float32 arrays, padded or trimmed to the derived length."""
        import tensorflow as tf

        from pmtk_example.recordings import fit_length

        signals = fit_length(list(examples["signal"]), context.derived["length"])
        items = signals if targets is None else (signals, targets)
        return tf.data.Dataset.from_tensor_slices(items)
