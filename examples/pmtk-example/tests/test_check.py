"""pmtk's test kit on this plugin's task and imaging architecture: train, save, reload, predict."""

from __future__ import annotations

from pmtk.testing import check_task, write_image_folder


def test_ecg_task_round_trips(host, tmp_path, recordings_csv):
    result = check_task("ecg", recordings_csv, options={"filters": 4}, tmp_path=tmp_path, host=host)
    assert (result.run_dir / "example_callback.json").is_file()
    assert set(result.predictions.columns) == {"id", "label", "predicted", "score"}


def test_tiny_resnet_reads_npy_images_and_round_trips(host, tmp_path):
    check_task(
        "imaging",
        lambda folder: write_image_folder(folder / "images", suffix=".npy"),
        options={"model": "tiny_resnet", "image_size": 16},
        tmp_path=tmp_path,
        host=host,
    )
