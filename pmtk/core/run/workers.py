"""Who writes what under ``--distribute multi-worker``: run folder or scratch, sharding, faults.

The chief writes the run directory as a single-process run would (lock, staging, publish);
the other workers train into a scratch folder removed at the end.
See :mod:`pmtk.core.runtime.distributed`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pmtk.core.errors import OptionError, PmtkError
from pmtk.core.run.rundir import CHECKPOINT_FOLDER, CHECKPOINT_STATE, RunDirectory
from pmtk.core.runtime.distributed import Cluster, Sentinel, unreachable

#: Seconds every worker waits for the others at the end of training.
FINISH_TIMEOUT = 300


class WorkerLost(PmtkError):
    """A worker of a multi-worker run died or stopped answering."""


class ScratchFolder:
    """What a non-chief worker trains into: a temporary folder, removed at the end.

    Args:
        final: The ``--output`` the chief writes (named in messages only).
    """

    def __init__(self, final: Path) -> None:
        self.final = Path(final)
        self.path: Path | None = None

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="pmtk-worker-"))
        return self.path

    def __exit__(self, *exc_info: object) -> None:
        self.remove()

    def remove(self) -> None:
        """Deletes the scratch folder (safe to call twice)."""
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)

    def kept(self) -> str:
        """What an interrupted worker left behind, as the end of one sentence."""
        return f"this worker wrote nothing; the chief keeps the checkpoints of {self.final}"


def output_folder(output: Path, resume: bool, cluster: Cluster | None) -> Any:
    """The run directory for a single process or the chief, scratch for the other workers."""
    if cluster is None or cluster.is_chief:
        return RunDirectory(output, resume=resume)
    return ScratchFolder(output)


def resume_source(run_dir: Path, options: dict[str, Any], cluster: Cluster | None) -> Path:
    """The staging folder whose checkpoint a resumed run loads (the chief's, for every worker).

    Raises:
        OptionError: A non-chief worker cannot read the chief's checkpoint.
    """
    if cluster is None or cluster.is_chief:
        return run_dir
    output = Path(options["output"])
    staging = output.parent / f".{output.name}.incomplete"
    if not (staging / CHECKPOINT_FOLDER / CHECKPOINT_STATE).is_file():
        raise OptionError(
            f"Cannot resume on {cluster.name}: it cannot read the chief's checkpoint in "
            f"{staging}; put --output on storage every worker can read (a shared file system)."
        )
    return staging


def sharded(dataset: Any, cluster: Cluster | None) -> Any:
    """Shards by element across workers (``AutoShardPolicy.DATA``): in-memory data has no files."""
    if cluster is None:
        return dataset
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


@contextmanager
def fit_guard(cluster: Cluster | None, run_dir: Path) -> Iterator[None]:
    """Watches the other workers while training and waits for all of them at the end.

    The sentinel process ends this worker when a peer stops answering; when TensorFlow
    notices first, its error becomes one sentence naming the unreachable worker.

    Raises:
        WorkerLost: A collective failed because a worker was lost.
    """
    sentinel = Sentinel.current()
    if cluster is None or sentinel is None:
        yield
        return
    import tensorflow as tf
    from tensorflow.python.eager import context as eager_context

    sentinel.send(f"watch {run_dir}")
    try:
        yield
        eager_context.context().wait_at_barrier("pmtk-fit-finished", FINISH_TIMEOUT * 1000)
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError,
            tf.errors.CancelledError, tf.errors.AbortedError, tf.errors.InternalError,
            tf.errors.UnknownError) as error:  # fmt: skip
        lost = unreachable(cluster, timeout=2.0)
        who = ", ".join(f"{name} at {address}" for name, address in lost) or "a worker"
        raise WorkerLost(
            f"Lost {who} during training ({type(error).__name__}), so {cluster.name} "
            "stopped; nothing was published; restart every worker with --resume to continue."
        ) from None
    finally:
        sentinel.send("rest")


def build_without_reduce(model: Any) -> None:
    """Lets ``fit()`` start under ``MultiWorkerMirroredStrategy`` (keras-team/keras#20585).

    Before training Keras builds the model from the first batch, which it averages across
    workers with ``strategy.reduce`` on the whole ``(x, y)`` structure; that fails with
    "Attempt to convert a value (PerReplica...)". Building needs shapes only, so this model
    builds from this worker's first local batch instead.
    """
    import tensorflow as tf

    reduce_scalar_logs()
    strategy = model.distribute_strategy

    def local(value: Any) -> Any:
        if isinstance(value, tf.distribute.DistributedValues):
            return strategy.experimental_local_results(value)[0]
        return value

    def maybe_symbolic_build(iterator=None, data_batch=None) -> None:
        if iterator is not None:
            for _, _, batches in iterator:
                data_batch = tf.nest.map_structure(local, next(batches))
                break
        with strategy.scope():
            model._symbolic_build(data_batch=data_batch)

    model._maybe_symbolic_build = maybe_symbolic_build


def reduce_scalar_logs() -> None:
    """Lets Keras average scalar logs across workers (``axis=None``; ``axis=0`` fails on them).

    Under ``MultiWorkerMirroredStrategy`` Keras 3 reduces every per-step log with
    ``strategy.reduce("MEAN", value, axis=0)``, which fails on the scalar loss and metrics
    ("Invalid reduction dimension 0 for input with 0 dimensions"). Installed once per process,
    and only by multi-worker runs; other strategies keep Keras's own reduction.
    """
    from keras.src.backend.tensorflow import trainer

    original = trainer.reduce_per_replica
    if getattr(original, "pmtk_scalar_logs", False):
        return

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and trainer._collective_all_reduce_multi_worker(strategy):
            return trainer.tree.map_structure(
                lambda value: strategy.reduce(
                    "MEAN", value, axis=None if value.shape.rank == 0 else 0
                ),
                values,
            )
        return original(values, strategy, reduction)

    reduce_per_replica.pmtk_scalar_logs = True
    trainer.reduce_per_replica = reduce_per_replica


def local_copy(model: Any, scratch_parent: Path) -> Any:
    """The trained model outside the multi-worker strategy, for the chief's evaluation.

    Under ``MultiWorkerMirroredStrategy`` ``predict()`` splits rows between workers and
    waits for all of them; the chief evaluates alone, so it predicts with a copy.
    """
    import keras

    folder = Path(tempfile.mkdtemp(prefix="pmtk-model-"))
    try:
        path = folder / "trained.keras"
        model.save(path)
        copy = keras.models.load_model(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("Training finished on every worker; the chief evaluates.", file=sys.stderr)
    return copy
