"""Generate the bundled autoencoder sample: 1500 cells x 60 expression-like genes, curved manifold.

Layout: ``autoencoder/expression.csv`` with ``sample_id``, ``cell_type`` (for colouring plots, not
a feature) and numeric features ``g001`` .. ``g060``.

Each cell has two hidden variables: a pseudotime ``t`` along a differentiation trajectory and an
independent ``h`` (e.g. cell-cycle or activation state). ``t`` is placed on a three-quarter circle,
so the embedding ``(cos 1.5*pi*t, sin 1.5*pi*t, t, h)`` is a curved 2-D sheet. Every gene mixes
that embedding with its own random weights and passes it through one of three non-linear
responses (softplus, exp of tanh, sine), then small Gaussian noise (sd 0.05) is added and values
are clipped at 0. ``cell_type`` is the quarter of the trajectory a cell lies in. The structure is
two-dimensional but curved: PCA needs far more than two components to describe it, while a small
autoencoder with a 2-4 unit code can reconstruct it almost fully.

Deterministic: ``numpy.random.default_rng(SEED)``; re-running writes a byte-identical file.
Run ``python sample_data/make_autoencoder.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240604
N_CELLS = 1500
N_GENES = 60
CELL_TYPES = np.array(["stem", "progenitor", "committed", "mature"])


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, x)


def make_expression(rng: np.random.Generator) -> pd.DataFrame:
    """Latent variables -> curved embedding -> per-gene non-linear response -> noise."""
    t = rng.uniform(0, 1, N_CELLS)
    h = rng.uniform(0, 1, N_CELLS)
    theta = 1.5 * np.pi * t
    embedding = np.column_stack([np.cos(theta), np.sin(theta), t, h])

    weights = rng.normal(0, 1, (N_GENES, 4)) * [2.0, 2.0, 1.5, 1.5]
    bias = rng.normal(0, 0.5, N_GENES)
    response = rng.integers(0, 3, N_GENES)  # 0 softplus, 1 exp(tanh), 2 sine
    pre = embedding @ weights.T + bias
    expr = np.select(
        [response == 0, response == 1],
        [softplus(pre), 2 * np.exp(0.5 * np.tanh(pre))],
        2 + 1.5 * np.sin(pre),
    )
    expr = np.clip(expr + rng.normal(0, 0.05, expr.shape), 0, None).round(3)

    df = pd.DataFrame(expr, columns=[f"g{j:03d}" for j in range(1, N_GENES + 1)])
    df.insert(0, "cell_type", CELL_TYPES[np.minimum((t * 4).astype(int), 3)])
    df.insert(0, "sample_id", [f"S{i:04d}" for i in range(1, N_CELLS + 1)])
    return df


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    expression = make_expression(np.random.default_rng(SEED))
    expression.to_csv(out / "expression.csv", index=False, lineterminator="\n", float_format="%.3f")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "autoencoder")
    main(parser.parse_args().out)
