"""A training callback added to every pmtk run: writes ``example_callback.json`` into the run.

Stands in for experiment tracking: it sees every epoch's logs and knows the run
directory. This module imports Keras, so the hook imports it only when a run starts.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras

#: File written into every run directory.
SUMMARY_FILE = "example_callback.json"


class RunSummary(keras.callbacks.Callback):
    """Counts epochs and times the run; writes the summary when training ends.

    Args:
        run_dir: The run directory being written (``RunContext.run_dir``).
        task: The task name.
    """

    def __init__(self, run_dir: Path, task: str) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self.task = task
        self.epochs = 0
        self.last_logs: dict[str, float] = {}
        self.started = time.perf_counter()

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs += 1
        self.last_logs = {name: float(value) for name, value in (logs or {}).items()}

    def on_train_end(self, logs: dict | None = None) -> None:
        summary = {
            "task": self.task,
            "epochs": self.epochs,
            "seconds": round(time.perf_counter() - self.started, 3),
            "last_epoch": self.last_logs,
        }
        (self.run_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
