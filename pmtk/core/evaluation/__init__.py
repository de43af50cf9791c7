"""Judging a model honestly: metrics, intervals, the baseline and what a clinician reads.

- ``metrics`` and ``resampled``: metrics per target kind, and over many resamples at once.
- ``bootstrap``: 95% intervals over examples, or over patients when grouped.
- ``baseline``: the simple model every run trains beside its network.
- ``split_metrics``: a run's metrics per split, paired differences and warnings.
- ``calibration``, ``curves``, ``decision``, ``clinical``: reliability and temperature
  scaling, ROC/PR curves with bands, the decision curve and operating point, gathered.
- ``subgroups``: metrics per subgroup of the test split.
- ``survival``, ``survival_metrics``, ``survival_clinical``: survival arithmetic, the
  C-index/AUROC/Brier evaluation with the Cox baseline, and Kaplan-Meier views.

These modules take arrays and tables; none knows a task or the plugin host.
"""

from pmtk.core.evaluation.baseline import BaselineFit, fit_baseline, flatten_dataset
from pmtk.core.evaluation.bootstrap import intervals, split_intervals
from pmtk.core.evaluation.metrics import evaluate, json_number
from pmtk.core.evaluation.split_metrics import evaluate_splits, run_warnings

__all__ = [
    "BaselineFit",
    "evaluate",
    "evaluate_splits",
    "fit_baseline",
    "flatten_dataset",
    "intervals",
    "json_number",
    "run_warnings",
    "split_intervals",
]
