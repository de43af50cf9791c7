"""``pmtk.testing``: the plugin check runs on every built-in task and catches broken tasks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk import hookimpl
from pmtk.core.contract.task import ModelSpec
from pmtk.core.host.plugins import PluginHost
from pmtk.testing import check_task, write_image_folder
from tests.badinput.fusion_cases import write_patients
from tests.core.fake_task import FakeTask, build_dense, write_table

BUILTIN_TASKS = set(PluginHost(entry_points=False).registry.tasks)


def _fasta_folder(root: Path) -> Path:
    """Two FASTA files, one per class; ``bound`` sequences carry a motif."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True)
    for label in ("bound", "unbound"):
        lines = []
        for number in range(12):
            bases = "".join(rng.choice(list("ACGT"), 30))
            if label == "bound":
                bases = bases[:10] + "CCGCGGGC" + bases[18:]
            lines += [f">{label}_{number}", bases]
        (root / f"{label}.fa").write_text("\n".join(lines) + "\n")
    return root


def _cohort(root: Path) -> Path:
    """A cohort CSV with numeric and categorical columns and a ``target`` column."""
    rng = np.random.default_rng(0)
    age = rng.integers(30, 90, 30)
    frame = pd.DataFrame(
        {
            "id": [f"P{i:03d}" for i in range(30)],
            "age": age,
            "smoking": rng.choice(["never", "current"], 30),
            "target": np.where(age > 60, "yes", "no"),
        }
    )
    return _csv(frame, root / "cohort.csv")


def _features(root: Path) -> Path:
    """A numeric feature matrix with a 2-D structure, for the autoencoder."""
    rng = np.random.default_rng(0)
    code = rng.normal(size=(30, 2))
    values = code @ rng.normal(size=(2, 6)) + rng.normal(0, 0.1, (30, 6))
    return _csv(pd.DataFrame(values, columns=[f"g{i}" for i in range(6)]), root / "features.csv")


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


#: task -> (writes tiny data into a folder, options keeping the model tiny)
CASES: dict[str, tuple[Callable[[Path], Path], dict]] = {
    "imaging": (lambda root: write_image_folder(root / "images"), {"image_size": 16}),
    "genomics": (
        lambda root: _fasta_folder(root / "fasta"),
        {"filters": 4, "kernel_size": 5, "pool_size": 2, "units": 4},
    ),
    "risk": (_cohort, {"target": "target", "hidden_units": "4", "importance_repeats": 0}),
    "autoencoder": (_features, {"latent_dim": 2, "hidden_units": "4"}),
    "fusion": (
        lambda root: write_patients(root / "patients"),
        {
            "target": "outcome",
            "id_column": "patient_id",
            "modality": ["scan=imaging", "promoter=genomics"],
            "encoder": ["scan=seed"],
            "modality_option": ["scan.image_size=16", "promoter.filters=4", "promoter.units=4"],
            "embedding_units": 4,
            "hidden_units": 4,
        },
    ),  # fmt: skip
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "task_name",
    [
        pytest.param(
            name,
            marks=pytest.mark.skipif(
                name not in BUILTIN_TASKS, reason=f"the {name} plugin registers no task yet"
            ),
        )
        for name in CASES
    ],
)
def test_check_task_passes_on_every_builtin_task(host, tmp_path, task_name):
    write_data, options = CASES[task_name]
    result = check_task(task_name, write_data, options=options, tmp_path=tmp_path, host=host)
    assert (result.run_dir / "model.keras").is_file()
    assert result.metrics["task"] == task_name
    assert len(result.predictions) > 0


def test_every_builtin_task_has_a_case():
    assert set(CASES) >= BUILTIN_TASKS, "add tiny data for the new task to CASES"


# -- deliberately broken tasks ------------------------------------------------------------


class StatsFromBatchTask(FakeTask):
    """Standardises each dataset with its own mean: test rows differ between run and predict."""

    name = "stats-from-batch"

    def dataset(self, examples, targets, context):
        import tensorflow as tf

        features = examples[["x1", "x2"]].to_numpy(dtype="float32")
        features = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-6)
        items = features if targets is None else (features, targets)
        return tf.data.Dataset.from_tensor_slices(items)


def build_forgetful(spec: ModelSpec):
    """Dense model behind a layer whose ``get_config`` forgets its factor: reloads differently."""
    import keras

    @keras.saving.register_keras_serializable(package="pmtk_tests")
    class Scale(keras.layers.Layer):
        def __init__(self, factor: float = 1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):  # the bug: Keras would record ``factor`` by itself
            return {k: v for k, v in super().get_config().items() if k != "factor"}

    inputs = keras.Input(shape=spec.input_shape)
    hidden = keras.layers.Dense(4, activation="relu")(Scale(5.0)(inputs))
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    return keras.Model(inputs, outputs)


class ForgetfulTask(FakeTask):
    """The fake task, with the forgetful model as its default."""

    name = "forgetful"
    default_model = "forgetful"


class BrokenPlugin:
    """Registers both broken tasks."""

    @hookimpl
    def pmtk_register_tasks(self, register):
        register(StatsFromBatchTask())
        register(ForgetfulTask())

    @hookimpl
    def pmtk_register_models(self, register):
        register("stats-from-batch", "dense", build_dense, "tiny Dense network")
        register("forgetful", "forgetful", build_forgetful, "loses a setting on save")


@pytest.fixture
def broken_host(host):
    """The built-in host plus the broken tasks; always unregistered afterwards."""
    host.register(BrokenPlugin(), "broken-tasks")
    yield host
    host.unregister("broken-tasks")


@pytest.fixture
def table(tmp_path) -> Path:
    """A learnable two-class table for the fake tasks (with unequal split means)."""
    return write_table(tmp_path / "data" / "table.csv", {"a": 14, "b": 14})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("task_name", "message"),
    [
        ("stats-from-batch", "pmtk predict and the run's predictions.csv disagree"),
        ("forgetful", "the model reloaded from model.keras scores differently"),
    ],
    ids=["predict-mismatch", "reload-mismatch"],
)
def test_check_task_catches_a_broken_task(broken_host, tmp_path, table, task_name, message):
    with pytest.raises(AssertionError, match=message) as caught:
        check_task(task_name, table, tmp_path=tmp_path / "check", host=broken_host)
    assert "largest difference" in str(caught.value)


def test_an_unknown_task_is_a_clear_assertion(host, tmp_path, table):
    with pytest.raises(AssertionError, match="Unknown task 'nope'.*pip install -e"):
        check_task("nope", table, tmp_path=tmp_path, host=host)
    assert "pmtk-testing-model-catcher" not in host.records


def test_bad_data_is_reported_as_an_assertion(host, tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(AssertionError, match="training 'imaging' on .*missing failed"):
        check_task("imaging", missing, tmp_path=tmp_path, host=host)


@pytest.mark.parametrize("suffix", [".png", ".npy"])
def test_write_image_folder(tmp_path, suffix):
    root = write_image_folder(tmp_path / "images", per_class=3, size=12, suffix=suffix)
    files = sorted(root.rglob(f"*{suffix}"))
    assert [f.parent.name for f in files] == ["lesion"] * 3 + ["normal"] * 3
    if suffix == ".npy":
        image = np.load(files[0])
        assert image.shape == (12, 12) and image.dtype == np.uint8 and image.max() == 240
