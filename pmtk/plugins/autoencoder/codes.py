"""The codes of a run's rows: the ``embeddings.csv`` table and the ``codes.png`` plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: A categorical colour column with more values than this gets no legend.
MAX_LEGEND_ENTRIES = 20


def code_frame(ids: pd.Series, codes: np.ndarray) -> pd.DataFrame:
    """One row per example: ``id`` and the code ``z1..zk``."""
    codes = np.asarray(codes).reshape(len(ids), -1)
    frame = pd.DataFrame(codes.round(6), columns=[f"z{i}" for i in range(1, codes.shape[1] + 1)])
    frame.insert(0, "id", ids.to_numpy())
    return frame


def embedding_frame(
    splits: dict[str, Any], outputs: dict[str, dict], color_column: str | None
) -> pd.DataFrame:
    """``id``, ``split``, the colour column (if any) and ``z1..zk`` of every row, in file order."""
    frames = []
    for name, split in splits.items():
        frame = code_frame(split.examples["id"], outputs[name]["code"])
        frame.insert(1, "split", name)
        if color_column is not None and color_column not in frame.columns:
            frame.insert(2, color_column, split.examples["color"].to_numpy())
        frame["_row"] = split.examples["row"].to_numpy()
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).sort_values("_row", kind="stable")
    return table.drop(columns="_row").reset_index(drop=True)


def plot_codes(path: Path, embeddings: pd.DataFrame, color_column: str | None) -> None:
    """Scatter plot of the first two code dimensions (z1 against row order for a 1-unit code).

    A numeric colour column with many values gets a colour scale; any other gets
    one colour per value.
    """
    from matplotlib.figure import Figure  # no pyplot: no global state, Agg canvas

    figure = Figure(figsize=(6.4, 5.2))
    axes = figure.subplots()
    x = embeddings["z1"].to_numpy()
    y = embeddings["z2"].to_numpy() if "z2" in embeddings else np.arange(len(x))
    axes.set_xlabel("z1")
    axes.set_ylabel("z2" if "z2" in embeddings else "row")
    colors = embeddings.get(color_column)
    if colors is None:
        axes.scatter(x, y, s=8, alpha=0.7)
    elif pd.api.types.is_numeric_dtype(colors) and colors.nunique() > MAX_LEGEND_ENTRIES:
        points = axes.scatter(x, y, c=colors.to_numpy(), s=8, alpha=0.7, cmap="viridis")
        figure.colorbar(points, ax=axes, label=color_column)
    else:
        labels = colors.astype(str).where(colors.notna(), "missing")
        for value in sorted(labels.unique()):
            chosen = (labels == value).to_numpy()
            axes.scatter(x[chosen], y[chosen], s=8, alpha=0.7, label=value)
        if labels.nunique() <= MAX_LEGEND_ENTRIES:
            axes.legend(title=color_column, markerscale=2, fontsize="small")
    axes.set_title(f"Autoencoder codes of {len(x)} rows")
    figure.savefig(path, dpi=120, bbox_inches="tight")
