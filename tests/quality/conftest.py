"""Runs a task's default on its bundled sample, once per test module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmtk.core.plugins import PluginHost, reset_plugin_host


def run_default(output: Path, task: str, *extra: str) -> tuple[dict, str]:
    """``pmtk run TASK`` with default options on the bundled sample.

    Returns:
        ``metrics.json`` and the run's stderr.
    """
    from pmtk.cli.app import build_app

    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    try:
        args = ["run", task, "--output", str(output), *extra]
        result = CliRunner().invoke(build_app(host), args, catch_exceptions=False)
    finally:
        reset_plugin_host(None)
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text()), result.stderr


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """The default run of the module's ``TASK`` (metrics, stderr)."""
    return run_default(tmp_path_factory.mktemp("run") / "run", request.module.TASK)
