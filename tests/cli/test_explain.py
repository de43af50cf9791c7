"""``pmtk explain`` in the core: the explainer hook, the sanity check, and each bad input.

Uses the tiny ``fake`` task of ``tests.core.fake_task`` (it has no explainer of its own),
with explainers registered by test plugins through ``pmtk_register_explainers``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk import hookimpl
from pmtk.core.explaining import Explainer, Explanation, rank_correlations
from tests.core.fake_task import FakePlugin, write_table

pytestmark = pytest.mark.slow  # trains models


class GradientExplainer(Explainer):
    """Gradient of the explained class's probability with respect to x1, x2."""

    description = "input gradient (test)"
    methods = ("gradient", "input")

    def explain(self, run, examples, settings, model):
        import tensorflow as tf

        from pmtk.core.explaining import class_probabilities, class_score

        points = tf.convert_to_tensor(examples[["x1", "x2"]].to_numpy("float32"))
        classes = class_probabilities(model(points).numpy()).argmax(axis=1)
        if settings.class_index is not None:
            classes[:] = settings.class_index
        if settings.method == "input":  # ignores the model: the check must notice
            return Explanation(examples["id"].tolist(), points.numpy() * [1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(points)
            score = class_score(model(points), classes)
        maps = tape.gradient(score, points).numpy()
        return Explanation(examples["id"].tolist(), maps, summary={"classes": classes.tolist()})

    def write(self, run, examples, explanation, settings, output):
        table = pd.DataFrame(explanation.maps, columns=["x1", "x2"])
        table.insert(0, "id", explanation.ids)
        table.to_csv(output / "gradients.csv", index=False)
        return ["gradients.csv"]


class ExplainerPlugin:
    @hookimpl
    def pmtk_register_explainers(self, register):
        register("fake", GradientExplainer())


@pytest.fixture
def fake_run(cli, host, tmp_path: Path) -> tuple[Path, Path]:
    """A finished run of the fake task (no explainer registered yet) and its data."""
    host.register(FakePlugin(), "fake")
    data = write_table(tmp_path / "fake.csv", {"a": 30, "b": 30})
    run = tmp_path / "run"
    result = cli("run", "fake", "--data", data, "--output", run, "--epochs", "3",
                 "--bootstrap", "0", "--hidden-units", "8")  # fmt: skip
    assert result.exit_code == 0, result.output
    return run, data


@pytest.fixture
def explainable(fake_run, host) -> tuple[Path, Path]:
    host.register(ExplainerPlugin(), "fake-explainer")
    return fake_run


def test_a_task_without_an_explainer_gets_one_sentence(cli, fake_run):
    run, data = fake_run
    result = cli("explain", run, "--data", data)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == (
        "Error: The task 'fake' has no explainer, so 'pmtk explain' cannot explain its runs "
        "(tasks with one: autoencoder, fusion, genomics, imaging, risk); a plugin can add one with "
        "the pmtk_register_explainers hook."
    )
    assert not (run / "explain").exists()


def test_a_plugin_explainer_writes_its_files_and_the_summary(cli, explainable, host):
    run, data = explainable
    assert host.registry.explainers["fake"].plugin == "fake-explainer"
    result = cli("explain", run, "--data", data, "--limit", "20")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(run / "explain" / "gradients.csv")
    assert table.shape == (20, 3)
    summary = json.loads((run / "explain" / "summary.json").read_text())
    assert summary["task"] == "fake" and summary["method"] == "gradient"
    assert summary["examples"] == 20 and summary["examples_in_data"] == 60
    assert summary["files"] == ["gradients.csv", "summary.json"]
    check = summary["sanity_check"]
    assert check["examples"] == 16 and check["randomised_layers"]
    assert "Wrote explanations (gradient)" in result.stderr


def test_an_explanation_that_ignores_the_model_fails_the_check(cli, explainable):
    run, data = explainable
    result = cli("explain", run, "--data", data, "--method", "input")
    assert result.exit_code == 0, result.output
    summary = json.loads((run / "explain" / "summary.json").read_text())
    assert summary["sanity_check"]["median_spearman"] == 1.0
    assert summary["sanity_check"]["passed"] is False
    assert "Warning: the explanations of the trained model and of a model whose top layers " \
           "were randomised have a median rank correlation of 1.00" in result.stderr  # fmt: skip


def test_class_option_explains_that_class(cli, explainable):
    run, data = explainable
    result = cli("explain", run, "--data", data, "--class", "a")
    assert result.exit_code == 0, result.output
    summary = json.loads((run / "explain" / "summary.json").read_text())
    assert summary["explained_class"] == "a" and set(summary["classes"]) == {0}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--limit", "0"], "--limit must be at least 1 (the number of examples to explain); "
                           "got 0."),
        (["--class", "c"], "--class c is not a class of the run"),
        (["--method", "gradcam"], "--method gradcam is not a method of the fake explainer; "
                                  "choose one of: gradient, input."),
    ],
    ids=["limit-0", "unknown-class", "unknown-method"],
)  # fmt: skip
def test_bad_options_get_one_sentence_and_write_nothing(cli, explainable, arguments, message):
    run, data = explainable
    result = cli("explain", run, "--data", data, *arguments)
    assert result.exit_code == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (run / "explain").exists()


