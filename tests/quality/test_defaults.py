"""Every task's default, trained on its bundled sample, reaches a floor and holds its baseline.

Floors come from seeds 0-4 of ``scripts/readme_numbers.py`` with a margin; the run here
uses the default seed. ``margin`` is how far the network may fall below its baseline on
the headline metric (0 or less: it must beat the baseline with an interval above 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.quality.conftest import run_default

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Floor:
    metric: str
    point: float
    interval_low: float
    baseline_inputs: str
    margin: float


FLOORS = {
    "imaging": Floor("auroc", 0.95, 0.85, "pixels downsampled to 32x32", margin=0.0),
    "genomics": Floor("auroc", 0.90, 0.8, "one-hot bases at each position", margin=0.02),
    "risk": Floor("auroc", 0.75, 0.65, "the cohort's columns", margin=0.02),
    "autoencoder": Floor("r2", 0.98, 0.97, "principal components", margin=0.0),
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def default_run(request, tmp_path_factory):
    """The task's default run (task, metrics, stderr)."""
    task = request.param
    metrics, stderr = run_default(tmp_path_factory.mktemp(task) / "run", task)
    return task, metrics, stderr


def test_default_reaches_its_floor_without_warnings(default_run):
    task, metrics, stderr = default_run
    floor = FLOORS[task]
    assert metrics["test"][floor.metric] >= floor.point, metrics["test"]
    assert metrics["ci"]["test"][floor.metric][0] >= floor.interval_low, metrics["ci"]
    assert "Warning:" not in stderr and metrics["warnings"] == []


def test_default_holds_its_baseline(default_run):
    task, metrics, _ = default_run
    floor = FLOORS[task]
    assert floor.baseline_inputs in metrics["baseline"]["inputs"]
    versus = metrics["versus_baseline"]["test"][floor.metric]
    if floor.margin <= 0:
        assert versus["ci"][0] > 0, versus  # clearly better than the baseline
    else:
        assert versus["difference"] >= -floor.margin and versus["ci"][1] > 0, versus
