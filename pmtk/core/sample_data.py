"""Where the bundled sample data is: sample_data/ in a clone, pmtk/_sample_data in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def sample_data_root() -> Path:
    """The folder holding one sample data set per task."""
    for candidate in (_PACKAGE / "_sample_data", _PACKAGE.parent / "sample_data"):
        if candidate.is_dir():
            return candidate
    return _PACKAGE.parent / "sample_data"


def sample_data_path(name: str | Path) -> Path:
    """The bundled sample data set called ``name`` (a file or a folder).

    An absolute path is returned as is: third-party tasks ship sample data inside
    their own package and name it by absolute path.
    """
    path = Path(name)
    return path if path.is_absolute() else sample_data_root() / path
