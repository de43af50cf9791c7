"""The calibration table of binary risk runs."""

from __future__ import annotations

import numpy as np

from pmtk.plugins.risk.report import calibration_table


def test_calibration_table_has_ten_bins_with_counts_and_rates():
    risk = np.array([0.05, 0.05, 0.15, 0.95, 0.92, 0.35])
    outcome = np.array([0, 1, 0, 1, 1, 0])
    table = calibration_table(outcome, risk)
    assert [row["bin"] for row in table][:2] == ["0.0-0.1", "0.1-0.2"] and len(table) == 10
    assert [row["n"] for row in table] == [2, 1, 0, 1, 0, 0, 0, 0, 0, 2]
    assert table[0] == {"bin": "0.0-0.1", "n": 2, "mean_predicted": 0.05, "observed_rate": 0.5}
    assert table[2]["mean_predicted"] is None and table[2]["observed_rate"] is None
    assert table[9]["observed_rate"] == 1.0
