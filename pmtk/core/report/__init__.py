"""``report.html``: one self-contained page per run, for the people who act on the model.

Rendered with Jinja2 from ``template.html.j2``; figures are inline SVG drawn by
matplotlib, images are data URIs, and there is no script, font or style from the
network, so the file opens anywhere, offline, and can be mailed as it is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pmtk.core.errors import DataError

REPORT_NAME = "report.html"


def load_record(run_dir: Path) -> Any:
    """The files of a finished run a report is drawn from.

    Not :func:`pmtk.core.loop.prediction.open_run`: that needs ``model.keras`` and the run's task
    installed, while a report reads only ``config.json``, ``metrics.json`` and the history.

    Raises:
        DataError: The folder is not a finished run (no ``config.json`` or ``metrics.json``),
            or one of them is not valid JSON.
    """
    from pmtk.core.report.sections import RunRecord, read_history

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        problem = "is a file" if run_dir.exists() else "does not exist"
        raise DataError(f"{run_dir} {problem}; pass a run directory written by 'pmtk run'.")
    loaded = {}
    for name in ("config.json", "metrics.json"):
        path = run_dir / name
        if not path.is_file():
            raise DataError(
                f"{run_dir} is not a finished pmtk run (no {name}); pass a folder written by "
                "'pmtk run'."
            )
        try:
            loaded[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise DataError(
                f"{path} cannot be read as JSON ({str(error).splitlines()[0][:120]}); the run "
                "is damaged: restore the file or train again with 'pmtk run'."
            ) from None
        if not isinstance(loaded[name], dict) or "task" not in loaded[name]:
            raise DataError(
                f"{path} has no 'task', so it was not written by 'pmtk run'; pass a run folder."
            )
    return RunRecord(run_dir, loaded["config.json"], loaded["metrics.json"],
                     read_history(run_dir / "history.csv"))  # fmt: skip


def environment() -> Any:
    """The Jinja2 environment with the package's templates, HTML autoescaped."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("pmtk.core.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(run_dir: Path) -> str:
    """The HTML text of a run's report."""
    from pmtk.core.report.build import build_sections, options_table, versions_table

    record = load_record(run_dir)
    from pmtk.core.report import plots

    with plots.style():
        sections = build_sections(record)
    metrics, config = record.metrics, record.config
    # While a run is written its folder is the hidden staging one; name the published run.
    run_name = record.path.name.removeprefix(".").removesuffix(".incomplete")
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=f"pmtk {metrics['task']} run {run_name}",
            task=metrics["task"],
            run_name=run_name,
            kind=config.get("target", {}).get("kind", ""),
            positive_class=metrics.get("positive_class"),
            warnings=metrics.get("warnings", []),
            sections=sections,
            options=options_table(config),
            versions=versions_table(config),
            created=config.get("created", ""),
            rendered=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    )


def write_report(run_dir: Path) -> Path:
    """Writes ``report.html`` into ``run_dir`` (through a temporary file) and returns its path."""
    html = render_report(run_dir)
    target = Path(run_dir) / REPORT_NAME
    partial = target.with_name(f".{REPORT_NAME}.partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(target)
    return target
