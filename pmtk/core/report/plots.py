"""The report's figures, drawn with matplotlib (no pyplot: no global state) as inline SVG.

Every function takes plain data from ``metrics.json`` or ``history.csv`` and returns the
SVG text of one figure; text stays text (``svg.fonttype: none``), which keeps files small.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MODEL_COLOR, BASELINE_COLOR, REFERENCE_COLOR = "#1f5fa8", "#d9822b", "#888888"
_STYLE = {"svg.fonttype": "none", "font.size": 10, "axes.spines.top": False,
          "axes.spines.right": False, "svg.hashsalt": "pmtk"}  # fmt: skip


def style() -> Any:
    """A context in which figures get the report's look (use around all plotting)."""
    import matplotlib

    return matplotlib.rc_context(_STYLE)


def new_figure(width: float = 5.2, height: float = 3.8, left: float = 0.8) -> tuple[Figure, Axes]:
    """A figure with fixed margins in inches (a layout engine would double the drawing time)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=left / width, right=1 - 0.15 / width, bottom=0.65 / height,
                           top=1 - 0.15 / height)  # fmt: skip
    return figure, figure.subplots()


def to_svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), ready to inline in HTML."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    # the RDF metadata block names external vocabularies; the page needs none of it
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg") :], flags=re.S)


def learning_curves(history: dict[str, list[float]]) -> str:
    """Loss per epoch on the training and validation splits."""
    figure, axes = new_figure()
    epochs = [int(e) + 1 for e in history.get("epoch", range(len(history["loss"])))]
    axes.plot(epochs, history["loss"], marker="o", color=MODEL_COLOR, label="training")
    if "val_loss" in history:
        axes.plot(epochs, history["val_loss"], marker="o", color=BASELINE_COLOR,
                  label="validation")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss (lower is better)")
    axes.legend(frameon=False)
    return to_svg(figure)


def _band(axes: Axes, grid: list[float], band: dict[str, list] | None) -> None:
    if not band or any(v is None for v in band["low"] + band["high"]):
        return
    axes.fill_between(grid, band["low"], band["high"], color=MODEL_COLOR, alpha=0.18,
                      linewidth=0, label="model 95% band")  # fmt: skip


def roc(curves: dict[str, Any]) -> str:
    """ROC curves of the model (with its bootstrap band) and the baseline."""
    figure, axes = new_figure(4.6, 4.2)
    band = curves.get("band")
    _band(axes, band["grid"], band["roc"]) if band else None
    model = curves["roc"]["model"]
    axes.plot(model["fpr"], model["tpr"], color=MODEL_COLOR, linewidth=2, label="model")
    if "baseline" in curves["roc"]:
        other = curves["roc"]["baseline"]
        axes.plot(other["fpr"], other["tpr"], color=BASELINE_COLOR, linestyle="--",
                  label="baseline")  # fmt: skip
    axes.plot([0, 1], [0, 1], color=REFERENCE_COLOR, linestyle=":", label="chance")
    axes.set_xlabel("false-positive rate (1 - specificity)")
    axes.set_ylabel("true-positive rate (sensitivity)")
    axes.set_xlim(0, 1), axes.set_ylim(0, 1.02)
    axes.legend(frameon=False, loc="lower right")
    return to_svg(figure)


def precision_recall(curves: dict[str, Any]) -> str:
    """Precision-recall curves of the model (with its band) and the baseline."""
    figure, axes = new_figure(4.6, 4.2)
    band = curves.get("band")
    _band(axes, band["grid"], band["pr"]) if band else None
    model = curves["pr"]["model"]
    axes.plot(model["recall"], model["precision"], color=MODEL_COLOR, linewidth=2, label="model")
    if "baseline" in curves["pr"]:
        other = curves["pr"]["baseline"]
        axes.plot(other["recall"], other["precision"], color=BASELINE_COLOR, linestyle="--",
                  label="baseline")  # fmt: skip
    axes.axhline(curves["prevalence"], color=REFERENCE_COLOR, linestyle=":", label="chance")
    axes.set_xlabel("recall (sensitivity)")
    axes.set_ylabel("precision (positive predictive value)")
    axes.set_xlim(0, 1), axes.set_ylim(0, 1.02)
    axes.legend(frameon=False, loc="lower left")
    return to_svg(figure)


def reliability(calibration: dict[str, Any], kind: str) -> str:
    """Observed rate against predicted probability per bin, before and after scaling."""
    figure, axes = new_figure(4.6, 4.2)
    axes.plot([0, 1], [0, 1], color=REFERENCE_COLOR, linestyle=":", label="perfect calibration")
    tables = [("model", calibration["test"], MODEL_COLOR, "o-")]
    if calibration.get("uncalibrated"):
        tables.append(("before temperature scaling", calibration["uncalibrated"]["test"],
                       BASELINE_COLOR, "s--"))  # fmt: skip
    for label, table, color, style in tables:
        rows = [r for r in table if r["n"]]
        axes.plot([r["mean_predicted"] for r in rows], [r["observed_rate"] for r in rows], style,
                  color=color, label=label)  # fmt: skip
    what = "positive class" if kind == "binary" else "most probable class"
    axes.set_xlabel(f"predicted probability of the {what}")
    axes.set_ylabel("observed rate" if kind == "binary" else "observed accuracy")
    axes.set_xlim(0, 1), axes.set_ylim(0, 1.02)
    axes.legend(frameon=False, loc="upper left")
    return to_svg(figure)


def confusion(confusion_matrix: dict[str, Any]) -> str:
    """Counts of true against predicted class, as a labelled heat map."""
    import numpy as np

    labels, matrix = confusion_matrix["labels"], np.array(confusion_matrix["matrix"])
    size = 2.4 + 0.6 * len(labels)
    figure, axes = new_figure(size + 1.4, size, left=1.2)
    image = axes.imshow(matrix, cmap="Blues")
    high = matrix.max() if matrix.size else 0
    for (row, column), count in np.ndenumerate(matrix):
        axes.text(column, row, str(count), ha="center", va="center",
                  color="white" if count > high / 2 else "black")  # fmt: skip
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    figure.colorbar(image, ax=axes, label="examples", shrink=0.8)
    return to_svg(figure)


def decision_curve(rows: list[dict[str, float]], point: dict[str, Any] | None) -> str:
    """Net benefit of the model, its baseline, treat-all and treat-none per threshold."""
    figure, axes = new_figure(5.6, 3.9)
    thresholds = [r["threshold"] for r in rows]
    axes.plot(thresholds, [r["net_benefit"] for r in rows], color=MODEL_COLOR, linewidth=2,
              label="model")  # fmt: skip
    if "baseline" in rows[0]:
        axes.plot(thresholds, [r["baseline"] for r in rows], color=BASELINE_COLOR,
                  linestyle="--", label="baseline")  # fmt: skip
    axes.plot(thresholds, [r["treat_all"] for r in rows], color="#6a9c4a", label="treat all")
    axes.axhline(0, color=REFERENCE_COLOR, linestyle=":", label="treat none")
    if point is not None:
        axes.axvline(point["threshold"], color="#a33", linewidth=1, label="operating point")
    top = max(max(r["net_benefit"] for r in rows), max(r["treat_all"] for r in rows), 0.01)
    axes.set_ylim(-0.05 * top - 0.01, top * 1.15)
    axes.set_xlabel("threshold probability (risk at which you would act)")
    axes.set_ylabel("net benefit (true positives per patient)")
    axes.legend(frameon=False, fontsize="small")
    return to_svg(figure)


def bars(values: dict[str, float], xlabel: str, limit: int = 25) -> str:
    """Horizontal bars of one value per name (largest first, at most ``limit``)."""
    items = sorted(values.items(), key=lambda item: item[1] if item[1] is not None else -1e9,
                   reverse=True)[:limit]  # fmt: skip
    figure, axes = new_figure(6.4, 1.2 + 0.24 * len(items), left=2.0)
    names = [name for name, _ in items][::-1]
    axes.barh(names, [value or 0.0 for _, value in items][::-1], color=MODEL_COLOR)
    axes.set_xlabel(xlabel)
    axes.tick_params(axis="y", labelsize=8)
    return to_svg(figure)


def overlaid_roc(runs: list[tuple[str, dict[str, Any]]]) -> str:
    """ROC curves of several runs on one set of axes (``pmtk compare``)."""
    from matplotlib import colormaps

    figure, axes = new_figure(5.0, 4.4)
    colors = colormaps["tab10"]
    for index, (name, curves) in enumerate(runs):
        model = curves["roc"]["model"]
        axes.plot(model["fpr"], model["tpr"], color=colors(index % 10), linewidth=2, label=name)
    axes.plot([0, 1], [0, 1], color=REFERENCE_COLOR, linestyle=":", label="chance")
    axes.set_xlabel("false-positive rate (1 - specificity)")
    axes.set_ylabel("true-positive rate (sensitivity)")
    axes.set_xlim(0, 1), axes.set_ylim(0, 1.02)
    axes.legend(frameon=False, loc="lower right", fontsize="small")
    return to_svg(figure)
