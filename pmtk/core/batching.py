"""Batching an unbatched task dataset for fit, evaluate and predict."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tensorflow as tf


def batches(dataset: tf.data.Dataset, batch_size: int, *, shuffle_seed: int | None = None):
    """Batches an unbatched dataset (shuffled for training) and prefetches."""
    import tensorflow as tf

    if shuffle_seed is not None:
        size = int(dataset.cardinality())
        buffer = size if 0 < size <= 50_000 else 50_000
        dataset = dataset.shuffle(buffer, seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
