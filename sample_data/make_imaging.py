"""Generate the bundled imaging sample: 64x64 grayscale PNGs in two classes, lesion and normal.

Layout: ``imaging/<class>/<class>_NNNN.png`` (one sub-folder per class), 150 images per class.

Every image is a synthetic "scan": a smooth low-frequency texture (Gaussian-blurred random noise),
a soft-edged organ-like ellipse of random size, angle and brightness, a soft vignette and a little
fine noise. The overall brightness and contrast vary per image, so the mean intensity says almost
nothing about the class. Each ``lesion`` image additionally holds one small roughly round blob
(radius 4-9 px, soft edges, slightly irregular outline) at a random position inside the organ;
it is brighter than its surroundings in about 80% of lesions and darker in the rest.

Deterministic: ``numpy.random.default_rng(SEED)``; re-running writes byte-identical files.
Run ``python sample_data/make_imaging.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

SEED = 20240601
SIZE = 64
PER_CLASS = 150
CLASSES = ("lesion", "normal")


def smooth_noise(rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Zero-mean, unit-std low-frequency noise made by blurring white noise."""
    field = cv2.GaussianBlur(rng.standard_normal((SIZE, SIZE)), (0, 0), sigma)
    return (field - field.mean()) / (field.std() + 1e-8)


def organ_mask(rng: np.random.Generator) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Soft ellipse mask in [0, 1] plus its (cx, cy, a, b) for placing a lesion inside it."""
    cx, cy = rng.uniform(26, 38, size=2)
    a, b = rng.uniform(17, 25), rng.uniform(13, 20)
    angle = rng.uniform(0, 180)
    mask = np.zeros((SIZE, SIZE), np.float64)
    cv2.ellipse(mask, ((cx, cy), (2 * a, 2 * b), angle), 1.0, -1)
    return cv2.GaussianBlur(mask, (0, 0), 2.5), (cx, cy, min(a, b), angle)


def lesion(rng: np.random.Generator, cx: float, cy: float, reach: float) -> np.ndarray:
    """Soft blob of radius 4-9 px, values in [0, 1], centred at a random point inside the organ."""
    r = rng.uniform(4, 9)
    dist = rng.uniform(0, max(reach - r - 2, 1))
    theta = rng.uniform(0, 2 * np.pi)
    x0, y0 = cx + dist * np.cos(theta), cy + dist * np.sin(theta)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    phi = np.arctan2(yy - y0, xx - x0)
    wobble = 1 + 0.08 * np.sin(rng.integers(2, 4) * phi + rng.uniform(0, 2 * np.pi))
    d = np.hypot(xx - x0, yy - y0) / (r * wobble)
    return 1 / (1 + np.exp((d - 1) * 6))


def make_image(rng: np.random.Generator, with_lesion: bool) -> np.ndarray:
    """One 64x64 uint8 image."""
    mask, (cx, cy, reach, _) = organ_mask(rng)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    vignette = 1 - 0.35 * (np.hypot(xx - SIZE / 2, yy - SIZE / 2) / (SIZE / 2)) ** 2
    background = rng.uniform(30, 90)
    organ_level = rng.uniform(40, 90)
    img = background + organ_level * mask
    img += rng.uniform(5, 10) * smooth_noise(rng, 6) + rng.uniform(2, 4) * smooth_noise(rng, 2.5)
    if with_lesion:
        sign = 1 if rng.random() < 0.8 else -1
        img += sign * rng.uniform(50, 75) * lesion(rng, cx, cy, reach)
    img = img * vignette + rng.normal(0, 1.5, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def main(out: Path) -> None:
    rng = np.random.default_rng(SEED)
    for name in CLASSES:
        (out / name).mkdir(parents=True, exist_ok=True)
    for i in range(1, PER_CLASS + 1):
        for name in CLASSES:
            img = make_image(rng, with_lesion=name == "lesion")
            path = out / name / f"{name}_{i:04d}.png"
            cv2.imwrite(str(path), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "imaging")
    main(parser.parse_args().out)
