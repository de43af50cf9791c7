"""``pmtk predict RUN_DIR --data PATH``: apply a trained run to new raw inputs."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from pmtk.cli.errors import user_errors
from pmtk.core.host.plugins import PluginHost


def register(app: typer.Typer, host: PluginHost) -> None:
    """Adds the ``predict`` command."""

    @app.command("predict")
    def predict(
        run_dir: Path = typer.Argument(..., help="A run directory written by 'pmtk run'."),
        data: Path = typer.Option(
            ..., "--data", help="File or folder of inputs (labels optional)."
        ),
        output: Path | None = typer.Option(
            None, "--output", help="CSV file to write (default: print to stdout)."
        ),
        batch_size: int | None = typer.Option(None, "--batch-size", help="Inputs per batch."),
        genome: Path | None = typer.Option(
            None, "--genome", help="genomics: the genome FASTA that BED --data lies on."
        ),
    ) -> None:
        """Predict with a trained run; writes one CSV row per input."""
        with user_errors():
            from pmtk.core.loop.prediction import predict_parts
            from pmtk.core.run.outputs import check_output

            if output is not None:  # before any data is read
                check_output(output, [data, run_dir, genome], kind="file")
            overrides = None if genome is None else {"genome": str(genome.expanduser().resolve())}
            parts = predict_parts(run_dir, data, host, batch_size, overrides)
            if output is None:
                _write_parts(parts, sys.stdout)
                return
            rows = _write_csv(parts, output)
            typer.echo(f"Wrote {rows} predictions to {output}", err=True)


def _write_parts(parts, handle) -> int:
    """Writes the predictions part by part (the header once); returns the row count."""
    rows = 0
    for part in parts:
        part.to_csv(handle, index=False, header=rows == 0)
        rows += len(part)
    return rows


def _write_csv(parts, output: Path) -> int:
    """Writes the predictions through a temporary file, so no half-written file is left."""
    from pmtk.core.run.outputs import write_atomically

    written = []

    def write(path: Path) -> None:
        with open(path, "w", newline="") as handle:
            written.append(_write_parts(parts, handle))

    write_atomically(output, write)
    return written[0]
