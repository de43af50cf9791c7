"""Survival targets of a streamed cohort: ``--time-column`` and ``--event-column`` checked
batch by batch, events counted per split, horizons from the training rows.

Every time and event is checked with the in-memory reader's sentences
(``survival_reading.follow_up_times`` and ``event_flags``), naming the lines (CSV/TSV) or
rows (Parquet) of the first batch that holds a bad value. The split is the stable hash of
the group or id, not stratified by event as in memory, so each split is checked to hold
events. The default horizon is the median follow-up of the training split's bounded sample
(``pmtk.core.evaluation.baseline.BASELINE_ROWS`` rows, a seeded uniform sample): its sampling
error is
far below the resolution a horizon is given at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.data.splits import SPLITS
from pmtk.core.errors import DataError
from pmtk.plugins.risk import survival_reading

if TYPE_CHECKING:
    import pandas as pd


class SurvivalPass:
    """Times and events of a streamed cohort, checked per batch and counted per split."""

    def __init__(self, columns: tuple[str, str], options: Mapping[str, Any], source: str) -> None:
        self.time_column, self.event_column = columns
        self.options, self.source = options, source
        self.events = dict.fromkeys(SPLITS, 0)
        self.rows = dict.fromkeys(SPLITS, 0)
        self.longest = 0.0

    def values(self, raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """A batch's follow-up times (float64) and event flags (0/1).

        Raises:
            DataError: A time or event of the batch is bad (the in-memory sentences).
        """
        times = survival_reading.follow_up_times(raw, self.time_column, self.source)
        events = survival_reading.event_flags(raw, self.event_column, self.source,
                                              require_event=False)  # fmt: skip
        return times, events

    def add(self, examples: pd.DataFrame, split: np.ndarray) -> None:
        """Counts a batch's rows and events per split and keeps the longest follow-up."""
        events = examples["event"].to_numpy()
        for name in SPLITS:
            member = split == name
            self.rows[name] += int(member.sum())
            self.events[name] += int(events[member].sum())
        if len(examples):
            self.longest = max(self.longest, float(examples["time"].max()))

    def settings(self, train_times: np.ndarray) -> dict[str, Any]:
        """``derived``'s survival settings: the event column and the horizons.

        Raises:
            DataError: No events at all, or a split without events.
            OptionError: ``--horizons`` is malformed or beyond the longest follow-up.
        """
        if sum(self.events.values()) == 0:
            raise survival_reading.no_events_error(self.event_column, self.source)
        for name in SPLITS:
            if self.rows[name] and self.events[name] == 0:
                raise DataError(
                    f"{self.source}: the {name} split has no events (all {self.rows[name]} of "
                    f"its patients are censored in '{self.event_column}'); a streamed cohort is "
                    "split by a hash of the id or group, not by event, so give more patients "
                    "with events, or a split column that puts events in every split."
                )
        given = survival_reading.horizons(self.options, self.longest, self.time_column,
                                          self.source)  # fmt: skip
        if not given:
            given = [float(f"{np.median(train_times):.6g}")]
        return {"event_column": self.event_column, "horizons": given}

    def counts(self) -> dict[str, dict[str, int]]:
        """Events and censored patients per split (``metrics.json``'s ``class_counts``)."""
        return {name: {"event": self.events[name],
                       "censored": self.rows[name] - self.events[name]}
                for name in SPLITS}  # fmt: skip
