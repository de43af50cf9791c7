"""The survival part of a run's report: Kaplan-Meier curves by predicted-risk tertile with
the log-rank test and the C-index, and calibration at each horizon."""

from __future__ import annotations

from typing import Any

from pmtk.core.report.plots import REFERENCE_COLOR, new_figure, to_svg
from pmtk.core.report.sections import RunRecord, Section, fmt, interval

_GROUP_COLORS = {"low risk": "#4a8a4a", "middle risk": "#d9822b", "high risk": "#a33333"}


def kaplan_meier_plot(groups: list[dict[str, Any]]) -> str:
    """Kaplan-Meier step curves, one per risk group."""
    figure, axes = new_figure(5.6, 4.0)
    for group in groups:
        axes.step(group["times"], group["survival"], where="post", linewidth=2,
                  color=_GROUP_COLORS.get(group["name"]),
                  label=f"{group['name']} (n={group['n']}, {group['events']} events)")  # fmt: skip
    axes.set_xlabel("time since baseline (unit of the time column)")
    axes.set_ylabel("share still event-free (Kaplan-Meier)")
    axes.set_ylim(0, 1.02)
    axes.legend(frameon=False, loc="lower left", fontsize="small")
    return to_svg(figure)


def calibration_plot(tables: dict[str, list[dict[str, Any]]]) -> str:
    """Observed (Kaplan-Meier) against mean predicted survival by decile, per horizon."""
    from matplotlib import colormaps

    figure, axes = new_figure(4.6, 4.2)
    axes.plot([0, 1], [0, 1], color=REFERENCE_COLOR, linestyle=":", label="perfect calibration")
    colors = colormaps["tab10"]
    for index, (horizon, rows) in enumerate(tables.items()):
        shown = [r for r in rows if r["observed"] is not None]
        axes.plot([r["predicted"] for r in shown], [r["observed"] for r in shown], "o-",
                  color=colors(index % 10), label=f"at time {horizon}")  # fmt: skip
    axes.set_xlabel("predicted probability of being event-free")
    axes.set_ylabel("observed share event-free (Kaplan-Meier)")
    axes.set_xlim(0, 1), axes.set_ylim(0, 1.02)
    axes.legend(frameon=False, loc="upper left", fontsize="small")
    return to_svg(figure)


def survival_sections(record: RunRecord) -> list[Section]:
    """Risk groups (Kaplan-Meier, log-rank, C-index) and calibration, when the run has them."""
    metrics, sections = record.metrics, []
    groups = (metrics.get("risk_groups") or {}).get("test")
    if groups and groups.get("groups"):
        c_index = metrics.get("test", {}).get("c_index")
        bounds = metrics.get("ci", {}).get("test", {}).get("c_index")
        p_value = groups.get("logrank_p")
        shown_p = "n/a" if p_value is None else ("< 0.001" if p_value < 0.001 else f"{p_value:.3f}")
        text = (f"Test patients split into three equal groups by the model's risk score. Curves "
                f"that stay apart mean the model separates early from late events (log-rank p "
                f"{shown_p}). C-index {fmt(c_index)} (95% CI {interval(bounds)}): the share of "
                "comparable patient pairs the model orders correctly; 0.5 is guessing."
                )  # fmt: skip
        table = {"header": ["group", "patients", "events"],
                 "rows": [[g["name"], g["n"], g["events"]] for g in groups["groups"]]}  # fmt: skip
        sections.append(Section("Kaplan-Meier curves by predicted risk", text,
                                figure=kaplan_meier_plot(groups["groups"]), table=table,
                                anchor="risk-groups"))  # fmt: skip
    tables = (metrics.get("survival_calibration") or {}).get("test")
    if tables:
        rows = [[horizon, r["bin"], r["n"], fmt(r["predicted"]), fmt(r["observed"])]
                for horizon, table in tables.items() for r in table]  # fmt: skip
        sections.append(Section(
            "Survival calibration", "Test patients in ten groups by predicted survival at each "
            "horizon: points on the dotted diagonal mean a predicted 70% event-free really is "
            "70% event-free (observed by Kaplan-Meier); points below it mean the model is too "
            "optimistic. n/a: the group's follow-up ends before the horizon.",
            figure=calibration_plot(tables),
            table={"header": ["horizon", "group", "n", "predicted", "observed"], "rows": rows},
            anchor="survival-calibration"))  # fmt: skip
    return sections
