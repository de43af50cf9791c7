"""Mistakes a plugin author makes, each told in one sentence that names the plugin."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pmtk import hookimpl
from pmtk.core.errors import PluginError
from pmtk.core.loop.training import train
from tests.core.fake_task import FakePlugin, FakeTask, options_for, write_table

COUNTS = {"normal": 20, "lesion": 20}


def _five_units(spec):
    import keras

    inputs = keras.Input(shape=spec.input_shape)
    return keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(inputs))


class _WrongOutput:
    @hookimpl
    def pmtk_register_models(self, register):
        register("fake", "five", _five_units, "5 units whatever the target")


class _RaisingCallbacks:
    @hookimpl
    def pmtk_register_callbacks(self, register, context):
        raise RuntimeError("tracker server unreachable")


@pytest.fixture
def fake_host(host, add_plugin):
    add_plugin(FakePlugin(), "fake-plugin")
    return host


@pytest.mark.slow
def test_a_model_output_that_does_not_fit_the_target_is_one_sentence(
    fake_host, add_plugin, tmp_path
):
    add_plugin(_WrongOutput(), "wrong-output")
    data = write_table(tmp_path / "data.csv", COUNTS)
    output = tmp_path / "run"
    with pytest.raises(PluginError) as caught:
        train(FakeTask(), options_for(data, output, model="five"), fake_host)
    message = str(caught.value)
    assert "'five'" in message and "'wrong-output'" in message
    assert "shape 5" in message and "binary target needs 1 unit" in message
    assert "\n" not in message
    assert not output.exists()


@pytest.mark.slow
def test_a_raising_callbacks_hook_warns_and_is_recorded(fake_host, add_plugin, tmp_path, capsys):
    add_plugin(_RaisingCallbacks(), "tracker")
    data = write_table(tmp_path / "data.csv", COUNTS)
    run_dir = train(FakeTask(), options_for(data, tmp_path / "run", epochs=1), fake_host)
    stderr = capsys.readouterr().err
    assert "Warning: the plugin 'tracker' failed to add its training callbacks" in stderr
    assert "tracker server unreachable" in stderr
    plugins = json.loads((run_dir / "config.json").read_text())["plugins"]
    assert plugins["tracker"]["status"] == "failed"
    assert "RuntimeError: tracker server unreachable" in plugins["tracker"]["errors"][0]
    assert "errors" not in plugins["fake-plugin"]


class _OldCommands:
    """A plugin written before the hook passed ``host``: it takes ``app`` only."""

    @hookimpl
    def pmtk_register_commands(self, app):
        @app.command("old-hello")
        def old_hello() -> None:
            """Says hello."""
            print("hello from an old plugin")


class _NewCommands:
    @hookimpl
    def pmtk_register_commands(self, app, host):
        @app.command("count-tasks")
        def count_tasks() -> None:
            """Counts the tasks of the host the CLI was built with."""
            print(len(host.registry.tasks))


def test_commands_hook_gets_the_host_and_old_implementations_still_work(host, add_plugin):
    from pmtk.cli.app import build_app

    add_plugin(_OldCommands(), "old-commands")
    add_plugin(_NewCommands(), "new-commands")
    app = build_app(host)
    result = CliRunner().invoke(app, ["old-hello"])
    assert result.exit_code == 0 and "hello from an old plugin" in result.stdout
    result = CliRunner().invoke(app, ["count-tasks"])
    assert result.exit_code == 0 and int(result.stdout) == len(host.registry.tasks)
    assert host.records["old-commands"].errors == []


def _read_raw(path: str):
    raise ValueError(f"bad header in {path.rsplit('/', 1)[-1]}\nsecond line never shown")


class _RawReader:
    @hookimpl
    def pmtk_register_readers(self, register):
        from pmtk.core.contract.task import Reader

        register("imaging", Reader("raw", (".raw",), _read_raw, "raw scans"))


def test_a_readers_own_message_is_kept_in_the_unreadable_file_sentence(host, add_plugin, tmp_path):
    from pmtk.core.errors import DataError

    add_plugin(_RawReader(), "raw-reader")
    for label in ("lesion", "normal"):
        (tmp_path / label).mkdir()
        (tmp_path / label / f"{label}.raw").write_bytes(b"\0" * 16)
    task = host.registry.task("imaging")
    options = {"image_size": 8, "group_column": None}
    context = host.registry.run_context("imaging", options)
    examples = task.read(tmp_path, context)
    context = host.registry.run_context("imaging", options, derived={"channels": 1})
    with pytest.raises(DataError) as caught:
        task.dataset(examples, None, context)
    message = str(caught.value)
    assert "2 image file(s) cannot be read" in message
    assert "lesion.raw (bad header in lesion.raw)" in message
    assert "second line" not in message
