"""pmtk-example: one plugin showing every pmtk extension point.

Hook implementations only. Each imports what it needs inside the function, so
``pmtk tasks`` and ``pmtk --help`` never load TensorFlow because of this plugin.

- ``pmtk_register_tasks``: the ``ecg`` task (``pmtk run ecg``);
- ``pmtk_register_models``: ``cnn1d`` for ``ecg`` and ``tiny_resnet`` for ``imaging``;
- ``pmtk_register_encoders``: ``cnn1d`` for ``ecg``, so ECG recordings join ``pmtk run fusion``;
- ``pmtk_register_readers``: ``.npy`` image arrays for ``imaging``;
- ``pmtk_register_callbacks``: ``example_callback.json`` in every run directory;
- ``pmtk_register_commands``: ``pmtk ecg-info``.
"""

from pmtk import hookimpl


@hookimpl
def pmtk_register_tasks(register):
    """Registers the ``ecg`` task."""
    from pmtk_example.ecg_task import EcgTask

    register(EcgTask())


@hookimpl
def pmtk_register_models(register):
    """Registers ``cnn1d`` (default of ``ecg``) and ``tiny_resnet`` for pmtk's imaging task."""
    from pmtk_example import models

    register("ecg", "cnn1d", models.build_cnn1d, "two Conv1D blocks + global pooling (default)")
    register("imaging", "tiny_resnet", models.build_tiny_resnet, "3-stage ResNet [pmtk-example]")


@hookimpl
def pmtk_register_encoders(register):
    """Lets ECG recordings be a modality of pmtk's fusion task (``--modality ecg=ecg``)."""
    from pmtk_example import models

    register("ecg", "cnn1d", models.encode_cnn1d, "cnn1d's layers before its output")


@hookimpl
def pmtk_register_readers(register):
    """Lets the imaging task read images stored as ``.npy`` arrays."""
    from pmtk_example.npy_reader import READER

    register("imaging", READER)


@hookimpl
def pmtk_register_callbacks(register, context):
    """Adds the run-summary callback to every run, whatever the task."""
    from pmtk_example.callbacks import RunSummary

    register(RunSummary(context.run_dir, context.task))


@hookimpl
def pmtk_register_commands(app):
    """Adds ``pmtk ecg-info``."""
    from pmtk_example import command

    command.register(app)
