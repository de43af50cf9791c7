"""The plugin host: built-in and installed plugins, failures, environment switches, tracing."""

from __future__ import annotations

import types
from dataclasses import dataclass
from importlib import metadata

import pytest

from pmtk import hookimpl
from pmtk.core.contract.task import RunContext
from pmtk.core.host.plugins import (
    BUILTIN_PLUGINS,
    PluginHost,
    get_plugin_host,
    reset_plugin_host,
)
from tests.core.fake_task import FakePlugin

ENV = ("PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS")


@dataclass
class FakeEntryPoint:
    """Stands in for an installed distribution's ``pmtk`` entry point."""

    name: str
    value: str
    dist: object
    plugin: object = None
    error: Exception | None = None

    def load(self):
        if self.error is not None:
            raise self.error
        return self.plugin


def _dist(name: str, version: str = "1.2.3"):
    return types.SimpleNamespace(name=name, version=version)


@pytest.fixture
def installed(monkeypatch):
    """Pretends two third-party plugins are installed: ``fake`` works, ``broken`` cannot import."""
    for variable in ENV:
        monkeypatch.delenv(variable, raising=False)
    points = [
        FakeEntryPoint("fake", "pmtk_fake:plugin", _dist("pmtk-fake"), plugin=FakePlugin()),
        FakeEntryPoint(
            "broken",
            "pmtk_broken",
            _dist("pmtk-broken", "0.1"),
            error=ImportError("No module named 'pmtk_broken_dependency'"),
        ),
    ]

    def entry_points(*, group=None):
        assert group == "pmtk"
        return points

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    return points


def test_builtin_plugins_are_registered_through_the_same_calls(host):
    assert set(BUILTIN_PLUGINS) <= set(host.records)
    imaging = host.records["imaging"]
    assert imaging.builtin and imaging.status == "loaded" and imaging.distribution == "pmtk"
    assert imaging.module == "pmtk.plugins.imaging"
    assert host.pm.get_plugin("imaging") is not None
    assert "pmtk_register_tasks" in host.hook_names("imaging")
    assert host.hook_names("not-a-plugin") == []


class _Broken:
    @hookimpl
    def pmtk_register_tasks(self, register):
        raise RuntimeError("database offline")


def test_a_plugin_raising_in_a_hook_is_recorded_and_others_still_register(host, add_plugin):
    add_plugin(_Broken(), "broken")
    add_plugin(FakePlugin(), "fake-plugin")
    registry = host.registry
    record = host.records["broken"]
    assert record.status == "failed"
    assert record.errors == ["pmtk_register_tasks: RuntimeError: database offline"]
    assert {"imaging", "fake"} <= set(registry.tasks)
    assert host.records["fake-plugin"].status == "loaded"


def test_a_misspelt_hook_is_caught_and_the_plugin_not_registered(host, add_plugin):
    typo = types.SimpleNamespace(pmtk_register_taks=hookimpl(lambda register: None))
    record = add_plugin(typo, "typo")
    assert record.status == "failed"
    assert record.errors[0].startswith("register: ")
    assert "pmtk_register_taks" in record.errors[0]
    assert host.pm.get_plugin("typo") is None
    assert "imaging" in host.registry.tasks


def test_a_plugin_name_clash_keeps_the_plugin_already_loaded(host, add_plugin):
    record = add_plugin(FakePlugin(), "imaging")
    assert record.status == "failed"
    assert host.pm.get_plugin("imaging") is not None
    assert "imaging" in host.registry.tasks


def test_installed_plugins_load_and_a_failed_import_is_recorded(installed):
    host = PluginHost()
    fake, broken = host.records["fake"], host.records["broken"]
    assert not fake.builtin and fake.status == "loaded"
    assert (fake.distribution, fake.version, fake.module) == (
        "pmtk-fake",
        "1.2.3",
        "pmtk_fake:plugin",
    )
    assert broken.status == "failed"
    assert broken.errors == ["import: ImportError: No module named 'pmtk_broken_dependency'"]
    assert host.pm.get_plugin("broken") is None
    # The host still works: built-in and installed tasks are available.
    assert {"imaging", "fake"} <= set(host.registry.tasks)


