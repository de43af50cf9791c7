"""The one training loop, end to end in-process on a tiny numeric task, and with two replicas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.contract.options import COMMON_NAMES, RunOptions
from pmtk.core.errors import OptionError
from pmtk.core.host.plugins import PluginHost
from pmtk.core.loop.training import class_weights, train
from pmtk.core.run.rundir import content_hash
from tests.core.fake_task import OBSERVED, FakePlugin, FakeTask, options_for, write_table

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
RUN_FILES = {"model.keras", "config.json", "history.csv", "metrics.json", "predictions.csv", "logs"}
#: Imbalanced on purpose (40 vs 16), so the loop must use class weights.
COUNTS = {"normal": 40, "lesion": 16}


@pytest.fixture(scope="module")
def fake_host():
    """A host with the built-ins and the fake plugin, free of the caller's PMTK_* settings."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS"):
            patch.delenv(variable, raising=False)
        host = PluginHost(entry_points=False)
        host.register(FakePlugin(), "fake-plugin", distribution="pmtk-fake")
        yield host
        host.unregister("fake-plugin")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_table(tmp_path_factory.mktemp("data") / "cohort.csv", COUNTS)


def _train(host: PluginHost, data: Path, output: Path, **overrides) -> Path:
    for values in OBSERVED.values():
        values.clear()
    return train(FakeTask(), options_for(data, output, **overrides), host)


@pytest.fixture(scope="module")
def run(fake_host, data, tmp_path_factory) -> dict:
    """One 2-epoch run, shared by the tests that inspect its run directory."""
    output = tmp_path_factory.mktemp("runs") / "first"
    run_dir = _train(fake_host, data, output)
    return {"dir": run_dir, "observed": {key: list(v) for key, v in OBSERVED.items()}}


def _json(path: Path) -> dict:
    return json.loads(path.read_text())


def test_run_directory_is_complete(run):
    run_dir = run["dir"]
    assert {p.name for p in run_dir.iterdir()} >= RUN_FILES
    assert (run_dir / "logs").is_dir() and any((run_dir / "logs").rglob("events.out.tfevents*"))
    assert not (run_dir.parent / f".{run_dir.name}.incomplete").exists()


def test_model_loads_with_plain_keras(run):
    import keras

    model = keras.saving.load_model(run["dir"] / "model.keras")
    scores = model.predict(np.zeros((3, 2), dtype="float32"), verbose=0)
    assert scores.shape == (3, 1) and ((scores >= 0) & (scores <= 1)).all()


def test_config_json_holds_what_repeats_the_run(run, data):
    config = _json(run["dir"] / "config.json")
    assert config["task"] == "fake" and config["seed"] == 7
    assert config["data_hash"] == content_hash(data)
    options = config["options"]
    assert options["data"] == str(data.resolve())
    assert (options["epochs"], options["model"], options["batch_size"]) == (2, "dense", 8)
    assert options["hidden_units"] == 4
    assert {"pmtk", "tensorflow", "keras", "scikit-learn"} <= set(config["versions"])
    assert config["versions"]["tensorflow"]
    assert config["target"] == {
        "kind": "binary",
        "class_names": ["normal", "lesion"],
        "positive_class": "lesion",
    }
    assert config["plugins"]["fake-plugin"]["status"] == "loaded"
    assert config["n"] == _json(run["dir"] / "metrics.json")["n"]
    assert config["derived"]["train_rows"] == config["n"]["train"]


def test_config_json_options_are_every_option_as_plain_json(run):
    options = _json(run["dir"] / "config.json")["options"]
    assert list(options) == [*COMMON_NAMES, "hidden_units"]  # common, then the task's
    defaults = RunOptions()
    assert (options["bootstrap"], options["precision"]) == (defaults.bootstrap, defaults.precision)
    assert options["output"] == str(run["dir"]) and options["config"] is None


