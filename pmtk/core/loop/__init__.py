"""The one loop: from ``--data`` to a published run, and from a run to predictions.

- ``source``: the one data path: ``--data`` read through the task in parts (one part
  when it fits), targets inferred, splits assigned, samples and passes; ``tally`` holds
  what its one statistics pass counts (splits, labels, events, samples, test groups).
- ``training``: build, compile, fit (resume, early stopping, distribution), then results.
- ``scoring`` and ``results``: scores part by part, predictions, the honest evaluation,
  the model, config and report.
- ``prediction``: opening a finished run and applying it to new data.
"""

from pmtk.core.loop.prediction import OpenRun, open_run, predict
from pmtk.core.loop.source import ExampleSource
from pmtk.core.loop.training import train

__all__ = ["ExampleSource", "OpenRun", "open_run", "predict", "train"]
