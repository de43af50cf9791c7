"""The one training loop: build in a strategy scope, compile, fit, evaluate, write the run."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.model_check import check_model_output
from pmtk.core.contract.options import RunOptions
from pmtk.core.contract.task import ModelSpec, RunContext, Task
from pmtk.core.data.batching import batches
from pmtk.core.data.splits import SPLITS
from pmtk.core.loop.results import write_outputs
from pmtk.core.loop.source import ExampleSource
from pmtk.core.run.rundir import default_output
from pmtk.core.run.workers import fit_guard, local_copy, output_folder
from pmtk.core.runtime.distributed import make_multi_worker_strategy, read_tf_config
from pmtk.core.runtime.interruption import RunInterrupted, signal_number, stop_on_signals
from pmtk.core.runtime.precision import precision_policy
from pmtk.core.runtime.tensorflow_setup import make_strategy, quiet_tensorflow, seed_everything

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

    from pmtk.core.host.plugins import PluginHost

#: Classes this many times rarer than the most common one get balanced class weights.
IMBALANCE_RATIO = 1.5


def train(task: Task, options: RunOptions | Mapping[str, Any], host: PluginHost) -> Path:
    """Trains ``task`` with resolved ``options`` and writes a complete run directory.

    Args:
        task: The task to train.
        options: The resolved options (a mapping of every option is read as ``RunOptions``).
        host: The plugin host whose models, callbacks and readers the run uses.

    Returns:
        The run directory.

    Raises:
        PmtkError: Bad data or options; nothing is left that looks like a run.
    """
    from pmtk.core.run.outputs import check_run_output

    options = RunOptions.from_mapping(options)
    check_run_output(task, options)  # refuses a bad --output before any data is read
    cluster = strategy = None
    if options.distribute == "multi-worker":  # before any other TensorFlow call
        cluster = read_tf_config()
        strategy = make_multi_worker_strategy(cluster)
    output = Path(options.output or default_output(task.name))
    run_directory = output_folder(output, options.resume, cluster)
    try:
        # The lock is taken first: a second run to the same output stops before reading data.
        with stop_on_signals(), run_directory as run_dir:
            source = ExampleSource(task, host.registry.run_context(task.name, options))
            builder = host.registry.model_builder(task.name, options.model)

            quiet_tensorflow()
            seed_everything(options.seed)
            strategy = strategy or make_strategy(options.distribute)
            # The loop's bookkeeping: config.json's "loop" section, never the task's derived.
            loop: dict[str, Any] = {
                "distribute": {
                    "strategy": type(strategy).__name__,
                    "workers": cluster.num_workers if cluster else 1,
                    "replicas": int(strategy.num_replicas_in_sync),
                },
                # Whether the data was read in parts (informational: nothing branches on it).
                "streamed": not source.held,
            }
            context = replace(source.context, run_dir=run_dir)
            # Every split's dataset before training, so an input no task can read (a corrupt
            # image in the test split) is refused before an epoch is spent on the others.
            for name in SPLITS:
                source.dataset(name)
            # Layers keep the policy they were built with; what comes after is float32.
            with precision_policy(options.precision):
                model = _fit(task, context, source, builder, host, strategy, cluster, loop)
            if cluster is not None and not cluster.is_chief:
                return _worker_done(cluster, run_directory)
            model = local_copy(model, run_dir) if cluster is not None else model
            run_warnings = write_outputs(task, context, source, model, host, loop)
    except KeyboardInterrupt as error:
        raise RunInterrupted(signal_number(error), run_directory.kept()) from None
    print(f"Run written to {run_directory.final}", file=sys.stderr)
    for warning in run_warnings:
        print(f"Warning: {warning[0].upper()}{warning[1:]}", file=sys.stderr)
    return run_directory.final


def _worker_done(cluster, run_directory) -> Path:
    print(
        f"{cluster.name[0].upper()}{cluster.name[1:]} finished training; the chief writes "
        f"{run_directory.final}.",
        file=sys.stderr,
    )
    return run_directory.final


def class_weights(
    kind: str, targets: np.ndarray | None = None, counts: dict[int, int] | None = None
) -> dict[int, float] | None:
    """Balanced class weights when the training classes are imbalanced, else None.

    Args:
        kind: The target kind.
        targets: The encoded training targets, or
        counts: their count per class (a streamed run holds no targets).
    """
    if kind not in ("binary", "multiclass"):
        return None
    if counts is None:
        classes, numbers = np.unique(np.asarray(targets).astype(int), return_counts=True)
    else:
        classes, numbers = np.array(sorted(counts)), np.array([counts[c] for c in sorted(counts)])
    if numbers.max() < IMBALANCE_RATIO * numbers.min():
        return None
    # scikit-learn's "balanced": n_samples / (n_classes * count), from the counts alone
    weights = numbers.sum() / (len(classes) * numbers)
    return {int(c): float(w) for c, w in zip(classes, weights, strict=True)}


def _callbacks(
    context: RunContext, host: PluginHost, resumed=None
) -> list[keras.callbacks.Callback]:
    import keras

    from pmtk.core.run.checkpoint import EpochCheckpoint, ResumableEarlyStopping, StopOnSignal

    run_dir = context.run_dir
    early_stopping = ResumableEarlyStopping(
        resumed.early_stopping if resumed else None,
        resumed.best_weights if resumed else None,
        monitor="val_loss",
        patience=context.options.patience,
        restore_best_weights=True,
    )
    callbacks = [
        StopOnSignal(),
        early_stopping,
        keras.callbacks.CSVLogger(str(run_dir / "history.csv"), append=True),
        keras.callbacks.TensorBoard(log_dir=str(run_dir / "logs")),
    ]
    callbacks += host.run_callbacks(context)  # a raising plugin: a Warning, left out
    # Last, so the state it saves includes what every other callback did this epoch.
    return [*callbacks, EpochCheckpoint(run_dir, early_stopping)]


def _fit(task, context, source, builder, host, strategy, cluster, loop) -> keras.Model:
    import keras

    from pmtk.core.run import checkpoint
    from pmtk.core.run.workers import build_without_reduce, resume_source, sharded
    from pmtk.core.runtime.precision import float32_outputs

    options, kind = context.options, source.targets.kind
    train_dataset = source.dataset("train")
    weights = class_weights(kind, counts=source.class_counts())
    loop["class_weight"] = weights
    spec = ModelSpec(
        input_shape=_input_shape(train_dataset),
        kind=kind,
        num_classes=source.targets.num_classes,
        class_names=source.targets.class_names,
        context=context,
        train_dataset=train_dataset,
        class_weight=weights,
    )
    with strategy.scope():
        model = float32_outputs(builder(spec))
        plugin = host.registry.models[task.name][options.model].plugin
        check_model_output(model, spec, plugin, options.model)
        if cluster is not None:
            build_without_reduce(model)
        model.compile(
            optimizer=keras.optimizers.Adam(options.learning_rate),
            **task.compile_options(kind),
        )
        belongs_to = checkpoint.identity(task.name, options, source.data_hash)
        resumed = None
        if options.resume:
            saved = resume_source(context.run_dir, options, cluster)
            checkpoint.check_identity(saved, belongs_to)
            resumed = checkpoint.load(saved, model)
        else:
            checkpoint.write_identity(context.run_dir, belongs_to)
    # The batch size is global: under a strategy each replica gets its share of every batch.
    train_batches = sharded(
        batches(train_dataset, options.batch_size, shuffle_seed=options.seed), cluster
    )
    initial_epoch = 0
    if resumed is not None:
        initial_epoch = options.epochs if resumed.finished else resumed.epoch
        checkpoint.trim_history(context.run_dir / "history.csv", resumed.epoch)
        # Every new iterator reshuffles, and Keras 3 opens the training data twice per epoch:
        # so many skipped iterators give the resumed epochs the uninterrupted run's order.
        for _ in range(2 * resumed.epoch):
            iter(train_batches)
        print(checkpoint.resume_note(resumed), file=sys.stderr)
    val_batches = sharded(batches(source.dataset("val"), options.batch_size), cluster)
    callbacks = _callbacks(context, host, resumed)
    with fit_guard(cluster, context.run_dir), _checkpoint_written(callbacks[-1]):
        model.fit(
            train_batches,
            validation_data=val_batches,
            epochs=options.epochs,
            initial_epoch=initial_epoch,
            callbacks=callbacks,
            class_weight=weights,
            shuffle=False,  # the pipeline shuffles; Keras cannot shuffle a tf.data.Dataset
            verbose=1 if sys.stderr.isatty() else 2,
        )
    return model


@contextmanager
def _checkpoint_written(checkpoint):
    """Waits for the checkpoint's background write however fit ends (an interrupt included),
    so that the run directory is never moved or published under a write."""
    try:
        yield
    finally:
        checkpoint.close()


def _input_shape(dataset: tf.data.Dataset) -> tuple:
    spec = dataset.element_spec
    spec = spec[0] if isinstance(spec, tuple) else spec
    if isinstance(spec, dict):
        return {key: tuple(value.shape) for key, value in spec.items()}
    return tuple(spec.shape)
