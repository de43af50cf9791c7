"""The root ``pmtk`` application: builds the command tree from the loaded plugins."""

from __future__ import annotations

import typer

from pmtk import __version__
from pmtk.cli import (
    compare_command,
    explain_command,
    plugin_command,
    plugins_command,
    predict_command,
    report_command,
    run_command,
    tasks_command,
)
from pmtk.core.host.plugins import PluginHost, get_plugin_host


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"pmtk {__version__}")
        raise typer.Exit()


def build_app(host: PluginHost | None = None) -> typer.Typer:
    """The ``pmtk`` typer app, with a ``run`` subcommand per registered task."""
    host = host or get_plugin_host()
    app = typer.Typer(
        name="pmtk",
        help="Precision-medicine deep learning: train, evaluate and apply models in one command.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @app.callback()
    def root(
        version: bool = typer.Option(
            False, "--version", callback=_show_version, is_eager=True, help="Show the version."
        ),
    ) -> None:
        """Precision-medicine deep learning: train, evaluate and apply models in one command."""

    app.add_typer(run_command.build(host), name="run")
    tasks_command.register(app, host)
    plugins_command.register(app, host)
    plugin_command.register(app, host)
    predict_command.register(app, host)
    explain_command.register(app, host)
    report_command.register(app, host)
    compare_command.register(app, host)
    host.call_each("pmtk_register_commands", lambda plugin: {"app": app, "host": host})
    return app


def main() -> None:
    """Console-script entry point."""
    build_app()()
