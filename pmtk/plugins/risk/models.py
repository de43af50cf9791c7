"""Risk models: a small MLP (default) and logistic/linear regression, both taking raw rows.

For survival targets the same two models end in one linear unit, the log relative hazard:
the MLP is then a DeepSurv network and ``linear`` the linear Cox model, both trained with
the Cox partial likelihood (``losses.CoxPartialLikelihood``).

The model input is a dict with one entry per feature column (named by
``features.input_names``): float32 with NaN for missing numbers, strings with
``''`` for missing categories. Preprocessing is inside the model, built from the
training statistics in ``context.derived``: numeric columns imputed with the
training median, standardised with the training mean and variance, plus a
missing indicator for columns that had missing values; categorical columns
looked up in the training vocabulary and one-hot encoded, with one slot for
categories never seen in training.
"""

from __future__ import annotations

import math
from typing import Any

from pmtk.core.contract.encoders import Encoded, model_builder
from pmtk.core.contract.task import ModelSpec
from pmtk.core.errors import OptionError


def hidden_units(options: dict[str, Any]) -> list[int]:
    """The ``--hidden-units`` option (``"64,32"``) as a list of layer widths.

    Raises:
        OptionError: Not a comma-separated list of positive integers.
    """
    text = str(options.get("hidden_units") or "64,32")
    try:
        units = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        units = []
    if not units or min(units) < 1:
        raise OptionError(
            f"--hidden-units must be comma-separated positive layer widths such as 64,32; "
            f"got '{text}'."
        )
    return units


def encoded_inputs(spec: ModelSpec) -> tuple[dict[str, Any], Any]:
    """The model's named inputs and their preprocessed, concatenated encoding."""
    import keras
    from keras import layers

    from pmtk.plugins.risk.layers import FillMissingColumns, MissingIndicator

    derived = spec.context.derived
    inputs: dict[str, Any] = {}
    parts = []
    numeric = derived["numeric"]
    if numeric:
        for feature in numeric:
            inputs[feature["input"]] = keras.Input((1,), name=feature["input"], dtype="float32")
        columns = list(inputs.values())
        matrix = layers.Concatenate(name="numeric")(columns) if len(columns) > 1 else columns[0]
        filled = FillMissingColumns([f["median"] for f in numeric], name="impute")(matrix)
        parts.append(
            layers.Normalization(
                mean=[f["mean"] for f in numeric],
                variance=[f["variance"] for f in numeric],
                name="standardize",
            )(filled)
        )
        flagged = [i for i, feature in enumerate(numeric) if feature["missing"] > 0]
        if flagged:
            parts.append(MissingIndicator(flagged, name="missing_indicators")(matrix))
    for feature in derived["categorical"]:
        name = feature["input"]
        inputs[name] = keras.Input((1,), name=name, dtype="string")
        lookup = layers.StringLookup(
            vocabulary=feature["vocabulary"], num_oov_indices=1, name=f"lookup_{name}"
        )
        one_hot = layers.CategoryEncoding(
            lookup.vocabulary_size(), output_mode="one_hot", name=f"one_hot_{name}"
        )
        parts.append(one_hot(lookup(inputs[name])))
    encoded = layers.Concatenate(name="features")(parts) if len(parts) > 1 else parts[0]
    return inputs, encoded


def prior_shift(spec: ModelSpec) -> list[float] | None:
    """Logit shift that undoes the loop's balanced class weights (None when unweighted).

    ``spec.class_weight`` is what the loop passes to ``fit``, so the correction
    always matches the weights the model was trained with.
    """
    weights = spec.class_weight
    if spec.kind not in ("binary", "multiclass") or weights is None:
        return None
    if spec.kind == "binary":
        return [math.log(weights.get(1, 1.0) / weights.get(0, 1.0))]
    return [math.log(weights.get(index, 1.0)) for index in range(spec.num_classes)]


def output_head(features: Any, spec: ModelSpec) -> Any:
    """Risk (sigmoid), class probabilities (softmax), a value on the target's scale, or for
    survival the log relative hazard (no bias: the Cox partial likelihood cannot see one)."""
    from keras import layers

    from pmtk.plugins.risk.layers import PriorCorrection

    if spec.kind == "survival":
        return layers.Dense(1, use_bias=False, name="output")(features)
    if spec.kind == "regression":
        derived = spec.context.derived
        value = layers.Dense(1, name="standardized_output")(features)
        # predicting standardised values keeps the loss well scaled for any target unit
        return layers.Rescaling(
            derived.get("target_std", 1.0), offset=derived.get("target_mean", 0.0), name="output"
        )(value)
    units = 1 if spec.kind == "binary" else spec.num_classes
    logits = layers.Dense(units, name="logits")(features)
    shift = prior_shift(spec)
    if shift is not None:
        logits = PriorCorrection(shift, name="prior_correction")(logits)
    activation = "sigmoid" if spec.kind == "binary" else "softmax"
    return layers.Activation(activation, name="output")(logits)


def encode_mlp(spec: ModelSpec) -> Encoded:
    """pmtk's default encoder: the preprocessed columns through ``--hidden-units`` ReLU
    layers, each followed by ``--dropout-rate`` (an embedding as wide as the last layer)."""
    from keras import layers

    inputs, x = encoded_inputs(spec)
    rate = spec.options.task_option("dropout_rate")
    for index, units in enumerate(hidden_units(spec.options), start=1):
        x = layers.Dense(units, activation="relu", name=f"hidden_{index}")(x)
        x = layers.Dropout(rate, name=f"dropout_{index}")(x)
    return Encoded(inputs, x)


def encode_linear(spec: ModelSpec) -> Encoded:
    """The preprocessed columns themselves: standardised numbers, missing flags, one-hots."""
    inputs, x = encoded_inputs(spec)
    return Encoded(inputs, x)


#: pmtk's default: :func:`encode_mlp`, then :func:`output_head`.
build_mlp = model_builder(encode_mlp, output_head, "risk_mlp")
#: Logistic (classification) or linear regression on the same preprocessing.
build_linear = model_builder(encode_linear, output_head, "risk_linear")
