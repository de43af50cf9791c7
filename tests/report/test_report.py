"""report.html and compare.html: sections, self-containment, size, and a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pmtk.core.errors import DataError
from pmtk.core.report import REPORT_NAME, render_report, write_report
from tests.report import browser
from tests.report.conftest import write_fake_run

SECTIONS = ("results", "data", "learning", "roc", "pr", "calibration", "confusion", "decision",
            "operating-point", "subgroups", "options")  # fmt: skip
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?!#|data:)|@import|url\(\s*["']?(?!data:|#)""")


def test_report_has_every_section_and_the_warning_first(fake_run: Path):
    html = write_report(fake_run).read_text()
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in html, anchor
    assert html.index("Warning: Test auroc is low.") < html.index('id="results"')
    assert html.count("<svg") >= 6  # learning, ROC, PR, calibration, confusion, decision


def test_multiclass_report_has_no_decision_curve(tmp_path: Path):
    html = render_report(write_fake_run(tmp_path / "multi", kind="multiclass"))
    assert 'id="calibration"' in html and 'id="decision"' not in html


def test_report_is_self_contained_and_small(fake_run: Path):
    html = write_report(fake_run).read_text()
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    assert (fake_run / REPORT_NAME).stat().st_size < 2_000_000


@pytest.mark.parametrize(
    "make, message",
    [(lambda p: p / "absent", "does not exist"),
     (lambda p: p, "is not a finished pmtk run (no config.json)")],
    ids=["missing folder", "not a run"],
)  # fmt: skip
def test_report_of_a_folder_that_is_not_a_run(tmp_path: Path, make, message):
    with pytest.raises(DataError, match=re.escape(message)):
        render_report(make(tmp_path))
    assert not (tmp_path / REPORT_NAME).exists()


def test_report_command_and_its_bad_input(cli, fake_run: Path, tmp_path: Path):
    result = cli("report", fake_run)
    assert result.exit_code == 0 and (fake_run / REPORT_NAME).is_file()
    result = cli("report", tmp_path / "nothing")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and "does not exist" in result.stderr


def test_compare_command_writes_one_page(cli, tmp_path: Path):
    first = write_fake_run(tmp_path / "a", model="mlp")
    second = write_fake_run(tmp_path / "b", seed=1, model="linear")
    output = tmp_path / "compare.html"
    result = cli("compare", first, second, "--output", output)
    assert result.exit_code == 0, result.output
    html = output.read_text()
    assert "a (mlp)" in html and "b (linear)" in html and html.count("<svg") == 1


def test_compare_refuses_runs_of_different_tasks(cli, tmp_path: Path):
    import json

    first = write_fake_run(tmp_path / "a")
    second = write_fake_run(tmp_path / "b")
    metrics = json.loads((second / "metrics.json").read_text())
    (second / "metrics.json").write_text(json.dumps(metrics | {"task": "imaging"}))
    result = cli("compare", first, second, "--output", tmp_path / "c.html")
    assert result.exit_code == 1 and "runs of different task" in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "c.html").exists()


def test_compare_needs_two_runs(cli, fake_run: Path, tmp_path: Path):
    result = cli("compare", fake_run, "--output", tmp_path / "c.html")
    assert result.exit_code == 1 and "at least two run directories" in result.stderr


def test_report_renders_in_headless_chromium(fake_run: Path, tmp_path: Path):
    if browser.chromium() is None:
        pytest.skip("chromium is not installed and scripts/test.sh could not install it "
                    "(apt-get install chromium needs root and the Debian archive)")  # fmt: skip
    page = write_report(fake_run)
    shot = tmp_path / "report.png"
    found = browser.inspect(page, shot)
    assert found["errors"] == [] and found["console"] == [], found
    assert len(found["boxes"]) >= 6
    for box in found["boxes"]:
        assert browser.plot_is_visible(shot, box), f"plot at {box} is blank"
