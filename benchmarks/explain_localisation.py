"""Which imaging heatmap points at the lesion? The measurement behind the default ``--method``.

Images: fresh synthetic scans from ``sample_data/make_imaging.py`` (same generator as
the bundled sample, another seed), all with a lesion whose outline is recorded. A run
(by default: ``pmtk run imaging`` on the bundled sample, default model and options)
explains them with every method; for each method the table gives

- hit rate: among the lesion images the model classifies as lesion, the share whose
  heatmap peak (arg max) lies inside the lesion's outline;
- seconds per image, and the sanity check's median rank correlation with a
  randomised model (lower is better).

Run: ``.venv/bin/python benchmarks/explain_localisation.py [--run RUN_DIR] [--images N]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmtk.core.explaining import explain  # noqa: E402
from pmtk.core.host.plugins import PluginHost  # noqa: E402

METHODS = ("gradcam", "gradcam++", "occlusion", "smoothgrad")


def _generator():
    spec = importlib.util.spec_from_file_location("make_imaging", ROOT / "sample_data" /
                                                  "make_imaging.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_lesion_images(folder: Path, count: int, seed: int = 7) -> dict[str, np.ndarray]:
    """Writes ``count`` lesion scans as ``folder/lesion_NNNN.png``; returns each one's mask."""
    make = _generator()
    original, captured = make.lesion, []

    def recording(*args, **kwargs):
        blob = original(*args, **kwargs)
        captured.append(blob)
        return blob

    make.lesion = recording
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    masks = {}
    for index in range(count):
        image = make.make_image(rng, with_lesion=True)
        name = f"lesion_{index:04d}.png"
        cv2.imwrite(str(folder / name), image)
        masks[name] = captured[-1] > 0.5  # inside the soft blob's outline
    return masks


def hit_rate(folder: Path, masks: dict[str, np.ndarray]) -> tuple[int, int]:
    """(hits, correctly classified lesion images) of one ``explain`` output folder."""
    arrays = np.load(folder / "heatmaps.npz")
    hits = correct = 0
    for identifier, heatmap, label in zip(arrays["ids"], arrays["heatmaps"],
                                          arrays["explained_class"], strict=True):  # fmt: skip
        if label != "lesion":
            continue
        correct += 1
        mask = masks[Path(str(identifier)).name]
        mask = cv2.resize(mask.astype(np.uint8), heatmap.shape[::-1],
                          interpolation=cv2.INTER_NEAREST)  # fmt: skip
        peak = np.unravel_index(int(np.argmax(heatmap)), heatmap.shape)
        hits += int(mask[peak] > 0)
    return hits, correct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="an imaging run (default: train one)")
    parser.add_argument("--images", type=int, default=60)
    parser.add_argument("--methods", default=",".join(METHODS))
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmtk-localisation-"))
    run = arguments.run
    if run is None:
        run = work / "run"
        subprocess.run([sys.executable, "-m", "pmtk", "run", "imaging", "--output", str(run),
                        "--bootstrap", "0"], check=True)  # fmt: skip
    masks = write_lesion_images(work / "images" / "lesion", arguments.images)
    host = PluginHost(entry_points=False)
    print(f"{'method':<11} {'hits':>5} {'of':>4} {'hit rate':>9} {'s/image':>8} {'sanity rho':>11}")
    for method in arguments.methods.split(","):
        started = time.perf_counter()
        output, summary = explain(run, work / "images", work / method, host, method=method,
                                  limit=arguments.images)  # fmt: skip
        seconds = (time.perf_counter() - started) / arguments.images
        hits, correct = hit_rate(output, masks)
        rho = summary["sanity_check"]["median_spearman"]
        print(f"{method:<11} {hits:>5} {correct:>4} {hits / max(correct, 1):>9.2f} "
              f"{seconds:>8.3f} {rho if rho is not None else 'n/a':>11}")  # fmt: skip


if __name__ == "__main__":
    main()
