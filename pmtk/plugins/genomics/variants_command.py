"""``pmtk variants RUN_DIR --vcf F --genome F``: REF/ALT scores and delta for every VCF allele.

Registered by the genomics plugin through ``pmtk_register_commands``; TensorFlow, cyvcf2 and
pyfaidx load inside the command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from pmtk.cli.errors import user_errors
from pmtk.core.errors import DataError, OptionError


def register(app: typer.Typer, host: Any = None) -> None:
    """Adds the ``variants`` command, which opens runs through ``host`` (default: the
    process-wide plugin host)."""

    @app.command("variants")
    def variants(
        run_dir: Path = typer.Argument(..., help="A genomics run directory written by 'pmtk run'."),
        vcf: Path = typer.Option(..., "--vcf", help="Variants: VCF, plain or gzip/bgzip."),
        genome: Path = typer.Option(..., "--genome", help="The reference genome FASTA."),
        output: Path | None = typer.Option(
            None, "--output", help="TSV file to write (default: print to stdout)."
        ),
        rename_chromosomes: str | None = typer.Option(
            None,
            "--rename-chromosomes",
            help="add-chr ('1' -> 'chr1'), drop-chr ('chr1' -> '1'), or a two-column file "
            "mapping VCF names to genome names.",
        ),
        class_name: str | None = typer.Option(
            None, "--class", help="Multiclass runs: the class whose probability is scored."
        ),
        batch_size: int = typer.Option(256, "--batch-size", help="Windows per batch."),
    ) -> None:
        """Score every VCF allele: the model on the REF and the ALT window, and their delta."""
        with user_errors():
            from pmtk.core.run.outputs import check_output

            if output is not None:  # before any data is read
                check_output(output, [vcf, genome, run_dir], kind="file")
            frame, header, line = score_vcf(
                run_dir, vcf, genome, rename=rename_chromosomes, class_name=class_name,
                batch_size=batch_size, host=host,
            )  # fmt: skip
            if output is None:
                sys.stdout.write(header)
                frame.to_csv(sys.stdout, sep="\t", index=False, float_format="%.6g")
            else:
                _write_tsv(frame, header, output)
            typer.echo(line, err=True)


def score_vcf(
    run_dir: Path,
    vcf: Path,
    genome_path: Path,
    *,
    rename: str | None = None,
    class_name: str | None = None,
    batch_size: int = 256,
    host: Any = None,
):
    """Scores every allele of ``vcf`` with the run's model (opened through ``host``).

    Returns:
        The table (``variants.COLUMNS`` plus ``reason``), its header comment line, and the
        summary line counting each status.

    Raises:
        PmtkError: Not a genomics run, a bad VCF or genome, or mismatched chromosome names.
    """
    from pmtk.core.host.plugins import get_plugin_host
    from pmtk.core.loop.prediction import load_run_config, open_run
    from pmtk.core.runtime.tensorflow_setup import quiet_tensorflow
    from pmtk.plugins.genomics import variants as v
    from pmtk.plugins.genomics.genome import Genome

    config = load_run_config(run_dir)
    if config["task"] != "genomics":
        raise DataError(
            f"{run_dir} was trained by the task '{config['task']}'; pmtk variants needs a "
            "run of 'pmtk run genomics'."
        )
    if batch_size < 1:
        raise OptionError(f"--batch-size must be at least 1; got {batch_size}.")
    column, meaning = v.scored_class(config["target"], class_name)
    length = int(config.get("derived", {}).get("sequence_length", 0))
    if length < 1:
        raise DataError(f"{run_dir}/config.json has no derived sequence_length; train again.")
    alleles = v.read_alleles(Path(vcf).expanduser(), v.renamer(rename))
    if not alleles:
        raise DataError(f"{vcf} holds no variant records; add records or check the file.")
    genome = Genome(genome_path)
    try:
        v.check_naming(alleles, genome, vcf)
        for allele in alleles:
            v.prepare(allele, genome, length)
    finally:
        genome.close()
    frame = v.alleles_frame(alleles)
    scored = [index for index, allele in enumerate(alleles) if allele.status == "ok"]
    if scored:
        quiet_tensorflow()
        model = open_run(run_dir, host or get_plugin_host()).load_model()
        windows = [alleles[i].ref_window for i in scored] + [alleles[i].alt_window for i in scored]
        scores = v.score_windows(model, windows, length, column, batch_size)
        reference, alternative = scores[: len(scored)], scores[len(scored) :]
        frame.loc[scored, "score_ref"] = reference
        frame.loc[scored, "score_alt"] = alternative
        frame.loc[scored, "delta"] = alternative - reference
    header = (
        f"# pmtk variants: score = {meaning} over {length}-base windows centred on the "
        "variant; delta = score_alt - score_ref\n"
    )
    return frame, header, v.summary(alleles)


def _write_tsv(frame, header: str, output: Path) -> None:
    """Writes the header and table through a temporary file, so no half-written file is left."""
    from pmtk.core.run.outputs import write_atomically

    def write(path: Path) -> None:
        with path.open("w", newline="") as handle:
            handle.write(header)
            frame.to_csv(handle, sep="\t", index=False, float_format="%.6g")

    write_atomically(output, write)
    print(f"Wrote {len(frame)} variant allele(s) to {output}", file=sys.stderr)
