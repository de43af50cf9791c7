"""Puts a run's report together: which sections, in which order, for which task."""

from __future__ import annotations

import csv
from typing import Any

from pmtk.core.report import plots
from pmtk.core.report.sections import (
    RunRecord,
    Section,
    classification_sections,
    data_summary,
    decision_sections,
    fmt,
    metric_rows,
    modality_section,
    png_data_uri,
    subgroup_section,
)


def build_sections(record: RunRecord) -> list[Section]:
    """Every section the run has data for, most important first."""
    metrics = record.metrics
    kind = record.config.get("target", {}).get("kind", "")
    sections = [
        Section("Test results", "Each metric on the held-out test split with its 95% bootstrap "
                "interval (the range the result would likely fall in on another sample of "
                "patients), beside the simple baseline trained on the same splits; a difference "
                "interval that excludes 0 means the model is really better (or worse).",
                table=metric_rows(metrics), anchor="results"),
        Section("Data", "How many examples each split holds (and of each class); the test "
                "split was never used for training or for choosing settings.",
                table=data_summary(metrics), anchor="data"),
    ]  # fmt: skip
    if record.history.get("loss"):
        sections.append(
            Section(
                "Learning curves",
                "Loss per epoch; validation loss rising while training loss "
                "falls means the model started memorising (the best validation epoch is kept).",
                figure=plots.learning_curves(record.history),
                anchor="learning",
            )
        )
    if kind in ("binary", "multiclass"):
        sections += classification_sections(record, kind)
    if kind == "survival":
        from pmtk.core.report.survival import survival_sections

        sections += survival_sections(record)
    sections += decision_sections(metrics)
    for extra in (modality_section(metrics), subgroup_section(metrics)):
        if extra is not None:
            sections.append(extra)
    sections += explanation_sections(record)
    from pmtk.core.report.explanations import explain_sections

    sections += explain_sections(record.path, record.metrics.get("positive_class"))
    return sections


def explanation_sections(record: RunRecord) -> list[Section]:
    """Permutation importance (risk), reconstruction by feature and the code plot (autoencoder)."""
    sections = []
    importance = record.path / "importance.csv"
    if importance.is_file():
        with importance.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        if rows:
            values = {r["feature"]: float(r["importance"]) for r in rows}
            sections.append(Section(
                "Which columns matter", f"Drop in test {rows[0]['metric']} when one column's "
                "values are shuffled among patients: the longer the bar, the more the model "
                "relies on that column (this shows reliance, not cause).",
                figure=plots.bars(values, f"drop in {rows[0]['metric']} when shuffled"),
                anchor="importance"))  # fmt: skip
    by_feature = (record.metrics.get("reconstruction_by_feature") or {}).get("test")
    if by_feature:
        sections.append(Section(
            "Reconstruction by feature", "Variance of each feature the code keeps on the test "
            "split (1 = perfectly rebuilt, 0 = no better than the feature's mean); the 25 best "
            "kept are shown.", figure=plots.bars(by_feature, "variance explained (r2)"),
            anchor="reconstruction"))  # fmt: skip
    codes = png_data_uri(record.path / "codes.png")
    if codes:
        sections.append(
            Section(
                "Code plot",
                "Every row placed by the first two numbers of its code; rows the "
                "model finds similar sit close together.",
                image=codes,
                anchor="codes",
            )
        )
    return sections


def options_table(config: dict[str, Any]) -> dict[str, Any]:
    """The resolved options of the run, one per row."""
    options = config.get("options", {})
    rows = [[name.replace("_", "-"), fmt(value)] for name, value in sorted(options.items())]
    rows.append(["data hash", config.get("data_hash", "n/a")])
    return {"header": ["option", "value"], "rows": rows}


def versions_table(config: dict[str, Any]) -> dict[str, Any]:
    """Package versions recorded in ``config.json``."""
    versions = config.get("versions", {})
    return {"header": ["package", "version"],
            "rows": [[name, fmt(value)] for name, value in versions.items()]}  # fmt: skip
