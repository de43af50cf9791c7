"""``--precision``: Keras mixed precision for the layers, float32 for every model output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Values of ``--precision``.
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


@contextmanager
def precision_policy(name: str) -> Iterator[None]:
    """Sets the Keras global dtype policy while the block runs, then restores the previous one.

    ``mixed_bfloat16`` and ``mixed_float16`` compute in 16 bits and keep variables in float32;
    Keras scales the loss for ``mixed_float16`` automatically.
    """
    import keras

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def float32_outputs(model: Any) -> Any:
    """The model with every output cast to float32 (itself when they already are).

    Losses, metrics, calibration and the saved model's predictions stay float32 whatever
    ``--precision`` the layers compute in.
    """
    import keras
    from keras import layers

    outputs = model.outputs
    if all(str(getattr(output, "dtype", "float32")) == "float32" for output in outputs):
        return model
    cast = [
        layers.Activation("linear", dtype="float32", name=f"float32_{index}")(output)
        if str(output.dtype) != "float32"
        else output
        for index, output in enumerate(outputs)
    ]
    return keras.Model(model.inputs, cast if len(cast) > 1 else cast[0], name=model.name)
