"""Built-in autoencoder plugin: the task, its two architectures and its table readers.

Hook implementations only; TensorFlow, Keras, pandas and scikit-learn load inside the
functions that use them.
"""

from pmtk import hookimpl
from pmtk.core.contract.task import Reader


@hookimpl
def pmtk_register_tasks(register):
    """Registers the autoencoder task."""
    from pmtk.plugins.autoencoder.task import AutoencoderTask

    register(AutoencoderTask())


@hookimpl
def pmtk_register_models(register):
    """Registers ``pca_residual`` (default) and ``dense``."""
    from pmtk.plugins.autoencoder import models

    register(
        "autoencoder",
        "pca_residual",
        models.build_pca_residual,
        "PCA-initialised linear path + dense non-linear residual (default)",
    )
    register("autoencoder", "dense", models.build_dense, "plain dense encoder and decoder")


@hookimpl
def pmtk_register_readers(register):
    """Registers the CSV/TSV and Parquet readers; each returns a pandas table."""
    from pmtk.core.data import tables

    text = Reader("text", tables.TEXT_EXTENSIONS, tables.read_text_table, "CSV/TSV (pandas)",
                  chunks=tables.text_table_chunks)  # fmt: skip
    parquet = Reader("parquet", tables.PARQUET_EXTENSIONS, tables.read_parquet_table, "Parquet",
                     chunks=tables.parquet_table_chunks)  # fmt: skip
    register("autoencoder", text)
    register("autoencoder", parquet)


@hookimpl
def pmtk_register_explainers(register):
    """Registers the explainer: per-feature reconstruction error and the worst rows."""
    from pmtk.plugins.autoencoder.explain import AutoencoderExplainer

    register("autoencoder", AutoencoderExplainer())
