"""The core, in layers (``docs/architecture.md``); each subpackage has one job.

- ``errors``: the user-facing errors every layer raises (the bottom).
- ``runtime``: TensorFlow setup, precision, distribution, signals, progress.
- ``data``: tables, CSV and Arrow reading, splits, sampling, statistics, batching.
- ``evaluation``: metrics, bootstrap intervals, the baseline, calibration, curves, decision
  curve, subgroups, survival statistics.
- ``contract``: what a plugin implements and the types it touches (Task, RunContext,
  Targets, Reader, encoders, hook specs).
- ``host``: the plugin manager, the registry and the run options.
- ``run``: run directories, checkpoints, workers' folders, output paths.
- ``loop``: reading examples, training, evaluating and writing a run; prediction.
- ``report`` and ``explaining``: the report and ``pmtk explain``.

Modules that lived directly in ``pmtk.core`` before 0.2 still import from their old names,
with a ``DeprecationWarning``, for one release (``MOVED``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: Old module name -> new one, for plugins written against pmtk 0.1's flat core.
MOVED = {
    f"pmtk.core.{old}": f"pmtk.core.{new}"
    for old, new in {
        "tables": "data.tables", "splits": "data.splits", "batching": "data.batching",
        "sample_data": "data.sample_data", "metrics": "evaluation.metrics",
        "bootstrap": "evaluation.bootstrap", "baseline": "evaluation.baseline",
        "calibration": "evaluation.calibration", "subgroups": "evaluation.subgroups",
        "survival": "evaluation.survival", "task": "contract.task",
        "context": "contract.context", "targets": "contract.targets",
        "reader": "contract.reader", "encoders": "contract.encoders",
        "registering": "contract.registering", "hookspecs": "contract.hookspecs",
        "model_check": "contract.model_check",
        "predictions_table": "contract.predictions_table", "plugins": "host.plugins",
        "registry": "host.registry", "options": "host.options", "rundir": "run.rundir",
        "checkpoint": "run.checkpoint", "outputs": "run.outputs",
        "precision": "runtime.precision", "distributed": "runtime.distributed",
        "sentinel": "runtime.sentinel", "training": "loop.training",
        "prediction": "loop.prediction", "examples": "loop.source",
    }.items()
}  # fmt: skip


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports a module under its pre-0.2 name: the new module itself, with a warning."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        warnings.warn(
            f"{spec.name} moved to {MOVED[spec.name]}; import from there (the old name is "
            "removed in pmtk 0.3).",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(MOVED[spec.name])

    def exec_module(self, module) -> None:
        """Nothing to run: the new module is already imported."""


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModules())
