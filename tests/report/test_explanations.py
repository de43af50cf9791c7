"""The report's Explanations sections, from an explain/ folder written here (no training)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pmtk.core.report import REPORT_NAME, render_report, write_report
from pmtk.core.report.explanations import IMAGE_BUDGET, SHOWN_OVERLAYS
from tests.report import browser
from tests.report.test_report import EXTERNAL


def draw_png(path: Path, seed: int = 0, size: tuple[float, float] = (6.4, 3.6)) -> Path:
    """A small PNG with a picture and a heatmap-like blob, as the imaging explainer draws."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    figure, axes = plt.subplots(1, 2, figsize=size)
    for axis in axes:
        axis.imshow(rng.normal(size=(32, 32)), cmap="gray")
        axis.axis("off")
    axes[1].imshow(np.outer(np.hanning(32), np.hanning(32)), cmap="jet", alpha=0.45)
    figure.suptitle(f"image {seed}", fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path


def write_summary(run: Path, task: str, files: list[str], passed: bool = True, **extra) -> Path:
    """Writes explain/summary.json as ``pmtk explain`` does."""
    folder = run / "explain"
    folder.mkdir(exist_ok=True)
    median = 0.12 if passed else 0.89
    summary = {"task": task, "method": "m", "explained_class": None, "examples": 8,
               "examples_in_data": 40, "files": [*files, "summary.json"], **extra,
               "sanity_check": {"randomised_layers": ["dense_1"], "examples": 8, "compared": 8,
                                "median_spearman": median, "threshold": 0.5,
                                "passed": passed}}  # fmt: skip
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def explain_imaging(run: Path, count: int = 8, passed: bool = False) -> Path:
    names = [f"overlays/img_{index}.png" for index in range(count)]
    folder = write_summary(run, "imaging", ["heatmaps.npz", "overlays/"], passed, overlays=names)
    for index, name in enumerate(names):
        draw_png(folder / name, index)
    return folder


def explain_risk(run: Path) -> Path:
    folder = write_summary(run, "risk", ["attributions.csv", "importance.png"],
                           reference_score=0.3)  # fmt: skip
    rows = ["id,age,sex,site", "p1,0.25,-0.05,0.01", "p2,-0.1,0.02,,extra", "p3,0.0,0.0,0.4"]
    (folder / "attributions.csv").write_text("\n".join(rows) + "\n")
    draw_png(folder / "importance.png", 9)
    return folder


def explain_autoencoder(run: Path) -> Path:
    folder = write_summary(run, "autoencoder", ["reconstruction_error.csv", "worst_rows.csv"])
    (folder / "worst_rows.csv").write_text(
        "rank,id,mean_error,worst_features\n1,r7,12.5,gene_3;gene_1\n2,r2,0.8,gene_2\n"
    )
    return folder


def explain_genomics(run: Path) -> Path:
    folder = write_summary(run, "genomics", ["ism.npz", "importance.png"])
    draw_png(folder / "importance.png", 3, size=(12, 4))
    return folder


def test_no_explanations_section_before_explain(fake_run: Path):
    html = render_report(fake_run)
    assert 'id="explanations"' not in html and "Explanations" not in html


def test_imaging_heatmaps_and_the_failed_check_appear_after_explain(fake_run: Path):
    explain_imaging(fake_run, count=8)
    html = write_report(fake_run).read_text()
    assert html.index('id="explanations"') < html.index('id="explain-heatmaps"')
    assert html.count('<img src="data:image/png;base64,') == SHOWN_OVERLAYS
    assert "img_0" in html and "img_6" not in html  # the first ones, in order
    assert "Warning: the explanations of the trained model and of a model whose top layers " \
           "were randomised have a median rank correlation of 0.89" in html  # fmt: skip
    assert "failed: the explanations barely change" in html
    assert not EXTERNAL.search(html) and "https://" not in html
    assert (fake_run / REPORT_NAME).stat().st_size < 2_000_000


def test_risk_plot_and_top_features_of_the_first_patients(fake_run: Path):
    explain_risk(fake_run)
    html = render_report(fake_run)
    assert 'id="explain-importance"' in html and 'id="explain-patients"' in html
    assert "passed: the explanations depend on what the model learned" in html
    assert "Warning: the explanations" not in html
    assert "<td>8 of 40 (the first ones)</td>" in html
    # the score is the reference score plus the attributions; features by |attribution|
    assert "<td>p1</td><td>0.510</td><td>age +0.250; sex -0.050; site +0.010</td>" in html
    assert "<td>p2</td><td>0.220</td><td>age -0.100; sex +0.020</td>" in html  # site missing
    assert "<td>p3</td><td>0.700</td><td>site +0.400; age +0.000; sex +0.000</td>" in html


def test_autoencoder_worst_rows_and_genomics_plot(tmp_path: Path):
    from tests.report.conftest import write_fake_run

    autoencoder = write_fake_run(tmp_path / "autoencoder")
    explain_autoencoder(autoencoder)
    html = render_report(autoencoder)
    assert 'id="explain-worst-rows"' in html
    assert "<td>1</td><td>r7</td><td>12.500</td><td>gene_3, gene_1</td>" in html
    assert "<td>none (reconstruction error)</td>" in html
    genomics = write_fake_run(tmp_path / "genomics")
    explain_genomics(genomics)
    assert 'id="explain-importance"' in render_report(genomics)


def test_binary_risk_names_the_scored_class(fake_run: Path):
    metrics = json.loads((fake_run / "metrics.json").read_text())
    (fake_run / "metrics.json").write_text(json.dumps(metrics | {"positive_class": "yes"}))
    explain_risk(fake_run)
    assert "<td>yes (the scored class)</td>" in render_report(fake_run)


def test_images_past_the_budget_are_left_out(fake_run: Path, monkeypatch):
    folder = explain_imaging(fake_run, count=3)
    size = (folder / "overlays/img_0.png").stat().st_size
    monkeypatch.setattr("pmtk.core.report.explanations.IMAGE_BUDGET", int(size * 1.5))
    assert render_report(fake_run).count('<img src="data:image/png;base64,') == 1
    assert IMAGE_BUDGET * 4 / 3 < 1_500_000  # room for the rest of the report under 2 MB


@pytest.mark.parametrize(
    "damage",
    [lambda f: (f / "summary.json").write_text("{not json"),
     lambda f: (f / "summary.json").write_text("[1, 2]"),
     lambda f: (f / "attributions.csv").unlink()],
    ids=["summary not json", "summary not an object", "file listed but gone"],
)  # fmt: skip
def test_a_damaged_explain_folder_does_not_break_the_report(fake_run: Path, damage):
    damage(explain_risk(fake_run))
    html = render_report(fake_run)
    assert 'id="results"' in html and 'id="explain-patients"' not in html


def test_overlay_names_outside_the_folder_are_not_read(fake_run: Path, tmp_path: Path):
    secret = draw_png(tmp_path / "elsewhere.png")
    write_summary(fake_run, "imaging", ["overlays/"], overlays=[str(secret), "../../x.png"])
    assert '<img src="data:image/png' not in render_report(fake_run)


def test_report_command_adds_the_section(cli, fake_run: Path):
    assert cli("report", fake_run).exit_code == 0
    assert 'id="explanations"' not in (fake_run / REPORT_NAME).read_text()
    explain_risk(fake_run)
    assert cli("report", fake_run).exit_code == 0
    assert 'id="explanations"' in (fake_run / REPORT_NAME).read_text()


def test_explanations_render_in_headless_chromium(fake_run: Path, tmp_path: Path):
    if browser.chromium() is None:
        pytest.skip("chromium is not installed")
    explain_imaging(fake_run, count=6)
    page = write_report(fake_run)
    shot = tmp_path / "report.png"
    found = browser.inspect(page, shot)
    assert found["errors"] == [] and found["console"] == [], found
    assert len(found["boxes"]) >= 6 + 6  # the run's plots and the six overlays
    for box in found["boxes"]:
        assert browser.plot_is_visible(shot, box), f"plot at {box} is blank"
