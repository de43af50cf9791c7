"""What ``pmtk explain`` shares across tasks, in four modules by idea.

- ``contract``: the Explainer base class and the types it touches (ExplainRun,
  ExplainSettings, Explanation), and the class-score helpers explainers share.
- ``running``: one explain call from start to end (open the run, check options and
  data, explain, write, summary.json).
- ``check``: the model-randomisation sanity check and the warnings it calls for.
- ``progress``: a progress bar on a terminal, plain lines otherwise.

Every public name is importable from ``pmtk.core.explaining`` itself, as plugins do.
Nothing here imports TensorFlow at module level.
"""

from pmtk.core.explaining.check import (
    RANDOMISED_SHARE,
    SANITY_THRESHOLD,
    randomise_top_layers,
    rank_correlations,
    sanity_check,
)
from pmtk.core.explaining.contract import (
    Explainer,
    ExplainRun,
    ExplainSettings,
    Explanation,
    class_probabilities,
    class_score,
)
from pmtk.core.explaining.progress import progress, progress_bar
from pmtk.core.explaining.running import check_modality, check_settings, explain, open_run
from pmtk.core.report.explanations import warnings_of

__all__ = [
    "RANDOMISED_SHARE",
    "SANITY_THRESHOLD",
    "ExplainRun",
    "ExplainSettings",
    "Explainer",
    "Explanation",
    "check_modality",
    "check_settings",
    "class_probabilities",
    "class_score",
    "explain",
    "open_run",
    "progress",
    "progress_bar",
    "randomise_top_layers",
    "rank_correlations",
    "sanity_check",
    "warnings_of",
]
