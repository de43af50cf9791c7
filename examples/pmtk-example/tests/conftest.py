"""Fixtures: a plugin host with this plugin registered (and always unregistered), tiny data."""

from __future__ import annotations

from pathlib import Path

import pmtk_example
import pytest
from pmtk_example.synthetic import recordings_table

from pmtk.core.host.plugins import PluginHost, reset_plugin_host


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch):
    """pmtk's built-in plugins plus this one, registered by hand so tests need no install."""
    for variable in ("PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS"):
        monkeypatch.delenv(variable, raising=False)
    host = PluginHost(entry_points=False)
    host.register(pmtk_example, "example", distribution="pmtk-example")
    reset_plugin_host(host)
    yield host
    host.unregister("example")
    reset_plugin_host(None)


@pytest.fixture
def recordings_csv(tmp_path: Path) -> Path:
    """24 recordings of 64 samples, two classes."""
    path = tmp_path / "recordings.csv"
    recordings_table(per_class=12, length=64).to_csv(path, index=False)
    return path