def test_finish_returns_derived_values_and_a_write_into_derived_is_deprecated(run):
    config = _json(run["dir"] / "config.json")
    assert config["derived"]["finished_rows"] == config["n"]["train"]
    assert config["derived"]["written_in_finish"] is True  # an old plugin keeps working
    assert run["observed"]["finish_warnings"] == ["DeprecationWarning"]
    assert "derived" not in _json(run["dir"] / "metrics.json")


def test_loop_bookkeeping_has_its_own_section_of_config(run):
    config = _json(run["dir"] / "config.json")
    loop = config["loop"]
    assert set(loop) == {"distribute", "class_weight", "streamed"}
    assert loop["streamed"] is False  # the fake task reads its examples into memory
    assert (loop["distribute"]["workers"], loop["distribute"]["replicas"]) == (1, 1)
    # Deprecated copies in "derived" for one release; the task's own values win.
    assert {key: config["derived"][key] for key in loop} == loop


def test_imbalanced_classes_get_class_weights_in_config(run):
    weights = _json(run["dir"] / "config.json")["loop"]["class_weight"]
    assert set(weights) == {"0", "1"}
    # Balanced weights: the rarer positive class weighs more.
    assert weights["1"] > 1 > weights["0"]


def test_history_has_a_row_per_epoch(run):
    history = pd.read_csv(run["dir"] / "history.csv")
    assert history["epoch"].tolist() == [0, 1]
    assert {"loss", "val_loss", "accuracy", "auroc", "val_accuracy"} <= set(history.columns)


def test_metrics_json_has_the_product_shape(run):
    metrics = _json(run["dir"] / "metrics.json")
    assert metrics["task"] == "fake"
    for split in ("train", "val", "test"):
        assert set(metrics[split]) == {"accuracy", "auroc", "auprc", "loss", "brier"}
        assert 0 <= metrics[split]["accuracy"] <= 1
    # Too few test examples to bootstrap: the intervals are null and the run says why.
    names = set(metrics["test"])
    assert metrics["n"]["test"] < 10
    assert metrics["ci"]["test"] == dict.fromkeys(names)
    assert metrics["baseline"]["model"] == "logistic_regression"
    assert set(metrics["baseline"]["test"]) == names
    assert metrics["versus_baseline"]["test"]["auroc"] == {"difference": None, "ci": None}
    assert any("no 95% intervals" in warning for warning in metrics["warnings"])
    assert sum(metrics["n"].values()) == sum(COUNTS.values())
    assert metrics["n"]["val"] >= 8 and metrics["n"]["test"] >= 8
    assert metrics["positive_class"] == "lesion"


def test_predictions_have_one_row_per_test_example(run, data):
    predictions = pd.read_csv(run["dir"] / "predictions.csv")
    assert list(predictions.columns) == ["id", "label", "predicted", "score"]
    assert len(predictions) == _json(run["dir"] / "metrics.json")["n"]["test"]
    source = pd.read_csv(data).set_index("id")
    assert (predictions["label"].to_numpy() == source.loc[predictions["id"], "label"]).all()
    assert set(predictions["predicted"]) <= {"normal", "lesion"}
    assert predictions["score"].between(0, 1).all()


def test_plugin_callback_is_called_every_epoch(run):
    assert run["observed"]["epochs"] == [0, 1]
    assert run["observed"]["callback_replicas"] == [1]


def test_same_seed_gives_the_same_metrics(run, fake_host, data, tmp_path):
    again = _train(fake_host, data, tmp_path / "again")
    first, second = _json(run["dir"] / "metrics.json"), _json(again / "metrics.json")
    assert second == first


