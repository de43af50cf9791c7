"""The plugin's hooks and the task's contract with the shared loop."""

from __future__ import annotations

from pmtk.core.data.sample_data import sample_data_path
from pmtk.plugins.autoencoder.task import AutoencoderTask


def test_hooks_register_task_models_and_readers(host):
    registry = host.registry
    task = registry.task("autoencoder")
    assert isinstance(task, AutoencoderTask)
    assert task.target_kind == "reconstruction"
    assert registry.model_names("autoencoder") == ["dense", "pca_residual"]
    assert task.default_model == "pca_residual"
    assert {".csv", ".tsv", ".txt", ".csv.gz", ".parquet"} <= registry.extensions("autoencoder")
    assert registry.reader_for("autoencoder", "x.tsv.gz").name == "text"


def test_options_and_bundled_sample():
    options = {option.name: option.default for option in AutoencoderTask.options}
    assert options == {"id_column": None, "color_column": None, "exclude": None,
                       "latent_dim": 16, "hidden_units": "128,64", "denoise": 0.0,
                       "nonfinite_as_missing": False}  # fmt: skip
    assert sample_data_path(AutoencoderTask.sample_data).is_file()


def test_compile_options_leave_the_loss_to_the_model():
    assert AutoencoderTask().compile_options("reconstruction") == {"loss": None, "metrics": []}
