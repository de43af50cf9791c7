"""The fusion default on its sample: better than every modality alone, and than the baseline.

The sample's outcome needs two of three modalities, so the fused model must beat the same
model shown one modality at a time (``metrics.json``'s ``modalities``) by a clear margin.
Floors come from seeds 0-4 of ``scripts/readme_numbers.py --tasks fusion`` with a margin:
test AUROC 0.853-0.892, each modality alone at most 0.758, baseline 0.557-0.626.

The default is judged on the median of three seeds, the default one among them: one seed's
result moves with the machine's arithmetic. Seed 42 gave test AUROC 0.808 with the promoter
alone at 0.779 on one machine (a lead of 0.03) and passed this bar on another, with the same
code; seeds 0 and 1 lead by 0.13 on both.
"""

from __future__ import annotations

from statistics import median

import pytest

from tests.quality.conftest import run_default

pytestmark = pytest.mark.slow

#: Test AUROC the fused default reaches, and its lead over each modality alone (medians).
FLOOR = 0.80
LEAD = 0.05
#: The seeds the default is judged on: its own (42) and two more.
SEEDS = (42, 0, 1)


@pytest.fixture(scope="module")
def fused(tmp_path_factory):
    return [
        run_default(tmp_path_factory.mktemp(f"fusion{seed}") / "run", "fusion", "--seed", str(seed))
        for seed in SEEDS
    ]


def test_fusion_beats_every_single_modality_and_the_baseline(fused):
    runs = [metrics for metrics, _ in fused]
    auroc = median(metrics["test"]["auroc"] for metrics in runs)
    assert auroc >= FLOOR, [metrics["test"] for metrics in runs]
    assert all(set(metrics["modalities"]) == {"scan", "promoter", "tabular"} for metrics in runs)
    alone = {name: median(m["modalities"][name]["test"]["auroc"] for m in runs)
             for name in ("scan", "promoter", "tabular")}  # fmt: skip
    assert all(auroc >= value + LEAD for value in alone.values()), (auroc, alone)
    for metrics, stderr in fused:  # every seed beats its baseline and warns of nothing
        assert metrics["versus_baseline"]["test"]["auroc"]["ci"][0] > 0, metrics["versus_baseline"]
        assert "Warning:" not in stderr and metrics["warnings"] == []
