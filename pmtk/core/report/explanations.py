"""The report's "Explanations" sections, from what ``pmtk explain`` wrote into RUN_DIR/explain.

First the model-randomisation sanity check (and its warning), then the first few
explanations, chosen by the files the explainer wrote: image overlays (imaging), the
importance plot (risk, genomics, any plugin's PNG), the top features of the first patients
(risk) and the worst-reconstructed rows (autoencoder). Images are inlined as data URIs
within a byte budget, so the report stays one small self-contained file. A run that was
never explained (or whose summary cannot be read) gets no such section.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from pmtk.core.report.sections import Section, fmt, png_data_uri

#: Folder ``pmtk explain`` writes into by default, inside the run directory.
EXPLAIN_FOLDER = "explain"
#: Overlays (imaging) inlined in the report.
SHOWN_OVERLAYS = 6
#: Patients (risk) and rows (autoencoder) listed.
SHOWN_PATIENTS, SHOWN_ROWS = 5, 10
#: Features named per patient (risk).
TOP_FEATURES = 3
#: Bytes of PNG the explanations may add to the report (base64 adds a third on top).
IMAGE_BUDGET = 900_000

_PLOT_TEXT = {
    "risk": "Left: how far each feature moved patients' scores from the reference patient's "
    "on average (mean |attribution|); right, when the run has it, the permutation importance: "
    "features long in both are the ones the model relies on.",
    "genomics": "Importance of each position of the first sequences (bar colour: the base); "
    "the shaded stretch is the strongest 12-base window, where a motif the model uses sits.",
}


def explain_sections(run_dir: Path, positive_class: str | None = None) -> list[Section]:
    """The sanity check and the first explanations, or nothing when the run was not explained.

    Args:
        run_dir: The run directory (its ``explain`` folder is read).
        positive_class: The class a binary run scores (named as the class explained by
            explainers that explain the scored class by default).
    """
    folder = Path(run_dir) / EXPLAIN_FOLDER
    summary = _read_summary(folder / "summary.json")
    if summary is None:
        return []
    budget = [IMAGE_BUDGET]
    sections = [check_section(summary, positive_class)]
    overlays = _inline(folder, summary.get("overlays", [])[:SHOWN_OVERLAYS], budget)
    if overlays:
        sections.append(Section(
            "Explanations: heatmaps", "Each image beside its heatmap for the class and "
            "probability in its title: red areas raised that probability most and + marks the "
            "peak; trust it when it falls on the finding, not on borders, text or devices.",
            images=overlays, anchor="explain-heatmaps"))  # fmt: skip
    files = [name for name in summary.get("files", []) if isinstance(name, str)]
    for name in (n for n in files if n.endswith(".png") and "/" not in n):
        shown = _inline(folder, [name], budget)
        if shown:
            text = _PLOT_TEXT.get(summary.get("task", ""), f"A figure of the explainer ({name}).")
            sections.append(Section(f"Explanations: {name.removesuffix('.png')}", text,
                                    image=shown[0][0], anchor=f"explain-{name[:-4]}"))  # fmt: skip
    if "attributions.csv" in files:
        sections.append(attribution_section(folder / "attributions.csv", summary))
    if "worst_rows.csv" in files:
        sections.append(worst_rows_section(folder / "worst_rows.csv"))
    return [section for section in sections if section is not None]


def check_section(summary: dict[str, Any], positive_class: str | None = None) -> Section:
    """The sanity check as a table, with its warning (and the explainer's) when there is one."""
    check = summary.get("sanity_check") or {}
    passed = check.get("passed")
    verdict = {True: "passed: the explanations depend on what the model learned",
               False: "failed: the explanations barely change when the model is randomised",
               None: "not decided (too few explanations to compare)"}[passed]  # fmt: skip
    explained = summary.get("explained_class") or _default_class(summary, positive_class)
    rows = [
        ["method", summary.get("method", "n/a")],
        ["inputs explained", f"{_count(summary.get('examples'))} of "
                             f"{_count(summary.get('examples_in_data'))} (the first ones)"],
        ["class explained", explained],
        ["median rank correlation, trained vs randomised model",
         f"{fmt(check.get('median_spearman'))} over {check.get('compared', 0)} input(s)"],
        ["warning at or above", fmt(check.get("threshold"), 2)],
        ["layers randomised", ", ".join(check.get("randomised_layers", [])) or "n/a"],
        ["sanity check", verdict],
    ]  # fmt: skip
    return Section(
        "Explanations", "The explanations of this run (pmtk explain, written to explain/) were "
        "computed again with the model's top layers randomised: a low rank correlation between "
        "the two means the explanations show what the model learned, a high one that they may "
        "show the input more than the model.",
        table={"header": ["check", "value"], "rows": rows},
        warnings=warnings_of(summary), anchor="explanations")  # fmt: skip


def attribution_section(path: Path, summary: dict[str, Any]) -> Section | None:
    """The features that moved each of the first patients' scores most (risk)."""
    rows = _read_rows(path, SHOWN_PATIENTS)
    if not rows:
        return None
    reference = summary.get("reference_score")
    table = []
    for row in rows:
        values = {name: _number(value) for name, value in row.items() if name not in ("id", None)}
        values = {name: value for name, value in values.items() if value is not None}
        top = sorted(values, key=lambda name: -abs(values[name]))[:TOP_FEATURES]
        score = "n/a" if reference is None else fmt(reference + sum(values.values()))
        table.append([row["id"], score, "; ".join(f"{n} {values[n]:+.3f}" for n in top)])
    return Section(
        "Explanations: top features of the first patients",
        f"Each score is the reference patient's ({fmt(reference)}: training means, most frequent "
        "categories) plus one attribution per feature; the features that moved it most are "
        "listed, + raising and - lowering the score.",
        table={"header": ["patient", "score", f"top {TOP_FEATURES} features (attribution)"],
               "rows": table}, anchor="explain-patients")  # fmt: skip


def worst_rows_section(path: Path) -> Section | None:
    """The rows the autoencoder rebuilds worst."""
    rows = _read_rows(path, SHOWN_ROWS)
    if not rows:
        return None
    table = [[r.get("rank", ""), r.get("id", ""), fmt(_number(r.get("mean_error"))),
              (r.get("worst_features") or "").replace(";", ", ")] for r in rows]  # fmt: skip
    return Section(
        "Explanations: worst-reconstructed rows", "The rows the model rebuilds worst (mean "
        "squared error on the standardised scale: 1 is about one training variance) are the "
        "least typical of the training data; check them for data errors or rare patients, "
        "starting with the features named.",
        table={"header": ["rank", "id", "mean error", "worst features"], "rows": table},
        anchor="explain-worst-rows")  # fmt: skip


def _default_class(summary: dict[str, Any], positive_class: str | None) -> str:
    """What an explainer explains without ``--class``."""
    if summary.get("task") == "autoencoder":
        return "none (reconstruction error)"
    if summary.get("task") == "risk" and positive_class:
        return f"{positive_class} (the scored class)"
    return "each input's predicted class"


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "n/a"


def _read_summary(path: Path) -> dict[str, Any] | None:
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def _read_rows(path: Path, count: int) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return [row for _, row in zip(range(count), csv.DictReader(handle), strict=False)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _number(value: Any) -> float | None:
    try:
        return float(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _inline(folder: Path, names: list[str], budget: list[int]) -> list[tuple[str, str]]:
    """``(data URI, caption)`` of each PNG inside ``folder`` that fits in what is left of budget."""
    shown = []
    for name in names:
        path = folder / name
        inside = path.resolve().is_relative_to(folder.resolve())
        if not inside or not path.is_file() or path.stat().st_size > budget[0]:
            continue
        budget[0] -= path.stat().st_size
        shown.append((png_data_uri(path), Path(name).stem))
    return shown


def warnings_of(summary: dict[str, Any]) -> list[str]:
    """The ``Warning:`` sentences an explanation's ``summary.json`` calls for."""
    check = summary.get("sanity_check", {})
    lines = []
    if check.get("passed") is False:
        lines.append(
            f"Warning: the explanations of the trained model and of a model whose top layers "
            f"were randomised have a median rank correlation of {check['median_spearman']:.2f} "
            f"(at or above {check['threshold']}), so the explanation may not reflect what the "
            "model learned; read it with care."
        )
    lines.extend(f"Warning: {text}" for text in summary.get("warnings", []))
    return lines
