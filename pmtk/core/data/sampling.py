"""Bounded, seeded uniform samples of rows read batch by batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

#: Permutation importance uses at most this many test rows (stated in metrics.json).
IMPORTANCE_ROWS = 10_000


def bounded_sample(
    rows: Iterator[np.ndarray], limit: int = IMPORTANCE_ROWS, seed: int = 0
) -> np.ndarray:
    """At most ``limit`` rows drawn uniformly from a stream (reservoir sampling by batch)."""
    rng = np.random.default_rng(seed)
    kept: np.ndarray | None = None
    keys: np.ndarray | None = None
    for batch in rows:
        batch_keys = rng.random(len(batch))
        if kept is None:
            kept, keys = batch, batch_keys
        else:
            kept, keys = np.concatenate([kept, batch]), np.concatenate([keys, batch_keys])
        if len(kept) > limit:
            order = np.argsort(keys)[:limit]
            kept, keys = kept[order], keys[order]
    return np.empty((0,)) if kept is None else kept


class Reservoir:
    """At most ``limit`` rows of a stream of tables, drawn uniformly (seeded), in stream order.

    Each row gets a random key and the ``limit`` smallest keys are kept, so the sample is
    uniform whatever the batch sizes; memory stays below twice ``limit`` rows.
    """

    def __init__(self, limit: int, seed: int) -> None:
        self.limit = limit
        self.rng = np.random.default_rng(seed)
        self.parts: list[Any] = []
        self.keys: list[np.ndarray] = []

    def add(self, frame: Any) -> None:
        """Offers every row of a ``pandas.DataFrame``."""
        self.parts.append(frame)
        self.keys.append(self.rng.random(len(frame)))
        if sum(len(k) for k in self.keys) > 2 * self.limit:
            self._prune()

    def _prune(self) -> None:
        import pandas as pd

        frame = pd.concat(self.parts, ignore_index=True)
        keys = np.concatenate(self.keys)
        keep = np.sort(np.argsort(keys, kind="stable")[: self.limit])
        self.parts, self.keys = [frame.iloc[keep].reset_index(drop=True)], [keys[keep]]

    def rows(self) -> Any:
        """The sample as one ``pandas.DataFrame`` (empty when nothing was offered)."""
        import pandas as pd

        if not self.parts:
            return pd.DataFrame()
        self._prune()
        return self.parts[0]
