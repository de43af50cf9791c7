"""``pmtk explain RUN_DIR --data PATH``: explanations of a trained run, with a sanity check."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from pmtk.cli.errors import user_errors
from pmtk.core.host.plugins import PluginHost


def register(app: typer.Typer, host: PluginHost) -> None:
    """Adds the ``explain`` command (TensorFlow loads only when it runs)."""

    @app.command("explain")
    def explain(
        run_dir: Path = typer.Argument(..., help="A run directory written by 'pmtk run'."),
        data: Path = typer.Option(
            ..., "--data", help="Inputs to explain, in a layout the run's task reads."
        ),
        output: Path | None = typer.Option(
            None, "--output", help="Folder to write (default: RUN_DIR/explain)."
        ),
        limit: int | None = typer.Option(
            None, "--limit", help="Explain the first N inputs (default: 64 images, all others)."
        ),
        method: str | None = typer.Option(
            None,
            "--method",
            help="imaging: gradcam++ (default), gradcam, occlusion, smoothgrad; genomics: ism "
            "(default up to 1,000 bases), saliency; risk: integrated_gradients.",
        ),
        class_name: str | None = typer.Option(
            None,
            "--class",
            help="Class to explain (default: each input's predicted class; binary risk: the "
            "positive class).",
        ),
        plot_count: int | None = typer.Option(
            None, "--plot-count", min=0, help="Inputs drawn in plots (genomics; 0: no plot)."
        ),
        output_format: Literal["npz", "csv"] = typer.Option(
            "npz", "--format", help="genomics ISM: ism.npz (arrays) or ism.csv (one row each)."
        ),
        batch_size: int | None = typer.Option(
            None, "--batch-size", min=1, help="Inputs per forward pass."
        ),
    ) -> None:
        """Explain a trained run's predictions (Grad-CAM, attributions, ISM) and check them."""
        with user_errors():
            from pmtk.core.explaining import explain as explain_run
            from pmtk.core.explaining import warnings_of
            from pmtk.core.run.outputs import check_output

            folder = output if output is not None else run_dir / "explain"
            check_output(folder, [data], not_equal_to=[run_dir])  # before any data is read
            folder, summary = explain_run(
                run_dir, data, output, host, method=method, class_name=class_name, limit=limit,
                batch_size=batch_size, plot_count=plot_count, output_format=output_format,
            )  # fmt: skip
        for line in warnings_of(summary):
            typer.echo(line, err=True)
        typer.echo(
            f"Wrote explanations ({summary['method']}) of {summary['examples']:,} of "
            f"{summary['examples_in_data']:,} input(s) to {folder}",
            err=True,
        )
        if Path(folder).resolve() == (run_dir / "explain").resolve():
            update_report(run_dir)


def update_report(run_dir: Path) -> None:
    """Writes the run's report.html again, now with its Explanations section.

    The explanations are already written, so a report that cannot be written is a
    ``Warning:``, not a failure of the command.
    """
    from pmtk.core.errors import PmtkError
    from pmtk.core.report import write_report

    try:
        path = write_report(run_dir)
    except (PmtkError, OSError) as error:
        typer.echo(f"Warning: {run_dir / 'report.html'} was not updated ({error}); run "
                   f"'pmtk report {run_dir}' once the problem is fixed.", err=True)  # fmt: skip
        return
    typer.echo(f"Report with the explanations written to {path}", err=True)
