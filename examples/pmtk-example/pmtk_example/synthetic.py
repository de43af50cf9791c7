"""Synthetic ECG-like recordings: a regular sinus rhythm and an irregular rhythm without P waves.

Regenerate the bundled sample (deterministic)::

    python -m pmtk_example.synthetic pmtk_example/sample_data/ecg.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: Samples per second of the synthetic recordings.
SAMPLING_RATE = 64
CLASSES = ("normal", "arrhythmia")


def _beat_times(rng: np.random.Generator, label: str, seconds: float) -> np.ndarray:
    """Beat onsets: steady intervals (normal), or shorter, widely varying ones (arrhythmia)."""
    if label == "normal":
        interval = rng.uniform(0.75, 1.0)
        gaps = interval * (1 + rng.normal(0, 0.03, 16))
    else:
        gaps = rng.uniform(0.3, 0.8, 16)  # fast and irregular
    return rng.uniform(-0.5, 0) + np.cumsum(gaps)[np.cumsum(gaps) < seconds + 0.5]


def recording(rng: np.random.Generator, label: str, length: int) -> np.ndarray:
    """One recording of ``length`` samples (millivolt-like values).

    Args:
        rng: Random generator.
        label: ``normal`` or ``arrhythmia``.
        length: Number of samples.
    """
    time = np.arange(length) / SAMPLING_RATE
    signal = 0.1 * np.sin(2 * np.pi * rng.uniform(0.1, 0.3) * time + rng.uniform(0, 6))
    for beat in _beat_times(rng, label, length / SAMPLING_RATE):
        signal += np.exp(-(((time - beat) / 0.02) ** 2) / 2)  # QRS
        signal += 0.3 * np.exp(-(((time - beat - 0.25) / 0.06) ** 2) / 2)  # T wave
        if label == "normal":
            signal += 0.15 * np.exp(-(((time - beat + 0.16) / 0.03) ** 2) / 2)  # P wave
    if label == "arrhythmia":  # fibrillatory waves instead of P waves
        signal += 0.05 * np.sin(2 * np.pi * rng.uniform(5, 7) * time)
    return signal + rng.normal(0, 0.03, length)


def recordings_table(per_class: int = 30, length: int = 256, seed: int = 0) -> pd.DataFrame:
    """A table with columns ``id``, ``label`` and ``s0`` .. ``s<length-1>``.

    Args:
        per_class: Recordings per class.
        length: Samples per recording.
        seed: Random seed.
    """
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for label in CLASSES:
        for _ in range(per_class):
            rows.append(recording(rng, label, length).round(3))
            labels.append(label)
    table = pd.DataFrame(np.array(rows), columns=[f"s{i}" for i in range(length)])
    table.insert(0, "label", labels)
    table.insert(0, "id", [f"rec{i:03d}" for i in range(len(table))])
    return table


def write_npy_folder(root: Path, per_class: int = 10, length: int = 128, seed: int = 0) -> Path:
    """Writes one ``.npy`` file per recording into one sub-folder per class."""
    rng = np.random.default_rng(seed)
    for label in CLASSES:
        (root / label).mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            np.save(root / label / f"{label}_{number:03d}.npy", recording(rng, label, length))
    return root


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "ecg.csv")
    recordings_table().to_csv(target, index=False)
    print(f"Wrote {target}")
