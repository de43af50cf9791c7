"""The loop's one data path: ``--data`` read in parts (one when it fits), split, encoded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.contract.task import RunContext
from pmtk.core.data import sample_data
from pmtk.core.data.sample_data import data_path
from pmtk.core.data.tables import group_column
from pmtk.core.errors import DataError, OptionError
from pmtk.core.loop.source import ExampleSource
from tests.core.fake_task import FakeTask, options_for, write_table


class PartsTask(FakeTask):
    """The fake task reading its CSV in parts of 25 rows (as a task does past the threshold)."""

    part_rows = 25

    def read_parts(self, path, context, *, require_labels=True):
        whole = self.read(path, context, require_labels=require_labels)
        for start in range(0, len(whole), self.part_rows):
            part = whole.iloc[start : start + self.part_rows].reset_index(drop=True)
            part.attrs["row_label"] = ("line", start + 2)
            yield part


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


def test_held_data_is_encoded_and_split_stratified(tmp_path):
    data = write_table(tmp_path / "cohort.csv", {"normal": 40, "lesion": 20})
    prepared = ExampleSource(FakeTask(), _context(FakeTask(), data))
    assert prepared.held and prepared.data_path == data
    assert prepared.targets.kind == "binary"
    assert prepared.targets.class_names == ["normal", "lesion"]
    counts = prepared.counts()
    assert sum(counts.values()) == 60 and counts["train"] == 42
    assert prepared.class_counts() == {0: 28, 1: 14}  # stratified: the classes' shares
    split = prepared.split_data("test")
    examples, values = split.examples, split.targets
    assert len(examples) == len(values) == counts["test"] == split.rows
    assert list(examples.index) == list(range(counts["test"]))
    assert set(values) == {0, 1}
    assert (examples["label"] == pd.Series(values).map({0: "normal", 1: "lesion"})).all()


def test_held_data_uses_the_split_column(tmp_path):
    split = ["train", "train", "val", "test"] * 3 + ["train", "train", "val", "test"] * 3
    data = write_table(tmp_path / "cohort.csv", {"a": 12, "b": 12}, split=split)
    prepared = ExampleSource(FakeTask(), _context(FakeTask(), data))
    assert list(prepared.split) == split


def test_positive_class_option(tmp_path):
    data = write_table(tmp_path / "cohort.csv", {"normal": 10, "lesion": 10})
    context = _context(FakeTask(), data, positive_class="normal")
    assert ExampleSource(FakeTask(), context).targets.positive_class == "normal"


def test_a_fixed_target_kind(tmp_path):
    data = write_table(tmp_path / "cohort.csv", {"0": 10, "1": 10})
    prepared = ExampleSource(_Regression(), _context(_Regression(), data))
    assert prepared.targets.kind == "regression"
    reconstruction = ExampleSource(_Reconstruction(), _context(_Reconstruction(), data))
    assert reconstruction.targets.kind == "reconstruction"
    assert reconstruction.split_data("train").targets is None


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
def test_bad_held_data_names_the_file(tmp_path, counts, split, expected):
    data = write_table(tmp_path / "cohort.csv", counts, split=split)
    context = _context(FakeTask(), data)
    if expected is None:
        ExampleSource(FakeTask(), context)
        return
    with pytest.raises(DataError) as caught:
        ExampleSource(FakeTask(), context)
    assert str(data) in str(caught.value) and expected in str(caught.value)


@pytest.mark.parametrize("task", [FakeTask(), PartsTask()], ids=["held", "in-parts"])
def test_empty_data_is_refused(tmp_path, task):
    data = tmp_path / "empty.csv"
    data.write_text("id,x1,x2,label\n")
    with pytest.raises(DataError, match="holds no examples"):
        ExampleSource(task, _context(task, data))


def test_group_column(tmp_path):
    table = pd.DataFrame({"patient": [1, 1, 2], "label": ["a", "b", "a"]})
    assert group_column(table, None, "x.csv") is None
    assert group_column(table, "patient", "x.csv").tolist() == ["1", "1", "2"]
    with pytest.raises(DataError) as caught:
        group_column(table, "subject", "x.csv")
    message = str(caught.value)
    assert "x.csv has no column 'subject'" in message and "patient, label" in message


def _labels(count: int, seed: int = 0) -> dict[str, int]:
    return {"normal": count * 2 // 3, "lesion": count - count * 2 // 3}


def test_data_in_parts_is_hash_split_and_counted(tmp_path):
    data = write_table(tmp_path / "cohort.csv", _labels(600))
    source = ExampleSource(PartsTask(), _context(PartsTask(), data))
    assert not source.held
    counts = source.counts()
    assert sum(counts.values()) == 600
    assert 0.10 < counts["val"] / 600 < 0.20 and 0.10 < counts["test"] / 600 < 0.20
    assert source.targets.class_names == ["normal", "lesion"]
    assert sum(source.class_counts().values()) == counts["train"]
    ids = {name: [] for name in ("train", "val", "test")}
    for name, examples, targets, _ in source.parts(("train", "val", "test")):
        ids[name] += examples["id"].tolist()
        assert (examples["label"] == pd.Series(targets).map({0: "normal", 1: "lesion"})).all()
    assert {name: len(found) for name, found in ids.items()} == counts
    assert not set(ids["train"]) & set(ids["test"])
    assert source.derived == {"train_rows": counts["train"]}  # every training row, once


def test_a_split_column_gives_the_same_splits_held_or_in_parts(tmp_path):
    rng = np.random.default_rng(4)
    split = rng.choice(["train", "validation", "test"], 300, p=[0.7, 0.15, 0.15]).tolist()
    data = write_table(tmp_path / "cohort.csv", _labels(300), split=split)
    held = ExampleSource(FakeTask(), _context(FakeTask(), data))
    parts = ExampleSource(PartsTask(), _context(PartsTask(), data))
    assert held.counts() == parts.counts() == {
        "train": split.count("train"), "val": split.count("validation"), "test": split.count("test")
    }  # fmt: skip


def test_a_split_column_without_validation_is_carved_alike_held_or_in_parts(tmp_path):
    split = ["train", "train", "train", "test"] * 75
    data = write_table(tmp_path / "cohort.csv", _labels(300), split=split)
    held = ExampleSource(FakeTask(), _context(FakeTask(), data))
    parts = ExampleSource(PartsTask(), _context(PartsTask(), data))
    assert held.counts() == parts.counts()
    assert held.counts()["test"] == 75 and 15 < held.counts()["val"] < 50


def test_a_bad_split_value_gives_one_sentence_held_or_in_parts(tmp_path):
    split = ["train", "val", "test"] * 99 + ["holdout", "train", "test"]
    data = write_table(tmp_path / "cohort.csv", _labels(300), split=split)
    for task, place in ((FakeTask(), "row 298"), (PartsTask(), "line 299")):
        with pytest.raises(DataError) as caught:
            ExampleSource(task, _context(task, data))
        assert str(caught.value) == (
            f"{data}: {place} has split 'holdout'; the 'split' column may only hold train, "
            "val or test (or training, valid, validation, dev, testing)."
        )


def test_a_missing_label_in_a_later_part_names_its_line(tmp_path):
    data = write_table(tmp_path / "cohort.csv", _labels(300))
    table = pd.read_csv(data)
    table.loc[260, "label"] = None
    table.to_csv(data, index=False)
    with pytest.raises(DataError, match=r"cohort.csv: line 262 has no label"):
        ExampleSource(PartsTask(), _context(PartsTask(), data))


def test_a_split_streamed_part_by_part_holds_every_row(tmp_path):
    data = write_table(tmp_path / "cohort.csv", _labels(300))
    source = ExampleSource(PartsTask(), _context(PartsTask(), data))
    rows = list(source.dataset("val").as_numpy_iterator())
    assert len(rows) == source.counts()["val"]
    features, target = rows[0]
    assert features.shape == (2,) and target.dtype == np.float32
    sample = source.split_data("train")
    assert len(sample.examples) == sample.rows == source.counts()["train"]  # below the bound
    assert sum(len(e) for e, _ in sample.parts()) == sample.rows


def test_one_class_in_parts_is_refused(tmp_path):
    data = write_table(tmp_path / "cohort.csv", {"lesion": 100})
    with pytest.raises(DataError, match="only the class 'lesion'"):
        ExampleSource(PartsTask(), _context(PartsTask(), data))


@pytest.mark.parametrize("task", [FakeTask(), PartsTask()], ids=["held", "in-parts"])
def test_fractions_leaving_no_training_data_are_refused_at_any_size(tmp_path, task):
    data = write_table(tmp_path / "cohort.csv", _labels(300))
    context = _context(task, data, val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(OptionError, match="must each be between 0 and 1 and sum to less than 1"):
        ExampleSource(task, context)
