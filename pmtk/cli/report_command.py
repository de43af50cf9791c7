"""``pmtk report RUN_DIR``: write a finished run's report.html again."""

from __future__ import annotations

from pathlib import Path

import typer

from pmtk.cli.errors import user_errors
from pmtk.core.host.plugins import PluginHost


def register(app: typer.Typer, host: PluginHost) -> None:
    """Adds the ``report`` command."""

    @app.command("report")
    def report(
        run_dir: Path = typer.Argument(..., help="A run directory written by 'pmtk run'."),
    ) -> None:
        """Write RUN_DIR/report.html again from the run's files (no model needed)."""
        with user_errors():
            from pmtk.core.report import write_report

            path = write_report(run_dir)
            typer.echo(f"Report written to {path}", err=True)
