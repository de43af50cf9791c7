"""TensorFlow setup shared by training and prediction: quiet logs, seeds, strategies."""

from __future__ import annotations

import os
import sys
from typing import Any

from pmtk.core.errors import OptionError


def quiet_tensorflow() -> None:
    """Imports and initialises TensorFlow without its C++ start-up chatter.

    TensorFlow prints CUDA and oneDNN notices straight to file descriptor 2
    before its own log level applies, so stderr is pointed at /dev/null while it
    starts. ``PMTK_TF_LOGS=1`` shows them.
    """
    verbose = os.environ.get("PMTK_TF_LOGS", "") not in ("", "0")
    # Level 3 also hides harmless C++ "E0000" notices (e.g. oneDNN on masked LSTMs);
    # real failures still surface as Python exceptions.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules or verbose:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras  # noqa: F401
        import tensorflow as tf

        tf.config.list_logical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def seed_everything(seed: int) -> None:
    """Seeds Python, NumPy and TensorFlow and makes TensorFlow ops deterministic."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def make_strategy(name: str) -> Any:
    """The ``tf.distribute`` strategy named by ``--distribute``.

    ``mirrored`` replicates the model on every visible device (GPUs, or logical CPUs).
    """
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = [d.name for d in tf.config.list_logical_devices("GPU")] or [
            d.name for d in tf.config.list_logical_devices("CPU")
        ]
        return tf.distribute.MirroredStrategy(devices)
    raise OptionError(f"--distribute must be 'default' or 'mirrored'; got '{name}'.")