@pytest.mark.parametrize(
    ("disabled", "off"),
    [
        ("genomics", {"genomics"}),
        ("fake", {"fake"}),
        ("pmtk-fake, genomics", {"fake", "genomics"}),
    ],
    ids=["builtin", "entry-point-name", "distribution-name-and-builtin"],
)
def test_disable_plugins(installed, monkeypatch, disabled, off):
    monkeypatch.setenv("PMTK_DISABLE_PLUGINS", disabled)
    host = PluginHost()
    for name in off:
        assert host.records[name].status == "disabled"
        assert host.pm.get_plugin(name) is None
    assert host.records["imaging"].status == "loaded"
    assert ("fake" in host.registry.tasks) is ("fake" not in off)


def test_disabling_a_builtin_by_its_distribution_name_does_not_disable_all(installed, monkeypatch):
    monkeypatch.setenv("PMTK_DISABLE_PLUGINS", "pmtk")
    host = PluginHost()
    assert host.records["imaging"].status == "loaded"


@pytest.mark.parametrize(
    ("allowed", "loaded"),
    [
        ("fake", {"fake"}),
        ("pmtk-broken", {"broken"}),
        ("fake,broken", {"fake", "broken"}),
        ("", set()),
    ],
    ids=["entry-point-name", "distribution-name", "both", "empty-loads-none"],
)
def test_load_plugins_allow_list(installed, monkeypatch, allowed, loaded):
    monkeypatch.setenv("PMTK_LOAD_PLUGINS", allowed)
    host = PluginHost()
    third_party = {name for name, record in host.records.items() if not record.builtin}
    assert third_party == loaded
    # Built-in plugins are not affected by the allow-list.
    assert host.records["imaging"].status == "loaded"
    assert "imaging" in host.registry.tasks


def test_trace_prints_hook_calls_on_stderr(monkeypatch, capsys):
    monkeypatch.setenv("PMTK_TRACE_PLUGINS", "1")
    host = PluginHost(entry_points=False)
    assert "imaging" in host.registry.tasks
    err = capsys.readouterr().err
    assert "pmtk: pmtk_register_tasks -> imaging" in err
    assert "pmtk: pmtk_register_models -> imaging" in err


def test_no_trace_by_default(host, capsys):
    assert host.registry.tasks
    assert "pmtk_register_tasks" not in capsys.readouterr().err


class _Callbacks:
    def __init__(self, fail: bool = False):
        self.fail = fail

    @hookimpl
    def pmtk_register_callbacks(self, register, context):
        if self.fail:
            raise ValueError("no tracking server")
        register(("callback-for", context.task))


def test_callback_hook_collects_callbacks_and_survives_a_failing_plugin(host, add_plugin):
    add_plugin(_Callbacks(fail=True), "failing-callbacks")
    add_plugin(_Callbacks(), "callbacks")
    context = RunContext("imaging", {}, host.registry)
    collected: list = []
    host.call_each(
        "pmtk_register_callbacks",
        lambda plugin: {"register": collected.append, "context": context},
    )
    assert collected == [("callback-for", "imaging")]
    assert host.records["failing-callbacks"].errors == [
        "pmtk_register_callbacks: ValueError: no tracking server"
    ]


def test_unregister_forgets_the_plugin(host):
    host.register(FakePlugin(), "fake-plugin")
    host.unregister("fake-plugin")
    assert "fake-plugin" not in host.records and host.pm.get_plugin("fake-plugin") is None
    host.unregister("fake-plugin")  # a second call is harmless


def test_process_wide_host_can_be_replaced(host):
    assert get_plugin_host() is host
    other = PluginHost(entry_points=False)
    reset_plugin_host(other)
    try:
        assert get_plugin_host() is other
    finally:
        reset_plugin_host(host)
