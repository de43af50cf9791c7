"""``compare.html``: several runs of the same data side by side (metrics with intervals,
overlaid ROC curves), what a user wants after trying two models."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pmtk.core.errors import DataError
from pmtk.core.report.sections import METRIC_ORDER, RunRecord, fmt, interval


def check_comparable(records: list[RunRecord]) -> None:
    """Refuses runs of different tasks or of different data.

    Raises:
        DataError: Fewer than two runs, or runs of different tasks, target kinds or data.
    """
    if len(records) < 2:
        raise DataError("pmtk compare needs at least two run directories; pass two or more.")
    first = records[0]
    for other in records[1:]:
        for what, key in (("task", lambda r: r.metrics.get("task")),
                          ("data", lambda r: r.config.get("data_hash"))):  # fmt: skip
            if key(other) != key(first):
                raise DataError(
                    f"{other.path} and {first.path} are runs of different {what} "
                    f"({key(other)} vs {key(first)}); compare runs of the same task on the "
                    "same data."
                )


def comparison_table(records: list[RunRecord]) -> dict[str, Any]:
    """One row per test metric, one column per run: value and 95% interval."""
    names: list[str] = []
    for record in records:
        test = record.metrics.get("test", {})
        names += [n for n in test if isinstance(test[n], int | float) and n not in names]
    names.sort(key=lambda n: METRIC_ORDER.index(n) if n in METRIC_ORDER else len(METRIC_ORDER))
    rows = []
    for name in names:
        row = [name]
        for record in records:
            value = record.metrics.get("test", {}).get(name)
            bounds = record.metrics.get("ci", {}).get("test", {}).get(name)
            row.append(f"{fmt(value)} ({interval(bounds)})")
        rows.append(row)
    header = ["test metric (95% CI)", *(_label(r) for r in records)]
    return {"header": header, "rows": rows}


def render_comparison(run_dirs: list[Path]) -> str:
    """The HTML text of the comparison page."""
    from pmtk.core.report import environment, load_record, plots

    records = [load_record(path) for path in run_dirs]
    check_comparable(records)
    curves = [(_label(r), (r.metrics.get("curves") or {}).get("test")) for r in records]
    figure = None
    if all(c is not None for _, c in curves):
        with plots.style():
            figure = plots.overlaid_roc(curves)
    return environment().get_template("compare.html.j2").render(
        title=f"pmtk compare: {len(records)} {records[0].metrics['task']} runs",
        table=comparison_table(records),
        figure=figure,
        runs=[{"label": _label(r), "path": str(r.path), "model": r.config.get("options", {})
               .get("model"), "warnings": r.metrics.get("warnings", [])} for r in records],
        rendered=datetime.now(UTC).isoformat(timespec="seconds"),
    )  # fmt: skip


def _label(record: RunRecord) -> str:
    model = record.config.get("options", {}).get("model")
    return f"{record.path.name} ({model})" if model else record.path.name
