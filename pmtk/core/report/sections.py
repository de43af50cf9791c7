"""What the report shows, section by section, from the files of a finished run.

Each section has a title, one sentence on how to read it, and a figure (inline SVG or
a data URI) and/or a table. Sections whose data the run does not have are left out.
"""

from __future__ import annotations

import base64
import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmtk.core.report import plots

#: Metrics shown first in the summary table, in this order, when present.
METRIC_ORDER = ("auroc", "macro_auroc", "auprc", "accuracy", "brier", "loss", "r2", "mae",
                "rmse", "reconstruction_mse", "pca_r2", "c_index", "uno_c_index", "td_auroc",
                "integrated_brier")  # fmt: skip


@dataclass
class Section:
    """One part of the report."""

    title: str
    how_to_read: str
    figure: str | None = None
    image: str | None = None
    table: dict[str, Any] | None = None
    anchor: str = ""
    #: Several images side by side: ``(data URI, caption)`` each.
    images: list[tuple[str, str]] = field(default_factory=list)
    #: ``Warning:`` sentences shown at the top of the section.
    warnings: list[str] = field(default_factory=list)


@dataclass
class RunRecord:
    """The files of a finished run the report is drawn from."""

    path: Path
    config: dict[str, Any]
    metrics: dict[str, Any]
    history: dict[str, list[float]] = field(default_factory=dict)


