"""The fusion default on its sample: better than every modality alone, and than the baseline.

The sample's outcome needs two of three modalities, so the fused model must beat the same
model shown one modality at a time (``metrics.json``'s ``modalities``) by a clear margin.
Floors come from seeds 0-4 of ``scripts/readme_numbers.py --tasks fusion`` with a margin:
test AUROC 0.853-0.892, each modality alone at most 0.758, baseline 0.557-0.626.
"""

from __future__ import annotations

import pytest

from tests.quality.conftest import run_default

pytestmark = pytest.mark.slow

#: Test AUROC the fused default reaches, and its lead over each modality alone.
FLOOR = 0.80
LEAD = 0.05


@pytest.fixture(scope="module")
def fused(tmp_path_factory):
    metrics, stderr = run_default(tmp_path_factory.mktemp("fusion") / "run", "fusion")
    return metrics, stderr


def test_fusion_beats_every_single_modality_and_the_baseline(fused):
    metrics, stderr = fused
    auroc = metrics["test"]["auroc"]
    assert auroc >= FLOOR, metrics["test"]
    alone = {name: values["test"]["auroc"] for name, values in metrics["modalities"].items()}
    assert set(alone) == {"scan", "promoter", "tabular"}
    assert all(auroc >= value + LEAD for value in alone.values()), (auroc, alone)
    assert metrics["versus_baseline"]["test"]["auroc"]["ci"][0] > 0, metrics["versus_baseline"]
    assert "Warning:" not in stderr and metrics["warnings"] == []
