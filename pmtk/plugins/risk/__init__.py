"""Built-in risk plugin: the tabular disease-risk task, its two models and its table readers.

Hook implementations only; pandas, pyarrow and TensorFlow load inside the functions that use them.
"""

from pmtk import hookimpl
from pmtk.core.contract.task import Reader


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
def pmtk_register_encoders(register):
    """Registers the risk encoders (the models' layers before their output head)."""
    from pmtk.plugins.risk import models

    register(
        "risk", "mlp", models.encode_mlp, "preprocessed columns through the hidden layers (default)"
    )
    register("risk", "linear", models.encode_linear, "the preprocessed columns themselves")


@hookimpl
def pmtk_register_readers(register):
    """Registers the CSV/TSV and Parquet readers; text tables keep every value as text."""
    from functools import partial

    from pmtk.core.data import tables

    as_text = partial(tables.read_text_table, as_text=True)  # features.py infers the kinds
    text_chunks = partial(tables.text_table_chunks, as_text=True)
    register(
        "risk",
        Reader("text", tables.TEXT_EXTENSIONS, as_text, "CSV/TSV (pandas)", chunks=text_chunks),
    )
    register(
        "risk",
        Reader(
            "parquet",
            tables.PARQUET_EXTENSIONS,
            tables.read_parquet_table,
            "Parquet",
            chunks=tables.parquet_table_chunks,
        ),
    )


@hookimpl
def pmtk_register_explainers(register):
    """Registers the explainer: integrated gradients per patient and feature."""
    from pmtk.plugins.risk.explain import RiskExplainer

    register("risk", RiskExplainer())
