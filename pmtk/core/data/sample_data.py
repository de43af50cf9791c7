"""Where a run's data is: ``--data``, else the task's bundled sample data (``sample_data/`` in
a clone, ``pmtk/_sample_data`` in a wheel)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pmtk.core.errors import DataError, OptionError

_PACKAGE = Path(__file__).resolve().parents[2]


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


class HasSampleData(Protocol):
    """What :func:`data_path` reads of a task."""

    name: str
    sample_data: str | None


def data_path(task: HasSampleData, given: Path | str | None) -> Path:
    """The ``--data`` path, or the task's bundled sample data when none is given.

    Raises:
        DataError: The path does not exist.
        OptionError: No path given and the task has no sample data.
    """
    if given is None:
        if task.sample_data is None:
            raise OptionError(f"Task '{task.name}' has no bundled sample data; pass --data PATH.")
        given = sample_data_path(task.sample_data)
    path = Path(given).expanduser()
    if not path.exists():
        raise DataError(f"{path} does not exist; check the --data path.")
    return path
