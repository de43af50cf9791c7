"""Risk explanations on a cohort where only two features carry the signal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # trains models


def _two_signal_cohort(path: Path, rows: int = 400, seed: int = 0) -> Path:
    """Outcome from ``a`` and ``b`` only; four noise columns, a category, some missing values."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"pid": [f"P{i:04d}" for i in range(rows)]})
    for column in "abcdef":
        frame[column] = rng.normal(size=rows).round(3)
    frame["site"] = rng.choice(["north", "south", "east"], rows)
    logit = 3 * frame["a"] - 3 * frame["b"]
    frame["outcome"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    frame.loc[rng.random(rows) < 0.05, "c"] = np.nan
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def signal_run(tmp_path_factory) -> tuple[Path, Path]:
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    root = tmp_path_factory.mktemp("risk-explain")
    data = _two_signal_cohort(root / "cohort.csv")
    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    try:
        result = CliRunner().invoke(build_app(host), [
            "run", "risk", "--data", str(data), "--target", "outcome", "--id-column", "pid",
            "--output", str(root / "run"), "--epochs", "30", "--bootstrap", "0",
            "--importance-repeats", "1",
        ], catch_exceptions=False)  # fmt: skip
    finally:
        reset_plugin_host(None)
    assert result.exit_code == 0, result.output
    return root / "run", data


def test_the_two_signal_features_rank_top(cli, signal_run, tmp_path: Path):
    run, data = signal_run
    output = tmp_path / "explain"
    result = cli("explain", run, "--data", data, "--output", output)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(output / "attributions.csv").set_index("id")
    assert list(table.columns) == ["a", "b", "c", "d", "e", "f", "site"]
    magnitude = table.abs().to_numpy()
    top_two = np.argsort(-magnitude, axis=1)[:, :2]
    share = np.mean([set(table.columns[row]) == {"a", "b"} for row in top_two])
    assert share >= 0.6, f"a and b rank top for only {share:.0%} of patients"
    assert set(table.abs().mean().nlargest(2).index) == {"a", "b"}
    summary = json.loads((output / "summary.json").read_text())
    assert summary["completeness"]["holds"], summary["completeness"]
    assert summary["sanity_check"]["compared"] == 16
    assert (output / "importance.png").stat().st_size > 0


def test_attributions_add_up_to_score_minus_reference(cli, signal_run, tmp_path: Path):
    """Completeness, checked here against pmtk predict's scores."""
    run, data = signal_run
    output = tmp_path / "explain"
    assert cli("explain", run, "--data", data, "--output", output, "--limit", "30").exit_code == 0
    predictions = tmp_path / "predictions.csv"
    assert cli("predict", run, "--data", data, "--output", predictions).exit_code == 0
    scores = pd.read_csv(predictions)["score"].to_numpy()[:30]
    table = pd.read_csv(output / "attributions.csv").set_index("id")
    reference = json.loads((output / "summary.json").read_text())["reference_score"]
    assert np.abs(table.sum(axis=1).to_numpy() - (scores - reference)).max() < 0.01


def test_class_option_flips_the_binary_score(cli, signal_run, tmp_path: Path):
    run, data = signal_run
    positive, negative = tmp_path / "yes", tmp_path / "no"
    assert cli("explain", run, "--data", data, "--output", positive, "--limit", "5").exit_code == 0
    result = cli("explain", run, "--data", data, "--output", negative, "--limit", "5",
                 "--class", "no")  # fmt: skip
    assert result.exit_code == 0, result.output
    first = pd.read_csv(positive / "attributions.csv").set_index("id")
    second = pd.read_csv(negative / "attributions.csv").set_index("id")
    assert np.allclose(first.to_numpy(), -second.to_numpy(), atol=2e-6)


def test_images_given_to_a_risk_run_get_one_sentence(cli, signal_run, tmp_path: Path):
    from tests.conftest import write_images

    run, _ = signal_run
    images = write_images(tmp_path / "images", per_class=2)
    result = cli("explain", run, "--data", images, "--output", tmp_path / "out")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and str(images) in result.stderr
    assert not (tmp_path / "out").exists()
