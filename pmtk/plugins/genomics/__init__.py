"""Built-in genomics plugin: the task, its three architectures and its explainer.

Hook implementations only; TensorFlow, pandas and Biopython load inside the functions that use
them. Saved genomics models use the layers of ``pmtk.plugins.genomics.layers``: import that
module before ``keras.saving.load_model``.
"""

from pmtk import hookimpl


@hookimpl
def pmtk_register_tasks(register):
    """Registers the genomics task."""
    from pmtk.plugins.genomics.task import GenomicsTask

    register(GenomicsTask())


@hookimpl
def pmtk_register_models(register):
    """Registers ``danq`` (default), ``rnn`` and ``cnn``."""
    from pmtk.plugins.genomics import models

    register("genomics", "danq", models.build_danq, "conv + pool + BiLSTM + dense (default)")
    register("genomics", "rnn", models.build_rnn, "bidirectional GRU over the bases")
    register("genomics", "cnn", models.build_cnn, "convolution-only baseline")


@hookimpl
def pmtk_register_encoders(register):
    """Registers the genomics encoders (the models' layers before their output head)."""
    from pmtk.plugins.genomics import models

    register("genomics", "danq", models.encode_danq, "conv + pool + BiLSTM, max over bases")
    register("genomics", "rnn", models.encode_rnn, "bidirectional GRU, max over bases")
    register("genomics", "cnn", models.encode_cnn, "two convolutions, max over bases")


@hookimpl
def pmtk_register_readers(register):
    """Registers the FASTA reader (Biopython; plain or gzip); it returns (title, sequence) pairs."""
    from pmtk.core.contract.task import Reader
    from pmtk.plugins.genomics import reading

    register(
        "genomics",
        Reader("fasta", reading.FASTA_EXTENSIONS, reading.read_fasta, "FASTA (Biopython)"),
    )


@hookimpl
def pmtk_register_splitters(register):
    """Registers ``chromosome``: BED intervals split by whole chromosomes
    (``--holdout-chromosomes`` to test, ``--val-chromosomes`` to validation)."""
    from pmtk.plugins.genomics.chromosome_splits import ChromosomeSplitter

    register(ChromosomeSplitter())


@hookimpl
def pmtk_register_explainers(register):
    """Registers the explainer: in-silico mutagenesis, gradient x input for long sequences."""
    from pmtk.plugins.genomics.explain import GenomicsExplainer

    register("genomics", GenomicsExplainer())


@hookimpl
def pmtk_register_commands(app, host):
    """Adds ``pmtk variants RUN_DIR --vcf F --genome F`` (REF/ALT scores per VCF allele)."""
    from pmtk.plugins.genomics import variants_command

    variants_command.register(app, host)
