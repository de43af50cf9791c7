"""Every pmtk hook, in one place.

Contribution hooks take a ``register`` callback: a plugin calls it once per thing
it adds, so one plugin can add several tasks, models or readers and pmtk always
knows which plugin added what (duplicate names are reported with both plugins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer

    from pmtk.core.task import RunContext

hookspec = pluggy.HookspecMarker("pmtk")
hookimpl = pluggy.HookimplMarker("pmtk")


@hookspec
def pmtk_register_tasks(register: Any) -> None:
    """Add tasks that ``pmtk run NAME`` can train.

    Called once per process when the task registry is first needed (listing tasks,
    running, predicting).

    Args:
        register: Call ``register(task)`` with an instance of a
            :class:`pmtk.core.task.Task` subclass for every task the plugin adds.
    """


@hookspec
def pmtk_register_models(register: Any) -> None:
    """Add model architectures to a task, selectable with ``--model NAME``.

    Called once per process, after all tasks are registered.

    Args:
        register: Call ``register(task_name, model_name, builder, description="")``.
            ``builder(spec: ModelSpec) -> keras.Model`` receives the input shape,
            the target kind, the class count and the task options, and returns an
            uncompiled Keras model whose output is a probability (classification)
            or a value (regression, reconstruction). Import Keras inside the builder.
    """


@hookspec
def pmtk_register_readers(register: Any) -> None:
    """Add readers for file formats to a task (for example NIfTI volumes for imaging).

    Called once per process, after all tasks are registered.

    Args:
        register: Call ``register(task_name, reader)`` with a
            :class:`pmtk.core.task.Reader`. Which arguments ``reader.read`` takes is
            defined by the task (imaging: a path, returning an image array).
    """


@hookspec
def pmtk_register_callbacks(register: Any, context: RunContext) -> None:
    """Add Keras callbacks to every training run (experiment tracking, extra logs).

    Called once per ``pmtk run``, after the model is built and before ``fit``.

    Args:
        register: Call ``register(callback)`` with a ``keras.callbacks.Callback``.
        context: The run being trained: task, resolved options, run directory.
    """


@hookspec
def pmtk_register_commands(app: typer.Typer) -> None:
    """Add commands to the ``pmtk`` command line.

    Called while the CLI is built, so keep imports of TensorFlow inside the
    command functions.

    Args:
        app: The root typer application; add commands with ``@app.command()``.
    """
