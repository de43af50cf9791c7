"""Splitters by name: the core's four, a plugin's, and how a run chooses one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmtk import hookimpl
from pmtk.core.data.splitters import (
    BUILTIN_SPLITTERS,
    HashSplitter,
    SplitRequest,
    Splitter,
    choose_splitter,
)
from pmtk.core.errors import DataError, OptionError, PluginError
from pmtk.core.loop.source import ExampleSource
from tests.core.fake_task import FakePlugin, FakeTask, options_for, write_table
from tests.core.loop.test_source import PartsTask

REQUEST = SplitRequest(val_fraction=0.15, test_fraction=0.15, seed=0, source="data.csv")


def _examples(rows: int = 600, **columns) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"P{i:04d}" for i in range(rows)], **columns})


class SiteSplitter(Splitter):
    """Site B is the test split; the rest split by hash into train and val."""

    name = "site"
    description = "site B for testing"

    def assign(self, examples, request):
        split = HashSplitter().assign(examples, request)
        split = np.where(split == "test", "train", split)
        return np.where(examples["site"].to_numpy() == "B", "test", split)


class _SitePlugin:
    @hookimpl
    def pmtk_register_splitters(self, register):
        register(SiteSplitter())


class _HashAgain:
    @hookimpl
    def pmtk_register_splitters(self, register):
        register(HashSplitter())


class _NotASplitter:
    @hookimpl
    def pmtk_register_splitters(self, register):
        register(object())


def test_the_core_has_four_splitters():
    assert sorted(BUILTIN_SPLITTERS) == ["column", "group", "hash", "stratified"]
    assert [s.whole for s in map(BUILTIN_SPLITTERS.get, ("column", "hash"))] == [False, False]
    assert BUILTIN_SPLITTERS["stratified"].whole and BUILTIN_SPLITTERS["group"].whole


def test_hash_gives_a_row_the_same_split_in_any_part():
    examples = _examples()
    whole = HashSplitter().assign(examples, REQUEST)
    parts = [HashSplitter().assign(examples[i : i + 70], REQUEST) for i in range(0, 600, 70)]
    assert (np.concatenate(parts) == whole).all()
    assert 0.10 < (whole == "test").mean() < 0.20


def test_group_keeps_a_patient_whole_and_ignores_classes():
    examples = _examples(group=[f"patient{i // 3}" for i in range(600)])
    split = BUILTIN_SPLITTERS["group"].assign(examples, REQUEST)
    assert (pd.Series(split).groupby(examples["group"]).nunique() == 1).all()


@pytest.mark.parametrize(
    ("name", "columns", "held", "error", "message"),
    [
        ("nowhere", {}, True, OptionError, "Unknown splitter 'nowhere' (--splitter); choose one"),
        ("stratified", {}, False, OptionError, "--splitter stratified needs every example in"),
        ("column", {}, True, DataError, "data.csv has no 'split' column (--splitter column)"),
    ],
    ids=["unknown", "whole-in-parts", "column-without-one"],
)
def test_a_splitter_that_cannot_split_the_data_is_refused(name, columns, held, error, message):
    with pytest.raises(error) as caught:
        choose_splitter(name, None, _examples(**columns), held, "data.csv")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("columns", "held", "expected"),
    [({"split": ["train"] * 600}, True, "column"), ({}, True, "stratified"), ({}, False, "hash")],
    ids=["split-column", "held", "in-parts"],
)
def test_the_default_splitter_follows_the_data(columns, held, expected):
    assert choose_splitter(None, None, _examples(**columns), held, "d.csv").name == expected


def test_a_plugin_splitter_is_registered_and_chosen(host, add_plugin, tmp_path):
    add_plugin(FakePlugin(), "fake")
    add_plugin(_SitePlugin(), "sites")
    assert host.registry.splitters["site"].plugin == "sites"
    data = write_table(tmp_path / "cohort.csv", {"a": 150, "b": 150})
    table = pd.read_csv(data)
    table["site"] = ["A", "B", "C"] * 100
    table.to_csv(data, index=False)
    for task in (FakeTask(), PartsTask()):  # whole-data and part-by-part reading alike
        options = options_for(data, None, splitter="site")
        context = host.registry.run_context("fake", options)
        source = ExampleSource(task, context)
        assert source.counts()["test"] == 100
        test_ids = {i for _, e, _, _ in source.parts(("test",)) for i in e["id"]}
        assert test_ids == set(table.loc[table["site"] == "B", "id"].astype(str))


def test_a_plugin_reusing_a_core_splitter_name_is_a_conflict(host, add_plugin):
    add_plugin(_HashAgain(), "rival")
    with pytest.raises(PluginError, match=r"splitter 'hash' is registered by more than one"):
        host.registry.splitter("hash")


def test_a_plugin_registering_something_else_fails_alone(host, add_plugin):
    add_plugin(_NotASplitter(), "broken")
    assert host.registry.splitter("hash").name == "hash"  # the registry is built here
    assert host.records["broken"].status == "failed"
    assert "expects a pmtk Splitter instance" in " ".join(map(str, host.records["broken"].errors))
