"""The registry: tasks, models and readers contributed by plugins, conflicts and look-ups."""

from __future__ import annotations

import pytest

from pmtk import hookimpl
from pmtk.core.contract.task import Reader, Task
from pmtk.core.errors import OptionError, PluginError
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

    def read(self, path, context, *, require_labels=True):
        """Not used: registration is what is tested."""

    def dataset(self, examples, targets, context):
        """Not used."""


class _FakeAgain(FakeTask):
    description = "a second fake task"


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


def test_a_task_named_like_a_builtin_leaves_the_builtin_and_fails_the_plugin(host, add_plugin):
    add_plugin(_Rival(), "rival")
    registry = host.registry
    assert registry.task("imaging").description != _ImagingAgain.description
    assert registry.tasks["imaging"].plugin == "imaging"
    record = host.records["rival"]
    assert record.status == "failed"
    (error,) = record.errors
    assert error.startswith("pmtk_register_tasks: PluginError:")
    assert "'imaging'" in error and "built-in" in error


def test_duplicate_task_names_of_installed_plugins_name_both(host, add_plugin):
    add_plugin(FakePlugin(), "fake-plugin")

    class _Again:
        @hookimpl
        def pmtk_register_tasks(self, register):
            register(_FakeAgain())

    add_plugin(_Again(), "fake-again")
    with pytest.raises(PluginError) as caught:
        host.registry.task("fake")
    message = str(caught.value)
    assert "'fake'" in message and "'fake-plugin', 'fake-again'" in message
    assert "PMTK_DISABLE_PLUGINS=fake-again" in message


class _Incomplete(Task):
    name = "incomplete"
    default_model = "x"

    def read(self, path, context, *, require_labels=True):
        """Reads nothing; dataset() is missing."""


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(_Incomplete, "abstract method dataset", id="missing-dataset"),
        pytest.param(
            lambda: type("_Odd", (FakeTask,), {"name": "odd", "target_kind": "ranking"})(),
            "target_kind 'ranking'",
            id="unknown-target-kind",
        ),
    ],
)
def test_a_task_breaking_the_contract_fails_its_plugin(host, add_plugin, make, expected):
    class _Plugin:
        @hookimpl
        def pmtk_register_tasks(self, register):
            register(make())

    add_plugin(_Plugin(), "broken-task")
    assert "odd" not in host.registry.tasks and "incomplete" not in host.registry.tasks
    record = host.records["broken-task"]
    assert record.status == "failed" and expected in record.errors[0]


def test_the_run_context_hands_readers_and_the_group_column(host, add_plugin):
    add_plugin(_Readers(), "more-readers")
    registry = host.registry
    context = registry.run_context("imaging", {"group_column": "patient"})
    assert context.group_column == "patient"
    assert {reader.name for reader in context.readers} >= {"opencv", "dicom", "nifti"}
    assert context.reader_for("x.NII.GZ").name == "nifti"
    assert context.extensions() == registry.extensions("imaging")
    predicting = registry.run_context("imaging", {"group_column": "patient"}, require_labels=False)
    assert predicting.group_column is None


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
