"""``pmtk ecg-info [PATH]``: what a recordings file or folder holds, without training.

Registered by the ``pmtk_register_commands`` hook. pandas is imported inside the
command, so building the ``pmtk`` command line stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from pmtk.cli.errors import user_errors
from pmtk.core.errors import DataError


def register(app: typer.Typer) -> None:
    """Adds the ``ecg-info`` command to the root ``pmtk`` app."""

    @app.command("ecg-info")
    def ecg_info(
        path: Path | None = typer.Argument(
            None, help="CSV/TSV or folder of .npy recordings (default: the bundled sample)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Count recordings per class and their lengths (from the pmtk-example plugin)."""
        with user_errors():  # a DataError becomes 'Error: ...' and exit status 1
            from pmtk_example.ecg_task import SAMPLE_DATA
            from pmtk_example.recordings import read_recordings

            path = path or SAMPLE_DATA
            if not path.exists():
                raise DataError(f"{path} does not exist; check the path.")
            examples = read_recordings(path, require_labels=False)
        lengths = examples["signal"].map(len)
        labels = examples.get("label")
        summary = {
            "path": str(path),
            "recordings": len(examples),
            "min_length": int(lengths.min()),
            "max_length": int(lengths.max()),
            "classes": {} if labels is None else labels.value_counts().sort_index().to_dict(),
        }
        if as_json:
            typer.echo(json.dumps(summary, indent=2))
            return
        classes = ", ".join(f"{name} {count}" for name, count in summary["classes"].items())
        low, high = summary["min_length"], summary["max_length"]
        length = f"{low}" if low == high else f"{low}-{high}"
        typer.echo(
            f"{path}: {summary['recordings']} recordings of {length} samples; "
            f"classes: {classes or 'unlabelled'}"
        )
