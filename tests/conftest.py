"""Shared fixtures: an isolated plugin host, a CLI runner, tiny synthetic data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pmtk.core.host.plugins import PluginHost, reset_plugin_host


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    """A plugin host with the built-in plugins only (installed plugins cannot interfere)."""
    for variable in ("PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS"):
        monkeypatch.delenv(variable, raising=False)
    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    yield host
    reset_plugin_host(None)


@pytest.fixture
def cli(host: PluginHost) -> Callable[..., object]:
    """Runs ``pmtk ARGS`` in-process and returns the typer ``Result``.

    stdout and stderr are kept apart: ``result.stdout``, ``result.stderr``.
    """
    from pmtk.cli.app import build_app

    runner = CliRunner()

    def invoke(*args: str | Path):
        return runner.invoke(build_app(host), [str(a) for a in args], catch_exceptions=False)

    return invoke


def write_images(
    root: Path,
    classes: Sequence[str] = ("lesion", "normal"),
    per_class: int = 12,
    size: int = 24,
    layout: str = "folders",
    suffix: str = ".png",
) -> Path:
    """Writes a learnable two-class image set: a bright disc marks the first class.

    Args:
        root: Folder to create.
        classes: Class names; the first gets the disc.
        per_class: Images per class.
        size: Height and width in pixels.
        layout: ``folders`` (one sub-folder per class) or ``flat`` (``<class>_<i>``).
        suffix: File type written by OpenCV (``.png``, ``.jpg``, ``.bmp``, ``.tif``).
    """
    import cv2

    rng = np.random.default_rng(0)
    for index, name in enumerate(classes):
        folder = root / name if layout == "folders" else root
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            image = (rng.random((size, size)) * 60 + 60).astype(np.uint8)
            if index == 0:
                center = tuple(int(c) for c in rng.integers(size // 4, 3 * size // 4, 2))
                cv2.circle(image, center, max(2, size // 6), 240, -1)
            cv2.imwrite(str(folder / f"{name}_{i:03d}{suffix}"), image)
    return root


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    """A two-class folder-per-class PNG set (12 images per class, 24x24)."""
    return write_images(tmp_path / "images")


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to show that nothing the user gave changed."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
