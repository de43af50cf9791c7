"""``pmtk run TASK``: one subcommand per registered task, its options generated from the task."""

from __future__ import annotations

import inspect
from typing import Any, Literal

import typer

from pmtk.cli.errors import user_errors
from pmtk.core.contract.task import Task, TaskOption
from pmtk.core.host.options import all_options, resolve
from pmtk.core.host.plugins import PluginHost
from pmtk.core.runtime.interruption import RunInterrupted, signal_number, stop_on_signals


def build(host: PluginHost) -> typer.Typer:
    """A typer group with one command per task in the registry."""
    group = typer.Typer(
        help=(
            "Train a task and write a run directory (model, metrics, predictions).\n\n"
            "Every run also trains a simple baseline (logistic or ridge regression, PCA for "
            "the autoencoder) on the same splits and gives each test metric a 95% interval: "
            "the middle 95% of the metric over --bootstrap resamples of the test examples "
            "(of whole patients with --group-column). An AUROC interval that includes 0.5, "
            "or an r2 interval that includes 0, means the model may be no better than "
            "chance; a difference interval below 0 means the baseline is better. pmtk "
            "prints a Warning: line in both cases."
        ),
        no_args_is_help=True,
    )
    registry = host.registry
    for name, contribution in sorted(registry.tasks.items()):
        command = _command(host, contribution.value)
        group.command(name, help=contribution.description or f"Train the {name} task.")(command)
    return group


def _parameter(option: TaskOption, models: list[str]) -> inspect.Parameter:
    flag = "--" + option.name.replace("_", "-")
    choices = models if option.name == "model" and models else option.choices
    annotation: Any = (
        option.type if option.default is not None or option.type is bool else (option.type | None)
    )
    if choices:
        annotation = Literal[tuple(choices)]  # typer shows and checks Literal values as choices
        annotation = annotation | None if option.default is None else annotation
    if option.multiple:  # a repeatable flag: typer collects the values into a list
        annotation = list[option.type] | None
    if option.type is bool:
        flag = f"{flag}/--no-{flag[2:]}"
    default = typer.Option(option.default, flag, help=option.help)
    return inspect.Parameter(
        option.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _command(host: PluginHost, task: Task):
    options = all_options(task)
    models = host.registry.model_names(task.name)

    def command(ctx: typer.Context, **values: Any) -> None:
        explicit = {
            name
            for name in values
            if getattr(ctx.get_parameter_source(name), "name", None) == "COMMANDLINE"
        }
        try:
            with stop_on_signals(), user_errors():
                host.registry.task(task.name)  # refuses a name several plugins registered
                resolved = resolve(task, values, explicit)
                from pmtk.core.loop.training import train

                train(task, resolved, host)
        except KeyboardInterrupt as error:  # SIGINT or SIGTERM: one sentence, exit 130 or 143
            stopped = error
            if not isinstance(error, RunInterrupted):
                stopped = RunInterrupted(signal_number(error), "nothing was written")
            typer.echo(stopped.sentence, err=True)
            raise typer.Exit(stopped.exit_code) from None

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    command.__signature__ = inspect.Signature(  # typer reads options from the signature
        [context] + [_parameter(option, models) for option in options]
    )
    return command