def fmt(value: Any, digits: int = 3) -> str:
    """A number for a table: fixed digits, ``n/a`` when undefined."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def interval(bounds: list[float] | None) -> str:
    """``0.812 to 0.901`` or ``n/a``."""
    return "n/a" if not bounds else f"{bounds[0]:.3f} to {bounds[1]:.3f}"


def read_history(path: Path) -> dict[str, list[float]]:
    """``history.csv`` as columns of numbers (empty when absent)."""
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns: dict[str, list[float]] = {}
    for row in rows:
        for name, value in row.items():
            try:
                columns.setdefault(name, []).append(float(value))
            except (TypeError, ValueError):
                continue
    return columns


def metric_rows(metrics: dict[str, Any]) -> dict[str, Any]:
    """The headline table: every test metric with its interval, the baseline and difference."""
    test = metrics.get("test", {})
    ci = metrics.get("ci", {}).get("test", {})
    baseline = metrics.get("baseline", {})
    versus = metrics.get("versus_baseline", {}).get("test", {})
    names = [n for n in METRIC_ORDER if isinstance(test.get(n), int | float)]
    names += [n for n, v in test.items() if n not in names and isinstance(v, int | float)]
    rows = []
    for name in names:
        difference = versus.get(name) or {}
        rows.append(
            [
                name,
                fmt(test.get(name)),
                interval(ci.get(name)),
                fmt(baseline.get("test", {}).get(name)),
                interval(baseline.get("ci", {}).get("test", {}).get(name)),
                fmt(difference.get("difference")),
                interval(difference.get("ci")),
            ]
        )
    header = ["metric", "model", "95% CI", f"baseline ({baseline.get('model', 'none')})",
              "baseline 95% CI", "model - baseline", "95% CI of difference"]  # fmt: skip
    return {"header": header, "rows": rows}


def data_summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """Examples per split, and per class when the target has classes."""
    counts = metrics.get("n", {})
    classes = metrics.get("class_counts") or {}
    names = list(next(iter(classes.values()), {}).keys())
    header = ["split", "examples", *names]
    rows = [[split, counts.get(split, "n/a"), *(classes.get(split, {}).get(c, "") for c in names)]
            for split in ("train", "val", "test")]  # fmt: skip
    return {"header": header, "rows": rows}


def png_data_uri(path: Path) -> str | None:
    """A PNG file as a ``data:`` URI (None when absent)."""
    if not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def classification_sections(record: RunRecord, kind: str) -> list[Section]:
    """ROC, precision-recall, calibration, confusion matrix (classification runs)."""
    metrics, sections = record.metrics, []
    curves = (metrics.get("curves") or {}).get("test")
    what = "the positive class" if kind == "binary" else "each class against the rest (pooled)"
    if curves:
        sections.append(
            Section(
                "ROC curve",
                f"For {what}: the higher and further left the curve, the better the "
                "model separates cases from non-cases; the diagonal is guessing, the shaded band "
                "the 95% bootstrap interval.",
                figure=plots.roc(curves),
                anchor="roc",
            )
        )
        sections.append(
            Section(
                "Precision-recall curve",
                "Precision is the share of flagged patients who truly "
                "have the outcome; a curve well above the dotted prevalence line means flags are "
                "worth acting on.",
                figure=plots.precision_recall(curves),
                anchor="pr",
            )
        )
    calibration = metrics.get("calibration")
    if calibration:
        sections.append(calibration_section(calibration, kind))
    confusion = (metrics.get("confusion_matrix") or {}).get("test")
    if confusion:
        rule = "a probability of 0.5 or more" if kind == "binary" else "the most probable class"
        sections.append(
            Section(
                "Confusion matrix",
                f"Test examples by true class (rows) and the class the model "
                f"predicts at {rule} (columns); the diagonal holds the correct calls.",
                figure=plots.confusion(confusion),
                anchor="confusion",
            )
        )
    return sections


def calibration_section(calibration: dict[str, Any], kind: str) -> Section:
    """The reliability plot and table, with the before/after of temperature scaling."""
    rows = [[r["bin"], r["n"], fmt(r["mean_predicted"]), fmt(r["observed_rate"])]
            for r in calibration["test"]]  # fmt: skip
    text = ("Points on the dotted diagonal mean a predicted 30% comes true 30% of the time; "
            "points below it mean the model over-estimates risk.")  # fmt: skip
    before = calibration.get("uncalibrated")
    if before:
        text += (f" Temperature scaling (T = {fmt(calibration['temperature'])}, fitted on the "
                 f"validation split) changed the expected calibration error from "
                 f"{fmt(before['ece'])} to {fmt(calibration['ece'])}.")  # fmt: skip
    return Section("Calibration", text, figure=plots.reliability(calibration, kind),
                   table={"header": ["bin", "n", "mean predicted", "observed"], "rows": rows},
                   anchor="calibration")  # fmt: skip


def decision_sections(metrics: dict[str, Any]) -> list[Section]:
    """Decision curve and the operating point (binary runs)."""
    rows = (metrics.get("decision_curve") or {}).get("test")
    if not rows:
        return []
    point = metrics.get("operating_point")
    sections = [
        Section(
            "Decision curve",
            "Pick the risk at which you would act on the x-axis: where the "
            "model's curve is above both 'treat all' and 'treat none' (0), using it does more "
            "good than harm.",
            figure=plots.decision_curve(rows, point),
            anchor="decision",
        )
    ]
    if point:
        table = {"header": ["measure", "test", "95% CI"],
                 "rows": [[name, fmt(point["test"][name]), interval(point["ci"].get(name))]
                          for name in ("sensitivity", "specificity", "ppv", "npv")]}  # fmt: skip
        sections.append(
            Section(
                "Operating point",
                f"Threshold {fmt(point['threshold'])}, chosen on the validation "
                f"split to reach sensitivity {point['target_sensitivity']}, applied unchanged to "
                "the test split (PPV/NPV depend on this cohort's prevalence).",
                table=table,
                anchor="operating-point",
            )
        )
    return sections


def subgroup_section(metrics: dict[str, Any]) -> Section | None:
    """Per-subgroup metrics with intervals."""
    found = metrics.get("subgroups")
    if not found:
        return None
    groups = found["test"]
    names = [n for n in METRIC_ORDER if any(n in g for g in groups.values())]
    header = ["subgroup", "n"] + [f"{n} (95% CI)" for n in names]
    rows = [[value, entry["n"], *(f"{fmt(entry.get(n))} ({interval(entry['ci'].get(n))})"
                                  for n in names)] for value, entry in groups.items()]  # fmt: skip
    return Section(
        f"Subgroups by {found['column']}",
        "Each row is the test split restricted to one "
        "subgroup; wide or overlapping intervals mean the data cannot tell the subgroups "
        "apart, n/a means too few examples (under 10) or one class only.",
        table={"header": header, "rows": rows},
        anchor="subgroups",
    )


def modality_section(metrics: dict[str, Any]) -> Section | None:
    """A fused run's test metrics with one modality shown at a time (``modalities``)."""
    found = metrics.get("modalities")
    if not found:
        return None
    names = [n for n in METRIC_ORDER if n in metrics.get("test", {})]
    header = ["modalities shown", "test patients with it"] + [f"{n} (95% CI)" for n in names]
    ci = metrics.get("ci", {}).get("test", {})
    rows = [
        [
            "all (the fused model)",
            metrics.get("n", {}).get("test", ""),
            *(f"{fmt(metrics['test'].get(n))} ({interval(ci.get(n))})" for n in names),
        ]
    ]
    for name, entry in found.items():
        shown = entry.get("ci", {}).get("test", {})
        rows.append(
            [
                f"{name} only",
                entry["test"].get("patients_with_modality", ""),
                *(f"{fmt(entry['test'].get(n))} ({interval(shown.get(n))})" for n in names),
            ]
        )
    return Section(
        "What each modality brings",
        "The fused model on the test patients with only one modality shown (the others "
        "hidden, as if missing). The gap between a row and the first is what the other "
        "modalities add; a patient without the shown modality gets the model's prediction "
        "for a patient it knows nothing about.",
        table={"header": header, "rows": rows},
        anchor="modalities",
    )  # fmt: skip
