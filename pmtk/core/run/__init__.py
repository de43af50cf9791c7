"""Run directories: where a run is written, how it is resumed, and who may write it.

- ``rundir``: the locked, staged run directory, published by one rename when complete.
- ``checkpoint``: the training state saved every epoch, and what it belongs to.
- ``workers``: which worker writes under ``--distribute multi-worker``.
- ``outputs``: checking an output path before any data is read.
"""

from pmtk.core.run.outputs import check_output, check_run_output, write_atomically
from pmtk.core.run.rundir import RunDirectory, content_hash, default_output, write_json

__all__ = [
    "RunDirectory",
    "check_output",
    "check_run_output",
    "content_hash",
    "default_output",
    "write_atomically",
    "write_json",
]
