"""The process a run lives in: TensorFlow, devices, signals and progress.

- ``tensorflow_setup``: quiet logs, seeds and the distribution strategy.
- ``precision``: ``--precision`` (mixed precision, float32 outputs).
- ``distributed`` and ``sentinel``: ``TF_CONFIG``, multi-worker strategy, lost peers.
- ``interruption``: SIGINT/SIGTERM end a run cleanly.
- ``progress``: progress of long data passes.

Nothing here imports TensorFlow at module level.
"""

from pmtk.core.runtime.interruption import RunInterrupted, stop_on_signals
from pmtk.core.runtime.tensorflow_setup import make_strategy, quiet_tensorflow, seed_everything

__all__ = [
    "RunInterrupted",
    "make_strategy",
    "quiet_tensorflow",
    "seed_everything",
    "stop_on_signals",
]
