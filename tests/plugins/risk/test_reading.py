"""From a raw table to the examples table: target, id, group, split, features; derive()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmtk.core.contract.task import RunContext
from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.risk.features import FEATURE_PREFIX as F
from pmtk.plugins.risk.reading import id_source, prediction_examples, training_examples
from pmtk.plugins.risk.task import RiskTask


def _raw(**columns) -> pd.DataFrame:
    base = {"age": ["61", "47", "52", "70"], "sex": ["F", "M", None, "F"],
            "outcome": ["yes", "no", "no", "yes"]}  # fmt: skip
    raw = pd.DataFrame(base | columns)
    raw.attrs["row_label"] = ("line", 2)
    return raw


def _options(**values) -> dict:
    return {"data": "c.csv", "target": "outcome"} | values


def test_features_ids_and_labels():
    examples = training_examples(_raw(), _options(), "c.csv")
    assert examples["id"].tolist() == ["line 2", "line 3", "line 4", "line 5"]
    assert examples[F + "age"].tolist() == [61.0, 47.0, 52.0, 70.0]
    assert examples[F + "sex"].tolist() == ["F", "M", "", "F"]
    assert id_source(examples) is None and not examples.attrs


@pytest.mark.parametrize(
    ("values", "expected"),
    [(["1", "0", "0", "1"], [1, 0, 0, 1]), (["2.5", "1", "7", "3"], [2.5, 1.0, 7.0, 3.0]),
     ([" pos", "neg", "neg", "pos"], ["pos", "neg", "neg", "pos"])],
    ids=["zero-one", "continuous", "text"],
)  # fmt: skip
def test_labels_are_numbers_when_every_value_is_one(values, expected):
    examples = training_examples(_raw(outcome=values), _options(), "c.csv")
    assert examples["label"].tolist() == expected


def test_rows_without_outcome_are_left_out_with_a_notice(capsys):
    examples = training_examples(_raw(outcome=["yes", None, "no", "yes"]), _options(), "c.csv")
    assert len(examples) == 3 and examples["id"].tolist() == ["line 2", "line 4", "line 5"]
    assert "left out 1 row(s) with no 'outcome' value (line 3)" in capsys.readouterr().err


def test_roles_are_never_features(capsys):
    raw = _raw(mrn=["A1", "A2", "A3", "A4"], family=["f1", "f1", None, "f2"],
               note=["n1", "n2", "n3", "n4"], split=["train", "val", "test", "train"],
               site=["1", "2", "1", "2"])  # fmt: skip
    options = _options(id_column="mrn", exclude="sex", categorical="site")
    examples = training_examples(raw, options, "c.csv", group_column="family")
    assert [c for c in examples if c.startswith(F)] == [F + "age", F + "site"]
    assert examples["id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert examples["group"].tolist() == ["f1", "f1", "row:A3", "f2"]
    assert examples["split"].tolist() == ["train", "val", "test", "train"]
    assert id_source(examples) == "mrn"
    assert "column 'note' has a different value in every row and is left out" in (
        capsys.readouterr().err
    )


def test_sample_data_defaults_to_disease(host):
    raw = _raw().rename(columns={"outcome": "disease"})
    options = {"data": None, "target": None}
    examples = training_examples(raw, options, "cohort.csv")
    assert examples["label"].tolist() == ["yes", "no", "no", "yes"]
    assert options == {"data": None, "target": None}  # only read
    derived = RiskTask().derive(examples, RunContext("risk", options, host.registry))
    assert derived["target"] == "disease"  # recorded in config.json's derived


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (_options(target=None), OptionError, "Name the outcome column of c.csv with --target"),
        (_options(exclude="outcome"), OptionError, "--exclude lists the --target column"),
        (_options(id_column="outcome"), OptionError, "--id-column 'outcome' is the --target"),
        (_options(exclude="weight"), DataError, "c.csv has no column 'weight' (--exclude)"),
        (_options(), DataError, "has no column 'fam' (--group-column)"),
        (_options(exclude="age,sex"), DataError, "c.csv has no feature columns"),
    ],
    ids=["no-target", "exclude-target", "id-is-target", "unknown-exclude", "unknown-group",
         "no-features"],
)  # fmt: skip
def test_option_mistakes(options, error, message):
    group = "fam" if "fam" in message else None
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        training_examples(_raw(), options, "c.csv", group_column=group)


def test_derive_learns_from_training_rows_only(host):
    examples = training_examples(_raw(), _options(), "c.csv")
    train = examples[[True, True, True, False]].reset_index(drop=True)
    context = RunContext("risk", _options(), host.registry)
    derived = RiskTask().derive(train, context)
    age = derived["numeric"][0]
    assert (age["column"], age["median"], age["missing"]) == ("age", 52.0, 0.0)
    assert age["mean"] == pytest.approx(160 / 3)
    assert derived["categorical"] == [
        {"column": "sex", "input": "sex", "vocabulary": ["", "F", "M"]}
    ]
    assert derived["target"] == "outcome" and "target_mean" not in derived


def test_prediction_examples_use_the_trained_schema():
    derived = {"target": "outcome", "id_column": "mrn",
               "numeric": [{"column": "age"}], "categorical": [{"column": "sex"}]}  # fmt: skip
    raw = pd.DataFrame({"mrn": ["Z9"], "age": [None], "sex": ["X"], "other": ["ignored"]})
    examples = prediction_examples(raw, derived, "new.csv")
    assert list(examples.columns) == ["id", F + "age", F + "sex"]
    assert examples["id"].tolist() == ["Z9"] and np.isnan(examples[F + "age"][0])


def test_left_out_rows_are_named_by_line_never_by_id(capsys):
    raw = _raw(pid=["P01", "P02", "P03", "P04"], outcome=["yes", None, "no", None])
    training_examples(raw, _options(id_column="pid"), "c.csv")
    err = capsys.readouterr().err
    assert "left out 2 row(s) with no 'outcome' value (line 3, line 5)" in err
    assert "P02" not in err and "P04" not in err


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "Infinity"])
def test_infinite_numbers_are_refused_naming_column_and_line(value):
    with pytest.raises(DataError, match=r"column 'age' has an infinite .* at line 4;.*"
                       r"--nonfinite-as-missing"):  # fmt: skip
        training_examples(_raw(age=["61", "47", value, "70"]), _options(), "c.csv")


def test_infinite_numbers_become_missing_with_the_option(capsys):
    raw = _raw(age=["61", "inf", "52", "70"], outcome=["1.5", "2", "-inf", "3"])
    examples = training_examples(raw, _options(nonfinite_as_missing=True), "c.csv")
    assert examples[F + "age"].isna().tolist() == [False, True, False]
    assert examples["label"].tolist() == [1.5, 2.0, 3.0]
    err = capsys.readouterr().err
    assert "are treated as missing (--nonfinite-as-missing)" in err
    assert "left out 1 row(s) with no 'outcome' value (line 4)" in err


def test_infinite_target_is_refused():
    with pytest.raises(DataError, match="column 'outcome' has an infinite .* at line 3"):
        training_examples(_raw(outcome=["1.5", "inf", "2", "3"]), _options(), "c.csv")


def test_prediction_refuses_infinite_numbers_without_the_training_option():
    derived = {"numeric": [{"column": "age"}], "categorical": [], "target": "outcome"}
    with pytest.raises(DataError, match="at line 2; .* empty for a missing value\\.$"):
        prediction_examples(_raw(age=["inf", "1", "2", "3"]), derived, "new.csv")
