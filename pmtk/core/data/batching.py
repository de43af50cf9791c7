"""Batching an unbatched task dataset for fit, evaluate and predict."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tensorflow as tf

#: Examples the training shuffle buffer holds at most.
SHUFFLE_EXAMPLES = 50_000
#: Bytes it holds at most: a decoded 128-px RGB image is 196 kB, so 50,000 of them would
#: need 10 GB beside the cache.
SHUFFLE_BYTES = 1 << 30
#: Rows of one part :func:`chained` hands tf.data at a time.
PART_BATCH_ROWS = 4096
#: Bytes counted for a string (a category, a path) whose length the spec does not know.
_STRING_BYTES = 64


def batches(dataset: tf.data.Dataset, batch_size: int, *, shuffle_seed: int | None = None):
    """Batches an unbatched dataset (shuffled for training) and prefetches."""
    import tensorflow as tf

    if shuffle_seed is not None:
        buffer = shuffle_buffer(dataset)
        dataset = dataset.shuffle(buffer, seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def shuffle_buffer(dataset: tf.data.Dataset, size: int | None = None) -> int:
    """The training shuffle buffer: every example when they fit both limits above.

    Past them the buffer holds a window of the examples, so the loop puts the training
    examples in a seeded random order first (``training``), and each window is a random
    sample rather than, say, one class folder.

    Args:
        dataset: The examples, or a dataset with the same element spec.
        size: Their number (default: the dataset's cardinality).
    """
    limit = min(SHUFFLE_EXAMPLES, max(1, SHUFFLE_BYTES // element_bytes(dataset.element_spec)))
    size = int(dataset.cardinality()) if size is None else size
    return size if 0 < size <= limit else limit


def element_bytes(spec) -> int:
    """Bytes of one element of a dataset with this ``element_spec`` (unknown sizes count 1)."""
    import tensorflow as tf

    total = 0
    for part in tf.nest.flatten(spec):
        count = 1
        for size in part.shape:
            count *= size or 1
        width = _STRING_BYTES if part.dtype == tf.string else part.dtype.size
        total += count * width
    return max(total, 1)


def chained(datasets: Callable[[], Iterable[tf.data.Dataset]]) -> tf.data.Dataset:
    """One unbatched dataset of the elements of several, made one after the other when it is
    iterated (a generator), so memory holds one of them: data read in parts.

    Args:
        datasets: Called at every iteration (every epoch); gives the datasets in order, all
            with the element spec of the first.
    """
    import tensorflow as tf

    first = next(iter(datasets()))
    batched = tf.nest.map_structure(
        lambda spec: tf.TensorSpec((None, *spec.shape), spec.dtype), first.element_spec
    )

    def generate():
        for dataset in datasets():
            yield from dataset.batch(PART_BATCH_ROWS)

    return tf.data.Dataset.from_generator(generate, output_signature=batched).unbatch()
