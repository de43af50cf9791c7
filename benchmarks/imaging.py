"""Imaging speed, side by side with the baselines, in one run.

1. Input pipeline: images/s turning the same 1,000 PNG files into model-ready arrays,
   the seed article's loop (cv2.imread, resize, /255 into a list, then np.array) vs
   pmtk's tf.data pipeline (first pass: parallel decode + check + cache fill; then a
   cached epoch; and a streaming epoch when the cache is off).
2. Training loop: samples/s of pmtk's shared loop (early stopping, CSV history,
   TensorBoard, class weights) vs plain ``model.fit`` on the same model and data.

Every number is the median of ``--repeats`` runs; ratios are pmtk / baseline.
Run: ``.venv/bin/python benchmarks/imaging.py`` (about two minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmtk.core.runtime import quiet_tensorflow  # noqa: E402

quiet_tensorflow()

import keras  # noqa: E402

from pmtk import hookimpl  # noqa: E402
from pmtk.core.plugins import PluginHost  # noqa: E402
from pmtk.core.task import ModelSpec, RunContext  # noqa: E402
from pmtk.plugins.imaging import pipeline  # noqa: E402
from pmtk.plugins.imaging.decoding import read_opencv, to_model_input  # noqa: E402
from pmtk.plugins.imaging.models import build_seed_cnn  # noqa: E402


def write_pngs(folder: Path, count: int, size: int) -> list[Path]:
    """Colour PNGs with smooth texture (realistic compression), half with a bright disc."""
    rng = np.random.default_rng(0)
    paths = []
    for index in range(count):
        label = "lesion" if index % 2 else "normal"
        noise = rng.random((size // 8, size // 8, 3)).astype(np.float32)
        image = cv2.resize(noise, (size, size), interpolation=cv2.INTER_CUBIC) * 120 + 60
        if label == "lesion":
            center = tuple(int(c) for c in rng.integers(size // 4, 3 * size // 4, 2))
            cv2.circle(image, center, size // 12, (230, 230, 230), -1)
        path = folder / label / f"{label}_{index:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), np.clip(image, 0, 255).astype(np.uint8))
        paths.append(path)
    return paths


def seed_loop(paths: list[Path], size: int) -> np.ndarray:
    """The seed article's loading code."""
    images = []
    for path in paths:
        image = cv2.imread(str(path))
        image = cv2.resize(image, (size, size))
        images.append(image / 255.0)
    return np.array(images)


def pmtk_pipeline(paths: list[Path], size: int):
    decode = lambda p: to_model_input(read_opencv(p), size, 3)  # noqa: E731
    return pipeline.image_dataset(
        [str(p) for p in paths], None, decode, image_size=size, channels=3
    )


