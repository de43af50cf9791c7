"""The codes of a run's rows: the ``embeddings.csv`` table and the ``codes.png`` plot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

#: A categorical colour column with more values than this gets no legend.
MAX_LEGEND_ENTRIES = 20
#: Column of :func:`embedding_rows` giving each row's place in the file (not written).
ROW = "_row"


def code_frame(ids: pd.Series, codes: np.ndarray) -> pd.DataFrame:
    """One row per example: ``id`` and the code ``z1..zk``."""
    codes = np.asarray(codes).reshape(len(ids), -1)
    frame = pd.DataFrame(codes.round(6), columns=[f"z{i}" for i in range(1, codes.shape[1] + 1)])
    frame.insert(0, "id", ids.to_numpy())
    return frame


def embedding_rows(
    examples: pd.DataFrame, split: str, codes: np.ndarray, color_column: str | None
) -> pd.DataFrame:
    """``embeddings.csv`` rows of some examples of one split, sorted by their place in the
    file: ``id``, ``split``, the colour column (if any), ``z1..zk``, and :data:`ROW`."""
    frame = code_frame(examples["id"].reset_index(drop=True), codes)
    frame.insert(1, "split", split)
    if color_column is not None and color_column not in frame.columns:
        frame.insert(2, color_column, examples["color"].to_numpy())
    frame[ROW] = examples["row"].to_numpy()
    return frame.sort_values(ROW, kind="stable").reset_index(drop=True)


def in_file_order(streams: list[Iterator[pd.DataFrame]]) -> Iterator[pd.DataFrame]:
    """Tables of rows from several streams (one per split), merged in file order.

    Each stream gives its rows in file order (:data:`ROW` ascending), one table at a time
    (:func:`embedding_rows`); the merge holds one table per stream. Each table yielded holds
    every row up to the first row that some stream has not given yet.
    """
    streams = [iter(stream) for stream in streams]
    heads = {index: head for index, stream in enumerate(streams)
             if (head := _next_rows(stream)) is not None}  # fmt: skip
    while heads:
        bound = min(head[ROW].iloc[-1] for head in heads.values())
        taken = []
        for index, head in list(heads.items()):
            ready = (head[ROW] <= bound).to_numpy()
            taken.append(head[ready])
            rest = head[~ready] if not ready.all() else _next_rows(streams[index])
            if rest is None:
                del heads[index]
            else:
                heads[index] = rest
        yield pd.concat(taken, ignore_index=True).sort_values(ROW, kind="stable")


def _next_rows(stream: Iterator[pd.DataFrame]) -> pd.DataFrame | None:
    return next((table for table in stream if len(table)), None)


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