def test_output_inside_the_data_is_refused(cli, explainable, tmp_path):
    run, _ = explainable
    folder = tmp_path / "data"
    folder.mkdir()
    data = write_table(folder / "fake.csv", {"a": 5, "b": 5})
    result = cli("explain", run, "--data", folder, "--output", folder / "explain")
    assert result.exit_code == 1 and "is inside the input" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [data.name]


def test_two_explainers_for_one_task_name_both_plugins(cli, explainable, host):
    run, data = explainable
    host.register(ExplainerPlugin(), "another-explainer")
    result = cli("explain", run, "--data", data)
    assert result.exit_code == 1
    assert "'fake-explainer', 'another-explainer'" in result.stderr


def test_rank_correlations_ignore_nan_and_constant_maps():
    trained = np.array([[1.0, 2.0, 3.0, np.nan], [1.0, 1.0, 1.0, 1.0]])
    randomised = np.array([[3.0, 2.0, 1.0, 5.0], [1.0, 2.0, 3.0, 4.0]])
    assert rank_correlations(trained, randomised) == [-1.0]


def test_rank_correlations_pool_maps_too_small_to_rank():
    trained = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert rank_correlations(trained, trained * 2) == [1.0]


def test_explain_help_does_not_load_tensorflow():
    import subprocess
    import sys

    from tests.cli.test_startup import HEAVY, PROBE

    probe = PROBE.format(args=["explain", "--help"], heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.stderr.strip().splitlines()[-1].split()[0] == "LOADED:", result.stderr


def test_data_of_another_modality_gets_one_sentence(cli, explainable, tmp_path):
    from tests.conftest import write_images

    run, _ = explainable
    images = write_images(tmp_path / "images", per_class=2)
    result = cli("explain", run, "--data", images, "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {images} holds imaging data, but {run} is a 'fake' run; pass data of the kind "
        "the run was trained on (its tables)."
    )
    assert not (tmp_path / "out").exists()


def test_explain_into_the_run_rewrites_its_report(cli, explainable, tmp_path):
    run, data = explainable
    assert 'id="explanations"' not in (run / "report.html").read_text()
    elsewhere = tmp_path / "elsewhere"
    result = cli("explain", run, "--data", data, "--output", elsewhere)
    assert result.exit_code == 0 and "Report with the explanations" not in result.stderr
    assert 'id="explanations"' not in (run / "report.html").read_text()
    result = cli("explain", run, "--data", data, "--method", "input")
    assert result.exit_code == 0, result.output
    assert f"Report with the explanations written to {run / 'report.html'}" in result.stderr
    html = (run / "report.html").read_text()
    assert 'id="explanations"' in html and "median rank correlation of 1.00" in html


def test_a_report_that_cannot_be_written_is_a_warning(cli, explainable):
    run, data = explainable
    (run / "metrics.json").write_text("{broken")
    result = cli("explain", run, "--data", data)
    assert result.exit_code == 0 and (run / "explain" / "summary.json").is_file()
    assert "Warning: " in result.stderr and "was not updated" in result.stderr
    assert f"pmtk report {run}" in result.stderr
