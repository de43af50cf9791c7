"""The one loop: from ``--data`` to a published run, and from a run to predictions.

- ``examples``: reading ``--data`` through the task, encoding targets, assigning splits.
- ``streamed`` and ``streamed_results``: the same for a table read in parts (being folded
  into ``examples``: issue 22).
- ``training``: build, compile, fit (resume, early stopping, distribution), then results.
- ``results``: predictions, the honest evaluation, the model, config and report.
- ``prediction``: opening a finished run and applying it to new data.
"""

from pmtk.core.loop.examples import PreparedExamples, prepare_examples
from pmtk.core.loop.prediction import OpenRun, open_run, predict
from pmtk.core.loop.training import train

__all__ = ["OpenRun", "PreparedExamples", "open_run", "predict", "prepare_examples", "train"]
