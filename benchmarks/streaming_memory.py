"""Peak memory of a streamed tabular run, 200k vs 2M rows of the same cohort (Parquet).

Each size runs in a fresh process: one streaming pass for the training statistics and an
IncrementalPCA, one training epoch (``--batch-size 1024``) of a small MLP on the train split
streamed from disk (``pmtk.core.streaming.tf_batches``), predictions streamed over the test split,
and a bounded 10,000-row sample for permutation importance. Peak RSS comes from
``getrusage``. The goal is a 2M / 200k ratio of at most 1.2.

This measures the core streaming path (``pmtk.core.streaming``), not ``pmtk run risk``: the risk
task's reader still loads the table through pandas (see the README).

Run: ``.venv/bin/python benchmarks/streaming_memory.py [--rows 200000,2000000]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
FEATURES = [f"x{i}" for i in range(10)]

ONE_RUN = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
from pmtk.core.runtime import quiet_tensorflow
quiet_tensorflow()
import keras
from pmtk.core import streaming

path, features = Path(sys.argv[1]), sys.argv[2].split(",")
start = time.perf_counter()
table = streaming.open_table(path)
fractions = {"val": 0.15, "test": 0.15}
moments = streaming.RunningMoments(len(features))
def train_matrices():
    for batch in streaming.scan_batches(table, features + ["id"]):
        keep = streaming.hash_splits(batch.column("id").to_numpy(zero_copy_only=False),
                                     val_fraction=0.15, test_fraction=0.15, seed=0) == "train"
        yield np.column_stack([batch.column(c).to_numpy() for c in features])[keep]
for matrix in train_matrices():
    moments.update(matrix)
scale = np.sqrt(moments.variance)
pca = streaming.incremental_pca(((m - moments.mean) / scale for m in train_matrices()), 4)
inputs = keras.Input(shape=(len(features),))
x = keras.layers.Normalization(mean=moments.mean, variance=moments.variance)(inputs)
x = keras.layers.Dense(32, activation="relu")(x)
model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
model.compile("adam", "binary_crossentropy")
train = streaming.tf_batches(table, features, "label", ("id", "train", fractions, 0))
model.fit(train.batch(1024).prefetch(2), epochs=1, verbose=0)
test = streaming.tf_batches(table, features, None, ("id", "test", fractions, 0))
scores = 0
for batch in test.batch(8192):
    scores += len(model.predict_on_batch(batch))
sample = streaming.bounded_sample(
    (np.column_stack([b.column(c).to_numpy() for c in features])
     for b in streaming.scan_batches(table, features)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps({"peak_mb": peak, "test_rows": scores, "sample": len(sample),
                              "seconds": time.perf_counter() - start}))
"""


def write_cohort(path: Path, rows: int) -> None:
    """A synthetic cohort: 10 numeric features, a logistic label, written in row groups."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    weights = np.linspace(-1, 1, len(FEATURES))
    with pq.ParquetWriter(path, _schema()) as writer:
        for start in range(0, rows, 200_000):
            count = min(200_000, rows - start)
            rng = np.random.default_rng(start)
            matrix = rng.normal(size=(count, len(FEATURES)))
            label = (rng.random(count) < 1 / (1 + np.exp(-matrix @ weights))).astype(float)
            frame = pd.DataFrame(matrix, columns=FEATURES)
            frame.insert(0, "id", [f"P{start + i:08d}" for i in range(count)])
            frame["label"] = label
            writer.write_table(pa.Table.from_pandas(frame, schema=_schema(), preserve_index=False))


def _schema():
    import pyarrow as pa

    return pa.schema([("id", pa.string())] + [(f, pa.float64()) for f in FEATURES]
                     + [("label", pa.float64())])  # fmt: skip


def main() -> None:
    """Prints peak RSS per size and the ratio of the largest to the smallest."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="200000,2000000")
    args = parser.parse_args()
    peaks = {}
    with tempfile.TemporaryDirectory() as folder:
        for rows in (int(r) for r in args.rows.split(",")):
            path = Path(folder) / f"cohort-{rows}.parquet"
            write_cohort(path, rows)
            completed = subprocess.run(
                [sys.executable, "-c", ONE_RUN, str(path), ",".join(FEATURES)],
                cwd=ROOT, capture_output=True, text=True, timeout=3600,
            )  # fmt: skip
            if completed.returncode != 0:
                raise SystemExit(completed.stderr[-3000:])
            line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
            result = json.loads(line.removeprefix("RESULT "))
            peaks[rows] = result["peak_mb"]
            print(f"{rows:>9,} rows: peak RSS {result['peak_mb']:7.0f} MB, "
                  f"{result['seconds']:6.1f} s, {result['test_rows']:,} test rows predicted, "
                  f"permutation sample {result['sample']:,} rows", flush=True)  # fmt: skip
    sizes = sorted(peaks)
    ratio = peaks[sizes[-1]] / peaks[sizes[0]]
    print(f"peak RSS ratio {sizes[-1]:,} / {sizes[0]:,} rows: {ratio:.2f}")


if __name__ == "__main__":
    main()
