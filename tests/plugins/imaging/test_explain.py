"""Imaging heatmaps on images where the lesion position is known, and imaging bad input."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

pytestmark = pytest.mark.slow  # trains models

SIZE = 32
RADIUS = 5


def _write_scans(root: Path, count: int, seed: int, classes=("lesion", "normal")) -> dict:
    """Noisy textured scans; lesion images get a bright disc at a recorded random place."""
    rng = np.random.default_rng(seed)
    discs = {}
    for name in classes:
        (root / name).mkdir(parents=True, exist_ok=True)
        for index in range(count):
            base = cv2.GaussianBlur(rng.normal(0, 1, (SIZE, SIZE)), (0, 0), 2)
            image = 90 + 25 * base / base.std() + rng.normal(0, 4, (SIZE, SIZE))
            if name == "lesion":
                center = tuple(int(c) for c in rng.integers(RADIUS + 1, SIZE - RADIUS - 1, 2))
                disc = np.zeros((SIZE, SIZE), np.uint8)
                cv2.circle(disc, center, RADIUS, 1, -1)
                image = np.where(disc > 0, image + 90, image)
                discs[f"{name}_{index:03d}.png"] = disc
            cv2.imwrite(str(root / name / f"{name}_{index:03d}.png"),
                        np.clip(image, 0, 255).astype(np.uint8))  # fmt: skip
    return discs


@pytest.fixture(scope="module")
def lesion_run(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    root = tmp_path_factory.mktemp("lesions")
    _write_scans(root / "data", 60, seed=0)
    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    try:
        result = CliRunner().invoke(build_app(host), [
            "run", "imaging", "--data", str(root / "data"), "--output", str(root / "run"),
            "--model", "seed", "--image-size", str(SIZE), "--epochs", "12", "--batch-size", "16",
            "--bootstrap", "0", "--no-augment",
        ], catch_exceptions=False)  # fmt: skip
    finally:
        reset_plugin_host(None)
    assert result.exit_code == 0, result.output
    return root / "run"


@pytest.mark.parametrize(
    ("method", "floor"),
    [(None, 0.7), ("occlusion", 0.7), ("smoothgrad", 0.6)],
    ids=["default", "occlusion", "smoothgrad"],
)
def test_heatmap_peaks_on_the_lesion(cli, lesion_run: Path, tmp_path: Path, method, floor):
    """The seed model (full-resolution convolution); Grad-CAM with its Flatten head is weaker."""
    discs = _write_scans(tmp_path / "new", 20, seed=1, classes=("lesion",))
    output = tmp_path / "explain"
    extra = [] if method is None else ["--method", method]
    result = cli("explain", lesion_run, "--data", tmp_path / "new", "--output", output, *extra)
    assert result.exit_code == 0, result.output
    arrays = np.load(output / "heatmaps.npz")
    assert arrays["heatmaps"].shape == (20, SIZE, SIZE) and arrays["ids"].shape == (20,)
    hits = correct = 0
    for name, heatmap, label in zip(arrays["ids"], arrays["heatmaps"],
                                    arrays["explained_class"], strict=True):  # fmt: skip
        if label != "lesion":
            continue
        correct += 1
        peak = np.unravel_index(int(np.argmax(heatmap)), heatmap.shape)
        hits += int(discs[Path(str(name)).name][peak] > 0)
    assert correct >= 15, "the model should find most lesions"
    assert hits / correct >= floor, f"{method}: peak on the lesion in {hits}/{correct}"
    assert len(list((output / "overlays").glob("*.png"))) == 20
    summary = json.loads((output / "summary.json").read_text())
    assert summary["method"] == (method or "gradcam++")
    # the report shows the first overlays: summary.json names them in the order of the ids
    written = {f"overlays/{path.name}" for path in (output / "overlays").glob("*.png")}
    assert len(summary["overlays"]) == 20 and set(summary["overlays"]) == written
    for name, identifier in zip(summary["overlays"], arrays["ids"], strict=True):
        assert Path(name).stem.endswith(Path(str(identifier)).stem), (name, identifier)


def test_limit_defaults_to_64_images_and_class_is_checked(cli, lesion_run, tmp_path: Path):
    _write_scans(tmp_path / "many", 70, seed=2, classes=("normal",))
    result = cli("explain", lesion_run, "--data", tmp_path / "many", "--output", tmp_path / "o",
                 "--class", "lesion", "--method", "gradcam")  # fmt: skip
    assert result.exit_code == 0, result.output
    arrays = np.load(tmp_path / "o" / "heatmaps.npz")
    assert len(arrays["ids"]) == 64 and set(arrays["explained_class"]) == {"lesion"}
    result = cli("explain", lesion_run, "--data", tmp_path / "many", "--class", "tumour")
    assert result.exit_code == 1
    assert "--class tumour is not a class of the run" in result.stderr
    assert "its classes are: normal, lesion." in result.stderr


def test_an_image_the_model_cannot_take_gets_one_sentence(cli, lesion_run, tmp_path: Path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "scan.png").write_bytes(b"not a png at all")
    result = cli("explain", lesion_run, "--data", folder, "--output", tmp_path / "out")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "scan.png" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cam_methods_refuse_a_model_without_convolutions(tmp_path: Path):
    from unittest import mock

    import keras
    import pandas as pd

    from pmtk.core.errors import DataError
    from pmtk.core.explaining import ExplainSettings
    from pmtk.plugins.imaging.explain import ImagingExplainer

    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    run = type("Run", (), {"run_dir": tmp_path})()
    examples = pd.DataFrame({"id": ["i0", "i1"]})
    images = np.zeros((2, 8, 8, 1), np.float32)
    with mock.patch("pmtk.plugins.imaging.explain._model_inputs", return_value=images):
        with pytest.raises(DataError, match="has no 2-D convolution.*use --method occlusion"):
            ImagingExplainer().explain(run, examples, ExplainSettings("gradcam"), model)
        maps = ImagingExplainer().explain(run, examples, ExplainSettings("occlusion"), model)
    assert maps.maps.shape == (2, 8, 8)
