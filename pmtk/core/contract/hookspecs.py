"""Every pmtk hook, in one place.

Contribution hooks take a ``register`` callback: a plugin calls it once per thing
it adds, so one plugin can add several tasks, models or readers and pmtk always
knows which plugin added what (duplicate names are reported with both plugins). The
callbacks' types are the Protocols of :mod:`pmtk.core.contract.registering`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer

    from pmtk.core.contract.context import RunContext
    from pmtk.core.contract.registering import (
        RegisterCallback,
        RegisterEncoder,
        RegisterExplainer,
        RegisterModel,
        RegisterReader,
        RegisterSplitter,
        RegisterTask,
    )

hookspec = pluggy.HookspecMarker("pmtk")
hookimpl = pluggy.HookimplMarker("pmtk")


@hookspec
def pmtk_register_tasks(register: RegisterTask) -> None:
    """Add tasks that ``pmtk run NAME`` can train.

    Called once per process when the task registry is first needed, which is on
    every ``pmtk`` command (the CLI builds one ``run`` subcommand per task), so keep
    it cheap and free of TensorFlow imports. If it raises, the plugin is marked
    failed; what it registered before raising stays registered. A task named like a
    built-in one is refused (the plugin is marked failed, the built-in task keeps working);
    two installed plugins registering the same name is a conflict naming both.

    Args:
        register: Call ``register(task)`` with an instance of a
            :class:`pmtk.core.contract.task.Task` subclass for every task the plugin adds. A
            subclass that does not implement the abstract ``read`` and ``dataset``
            cannot be instantiated (``TypeError``), so the mistake shows at registration.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def pmtk_register_models(register: RegisterModel) -> None:
    """Add model architectures to a task, selectable with ``--model NAME``.

    Called once per process on every command, after all tasks are registered. If
    it raises, the plugin is marked failed; what it registered before stays.

    Args:
        register: Call ``register(task_name, model_name, builder, description="")``.
            ``builder(spec: ModelSpec) -> keras.Model`` receives the input shape,
            the target kind, the class count and the task options, and returns an
            uncompiled Keras model whose output is a probability (classification)
            or a value (regression, reconstruction). Import Keras inside the builder.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def pmtk_register_readers(register: RegisterReader) -> None:
    """Add readers for file formats to a task (for example NIfTI volumes for imaging).

    Called once per process on every command, after all tasks are registered. If
    it raises, the plugin is marked failed; what it registered before stays.

    Args:
        register: Call ``register(task_name, reader)`` with a
            :class:`pmtk.core.contract.task.Reader`. Which arguments ``reader.read`` takes is
            defined by the task: imaging ``read(path: str) -> ndarray`` of shape
            ``(H, W)`` or ``(H, W, C)`` in RGB(A) order; genomics
            ``read(path: Path) -> list[tuple[str, str]]`` of (title, sequence);
            risk and autoencoder ``read(path: Path) -> pandas.DataFrame``.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def pmtk_register_splitters(register: RegisterSplitter) -> None:
    """Add ways of splitting examples into train, validation and test (``--splitter NAME``).

    Called once per process on every command, after all tasks are registered. If it raises,
    the plugin is marked failed; what it registered before stays. A name the core already
    has (``column``, ``stratified``, ``group``, ``hash``) or another plugin registered is a
    conflict naming both plugins. A task can make its splitter the default for its runs
    (``Task.splitter``).

    Args:
        register: Call ``register(splitter)`` with an instance of a
            :class:`pmtk.core.data.splitters.Splitter` subclass: its ``name``, and
            ``assign(examples, request)`` giving each row's split. A splitter whose ``whole``
            is False is given one part of the data at a time and must give a row the same
            split whatever part it comes in.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def pmtk_register_callbacks(register: RegisterCallback, context: RunContext) -> None:
    """Add Keras callbacks to every training run (experiment tracking, extra logs).

    Called once per ``pmtk run``, after the model is compiled and just before
    ``fit``. ``context.run_dir`` is the staging folder that becomes the run
    directory when the run succeeds, so files written there end up in the run. If it
    raises, the run goes on without that plugin's callbacks: a ``Warning:`` line naming
    the plugin goes to stderr and the error text to ``config.json`` (``plugins``).

    Args:
        register: Call ``register(callback)`` with a ``keras.callbacks.Callback``.
        context: The run being trained: task, resolved options, run directory.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def pmtk_register_commands(app: typer.Typer, host: Any) -> None:
    """Add commands to the ``pmtk`` command line.

    Called while the CLI is built, so keep imports of TensorFlow inside the
    command functions. An implementation may take ``app`` alone (as before ``host``
    existed): pluggy passes only the arguments an implementation names.

    Args:
        app: The root typer application; add commands with ``@app.command()``.
            Wrap the body in ``pmtk.cli.errors.user_errors()`` so a ``PmtkError``
            prints one sentence instead of a traceback.
        host: The :class:`pmtk.core.host.plugins.PluginHost` the CLI was built with. A
            command uses ``host.registry`` (tasks, models, encoders, readers; see
            ``docs/plugins/hooks.md``) and ``pmtk.core.loop.prediction.open_run(run_dir,
            host)`` to open a finished run, instead of a process-wide global.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def pmtk_register_explainers(register: RegisterExplainer) -> None:
    """Add an explainer to a task, used by ``pmtk explain RUN_DIR --data PATH``.

    Called once per process on every command, after all tasks are registered, so
    keep it cheap and free of TensorFlow imports (import Keras inside the
    explainer's methods). If it raises, the plugin is marked failed; what it
    registered before raising stays registered. One explainer per task: a second
    plugin registering one for the same task is a conflict that names both.

    Args:
        register: Call ``register(task_name, explainer)`` with an instance of a
            :class:`pmtk.core.explaining.Explainer` subclass. ``pmtk explain`` reads
            the data with the run's task, calls ``explainer.explain(run, examples,
            settings, model)`` for the explanations and ``explainer.write(...)`` for
            the files, and runs the model-randomisation check on what ``explain``
            returned.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def pmtk_register_encoders(register: RegisterEncoder) -> None:
    """Add encoders to a modality, so models (and fusion) can embed its inputs.

    An encoder turns one modality's raw per-example input (what the modality's task
    ``dataset`` yields: images, one-hot DNA, a dict of cohort columns) into a fixed-size
    embedding, with the preprocessing inside. Called once per process on every command,
    after all tasks and models are registered, so keep it cheap and free of TensorFlow
    imports (import Keras inside the builder). If it raises, the plugin is marked failed;
    what it registered before stays. Two plugins registering the same name for the same
    modality is a conflict that names both.

    Args:
        register: Call ``register(modality, encoder_name, builder, description="")``.
            ``modality`` is the name of the task whose data the encoder reads
            (``"imaging"``, ``"risk"``, or a plugin's task). ``builder(spec: ModelSpec)
            -> pmtk.core.contract.encoders.Encoded`` creates ``keras.Input`` layers shaped like
            ``spec.input_shape`` and returns them with a ``(batch, size)`` embedding,
            adding its layers to the graph being built (no nested ``keras.Model``).

    Returns:
        Nothing; the return value is ignored.
    """
