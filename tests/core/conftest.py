"""Fixtures of the core tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def add_plugin(host):
    """Registers plugin objects on ``host`` and always unregisters them afterwards."""
    names: list[str] = []

    def add(plugin: object, name: str, **kwargs):
        names.append(name)
        return host.register(plugin, name, **kwargs)

    yield add
    for name in names:
        host.unregister(name)
