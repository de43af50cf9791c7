"""A file-format reader contributed to a task, and finding the one that reads a file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reader:
    """A file-format reader contributed to a task through ``pmtk_register_readers``.

    Args:
        name: Short name shown by ``pmtk plugins`` (for example ``"dicom"``).
        extensions: Lower-case file name endings it reads (``(".nii", ".nii.gz")``).
        read: The function; its arguments and result are defined by the task.
        description: One line for listings.
        chunks: Optional: the same reading in parts, ``path -> iterator of parts`` (each
            part what ``read`` returns for its rows), for files bigger than memory. Tasks
            that predict in parts use it when it is given.
    """

    name: str
    extensions: tuple[str, ...]
    read: Callable[..., Any]
    description: str = ""
    chunks: Callable[..., Any] | None = None


def best_reader(readers: Iterable[Reader], file_name: str) -> Reader | None:
    """The reader whose extensions match ``file_name``, ignoring case; the longest ending wins."""
    lowered = file_name.lower()
    best: tuple[int, Reader | None] = (0, None)
    for reader in readers:
        for ext in reader.extensions:
            if lowered.endswith(ext) and len(ext) > best[0]:
                best = (len(ext), reader)
    return best[1]
