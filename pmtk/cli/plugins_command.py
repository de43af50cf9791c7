"""``pmtk plugins``: built-in and installed plugins, versions, hooks, tasks and load failures."""

from __future__ import annotations

import json

import typer

from pmtk.core.host.plugins import PluginHost


def plugin_rows(host: PluginHost) -> list[dict]:
    """One dict per plugin: name, distribution, version, builtin, status, hooks, tasks, errors."""
    registry = host.registry  # collecting it runs the hooks, so hook failures are recorded
    rows = []
    for record in host.records.values():
        rows.append(
            {
                "name": record.name,
                "distribution": record.distribution,
                "version": record.version,
                "builtin": record.builtin,
                "module": record.module,
                "status": record.status,
                "hooks": host.hook_names(record.name),
                "tasks": sorted(n for n, c in registry.tasks.items() if c.plugin == record.name),
                "errors": record.errors,
            }
        )
    return rows


def register(app: typer.Typer, host: PluginHost) -> None:
    """Adds the ``plugins`` command."""

    @app.command("plugins")
    def plugins(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """List plugins (built-in and installed) with their hooks and any load failure."""
        rows = plugin_rows(host)
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        for row in rows:
            origin = "built-in" if row["builtin"] else row["distribution"]
            typer.echo(f"{row['name']} {row['version']} ({origin}) {row['status']}")
            if row["tasks"]:
                typer.echo(f"  tasks: {', '.join(row['tasks'])}")
            if row["hooks"]:
                typer.echo(f"  hooks: {', '.join(row['hooks'])}")
            for error in row["errors"]:
                typer.echo(f"  error: {error}")