def epoch(dataset) -> int:
    return sum(len(batch) for batch in dataset.batch(64).prefetch(2).as_numpy_iterator())


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def bench_input(paths: list[Path], size: int, repeats: int) -> list[tuple[str, float, float]]:
    count = len(paths)
    seed, first, cached, streaming = [], [], [], []
    for _ in range(repeats):
        seed.append(timed(seed_loop, paths, size)[0])
        seconds, dataset = timed(pmtk_pipeline, paths, size)
        first.append(seconds)
        cached.append(timed(epoch, dataset)[0])
        pipeline.CACHE_SHARE, saved = 0.0, pipeline.CACHE_SHARE
        _, uncached = timed(pmtk_pipeline, paths, size)
        streaming.append(timed(epoch, uncached)[0])
        pipeline.CACHE_SHARE = saved
    base = count / statistics.median(seed)
    rows = [("seed loop (cv2.imread, resize, /255, list)", base, 1.0)]
    for name, times in (
        ("pmtk first pass (decode + check + cache)", first),
        ("pmtk cached epoch", cached),
        ("pmtk streaming epoch (cache off)", streaming),
    ):
        rate = count / statistics.median(times)
        rows.append((name, rate, rate / base))
    return rows


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch (training + validation + other callbacks' epoch ends)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def bench_loop(data: Path, size: int, epochs: int, repeats: int, workdir: Path):
    from pmtk.core.options import resolve
    from pmtk.core.training import batches, train

    timer_holder: dict[str, EpochTimer] = {}

    class TimerPlugin:
        @hookimpl
        def pmtk_register_callbacks(self, register, context):
            timer_holder["timer"] = EpochTimer()
            register(timer_holder["timer"])

    host = PluginHost(entry_points=False)
    host.register(TimerPlugin(), "benchmark-timer")
    task = host.registry.task("imaging")
    options = {
        "data": data,
        "model": "seed",
        "image_size": size,
        "epochs": epochs,
        "patience": epochs,
        "batch_size": 32,
        "color_mode": "rgb",
        "augment": False,
    }
    # Epoch times (the first, which traces the graph, left out) pooled over all repeats;
    # pmtk and plain runs alternate so that drift in machine load hits both alike.
    pmtk_seconds, plain_seconds = [], []
    for run in range(repeats):
        values = resolve(task, _defaults(task) | options | {"output": workdir / f"run{run}"}, set())
        train(task, values, host)
        n_train = json_n(workdir / f"run{run}")
        pmtk_seconds += timer_holder["timer"].seconds[1:]
        plain_seconds += plain_fit(task, values, host, epochs, batches)[1:]
    pmtk_rate = n_train / statistics.median(pmtk_seconds)
    plain_rate = n_train / statistics.median(plain_seconds)
    return [
        ("plain model.fit", plain_rate, 1.0),
        ("pmtk shared loop", pmtk_rate, pmtk_rate / plain_rate),
    ]


def _defaults(task) -> dict:
    from pmtk.core.options import all_options

    return {option.name: option.default for option in all_options(task)}


def json_n(run: Path) -> int:
    import json

    return json.loads((run / "metrics.json").read_text())["n"]["train"]


def plain_fit(task, options, host, epochs, batches) -> list[float]:
    """Same split, data pipeline and model; nothing but ``model.fit``."""
    from pmtk.core.examples import prepare_examples

    context = RunContext(task.name, options, host.registry)
    prepared = prepare_examples(task, context)
    context.derived = task.derive(prepared.part("train")[0], context)
    (train_x, train_y), (val_x, val_y) = prepared.part("train"), prepared.part("val")
    train_set = task.dataset(train_x, train_y.astype("float32"), context)
    val_set = task.dataset(val_x, val_y.astype("float32"), context)
    keras.utils.set_random_seed(options["seed"])
    spec = ModelSpec((size := options["image_size"], size, 3), "binary", 1, [], context)
    model = build_seed_cnn(spec)
    # Same compile settings as the loop (Adam, loss, per-epoch metrics): only the loop differs.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), **task.compile_options("binary"))
    timer = EpochTimer()
    model.fit(
        batches(train_set, 32, shuffle_seed=options["seed"]),
        validation_data=batches(val_set, 32),
        epochs=epochs,
        callbacks=[timer],
        shuffle=False,
        verbose=0,
    )
    return timer.seconds


def print_table(title: str, unit: str, rows) -> None:
    print(f"\n{title}")
    print(f"{'':<46}{unit:>12}{'ratio':>9}")
    for name, rate, ratio in rows:
        print(f"{name:<46}{rate:>12,.0f}{ratio:>8.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--source-size", type=int, default=256)
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        paths = write_pngs(work / "pngs", args.images, args.source_size)
        rows = bench_input(paths, args.image_size, args.repeats)
        print_table(
            f"Input pipeline: {args.images} PNG {args.source_size}px -> "
            f"{args.image_size}px RGB, median of {args.repeats}",
            "images/s",
            rows,
        )
        loop_rows = bench_loop(work / "pngs", 64, args.epochs, args.repeats, work)
        print_table(
            f"Training loop: seed CNN, 64px, epochs 2-{args.epochs}, samples/s",
            "samples/s",
            loop_rows,
        )


if __name__ == "__main__":
    main()
