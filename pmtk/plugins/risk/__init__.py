"""Built-in risk plugin: the tabular disease-risk task, its two models and its table readers.

Hook implementations only; pandas, pyarrow and TensorFlow load inside the functions that use them.
"""

from pmtk import hookimpl
from pmtk.core.task import Reader


@hookimpl
def pmtk_register_tasks(register):
    """Registers the risk task."""
    from pmtk.plugins.risk.task import RiskTask

    register(RiskTask())


@hookimpl
def pmtk_register_models(register):
    """Registers ``mlp`` (default) and ``linear`` (logistic/linear regression baseline)."""
    from pmtk.plugins.risk import models

    register("risk", "mlp", models.build_mlp, "small MLP with dropout (default)")
    register("risk", "linear", models.build_linear, "logistic/linear regression baseline")


@hookimpl
def pmtk_register_readers(register):
    """Registers the CSV/TSV (text) and Parquet readers; each returns a raw pandas table."""
    from pmtk.plugins.risk import formats

    register(
        "risk",
        Reader("text", formats.TEXT_EXTENSIONS, formats.read_text_table, "CSV/TSV (pandas)"),
    )
    register(
        "risk",
        Reader("parquet", formats.PARQUET_EXTENSIONS, formats.read_parquet_table, "Parquet"),
    )
