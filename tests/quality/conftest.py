"""Runs a task's default on its bundled sample, in process, as `pmtk run TASK` would."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pmtk.core.host.plugins import PluginHost, reset_plugin_host


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
