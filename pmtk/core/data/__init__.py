"""Data, before any task knows it: reading tables, splitting, sampling, batching.

- ``tables``: CSV, TSV and Parquet read whole or in chunks, with one set of error sentences.
- ``part_threshold``: the row count past which a task reads its data in parts.
- ``arrow_tables`` and ``csv_blocks``: Parquet and CSV/TSV read by pyarrow in batches, with
  a CSV's column types fixed up front.
- ``statistics`` and ``sampling``: running moments; bounded, seeded uniform samples of rows
  read batch by batch.
- ``splits``: the one split module: aliases, carving, stratified/grouped and hash splits.
- ``batching``: batching, shuffling and prefetching an unbatched ``tf.data.Dataset``.
- ``sample_data``: where ``--data`` points, else the task's bundled sample data.

Nothing here imports a task, the plugin host or TensorFlow at module level.
"""

from pmtk.core.data.batching import batches, shuffle_buffer
from pmtk.core.data.sample_data import data_path, sample_data_path, sample_data_root
from pmtk.core.data.splits import (
    SPLIT_ALIASES,
    SPLITS,
    assign_splits,
    batch_splits,
    carve_validation,
    check_splits,
    hash_splits,
    split_names,
)
from pmtk.core.data.tables import read_parquet_table, read_text_table, text_table_chunks, where

__all__ = [
    "SPLITS",
    "SPLIT_ALIASES",
    "assign_splits",
    "batch_splits",
    "batches",
    "carve_validation",
    "check_splits",
    "data_path",
    "hash_splits",
    "read_parquet_table",
    "read_text_table",
    "sample_data_path",
    "sample_data_root",
    "shuffle_buffer",
    "split_names",
    "text_table_chunks",
    "where",
]
