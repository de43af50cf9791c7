"""``pmtk run imaging`` and ``pmtk predict`` end to end, on every layout and format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import tree_snapshot, write_images

FAST = ("--model", "seed", "--image-size", "16", "--epochs", "1", "--batch-size", "8")
RUN_FILES = {"model.keras", "config.json", "history.csv", "metrics.json", "predictions.csv"}


def _run(cli, data: Path, output: Path, *extra: str):
    result = cli("run", "imaging", "--data", data, "--output", output, *FAST, *extra)
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text())


def test_run_writes_a_complete_reusable_run(cli, image_folder: Path, tmp_path: Path):
    import keras

    output = tmp_path / "run"
    metrics = _run(cli, image_folder, output)
    assert {p.name for p in output.iterdir()} >= RUN_FILES
    assert (output / "logs").is_dir()
    assert set(metrics) >= {"task", "train", "val", "test", "n"}
    assert set(metrics["test"]) == {"accuracy", "auroc", "auprc", "loss", "brier"}
    assert sum(metrics["n"].values()) == 24
    assert metrics["positive_class"] == "lesion"
    config = json.loads((output / "config.json").read_text())
    assert config["seed"] == 42 and config["data_hash"].startswith("sha256:")
    assert config["derived"]["channels"] == 1
    model = keras.saving.load_model(output / "model.keras")
    assert model.input_shape == (None, 16, 16, 1)
    predictions = pd.read_csv(output / "predictions.csv")
    assert len(predictions) == metrics["n"]["test"]
    assert list(predictions.columns) == ["id", "label", "predicted", "score"]


@pytest.mark.parametrize("layout", ["flat", "manifest"])
def test_other_layouts(cli, tmp_path: Path, layout: str):
    if layout == "flat":
        data = write_images(tmp_path / "flat", layout="flat")
    else:
        root = write_images(tmp_path / "images")
        rows = [f"{p.relative_to(root)},{p.parent.name},patient{i // 2}"
                for i, p in enumerate(sorted(root.rglob("*.png")))]  # fmt: skip
        data = root / "manifest.csv"
        data.write_text("path,label,patient_id\n" + "\n".join(rows) + "\n")
    metrics = _run(cli, data, tmp_path / "run")
    assert sum(metrics["n"].values()) == 24


@pytest.mark.parametrize("suffix", [".jpg", ".bmp", ".tif"], ids=["jpeg", "bmp", "tiff"])
def test_bitmap_formats(cli, tmp_path: Path, suffix: str):
    data = write_images(tmp_path / "images", per_class=9, suffix=suffix)
    assert _run(cli, data, tmp_path / "run")["n"]["train"] > 0


def test_dicom_train_and_predict(cli, dicom_folder: Path, tmp_path: Path):
    output = tmp_path / "run"
    _run(cli, dicom_folder, output)
    csv = tmp_path / "predictions.csv"
    result = cli("predict", output, "--data", dicom_folder / "lesion", "--output", csv)
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(csv)) == 10


def test_multiclass_default_model(cli, tmp_path: Path):
    data = write_images(tmp_path / "images", classes=("a", "b", "c"), per_class=8)
    output = tmp_path / "run"
    result = cli("run", "imaging", "--data", data, "--output", output,
                 "--image-size", "16", "--epochs", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((output / "metrics.json").read_text())
    assert set(metrics["test"]) == {"accuracy", "macro_auroc", "loss", "brier"}
    predictions = pd.read_csv(output / "predictions.csv")
    assert {"p_a", "p_b", "p_c"} <= set(predictions.columns)


def test_rgb_images_get_three_channels(cli, tmp_path: Path):
    import cv2

    data = write_images(tmp_path / "images", per_class=6)
    for path in (data / "lesion").glob("*.png"):
        image = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE), cv2.COLOR_GRAY2BGR)
        image[:, :, 2] = 250  # a red tint: channels that differ
        cv2.imwrite(str(path), image)
    output = tmp_path / "run"
    _run(cli, data, output)
    assert json.loads((output / "config.json").read_text())["derived"]["channels"] == 3


def test_predict_png_folder_and_single_file(cli, image_folder: Path, tmp_path: Path):
    output = tmp_path / "run"
    _run(cli, image_folder, output)
    result = cli("predict", output, "--data", image_folder)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert len(table) == 24 and "label" in table
    single = image_folder / "normal" / "normal_000.png"
    result = cli("predict", output, "--data", single)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("normal_000.png,")


def test_config_file_and_command_line_precedence(cli, image_folder: Path, tmp_path: Path):
    config = tmp_path / "options.toml"
    config.write_text('epochs = 1\nimage-size = 12\nmodel = "small_cnn"\nbatch_size = 8\n')
    output = tmp_path / "run"
    result = cli("run", "imaging", "--data", image_folder, "--output", output,
                 "--config", config, "--model", "seed")  # fmt: skip
    assert result.exit_code == 0, result.output
    options = json.loads((output / "config.json").read_text())["options"]
    assert (options["epochs"], options["image_size"], options["model"]) == (1, 12, "seed")


def test_same_seed_same_result(cli, image_folder: Path, tmp_path: Path):
    first = _run(cli, image_folder, tmp_path / "a")
    second = _run(cli, image_folder, tmp_path / "b")
    assert first == second


def _corrupt(root: Path) -> Path:
    bad = root / "lesion" / "lesion_999.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    return bad


@pytest.mark.parametrize(
    ("make_data", "message"),
    [
        (lambda tmp: tmp / "missing", "does not exist; check the --data path"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "contains no images"),
        (lambda tmp: write_images(tmp / "one", classes=("lesion",)), "only the class 'lesion'"),
        (lambda tmp: _corrupt(write_images(tmp / "bad")).parent.parent,
         "1 image file(s) cannot be read"),
        (lambda tmp: (write_images(tmp / "m") / "m.csv").write_text("path,label\nno.png,x\n")
         and tmp / "m" / "m.csv", "row 2: no.png does not exist"),
        (lambda tmp: write_images(tmp / "few", per_class=2), "needs at least 3"),
    ],
    ids=["missing-path", "empty-folder", "one-class", "corrupt-image", "manifest-row-nowhere",
         "too-few-examples"],
)  # fmt: skip
def test_bad_input_is_one_sentence(cli, tmp_path: Path, make_data, message: str):
    data = make_data(tmp_path)
    before = tree_snapshot(tmp_path)
    output = tmp_path / "out" / "run"
    result = cli("run", "imaging", "--data", data, "--output", output, *FAST)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert (
        not output.exists() and not list((tmp_path / "out").glob(".*"))
        if (tmp_path / "out").exists()
        else True
    )
    assert tree_snapshot(tmp_path) == before


def test_corrupt_image_lists_the_file_and_can_be_skipped(cli, tmp_path: Path):
    data = write_images(tmp_path / "images")
    bad = _corrupt(data)
    result = cli("run", "imaging", "--data", data, "--output", tmp_path / "r1", *FAST)
    assert str(bad) in result.stderr and "--skip-bad-images" in result.stderr
    result = cli("run", "imaging", "--data", data, "--output", tmp_path / "r2", *FAST,
                 "--skip-bad-images")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "left out 1 unreadable image" in result.stderr
    assert bad.exists()


def test_unknown_task(cli):
    result = cli("run", "radiomics")
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_existing_output_is_never_overwritten(cli, image_folder: Path, tmp_path: Path):
    output = tmp_path / "run"
    output.mkdir()
    (output / "keep.txt").write_text("mine")
    result = cli("run", "imaging", "--data", image_folder, "--output", output, *FAST)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert [p.name for p in output.iterdir()] == ["keep.txt"]


def test_predict_bad_inputs(cli, image_folder: Path, tmp_path: Path):
    result = cli("predict", tmp_path, "--data", image_folder)
    assert result.exit_code == 1 and "is not a finished pmtk run" in result.stderr
    output = tmp_path / "run"
    _run(cli, image_folder, output)
    result = cli("predict", output, "--data", tmp_path / "nowhere")
    assert result.exit_code == 1 and "does not exist" in result.stderr
