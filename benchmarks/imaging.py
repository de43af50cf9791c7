"""Imaging speed, side by side with the baselines, in one run.

1. Input pipeline: images/s turning the same 1,000 PNG files into model-ready arrays,
   the seed article's loop (cv2.imread, resize, /255 into a list, then np.array) vs
   pmtk's tf.data pipeline (first pass: parallel decode + check + cache fill; then a
   cached epoch; and a streaming epoch when the cache is off). Two reference rows bound
   what any pipeline can do here: PNG decoding alone on every core (the first pass
   cannot beat it) and a bare ``tf.data`` cache of arrays decoded beforehand (a cached
   epoch cannot beat it).
2. Training loop: samples/s of pmtk's shared loop (early stopping, CSV history,
   TensorBoard, per-epoch checkpoint, class weights) vs plain ``model.fit`` on the same
   model and data, and the time spent inside each of the loop's callbacks.

The machine's load average is printed with each table: on a shared machine other
processes slow the multi-threaded rows more than the single-threaded seed loop. Every
row gives the median over ``--repeats`` runs (the sides alternate within each run) and
each run's own ratio, so the spread is visible.
Run: ``.venv/bin/python benchmarks/imaging.py`` (about three minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmtk.core.runtime.tensorflow_setup import quiet_tensorflow  # noqa: E402

quiet_tensorflow()

import keras  # noqa: E402

from pmtk import hookimpl  # noqa: E402
from pmtk.core.contract.task import ModelSpec  # noqa: E402
from pmtk.core.host.plugins import PluginHost  # noqa: E402
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


def decode_alone(paths: list[Path]) -> None:
    """PNG decoding and nothing else, one thread per core: the first pass's ceiling."""

    def decode(path: Path):
        return cv2.imdecode(np.fromfile(str(path), dtype=np.uint8), cv2.IMREAD_UNCHANGED)

    with ThreadPoolExecutor(os.cpu_count()) as pool:
        for _ in pool.map(decode, paths):
            pass


def bare_cache(paths: list[Path], size: int):
    """A ``tf.data`` cache of arrays decoded beforehand, filled: a cached epoch's ceiling."""
    import tensorflow as tf

    images = np.stack([to_model_input(read_opencv(path), size, 3) for path in paths])
    dataset = tf.data.Dataset.from_tensor_slices(images).cache()
    epoch(dataset)
    return dataset


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def bench_input(paths: list[Path], size: int, repeats: int) -> list[tuple[str, list[float]]]:
    """Seconds per run of each row; every run measures every row."""
    names = (
        "seed loop (cv2.imread, resize, /255, list)",
        "reference: PNG decode alone, all cores",
        "pmtk first pass (decode + check + cache)",
        "pmtk cached epoch",
        "reference: bare tf.data cache, one epoch",
        "pmtk streaming epoch (cache off)",
    )
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeats):
        seed, ceiling, first, cached, bare, streaming = seconds.values()
        seed.append(timed(seed_loop, paths, size)[0])
        ceiling.append(timed(decode_alone, paths)[0])
        elapsed, dataset = timed(pmtk_pipeline, paths, size)
        first.append(elapsed)
        cached.append(timed(epoch, dataset)[0])
        bare.append(timed(epoch, bare_cache(paths, size))[0])
        pipeline.CACHE_SHARE, saved = 0.0, pipeline.CACHE_SHARE
        _, uncached = timed(pmtk_pipeline, paths, size)
        streaming.append(timed(epoch, uncached)[0])
        pipeline.CACHE_SHARE = saved
    return list(seconds.items())


class EpochTimer(keras.callbacks.Callback):
    """Wall time from one epoch's start to the next one's.

    Measured between starts, so every callback's epoch-end work (the checkpoint written
    after the epoch included) counts, wherever this callback sits in the list; the last
    epoch, which has no next start, is not timed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start: float | None = None

    def on_epoch_begin(self, epoch, logs=None):
        now = time.perf_counter()
        if self._start is not None:
            self.seconds.append(now - self._start)
        self._start = now


class HookTimes:
    """Wraps callbacks so that the wall time inside each one's ``on_*`` hooks is summed."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, callback):
        name = type(callback).__name__
        for hook in [attribute for attribute in dir(callback) if attribute.startswith("on_")]:
            setattr(callback, hook, self._timed(name, getattr(callback, hook)))
        return callback

    def _timed(self, name: str, method):
        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

        return call


