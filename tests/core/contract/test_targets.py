"""Inferring target kinds from labels, encoding labels, and the matching output layer and loss."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmtk.core.contract.targets import (
    MAX_NUMERIC_CLASSES,
    TARGET_KINDS,
    Targets,
    infer_targets,
    loss_for,
    output_layer,
    pairs_input_with_itself,
)
from pmtk.core.errors import DataError, OptionError

SOURCE = "/data/labels.csv"


@pytest.mark.parametrize(
    ("labels", "negative", "positive", "encoded"),
    [
        (["lesion", "normal", "lesion"], "normal", "lesion", [1, 0, 1]),
        (["yes", "no", "no"], "no", "yes", [1, 0, 0]),
        (["Healthy", "Tumour", "Tumour"], "Healthy", "Tumour", [0, 1, 1]),
        ([1, 0, 0], "0", "1", [1, 0, 0]),
        ([1.0, 0.0, 1.0], "0", "1", [1, 0, 1]),
        ([True, False, False], "False", "True", [1, 0, 0]),
        (["b", "a", "b"], "a", "b", [1, 0, 1]),
    ],
    ids=["normal-lesion", "no-yes", "healthy-tumour", "ints", "floats", "booleans", "alphabetic"],
)
def test_binary_labels_put_the_negative_class_first(labels, negative, positive, encoded):
    targets = infer_targets(pd.Series(labels), source=SOURCE)
    assert targets.kind == "binary"
    assert targets.class_names == [negative, positive]
    assert targets.positive_class == positive
    assert targets.num_classes == 1
    assert targets.values.tolist() == encoded
    assert targets.values.dtype == np.int32


def test_positive_class_option_overrides_the_guess():
    targets = infer_targets(
        pd.Series(["normal", "lesion", "normal"]), source=SOURCE, positive_class="normal"
    )
    assert targets.class_names == ["lesion", "normal"]
    assert targets.values.tolist() == [1, 0, 1]


def test_unknown_positive_class_names_the_classes_and_file():
    with pytest.raises(OptionError) as caught:
        infer_targets(pd.Series(["normal", "lesion"]), source=SOURCE, positive_class="tumour")
    message = str(caught.value)
    assert "'tumour'" in message and SOURCE in message
    assert "'lesion'" in message and "'normal'" in message


def test_positive_class_with_more_than_two_classes_is_an_option_error():
    with pytest.raises(OptionError, match="two-class"):
        infer_targets(pd.Series(["a", "b", "c"]), source=SOURCE, positive_class="a")


@pytest.mark.parametrize(
    ("labels", "names"),
    [
        (["cat", "dog", "bird", "dog"], ["bird", "cat", "dog"]),
        ([3, 1, 2, 1], ["1", "2", "3"]),
    ],
    ids=["text", "small-integers"],
)
def test_multiclass_labels(labels, names):
    targets = infer_targets(pd.Series(labels), source=SOURCE)
    assert targets.kind == "multiclass"
    assert targets.class_names == names
    assert targets.num_classes == len(names)
    assert targets.positive_class is None
    assert [names[i] for i in targets.values] == [str(v) for v in labels]


@pytest.mark.parametrize(
    "labels",
    [
        [0.5, 1.25, 3.0, 0.5],
        list(range(MAX_NUMERIC_CLASSES + 1)),
    ],
    ids=["fractions", "many-integers"],
)
def test_regression_is_inferred_from_numbers(labels):
    targets = infer_targets(pd.Series(labels), source=SOURCE)
    assert targets.kind == "regression"
    assert targets.class_names == []
    assert targets.num_classes == 1
    assert targets.values.dtype == np.float32
    np.testing.assert_allclose(targets.values, labels)


def test_ten_integer_values_are_still_classes():
    targets = infer_targets(pd.Series(list(range(MAX_NUMERIC_CLASSES))), source=SOURCE)
    assert targets.kind == "multiclass"


def test_forced_kinds():
    assert (
        infer_targets(pd.Series([0, 1, 0]), source=SOURCE, kind="regression").kind == "regression"
    )
    reconstruction = infer_targets(pd.Series([None]), source=SOURCE, kind="reconstruction")
    assert reconstruction.kind == "reconstruction" and reconstruction.values is None


@pytest.mark.parametrize("kind", TARGET_KINDS)
def test_only_reconstruction_pairs_the_input_with_itself(kind):
    expected = kind == "reconstruction"
    assert pairs_input_with_itself(kind) is expected
    assert Targets(kind).pairs_input_with_itself is expected


@pytest.mark.parametrize("labels", [["lesion"] * 4, [1, 1, 1]], ids=["text", "numeric"])
def test_one_class_only_is_a_data_error_naming_the_source(labels):
    with pytest.raises(DataError) as caught:
        infer_targets(pd.Series(labels), source=SOURCE)
    message = str(caught.value)
    assert message.startswith(SOURCE) and "only the class" in message
    assert "at least two classes" in message


def test_missing_label_is_a_data_error_naming_the_example():
    with pytest.raises(DataError) as caught:
        infer_targets(pd.Series(["a", "b", None, "a"]), source=SOURCE)
    message = str(caught.value)
    assert SOURCE in message and "example 3" in message and "no label" in message


def test_encode_gives_minus_one_for_unknown_labels():
    targets = Targets("multiclass", ["bird", "cat", "dog"])
    assert targets.encode(pd.Series(["dog", "fish", "bird"])).tolist() == [2, -1, 0]


def test_encode_regression_values():
    values = Targets("regression").encode(pd.Series([1, 2.5]))
    assert values.dtype == np.float32 and values.tolist() == [1.0, 2.5]


def test_encode_float_labels_like_infer_targets():
    labels = pd.Series([0.0, 1.0, 1.0])
    targets = infer_targets(labels, source=SOURCE)
    assert targets.encode(labels).tolist() == targets.values.tolist()


@pytest.mark.parametrize(
    ("kind", "num_classes", "units", "activation"),
    [
        ("binary", 1, 1, "sigmoid"),
        ("multiclass", 4, 4, "softmax"),
        ("regression", 1, 1, "linear"),
        ("reconstruction", 1, 1, "linear"),
    ],
    ids=["binary", "multiclass", "regression", "reconstruction"],
)
def test_output_layer(kind, num_classes, units, activation):
    layer = output_layer(kind, num_classes, name="head")
    assert layer.units == units
    assert layer.activation.__name__ == activation
    assert layer.name == "head"


@pytest.mark.parametrize(
    ("kind", "loss"),
    [
        ("binary", "binary_crossentropy"),
        ("multiclass", "sparse_categorical_crossentropy"),
        ("regression", "mean_squared_error"),
        ("reconstruction", "mean_squared_error"),
    ],
)
def test_loss_for(kind, loss):
    assert loss_for(kind) == loss
