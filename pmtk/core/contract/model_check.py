"""Checking a plugin's model against the run's target before any training."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmtk.core.errors import PluginError

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.context import ModelSpec

#: What each target kind needs of the model's output, for the error sentence.
_NEEDS = {
    "binary": "1 unit (the probability of the positive class, sigmoid)",
    "multiclass": "{n} units (one probability per class, softmax)",
    "regression": "1 unit (the value)",
    "survival": "1 unit (the log relative hazard)",
    "reconstruction": "the input's shape {shape}",
}


def expected_output(spec: ModelSpec) -> tuple[Any, ...]:
    """The output shape, without the batch dimension, that the spec's target needs."""
    if spec.kind == "reconstruction":
        return tuple(spec.input_shape) if isinstance(spec.input_shape, tuple) else ()
    return (spec.num_classes if spec.kind == "multiclass" else 1,)


def check_model_output(model: keras.Model, spec: ModelSpec, plugin: str, model_name: str) -> None:
    """Refuses a model whose output does not fit the run's target, in one sentence.

    Args:
        model: What the builder returned.
        spec: What the builder received.
        plugin: The plugin that registered the builder.
        model_name: The ``--model`` name.

    Raises:
        PluginError: Not a Keras model, several outputs, or an output of the wrong size.
    """
    where = f"The model '{model_name}' of the plugin '{plugin}' (task '{spec.context.task}')"
    if not hasattr(model, "outputs") or not hasattr(model, "fit"):
        raise PluginError(
            f"{where} is a {type(model).__name__}, not a keras.Model; its builder must return "
            "an uncompiled keras.Model: fix or update the plugin."
        )
    outputs = _scored_outputs(model, spec.kind)
    expected = expected_output(spec)
    found = tuple(outputs[0].shape[1:]) if len(outputs) == 1 else None
    if found is not None and (spec.kind == "reconstruction" and not expected or found == expected):
        return
    shape = "x".join(str(d) for d in expected) or "?"
    need = _NEEDS.get(spec.kind, "{n} units").format(n=spec.num_classes, shape=shape)
    got = (
        f"{len(outputs)} outputs"
        if found is None
        else f"an output of shape {'x'.join(str(d) for d in found)}"
    )
    raise PluginError(
        f"{where} gives {got}, but a {spec.kind} target needs {need}; fix the plugin's "
        "builder (pmtk.core.contract.targets.output_layer(spec.kind, spec.num_classes) makes the "
        "right output layer) or choose another --model."
    )


def _scored_outputs(model: keras.Model, kind: str) -> list[Any]:
    """The outputs the target is compared with.

    A model may give several named outputs (the autoencoder gives ``code`` and
    ``reconstruction``); then the one named for the target (``reconstruction``, else
    ``output``) is the one that must fit.
    """
    outputs = list(model.outputs or [])
    if len(outputs) < 2:
        return outputs
    names = list(getattr(model, "output_names", None) or [])
    wanted = "reconstruction" if kind == "reconstruction" else "output"
    return [o for o, name in zip(outputs, names, strict=False) if name == wanted] or outputs
