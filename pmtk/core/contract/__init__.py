"""The plugin contract: what a plugin implements and the types it touches.

- ``task``: ``Task`` (read, derive, dataset, ...) and ``TaskOption``.
- ``context``: ``RunContext`` (read-only options and derived settings), ``ModelSpec``,
  ``SplitData``.
- ``options``: ``RunOptions``, the options every run takes, each default stated once.
- ``targets``: target kinds, their inference from labels, losses and output layers.
- ``reader``: a file-format ``Reader`` contributed to a task.
- ``encoders``: ``Encoded`` and the encoder + head composition of a model.
- ``registering``: the ``register`` callbacks and builder protocols hooks receive.
- ``hookspecs``: every ``pmtk_*`` hook, in one place.
- ``model_check`` and ``predictions_table``: what the loop checks of a plugin's model, and
  the shape of every predictions table.

This is the bottom of the plugin API: it imports only ``errors``, ``data`` and
``evaluation`` below it, never the host or the loop.
"""

from pmtk.core.contract.context import ModelSpec, RunContext, SplitData
from pmtk.core.contract.encoders import Encoded, fuse, model_builder
from pmtk.core.contract.options import RunOptions
from pmtk.core.contract.reader import Reader
from pmtk.core.contract.targets import TARGET_KINDS, SurvivalLabel, Targets, output_layer
from pmtk.core.contract.task import Task, TaskOption

__all__ = [
    "TARGET_KINDS",
    "Encoded",
    "ModelSpec",
    "Reader",
    "RunContext",
    "RunOptions",
    "SplitData",
    "SurvivalLabel",
    "Targets",
    "Task",
    "TaskOption",
    "fuse",
    "model_builder",
    "output_layer",
]
