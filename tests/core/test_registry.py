"""The registry: tasks, models and readers contributed by plugins, conflicts and look-ups."""

from __future__ import annotations

import pytest

from pmtk import hookimpl
from pmtk.core.errors import OptionError, PluginError
from pmtk.core.task import Reader, Task
from tests.core.fake_task import FakePlugin, FakeTask, build_dense


def _read(path):
    return path


class _Readers:
    @hookimpl
    def pmtk_register_readers(self, register):
        register("imaging", Reader("gzip", (".gz",), _read, "any gzip file"))
        register("imaging", Reader("nifti", (".nii", ".nii.gz"), _read, "NIfTI volumes"))


class _ExtraModel:
    @hookimpl
    def pmtk_register_models(self, register):
        register("imaging", "tiny", build_dense, "a third-party architecture")


class _ImagingAgain(Task):
    name = "imaging"
    description = "a rival imaging task"
    default_model = "x"


class _Rival:
    @hookimpl
    def pmtk_register_tasks(self, register):
        register(_ImagingAgain())

    @hookimpl
    def pmtk_register_models(self, register):
        register("imaging", "seed", build_dense, "a rival seed model")


def test_a_plugin_adds_a_task(host, add_plugin):
    add_plugin(FakePlugin(), "fake-plugin", distribution="pmtk-fake")
    registry = host.registry
    assert isinstance(registry.task("fake"), FakeTask)
    contribution = registry.tasks["fake"]
    assert contribution.plugin == "fake-plugin"
    assert contribution.description == FakeTask.description
    assert registry.model_names("fake") == ["broken", "dense"]
    assert registry.model_builder("fake", "dense") is build_dense
    # The built-in task is still there.
    assert registry.tasks["imaging"].plugin == "imaging"


def test_a_plugin_adds_a_selectable_model_to_an_existing_task(host, add_plugin):
    add_plugin(_ExtraModel(), "extra-model")
    registry = host.registry
    assert {"seed", "small_cnn", "tiny"} <= set(registry.model_names("imaging"))
    assert registry.model_builder("imaging", "tiny") is build_dense
    assert registry.models["imaging"]["tiny"].plugin == "extra-model"


def test_unknown_model_is_an_option_error_listing_the_choices(host):
    with pytest.raises(OptionError) as caught:
        host.registry.model_builder("imaging", "resnet")
    message = str(caught.value)
    assert "'resnet'" in message and "'imaging'" in message
    assert "seed" in message and "small_cnn" in message and "--model" in message


@pytest.mark.parametrize(
    ("file_name", "reader"),
    [
        ("scan.nii.gz", "nifti"),
        ("SCAN.NII.GZ", "nifti"),
        ("scan.nii", "nifti"),
        ("archive.gz", "gzip"),
        ("photo.png", "opencv"),
        ("notes.txt", None),
    ],
)
def test_reader_for_picks_the_longest_matching_extension(host, add_plugin, file_name, reader):
    add_plugin(_Readers(), "readers")
    found = host.registry.reader_for("imaging", file_name)
    assert (found.name if found else None) == reader


def test_extensions_collect_every_reader(host, add_plugin):
    add_plugin(_Readers(), "readers")
    extensions = host.registry.extensions("imaging")
    assert {".nii", ".nii.gz", ".gz", ".png"} <= extensions
    assert host.registry.extensions("no-such-task") == set()


def test_duplicate_task_names_both_plugins(host, add_plugin):
    add_plugin(_Rival(), "rival")
    with pytest.raises(PluginError) as caught:
        host.registry.task("imaging")
    message = str(caught.value)
    assert "'imaging'" in message and "'rival'" in message
    assert "PMTK_DISABLE_PLUGINS=rival" in message


def test_duplicate_model_names_both_plugins(host, add_plugin):
    add_plugin(_Rival(), "rival")
    with pytest.raises(PluginError) as caught:
        host.registry.model_builder("imaging", "seed")
    assert "'imaging'" in str(caught.value) and "'rival'" in str(caught.value)
    # Models nobody else claims still resolve.
    assert host.registry.model_builder("imaging", "small_cnn")


def test_unknown_task_lists_the_known_tasks(host):
    with pytest.raises(PluginError) as caught:
        host.registry.task("proteomics")
    message = str(caught.value)
    assert "Unknown task 'proteomics'" in message
    assert "imaging" in message and "pmtk tasks" in message


class _WrongTypes:
    @hookimpl
    def pmtk_register_tasks(self, register):
        register("not a task")

    @hookimpl
    def pmtk_register_readers(self, register):
        register("imaging", lambda path: path)


def test_registering_the_wrong_type_fails_only_that_plugin(host, add_plugin):
    record = add_plugin(_WrongTypes(), "wrong-types")
    registry = host.registry
    assert record.status == "failed"
    assert any(error.startswith("pmtk_register_tasks: TypeError") for error in record.errors)
    assert any(error.startswith("pmtk_register_readers: TypeError") for error in record.errors)
    assert registry.task("imaging").name == "imaging"


def test_registry_is_rebuilt_after_a_plugin_is_added_or_removed(host, add_plugin):
    assert "fake" not in host.registry.tasks
    add_plugin(FakePlugin(), "fake-plugin")
    assert "fake" in host.registry.tasks
    host.unregister("fake-plugin")
    assert "fake" not in host.registry.tasks
