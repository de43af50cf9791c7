"""The example plugin package, installed with pip, driven through the real ``pmtk`` console script.

pmtk finds the package only through its ``pmtk`` entry point: nothing here imports it.
``scripts/test.sh`` installs it into ``.test-plugins/`` and puts that folder on
``PYTHONPATH`` (never into ``.venv``, so the user's own ``pmtk`` is unchanged by the tests);
when it is missing these tests fail and say how to install it, because CI must prove that a
third-party package extends pmtk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from pmtk.testing import write_image_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pmtk-example"
PMTK = Path(sys.executable).with_name("pmtk")
TEST_PLUGINS = Path(__file__).resolve().parents[2] / ".test-plugins"
INSTALL = (
    f"{Path(sys.executable).parent / 'pip'} install --no-deps --target {TEST_PLUGINS} {EXAMPLE} "
    f"and put {TEST_PLUGINS} on PYTHONPATH (scripts/test.sh does both)"
)
HOOKS = ["pmtk_register_callbacks", "pmtk_register_commands", "pmtk_register_encoders",
         "pmtk_register_models", "pmtk_register_readers", "pmtk_register_tasks"]  # fmt: skip
RUN_FILES = {"model.keras", "config.json", "history.csv", "metrics.json", "predictions.csv"}


@cache
def _installation_problem() -> str | None:
    """Why the example package cannot be tested through its entry point, or None."""
    try:
        dist = metadata.distribution("pmtk-example")
    except metadata.PackageNotFoundError:
        return f"The example plugin package pmtk-example is not installed; run: {INSTALL}"
    expected = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]["version"]
    if dist.version != expected:
        return f"pmtk-example {dist.version} is installed, not {expected}; run: {INSTALL}"
    if not any(ep.group == "pmtk" and ep.name == "example" for ep in dist.entry_points):
        return f"pmtk-example is installed without its 'pmtk' entry point; run: {INSTALL}"
    return None


def require_example() -> None:
    """Fails (never skips) the calling test when the example package is not installed."""
    problem = _installation_problem()
    if problem:
        pytest.fail(problem, pytrace=False)


def _env(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMTK_")}
    return env | variables


def pmtk(*args: str | Path, cwd: Path | None = None, **variables: str):
    """Runs the ``pmtk`` console script; ``variables`` are extra environment variables."""
    require_example()
    return subprocess.run(
        [str(PMTK), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=_env(**variables),
    )


def _start(args: list[str | Path], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(PMTK), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=_env(),
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[subprocess.Popen, str, str, Path]]:
    """Four tiny training runs, started together: ecg, imaging/tiny_resnet, imaging on .npy,
    and fusion with ECG recordings as a modality."""
    if _installation_problem():
        return {}  # each test fails with the installation message
    root = tmp_path_factory.mktemp("example-runs")
    pngs = write_image_folder(root / "pngs")
    arrays = write_image_folder(root / "arrays", suffix=".npy")
    quick = ["--epochs", "1", "--batch-size", "8"]
    patients = write_ecg_patients(root / "patients")
    commands = {
        "ecg": ["run", "ecg", *quick, "--output", root / "ecg"],
        "resnet": ["run", "imaging", "--model", "tiny_resnet", "--image-size", "16", *quick,
                   "--data", pngs, "--output", root / "resnet"],
        "npy": ["run", "imaging", "--model", "seed", "--image-size", "16", *quick,
                "--data", arrays, "--output", root / "npy"],
        "fusion": ["run", "fusion", "--data", patients, "--target", "label", "--id-column", "id",
                   "--modality", "ecg=ecg", *quick, "--bootstrap", "50",
                   "--output", root / "fusion"],
    }  # fmt: skip
    started = {name: _start(args, root) for name, args in commands.items()}
    results = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=300)
        results[name] = (process, stdout, stderr, root / name)
    return results


def write_ecg_patients(folder: Path) -> Path:
    """A patient table: each ECG of the example's sample as a ``.npy`` path (every fifth cell
    empty) beside an age column."""
    import numpy as np

    sample = pd.read_csv(EXAMPLE / "pmtk_example" / "sample_data" / "ecg.csv")
    signals = sample.filter(regex=r"^s\d+$").to_numpy(dtype="float32")
    (folder / "ecg").mkdir(parents=True)
    cells = []
    for row, signal in enumerate(signals):
        np.save(folder / "ecg" / f"r{row}.npy", signal)
        cells.append("" if row % 5 == 4 else f"ecg/r{row}.npy")
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "id": sample["id"],
            "ecg": cells,
            "age": rng.normal(60, 8, len(sample)).round(1),
            "label": sample["label"],
        }
    )
    table.to_csv(folder / "patients.csv", index=False)  # fmt: skip
    return folder / "patients.csv"


def finished_run(runs, name: str) -> Path:
    """The run directory of a run from ``runs``, after checking it finished and is complete."""
    require_example()
    process, _, stderr, run_dir = runs[name]
    assert process.returncode == 0, stderr
    assert {p.name for p in run_dir.iterdir()} >= RUN_FILES, stderr
    return run_dir


# -- listing, environment switches, command: no training ----------------------------------


def test_the_users_pmtk_does_not_see_the_test_plugin():
    """Only the tests put .test-plugins on the path: plain .venv/bin/pmtk is unchanged."""
    require_example()
    env = _env()
    env.pop("PYTHONPATH", None)
    listing = subprocess.run([str(PMTK), "tasks", "--json"], capture_output=True, text=True,
                             env=env, timeout=120, check=True)  # fmt: skip
    assert "ecg" not in {row["task"] for row in json.loads(listing.stdout)}


def test_tasks_shows_the_ecg_task_and_the_imaging_architecture():
    listing = pmtk("tasks")
    assert listing.returncode == 0, listing.stderr
    assert "ecg" in listing.stdout and "[example]" in listing.stdout
    rows = {row["task"]: row for row in json.loads(pmtk("tasks", "--json").stdout)}
    assert rows["ecg"]["plugin"] == "example"
    assert rows["ecg"]["models"] == ["cnn1d"] and rows["ecg"]["default_model"] == "cnn1d"
    assert "tiny_resnet" in rows["imaging"]["models"]


def test_plugins_json_lists_version_hooks_and_tasks():
    result = pmtk("plugins", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    example = rows["example"]
    version = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]["version"]
    assert (example["distribution"], example["version"]) == ("pmtk-example", version)
    assert example["module"] == "pmtk_example" and not example["builtin"]
    assert (example["status"], example["errors"]) == ("loaded", [])
    assert example["hooks"] == HOOKS
    assert example["tasks"] == ["ecg"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PMTK_DISABLE_PLUGINS", "example"),
        ("PMTK_DISABLE_PLUGINS", "pmtk-example"),
        ("PMTK_LOAD_PLUGINS", ""),
        ("PMTK_LOAD_PLUGINS", "some-other-plugin"),
    ],
    ids=["disable-by-name", "disable-by-distribution", "load-none", "load-others-only"],
)
def test_environment_switches_hide_the_plugin(variable, value):
    rows = {
        row["task"]: row for row in json.loads(pmtk("tasks", "--json", **{variable: value}).stdout)
    }
    assert "ecg" not in rows and "imaging" in rows
    assert "tiny_resnet" not in rows["imaging"]["models"]
    plugins = {
        row["name"]: row
        for row in json.loads(pmtk("plugins", "--json", **{variable: value}).stdout)
    }
    if variable == "PMTK_DISABLE_PLUGINS":
        assert plugins["example"]["status"] == "disabled"
    else:
        assert "example" not in plugins
    assert pmtk("ecg-info", **{variable: value}).returncode == 2  # no such command


def test_load_plugins_allow_list_keeps_the_plugin():
    rows = json.loads(pmtk("tasks", "--json", PMTK_LOAD_PLUGINS="example").stdout)
    assert "ecg" in {row["task"] for row in rows}


def test_trace_prints_every_hook_call_to_the_plugin():
    result = pmtk("tasks", "--json", PMTK_TRACE_PLUGINS="1")
    assert result.returncode == 0
    for hook in ("pmtk_register_tasks", "pmtk_register_models", "pmtk_register_readers",
                 "pmtk_register_commands"):  # fmt: skip
        assert f"pmtk: {hook} -> example" in result.stderr
    assert "pmtk: pmtk_register_tasks -> imaging" in result.stderr
    json.loads(result.stdout)  # tracing goes to stderr: stdout stays machine-readable
    assert "pmtk: " not in pmtk("tasks").stderr


def test_the_plugin_command_works():
    result = pmtk("ecg-info")
    assert result.returncode == 0, result.stderr
    assert "60 recordings of 256 samples; classes: arrhythmia 30, normal 30" in result.stdout
    assert "ecg-info" in pmtk("--help").stdout


def test_listing_with_the_plugin_does_not_import_tensorflow():
    require_example()
    probe = (
        "import sys; from pmtk.cli.app import main; sys.argv = ['pmtk', 'tasks']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('HEAVY:', [m for m in ('tensorflow', 'keras') if m in sys.modules], file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=_env()
    )
    assert "ecg" in result.stdout
    assert "HEAVY: []" in result.stderr, result.stderr


def test_bad_ecg_data_is_one_sentence_and_no_run(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label,s0,s1\nr1,normal,0.1,oops\n")
    result = pmtk("run", "ecg", "--data", bad, "--output", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert f"{bad}, line 2, column s1" in result.stderr
    assert not (tmp_path / "out").exists()


# -- training through the entry point ------------------------------------------------------


def test_run_ecg_on_the_bundled_sample_writes_a_complete_run(runs):
    run_dir = finished_run(runs, "ecg")
    config = json.loads((run_dir / "config.json").read_text())
    assert config["task"] == "ecg" and config["options"]["model"] == "cnn1d"
    assert config["options"]["data"].endswith(
        os.path.join("pmtk_example", "sample_data", "ecg.csv")
    )
    assert config["plugins"]["example"]["distribution"] == "pmtk-example"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert sum(metrics["n"].values()) == 60 and "auroc" in metrics["test"]


def test_pmtk_predict_applies_the_ecg_run(runs, tmp_path):
    run_dir = finished_run(runs, "ecg")
    data = json.loads((run_dir / "config.json").read_text())["options"]["data"]
    result = pmtk("predict", run_dir, "--data", data, "--output", tmp_path / "p.csv")
    assert result.returncode == 0, result.stderr
    predictions = pd.read_csv(tmp_path / "p.csv")
    assert len(predictions) == 60 and set(predictions["predicted"]) <= {"normal", "arrhythmia"}


def test_ecg_recordings_join_fusion_through_the_encoder_hook(runs, tmp_path):
    """A third-party modality: the ECG task's reader and encoder inside a fused model."""
    run_dir = finished_run(runs, "fusion")
    config = json.loads((run_dir / "config.json").read_text())
    modalities = {m["name"]: m for m in config["derived"]["modalities"]}
    assert modalities["ecg"]["task"] == "ecg" and modalities["tabular"]["task"] == "risk"
    assert modalities["ecg"]["input"]["shape"] == [256, 1]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics["modalities"]) == {"ecg", "tabular"}
    data = Path(config["options"]["data"])
    result = pmtk("predict", run_dir, "--data", data, "--output", tmp_path / "p.csv")
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(tmp_path / "p.csv")) == 60


def test_imaging_trains_the_plugin_architecture(runs):
    run_dir = finished_run(runs, "resnet")
    config = json.loads((run_dir / "config.json").read_text())
    assert (config["task"], config["options"]["model"]) == ("imaging", "tiny_resnet")


def test_imaging_reads_npy_images_with_the_plugin_reader(runs):
    run_dir = finished_run(runs, "npy")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert sum(metrics["n"].values()) == 16  # every .npy image was read
    predictions = pd.read_csv(run_dir / "predictions.csv")
    assert predictions["id"].str.endswith(".npy").all()


@pytest.mark.parametrize("name", ["ecg", "resnet", "npy"])
def test_the_callback_runs_in_every_run(runs, name):
    run_dir = finished_run(runs, name)
    summary = json.loads((run_dir / "example_callback.json").read_text())
    assert summary["epochs"] == 1
    assert summary["task"] == ("ecg" if name == "ecg" else "imaging")
