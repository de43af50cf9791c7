"""Column kinds, clean values and training statistics (pandas only, no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmtk.core.errors import DataError
from pmtk.plugins.risk.derivation import RiskDerivation
from pmtk.plugins.risk.features import (
    MAX_CATEGORIES,
    category_text,
    infer_kind,
    input_names,
    numeric_values,
    vocabulary,
)


@pytest.mark.parametrize(
    ("values", "column", "kind"),
    [
        (["1.5", "2", None, "3e1"], "ldl", "numeric"),
        ([1, 2, 2, 3], "apoe4", "numeric"),
        (["yes", "no", "yes", None], "smoker", "categorical"),
        ([True, False, True, False], "diabetic", "categorical"),
        (["P1", "P2", "P3", "P4"], "patient", "identifier"),
        ([101, 102, 103, 104], "patient_id", "identifier"),
        ([101, 102, 103, 104], "PatientID", "identifier"),
        ([101, 102, 103, 104], "lipid", "numeric"),
        (["1", "2", "3", "4", "5", "6", "7", "8", "9", "oops"], "bmi", "numeric"),
        (["1", "2", "2", "x"], "stage", "categorical"),
        ([None, None, None, None], "ldl", "empty"),
    ],
    ids=["text-numbers", "integers", "text", "booleans", "unique-text", "unique-id-name",
         "camel-id-name", "unique-but-not-id-name", "numbers-with-garbage", "mostly-codes",
         "all-missing"],
)  # fmt: skip
def test_infer_kind(values, column, kind):
    assert infer_kind(pd.Series(values), column) == kind


def test_forced_categorical_and_dates():
    assert infer_kind(pd.Series([1, 2, 3, 1]), "site", categorical=True) == "categorical"
    dates = pd.Series(pd.to_datetime(["2020-01-01", "2021-05-02", None]))
    assert infer_kind(dates, "visit") == "date"


def test_numeric_values_names_the_column_and_line():
    raw = pd.DataFrame({"bmi": ["21.5", None, "n/a?", "30"]})
    raw.attrs["row_label"] = ("line", 2)
    with pytest.raises(DataError, match=r"cohort.csv: column 'bmi' holds numbers but line 4 has"):
        numeric_values(raw["bmi"], "bmi", raw, "cohort.csv")
    parsed = numeric_values(raw["bmi"].drop(2), "bmi", raw, "cohort.csv")
    assert parsed.tolist()[0] == 21.5 and np.isnan(parsed.tolist()[1])


def test_category_text_is_stable_across_missing_values():
    assert category_text(pd.Series([1.0, np.nan, 2.5])).tolist() == ["1", "", "2.5"]
    assert category_text(pd.Series([" a", None, True])).tolist() == ["a", "", "True"]


def statistics(values: pd.Series) -> dict:
    """A numeric column's training statistics, as the risk derivation learns them."""
    derivation = RiskDerivation({"seed": 0})
    derivation.extend(pd.DataFrame({"feature:x": values.astype("float64"), "label": 0}))
    entry = derivation.aggregate()["numeric"][0]
    return {key: entry[key] for key in ("median", "mean", "variance", "missing")}


def test_statistics_come_from_present_values_only():
    stats = statistics(pd.Series([1.0, 3.0, np.nan, 5.0]))
    assert stats == {"median": 3.0, "mean": 3.0, "variance": pytest.approx(8 / 3),
                     "missing": 0.25}  # fmt: skip
    assert statistics(pd.Series([2.0, 2.0]))["variance"] == 1.0  # constant: no division by ~0
    assert statistics(pd.Series([np.nan]))["median"] == 0.0


def test_statistics_of_parts_are_those_of_the_whole():
    rng = np.random.default_rng(0)
    values = pd.Series(np.where(rng.random(500) < 0.2, np.nan, rng.normal(3, 2, 500)))
    frame = pd.DataFrame({"feature:x": values, "feature:c": rng.choice(list("abc"), 500),
                          "label": rng.normal(size=500)})  # fmt: skip
    whole, parts = RiskDerivation({"seed": 0}), RiskDerivation({"seed": 0})
    whole.extend(frame)
    for rows in np.array_split(np.arange(500), 7):
        parts.extend(frame.iloc[rows])
    expected, found = whole.aggregate(), parts.aggregate()
    assert found["categorical"] == expected["categorical"]
    numbers = ("median", "mean", "variance", "missing")
    assert [found["numeric"][0][k] for k in numbers] == pytest.approx(
        [expected["numeric"][0][k] for k in numbers], rel=1e-12
    )
    assert found["numeric"][0]["mean"] == pytest.approx(values.mean(), rel=1e-12)
    assert found["numeric"][0]["median"] == values.median()
    assert found["target_std"] == pytest.approx(frame["label"].std(ddof=0), rel=1e-12)


def test_vocabulary_is_by_frequency_and_capped():
    counts = pd.Series(["b", "a", "b", "", "c", "a", "b"]).value_counts()
    assert vocabulary(counts) == ["b", "a", "", "c"]
    many = pd.Series([f"c{i}" for i in range(MAX_CATEGORIES + 10)]).value_counts()
    assert len(vocabulary(many)) == MAX_CATEGORIES


def test_input_names_are_valid_and_unique():
    names = input_names(["Systolic BP (mmHg)", "systolic/bp", "age"])
    assert names == {"Systolic BP (mmHg)": "Systolic_BP__mmHg", "systolic/bp": "systolic_bp",
                     "age": "age"}  # fmt: skip
    assert input_names(["a b", "a_b"]) == {"a b": "a_b", "a_b": "a_b_2"}
