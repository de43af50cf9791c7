"""``pmtk tasks`` and ``pmtk plugins``, including broken and conflicting plugins."""

from __future__ import annotations

import json
import types

from pmtk import hookimpl
from pmtk.core.contract.task import Task


def test_tasks_lists_builtin_tasks(cli):
    result = cli("tasks")
    assert result.exit_code == 0
    assert "imaging" in result.stdout and "seed" in result.stdout
    rows = {row["task"]: row for row in json.loads(cli("tasks", "--json").stdout)}
    assert rows["imaging"]["plugin"] == "imaging"
    assert rows["imaging"]["default_model"] == "small_cnn"
    assert set(rows["imaging"]["models"]) >= {"seed", "small_cnn"}


def test_plugins_json_shape(cli):
    rows = {row["name"]: row for row in json.loads(cli("plugins", "--json").stdout)}
    imaging = rows["imaging"]
    assert imaging["builtin"] and imaging["status"] == "loaded"
    assert imaging["tasks"] == ["imaging"]
    assert "pmtk_register_tasks" in imaging["hooks"]
    assert set(imaging) == {"name", "distribution", "version", "builtin", "module", "status",
                            "hooks", "tasks", "errors"}  # fmt: skip


class _Broken:
    @hookimpl
    def pmtk_register_tasks(self, register):
        raise RuntimeError("database offline")


def test_a_plugin_failing_in_a_hook_is_shown_and_nothing_else_breaks(cli, host):
    host.register(_Broken(), "broken", distribution="pmtk-broken")
    try:
        rows = {row["name"]: row for row in json.loads(cli("plugins", "--json").stdout)}
        assert rows["broken"]["status"] == "failed"
        assert "pmtk_register_tasks: RuntimeError: database offline" in rows["broken"]["errors"]
        readable = cli("plugins").stdout
        assert "broken" in readable and "database offline" in readable
        assert cli("tasks").exit_code == 0
        assert "imaging" in cli("tasks").stdout
    finally:
        host.unregister("broken")


def test_a_misspelt_hook_is_reported():
    plugin = types.SimpleNamespace(pmtk_register_taks=hookimpl(lambda register: None))
    from pmtk.core.host.plugins import PluginHost

    host = PluginHost(entry_points=False)
    record = host.register(plugin, "typo")
    assert record.status == "failed"
    assert "pmtk_register_taks" in record.errors[0]
    assert host.pm.get_plugin("typo") is None


class _Points(Task):
    name = "points"
    description = "points on a plane"
    default_model = "x"

    def read(self, path, context, *, require_labels=True):
        """Not used: listing is what is tested."""

    def dataset(self, examples, targets, context):
        """Not used."""


class _Imaging2(_Points):
    name = "imaging"
    description = "another imaging task"


class _Duplicate:
    @hookimpl
    def pmtk_register_tasks(self, register):
        register(_Points())


class _ClashesWithBuiltin:
    @hookimpl
    def pmtk_register_tasks(self, register):
        register(_Imaging2())


def test_duplicate_task_names_both_plugins(cli, host):
    host.register(_Duplicate(), "points-1")
    host.register(_Duplicate(), "dup")
    try:
        listing = cli("tasks").stdout
        assert "CONFLICT: also registered by dup" in listing
        result = cli("run", "points", "--epochs", "1")
        assert result.exit_code == 1
        assert "'points-1', 'dup'" in result.stderr and "PMTK_DISABLE_PLUGINS=dup" in result.stderr
    finally:
        host.unregister("dup")
        host.unregister("points-1")


def test_a_task_named_like_a_builtin_is_refused_and_the_builtin_still_runs(cli, host):
    host.register(_ClashesWithBuiltin(), "dup")
    try:
        assert "CONFLICT" not in cli("tasks").stdout
        rows = {row["name"]: row for row in json.loads(cli("plugins", "--json").stdout)}
        assert rows["dup"]["status"] == "failed"
        assert "built-in plugin 'imaging'" in rows["dup"]["errors"][0]
        assert cli("run", "imaging", "--help").exit_code == 0
    finally:
        host.unregister("dup")
