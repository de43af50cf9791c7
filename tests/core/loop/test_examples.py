"""From ``--data`` to encoded, split examples (no TensorFlow involved)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmtk.core.contract.task import RunContext
from pmtk.core.data import sample_data
from pmtk.core.data.sample_data import data_path
from pmtk.core.errors import DataError, OptionError
from pmtk.core.loop.examples import group_column, prepare_examples
from tests.core.fake_task import FakeTask, options_for, write_table


class _WithSample(FakeTask):
    sample_data = "fake/cohort.csv"


class _Regression(FakeTask):
    target_kind = "regression"


class _Reconstruction(FakeTask):
    target_kind = "reconstruction"


def _context(task, data: Path | None, **overrides) -> RunContext:
    options = options_for(data, None, **overrides)
    return RunContext(task.name, options, registry=None)


def test_data_path_defaults_to_the_sample_data(tmp_path, monkeypatch):
    bundled = write_table(tmp_path / "sample_data" / "fake" / "cohort.csv", {"a": 3, "b": 3})
    monkeypatch.setattr(sample_data, "sample_data_root", lambda: tmp_path / "sample_data")
    assert data_path(_WithSample(), None) == bundled


def test_sample_data_root_is_the_checkout_folder():
    assert sample_data.sample_data_root() == Path(__file__).resolve().parents[3] / "sample_data"
    assert sample_data.sample_data_path("imaging") == sample_data.sample_data_root() / "imaging"


def test_given_data_path_wins(tmp_path):
    given = write_table(tmp_path / "mine.csv", {"a": 3, "b": 3})
    assert data_path(_WithSample(), given) == given


def test_missing_data_path_is_a_data_error(tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(DataError) as caught:
        data_path(FakeTask(), missing)
    assert str(caught.value) == f"{missing} does not exist; check the --data path."


def test_missing_sample_data_is_a_data_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sample_data, "sample_data_root", lambda: tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        data_path(_WithSample(), None)


def test_no_data_and_no_sample_data_is_an_option_error():
    with pytest.raises(OptionError, match="no bundled sample data; pass --data PATH"):
        data_path(FakeTask(), None)


def test_prepare_examples_encodes_and_splits(tmp_path):
    data = write_table(tmp_path / "cohort.csv", {"normal": 40, "lesion": 20})
    prepared = prepare_examples(FakeTask(), _context(FakeTask(), data))
    assert prepared.data_path == data
    assert prepared.targets.kind == "binary"
    assert prepared.targets.class_names == ["normal", "lesion"]
    counts = prepared.counts()
    assert sum(counts.values()) == 60 and counts["train"] == 42
    examples, values = prepared.part("test")
    assert len(examples) == len(values) == counts["test"]
    assert list(examples.index) == list(range(counts["test"]))
    assert set(values) == {0, 1}
    assert (examples["label"] == pd.Series(values).map({0: "normal", 1: "lesion"})).all()


def test_prepare_examples_uses_the_split_column(tmp_path):
    split = ["train", "train", "val", "test"] * 3 + ["train", "train", "val", "test"] * 3
    data = write_table(tmp_path / "cohort.csv", {"a": 12, "b": 12}, split=split)
    prepared = prepare_examples(FakeTask(), _context(FakeTask(), data))
    assert list(prepared.split) == split


def test_prepare_examples_positive_class_option(tmp_path):
    data = write_table(tmp_path / "cohort.csv", {"normal": 10, "lesion": 10})
    context = _context(FakeTask(), data, positive_class="normal")
    assert prepare_examples(FakeTask(), context).targets.positive_class == "normal"


def test_prepare_examples_with_a_fixed_target_kind(tmp_path):
    data = write_table(tmp_path / "cohort.csv", {"0": 10, "1": 10})
    prepared = prepare_examples(_Regression(), _context(_Regression(), data))
    assert prepared.targets.kind == "regression"
    reconstruction = prepare_examples(_Reconstruction(), _context(_Reconstruction(), data))
    assert reconstruction.targets.kind == "reconstruction"
    assert reconstruction.part("train")[1] is None


@pytest.mark.parametrize(
    ("counts", "split", "expected"),
    [
        ({"lesion": 20}, None, "only the class 'lesion'"),
        ({"a": 20, "b": 2}, None, "only 2 example(s)"),
        ({"a": 3, "b": 3}, ["train", "val"] * 3, "the test split is empty"),
        ({"a": 3, "b": 3}, ["train", "val", "test"] * 2, None),
    ],
    ids=["one-class", "tiny-class", "empty-split", "valid"],
)
def test_prepare_examples_bad_data_names_the_file(tmp_path, counts, split, expected):
    data = write_table(tmp_path / "cohort.csv", counts, split=split)
    context = _context(FakeTask(), data)
    if expected is None:
        prepare_examples(FakeTask(), context)
        return
    with pytest.raises(DataError) as caught:
        prepare_examples(FakeTask(), context)
    assert str(data) in str(caught.value) and expected in str(caught.value)


def test_prepare_examples_rejects_empty_data(tmp_path):
    data = tmp_path / "empty.csv"
    data.write_text("id,x1,x2,label\n")
    with pytest.raises(DataError, match="holds no examples"):
        prepare_examples(FakeTask(), _context(FakeTask(), data))


def test_group_column(tmp_path):
    table = pd.DataFrame({"patient": [1, 1, 2], "label": ["a", "b", "a"]})
    assert group_column(table, None, "x.csv") is None
    assert group_column(table, "patient", "x.csv").tolist() == ["1", "1", "2"]
    with pytest.raises(DataError) as caught:
        group_column(table, "subject", "x.csv")
    message = str(caught.value)
    assert "x.csv has no column 'subject'" in message and "patient, label" in message