@pytest.mark.parametrize(
    ("counts", "metric_names", "columns"),
    [
        (
            {"a": 10, "b": 10, "c": 10},
            {"accuracy", "macro_auroc", "loss", "brier"},
            ["id", "label", "predicted", "score", "p_a", "p_b", "p_c"],
        ),
        ({f"{v / 4}": 2 for v in range(12)}, {"mae", "rmse", "r2"}, ["id", "label", "predicted"]),
    ],
    ids=["multiclass", "regression"],
)
def test_other_target_kinds(fake_host, tmp_path, counts, metric_names, columns):
    data = write_table(tmp_path / "cohort.csv", counts)
    run_dir = _train(fake_host, data, tmp_path / "run", epochs=1)
    metrics = _json(run_dir / "metrics.json")
    assert all(set(metrics[split]) == metric_names for split in ("train", "val", "test"))
    assert "positive_class" not in metrics
    predictions = pd.read_csv(run_dir / "predictions.csv")
    assert list(predictions.columns) == columns and len(predictions) == metrics["n"]["test"]


def test_failure_inside_fit_leaves_no_directory(fake_host, data, tmp_path):
    output = tmp_path / "runs" / "broken"
    with pytest.raises(RuntimeError, match="builder exploded"):
        _train(fake_host, data, output, model="broken")
    assert not output.exists()
    assert not (output.parent / ".broken.incomplete").exists()


def test_existing_output_is_refused_before_training(fake_host, data, tmp_path):
    output = tmp_path / "taken"
    output.mkdir()
    (output / "keep.txt").write_text("mine")
    with pytest.raises(OptionError, match="already exists and is not empty"):
        _train(fake_host, data, output)
    assert [p.name for p in output.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize(
    ("kind", "targets", "expected"),
    [
        ("binary", [0] * 10 + [1] * 10, None),
        ("binary", [0] * 14 + [1] * 10, None),
        ("binary", [0] * 15 + [1] * 10, {0: 25 / 30, 1: 25 / 20}),
        ("multiclass", [0] * 4 + [1] * 4 + [2] * 2, {0: 10 / 12, 1: 10 / 12, 2: 10 / 6}),
        ("regression", [0.5, 1.5, 9.0], None),
    ],
    ids=["balanced", "just-below-ratio", "at-ratio", "multiclass", "regression"],
)
def test_class_weights(kind, targets, expected):
    weights = class_weights(kind, np.array(targets, dtype="float32"))
    if expected is None:
        assert weights is None
    else:
        assert weights == pytest.approx(expected)


MIRRORED_SCRIPT = """
import json, sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from pathlib import Path
from pmtk.core.host.plugins import PluginHost
from pmtk.core.loop.training import train
from tests.core.fake_task import OBSERVED, FakePlugin, FakeTask, options_for

host = PluginHost(entry_points=False)
host.register(FakePlugin(), "fake-plugin")
options = options_for(Path(sys.argv[1]), Path(sys.argv[2]), distribute="mirrored", epochs=1)
run_dir = train(FakeTask(), options, host)
print("RESULT " + json.dumps({"run": str(run_dir), **OBSERVED}))
"""


def test_mirrored_strategy_trains_on_two_logical_cpus(data, tmp_path):
    output = tmp_path / "mirrored"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMTK_")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    completed = subprocess.run(
        [sys.executable, "-c", MIRRORED_SCRIPT, str(data), str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    line = next(ln for ln in completed.stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert Path(result["run"]) == output
    assert result["replicas"] == [2], "the model was not built in a 2-replica strategy scope"
    assert result["callback_replicas"] == [2]
    assert result["epochs"] == [0]
    assert {p.name for p in output.iterdir()} >= RUN_FILES
    assert _json(output / "config.json")["options"]["distribute"] == "mirrored"


@pytest.mark.parametrize(
    "targets",
    [[0] * 15 + [1] * 10, [0] * 4 + [1] * 4 + [2] * 2, [0] * 10 + [1] * 10],
    ids=["binary", "multiclass", "balanced"],
)
def test_class_weights_from_counts_equal_those_from_targets(targets):
    """A streamed run holds class counts, not targets: the weights must not differ."""
    kind = "binary" if max(targets) == 1 else "multiclass"
    values, counts = np.unique(targets, return_counts=True)
    by_counts = class_weights(kind, counts=dict(zip(values.tolist(), counts.tolist(), strict=True)))
    assert by_counts == class_weights(kind, np.array(targets, dtype="float32"))
