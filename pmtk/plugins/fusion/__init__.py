"""Built-in fusion plugin: one model over a patient's images, sequences and clinical table.

Hook implementations only. The fusion task reads each ``--modality`` column through the
task named for it and embeds it with that task's encoder (``pmtk_register_encoders``), so
any installed task with an encoder can be a modality; the clinical columns are read and
encoded by the risk task. TensorFlow and pandas load inside the functions that use them.
"""

from pmtk import hookimpl


@hookimpl
def pmtk_register_tasks(register):
    """Registers the fusion task."""
    from pmtk.plugins.fusion.task import FusionTask

    register(FusionTask())


@hookimpl
def pmtk_register_models(register):
    """Registers the ``concat`` (default) and ``attention`` fusion heads."""
    from pmtk.plugins.fusion import models

    register("fusion", "concat", models.build_concat, "modality embeddings concatenated (default)")
    register("fusion", "attention", models.build_attention, "attention-weighted modality sum")


@hookimpl
def pmtk_register_explainers(register):
    """Registers the per-patient modality contributions."""
    from pmtk.plugins.fusion.explain import FusionExplainer

    register("fusion", FusionExplainer())
