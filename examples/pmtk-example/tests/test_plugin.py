"""Every hook of the plugin, through a pmtk plugin host (no install needed)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pmtk.cli.app import build_app


def test_registers_the_ecg_task_and_its_model(host):
    registry = host.registry
    assert registry.tasks["ecg"].plugin == "example"
    assert registry.model_names("ecg") == ["cnn1d"]
    assert host.records["example"].status == "loaded"


def test_adds_an_architecture_and_a_reader_to_imaging(host):
    registry = host.registry
    assert "tiny_resnet" in registry.model_names("imaging")
    assert registry.reader_for("imaging", "scan.NPY").name == "npy"
    assert registry.reader_for("imaging", "scan.png").name == "opencv"


def test_implements_every_hook(host):
    assert host.hook_names("example") == [
        "pmtk_register_callbacks",
        "pmtk_register_commands",
        "pmtk_register_encoders",
        "pmtk_register_models",
        "pmtk_register_readers",
        "pmtk_register_tasks",
    ]


def test_callback_writes_the_run_summary(host, tmp_path):
    from pmtk.core.contract.task import RunContext

    context = RunContext("ecg", {}, host.registry, run_dir=tmp_path)
    callbacks: list = []
    host.call_each(
        "pmtk_register_callbacks", lambda plugin: {"register": callbacks.append, "context": context}
    )
    (summary,) = callbacks
    summary.on_train_begin()
    for epoch in range(2):
        summary.on_epoch_end(epoch, {"loss": 0.5})
    summary.on_train_end()
    written = json.loads((tmp_path / "example_callback.json").read_text())
    assert written["task"] == "ecg" and written["epochs"] == 2
    assert written["last_epoch"] == {"loss": 0.5}


def test_ecg_info_command(host, recordings_csv):
    app = build_app(host)
    result = CliRunner().invoke(app, ["ecg-info", str(recordings_csv), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["recordings"] == 24 and summary["classes"] == {"arrhythmia": 12, "normal": 12}
    bundled = CliRunner().invoke(app, ["ecg-info"])
    assert "60 recordings of 256 samples" in bundled.stdout


def test_ecg_info_reports_bad_input_without_traceback(host, tmp_path):
    result = CliRunner().invoke(build_app(host), ["ecg-info", str(tmp_path / "nothing.csv")])
    assert result.exit_code == 1
    assert "nothing.csv does not exist" in result.stderr and "Traceback" not in result.output
