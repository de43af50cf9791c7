"""TensorFlow setup shared by training and prediction: quiet logs, seeds, strategies."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pmtk.core.errors import OptionError


@contextmanager
def silenced_stderr() -> Iterator[None]:
    """Points file descriptor 2 at /dev/null (unless ``PMTK_TF_LOGS=1``) while the block runs.

    TensorFlow prints CUDA and oneDNN notices straight to file descriptor 2 before its own
    log level applies.
    """
    if os.environ.get("PMTK_TF_LOGS", "") not in ("", "0"):
        yield
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_import_tensorflow() -> Any:
    """Imports TensorFlow and Keras quietly without starting TensorFlow's runtime.

    Returns:
        The ``tensorflow`` module.
    """
    verbose = os.environ.get("PMTK_TF_LOGS", "") not in ("", "0")
    # Level 3 also hides harmless C++ "E0000" notices (e.g. oneDNN on masked LSTMs);
    # real failures still surface as Python exceptions.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" not in sys.modules:
        with silenced_stderr():
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
    return sys.modules["tensorflow"]


def quiet_tensorflow() -> None:
    """Imports and initialises TensorFlow without its C++ start-up chatter.

    ``PMTK_TF_LOGS=1`` shows the chatter.
    """
    started = "tensorflow" in sys.modules
    tf = quiet_import_tensorflow()
    if not started:
        with silenced_stderr():
            tf.config.list_logical_devices()


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
    raise OptionError(
        f"--distribute must be 'default', 'mirrored' or 'multi-worker'; got '{name}' "
        "(multi-worker strategies come from pmtk.core.runtime.distributed)."
    )
