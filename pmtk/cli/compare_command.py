"""``pmtk compare RUN_DIR RUN_DIR...``: one page comparing runs of the same data."""

from __future__ import annotations

from pathlib import Path

import typer

from pmtk.cli.errors import user_errors
from pmtk.core.host.plugins import PluginHost


def register(app: typer.Typer, host: PluginHost) -> None:
    """Adds the ``compare`` command."""

    @app.command("compare")
    def compare(
        run_dirs: list[Path] = typer.Argument(..., help="Two or more run directories."),
        output: Path = typer.Option(Path("compare.html"), "--output", help="HTML file to write."),
    ) -> None:
        """Compare runs of the same task and data: test metrics with intervals, ROC curves."""
        with user_errors():
            from pmtk.core.report.compare import render_comparison
            from pmtk.core.run.outputs import check_output

            check_output(output, list(run_dirs), kind="file")
            html = render_comparison(list(run_dirs))
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(html, encoding="utf-8")
            typer.echo(f"Comparison of {len(run_dirs)} runs written to {output}", err=True)
