"""What the risk task learns from its training rows, part by part: the model's preprocessing.

``RiskTask.derive`` is this derivation on one part, so a cohort read whole and one read in
parts learn through the same code (MONAI's ``Cumulative``: ``extend``, then ``aggregate``):

- per numeric column, its mean and variance (:class:`~pmtk.core.data.statistics.RunningMoments`)
  and missing share over every training row; the median that fills missing values from a
  seeded uniform sample of at most :data:`SAMPLE_ROWS` training rows (every row below it);
- per categorical column, its vocabulary: categories counted over every training row, most
  frequent first (ties alphabetical), capped (``features.vocabulary``);
- a numeric target's mean and standard deviation (used if it turns out continuous);
- a survival target's horizons: ``--horizons``, else the median follow-up of the sample;
- the target and id columns the run used, for ``config.json``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.derivation import Derivation
from pmtk.core.contract.options import RunOptions
from pmtk.core.data.sampling import Reservoir
from pmtk.core.data.statistics import RunningMoments
from pmtk.core.evaluation.baseline import BASELINE_ROWS
from pmtk.plugins.risk.features import FEATURE_PREFIX, input_names, is_numeric_dtype, vocabulary
from pmtk.plugins.risk.reading import id_source, resolved_target
from pmtk.plugins.risk.survival_reading import survival_columns

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.contract.targets import Targets

#: Training rows at most whose numbers give the medians (and a survival run's horizon).
SAMPLE_ROWS = BASELINE_ROWS
#: Column of the sample holding a survival target's follow-up times.
_TIME = "time"


class RiskDerivation(Derivation):
    """The column schema and training statistics of a risk run (see the module docstring).

    Args:
        options: The run's options (only read).
    """

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.options = options
        self.survival = survival_columns(options)
        self.columns: list[str] | None = None  # feature columns, in the table's order
        self.numeric: list[str] = []
        self.vocabularies: dict[str, Counter] = {}
        self.id_column = options.get("id_column")
        self.rows = 0
        self.moments = RunningMoments(0)
        self.target = RunningMoments(1)
        self.numeric_target = True
        self.sample = Reservoir(SAMPLE_ROWS, RunOptions.from_mapping(options).seed)

    def _start(self, train: pd.DataFrame) -> None:
        """The feature columns and their kinds, from the first training rows."""
        self.columns = [c.removeprefix(FEATURE_PREFIX) for c in train
                        if c.startswith(FEATURE_PREFIX)]  # fmt: skip
        self.numeric = [c for c in self.columns if is_numeric_dtype(train[FEATURE_PREFIX + c])]
        self.vocabularies = {c: Counter() for c in self.columns if c not in self.numeric}
        self.moments = RunningMoments(len(self.numeric))
        self.id_column = id_source(train, self.id_column)

    def extend(self, train: pd.DataFrame) -> None:
        """Adds the training rows of one part (every training row for data read whole)."""
        if self.columns is None:
            self._start(train)
        self.rows += len(train)
        numbers = train[[FEATURE_PREFIX + c for c in self.numeric]].astype("float64")
        self.moments.update(numbers.to_numpy())
        for column, counts in self.vocabularies.items():
            counts.update(train[FEATURE_PREFIX + column].value_counts().to_dict())
        if "label" not in train:
            return
        if self.survival is not None:
            numbers = numbers.assign(**{_TIME: [label.time for label in train["label"]]})
        elif self.numeric_target and is_numeric_dtype(train["label"]):
            self.target.update(train["label"].to_numpy(dtype="float64").reshape(-1, 1))
        else:
            self.numeric_target = False
        self.sample.add(numbers.reset_index(drop=True))

    def aggregate(self, targets: Targets | None = None) -> dict[str, Any]:
        """The settings ``config.json`` keeps and the model's preprocessing is built from.

        Args:
            targets: The run's targets (not needed: a numeric target's statistics are kept
                whatever its kind turns out to be, as the model builder decides).
        """
        names = input_names(self.columns or [])
        sample = self.sample.rows()
        numeric = [{"column": column, "input": names[column]} | self._statistics(index, sample)
                   for index, column in enumerate(self.numeric)]  # fmt: skip
        categorical = [{"column": column, "input": names[column],
                        "vocabulary": vocabulary(counts)}
                       for column, counts in self.vocabularies.items()]  # fmt: skip
        derived = {"target": resolved_target(self.options), "id_column": self.id_column,
                   "numeric": numeric, "categorical": categorical}  # fmt: skip
        if self.survival is not None:
            derived |= survival_settings(sample.get(_TIME), self.survival[1], self.options)
        elif self.numeric_target and self.target.count[0] > 0:
            derived["target_mean"] = float(self.target.mean[0])
            derived["target_std"] = float(np.sqrt(self.target.variance[0])) or 1.0
        return derived

    def _statistics(self, index: int, sample: pd.DataFrame) -> dict[str, float]:
        """Fill value, mean, variance and missing share of one numeric column."""
        count = float(self.moments.count[index])
        if count == 0:  # missing in every training row: impute a neutral 0
            return {"median": 0.0, "mean": 0.0, "variance": 1.0, "missing": 1.0}
        mean = float(self.moments.mean[index])
        values = sample[FEATURE_PREFIX + self.numeric[index]].dropna()
        return {
            "median": float(values.median()) if len(values) else mean,
            "mean": mean,
            # a constant column gets variance 1, so an unseen value later is not divided by ~0
            "variance": float(self.moments.variance[index]) or 1.0,
            "missing": round((self.rows - count) / self.rows, 6),
        }


def survival_settings(
    times: pd.Series | None, event_column: str, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The survival columns and horizons: ``--horizons``, else the median follow-up of
    ``times`` (the training rows, or a uniform sample of them)."""
    text = options.get("horizons")
    if text:
        horizons = sorted({float(part) for part in str(text).split(",") if part.strip()})
    else:
        median = np.median(np.asarray([] if times is None else times, dtype="float64"))
        horizons = [float(f"{median:.6g}")]
    return {"event_column": event_column, "horizons": horizons}
