"""``pmtk explain RUN_DIR --data PATH``: in-silico mutagenesis with a genomics run."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer


def register(app: typer.Typer) -> None:
    """Adds the ``explain`` command (TensorFlow loads only when it runs)."""

    @app.command("explain")
    def explain(
        run_dir: Path = typer.Argument(..., help="A run directory written by 'pmtk run genomics'."),
        data: Path = typer.Option(
            ..., "--data", help="FASTA file, folder of FASTA files or CSV/TSV of sequences."
        ),
        output: Path | None = typer.Option(
            None, "--output", help="Folder to write (default: RUN_DIR/explain)."
        ),
        plot_count: int = typer.Option(
            3, "--plot-count", min=0, help="Sequences plotted in importance.png (0: no plot)."
        ),
        output_format: Literal["npz", "csv"] = typer.Option(
            "npz", "--format", help="ism.npz (arrays) or ism.csv (one row per substitution)."
        ),
        batch_size: int = typer.Option(1024, "--batch-size", min=1, help="Sequences per batch."),
    ) -> None:
        """Score every single-base substitution of each sequence (in-silico mutagenesis)."""
        from pmtk.cli.errors import user_errors

        with user_errors():
            from pmtk.core.outputs import check_output
            from pmtk.plugins.genomics.explain import explain_run

            folder = output if output is not None else run_dir / "explain"  # explain_run's default
            check_output(folder, [data], not_equal_to=[run_dir])  # before any data is read

            folder = explain_run(
                run_dir,
                data,
                output,
                plot_count=plot_count,
                output_format=output_format,
                batch_size=batch_size,
            )
        typer.echo(f"Wrote in-silico mutagenesis to {folder}", err=True)