def bench_loop(data: Path, size: int, epochs: int, repeats: int, workdir: Path):
    """Seconds per epoch of the shared loop and of plain ``model.fit``, and hook times."""
    from pmtk.core.host.options import resolve
    from pmtk.core.loop import training

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
        "bootstrap": 0,
    }
    hooks = HookTimes()
    loop_callbacks = training._callbacks
    training._callbacks = lambda *args: [hooks.wrap(c) for c in loop_callbacks(*args)]
    # Epoch times (the first, which traces the graph, left out) per run; pmtk and plain
    # runs alternate so that drift in machine load hits both alike.
    pmtk_seconds, plain_seconds = [], []
    try:
        for run in range(repeats):
            values = resolve(
                task, _defaults(task) | options | {"output": workdir / f"run{run}"}, set()
            )
            training.train(task, values, host)
            pmtk_seconds.append(timer_holder["timer"].seconds[1:])
            plain_seconds.append(plain_fit(task, values, host, epochs)[1:])
    finally:
        training._callbacks = loop_callbacks
    n_train = json_n(workdir / "run0")
    hook_epochs = repeats * epochs
    per_epoch = {name: total / hook_epochs for name, total in hooks.seconds.items()}
    return n_train, plain_seconds, pmtk_seconds, per_epoch


def _defaults(task) -> dict:
    from pmtk.core.host.options import all_options

    return {option.name: option.default for option in all_options(task)}


def json_n(run: Path) -> int:
    import json

    return json.loads((run / "metrics.json").read_text())["n"]["train"]


def plain_fit(task, options, host, epochs) -> list[float]:
    """Same split, data pipeline and model; nothing but ``model.fit``."""
    from pmtk.core.data.batching import batches
    from pmtk.core.loop.source import ExampleSource

    source = ExampleSource(task, host.registry.run_context(task.name, options))
    train_set, val_set = source.dataset("train"), source.dataset("val")
    context = source.context
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


def load() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def print_rates(title: str, unit: str, count: int, rows) -> None:
    """One line per row: median rate, ratio of medians to the first row, each run's ratio."""
    print(f"\n{title}")
    print(f"{'':<46}{unit:>11}{'ratio':>9}   each run's ratio")
    base = rows[0][1]
    for name, seconds in rows:
        rate = count / statistics.median(seconds)
        each = " ".join(f"{b / s:.2f}" for b, s in zip(base, seconds, strict=True))
        ratio = rate / (count / statistics.median(base))
        print(f"{name:<46}{rate:>11,.0f}{ratio:>8.2f}x   {each}")


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
        before = load()
        rows = bench_input(paths, args.image_size, args.repeats)
        print_rates(
            f"Input pipeline: {args.images} PNG {args.source_size}px -> {args.image_size}px RGB, "
            f"median of {args.repeats} runs ({os.cpu_count()} cores; {before}; after: {load()})",
            "images/s",
            args.images,
            rows,
        )
        before = load()
        n_train, plain, pmtk, hooks = bench_loop(work / "pngs", 64, args.epochs, args.repeats, work)
        # Each run's ratio compares that run's median epochs; the top line pools all epochs.
        plain_runs = [statistics.median(run) for run in plain]
        pmtk_runs = [statistics.median(run) for run in pmtk]
        pooled = statistics.median(sum(plain, [])) / statistics.median(sum(pmtk, []))
        print_rates(
            f"Training loop: seed CNN, 64px, {n_train} training images, "
            f"epochs 2-{args.epochs - 1}, median epoch per run ({before}; after: {load()}); "
            f"all epochs pooled: {pooled:.3f}x",
            "samples/s",
            n_train,
            [("plain model.fit", plain_runs), ("pmtk shared loop", pmtk_runs)],
        )
        epoch_ms = 1000 * statistics.median(pmtk_runs)
        print(f"\nInside the shared loop's callbacks, ms per epoch (of a {epoch_ms:.0f} ms epoch):")
        for name, seconds in sorted(hooks.items(), key=lambda item: -item[1]):
            print(f"  {name:<28}{1000 * seconds:8.1f}")


if __name__ == "__main__":
    main()
