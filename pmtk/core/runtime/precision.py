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

    flat = keras.tree.flatten(model.output)
    if all(str(output.dtype) == "float32" for output in flat):
        return model
    names = iter(range(len(flat)))

    def cast(output: Any) -> Any:
        if str(output.dtype) == "float32":
            return output
        return layers.Activation("linear", dtype="float32", name=f"float32_{next(names)}")(output)

    # Same structure (tensor, list or dict of named outputs), so losses keyed by name still fit.
    return keras.Model(model.inputs, keras.tree.map_structure(cast, model.output), name=model.name)
