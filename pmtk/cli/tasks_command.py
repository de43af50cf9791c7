"""``pmtk tasks``: every registered task, the plugin that provides it and its models."""

from __future__ import annotations

import json

import typer

from pmtk.core.host.plugins import PluginHost


def task_rows(host: PluginHost) -> list[dict]:
    """One dict per task: name, plugin, description, models, default model, conflicts."""
    registry = host.registry
    rows = []
    for name, contribution in sorted(registry.tasks.items()):
        task = contribution.value
        rows.append(
            {
                "task": name,
                "plugin": contribution.plugin,
                "description": contribution.description,
                "models": registry.model_names(name),
                "default_model": task.default_model,
                "also_registered_by": registry.conflicts.get(("task", name), [])[1:],
            }
        )
    return rows


def register(app: typer.Typer, host: PluginHost) -> None:
    """Adds the ``tasks`` command."""

    @app.command("tasks")
    def tasks(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """List the tasks 'pmtk run' can train, with the plugin providing each."""
        rows = task_rows(host)
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        width = max([len(r["task"]) for r in rows] + [4])
        for row in rows:
            models = ", ".join(f"{m}*" if m == row["default_model"] else m for m in row["models"])
            typer.echo(f"{row['task']:<{width}}  [{row['plugin']}]  {row['description']}")
            typer.echo(f"{'':<{width}}  models: {models or 'none'}")
            if row["also_registered_by"]:
                others = ", ".join(row["also_registered_by"])
                typer.echo(f"{'':<{width}}  CONFLICT: also registered by {others}")
