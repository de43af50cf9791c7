"""The run directory: written under a hidden staging name and renamed only when complete."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from pmtk.core.errors import OptionError


def default_output(task: str) -> Path:
    """``runs/<task>-<timestamp>`` in the current directory."""
    return Path("runs") / f"{task}-{datetime.now():%Y%m%d-%H%M%S}"


class RunDirectory:
    """Context manager that yields a staging folder and publishes it as ``final`` on success.

    A run that fails leaves nothing at ``final``, so no directory looks complete;
    the staging folder (``.NAME.incomplete`` beside it) is removed.
    """

    def __init__(self, final: Path) -> None:
        self.final = Path(final)
        if self.final.exists() and (not self.final.is_dir() or any(self.final.iterdir())):
            raise OptionError(
                f"The output folder {self.final} already exists and is not empty; "
                "choose another --output or remove it."
            )
        self.path = self.final.parent / f".{self.final.name}.incomplete"

    def __enter__(self) -> Path:
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        return self.path

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        if self.final.exists():
            self.final.rmdir()
        self.path.rename(self.final)


def write_json(path: Path, payload: Any) -> None:
    """Writes indented JSON with a trailing newline."""
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


def content_hash(path: Path) -> str:
    """SHA-256 over a file, or over every file in a folder (relative names and bytes, sorted).

    Each file enters as ``name NUL size NUL sha256(bytes)``, so moving bytes between
    files or names can never give the same hash.
    """
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        name = file.name if file == path else file.relative_to(path).as_posix()
        content = hashlib.sha256()
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                content.update(block)
        digest.update(f"{name}\0{file.stat().st_size}\0{content.hexdigest()}\n".encode())
    return "sha256:" + digest.hexdigest()
