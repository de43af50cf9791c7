"""The run directory: locked, written under a hidden staging name, renamed only when complete."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from pmtk.core.errors import OptionError
from pmtk.core.runtime.interruption import raise_if_interrupted

#: The resume checkpoint inside a staging folder (see :mod:`pmtk.core.run.checkpoint`).
CHECKPOINT_FOLDER = "checkpoint"
CHECKPOINT_STATE = "state.npz"
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def default_output(task: str) -> Path:
    """``runs/<task>-<timestamp>`` in the current directory."""
    return Path("runs") / f"{task}-{datetime.now():%Y%m%d-%H%M%S}"


class RunDirectory:
    """Context manager that locks ``final``, yields a staging folder and publishes it on success.

    The staging folder is ``.NAME.incomplete`` beside ``final``; ``.NAME.lock`` beside it is
    held for the whole run, so of two runs to one output exactly one proceeds (the lock is an
    OS lock, released when its process dies, so a killed run never blocks the next). A run
    that fails publishes nothing at ``final``; its staging folder is kept when it holds a
    checkpoint to resume from and removed otherwise.

    Args:
        final: The run directory to create.
        resume: Continue the run checkpointed in the staging folder instead of starting anew.

    Raises:
        OptionError: ``final`` exists and is not an empty folder.
    """

    def __init__(self, final: Path, *, resume: bool = False) -> None:
        self.final = Path(final)
        self.resume = resume
        self.path = self.final.parent / f".{self.final.name}.incomplete"
        self.lock_path = self.final.parent / f".{self.final.name}.lock"
        self.published = False
        self._lock: Any = None
        self._created: list[Path] = []  # folders made for the lock, removed if the run fails
        self._check_final()

    @property
    def checkpoint(self) -> Path:
        """The checkpoint file a resumable staging folder holds."""
        return self.path / CHECKPOINT_FOLDER / CHECKPOINT_STATE

    @property
    def resumable(self) -> bool:
        """Whether the staging folder holds a checkpoint of at least one finished epoch."""
        return self.checkpoint.is_file()

    def __enter__(self) -> Path:
        self._acquire()
        try:
            self._check_final()
            self._prepare_staging()
        except BaseException:
            self._release()
            self._remove_created()
            raise
        return self.path

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            resumable = self.resumable
            if not resumable:
                shutil.rmtree(self.path, ignore_errors=True)
            self._release()
            if not resumable:
                self._remove_created()
            return
        # A signal must not land between the last check and the rename: it waits until after.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            raise_if_interrupted()
            shutil.rmtree(self.path / CHECKPOINT_FOLDER, ignore_errors=True)
            if self.final.exists():
                self.final.rmdir()
            self.path.rename(self.final)
            self.published = True
        finally:
            self._release()
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def kept(self) -> str:
        """What an interrupted run left behind, as the end of one sentence."""
        if self.published:
            return f"the run had already been written to {self.final}"
        if not self.resumable:
            return "no epoch had finished, so nothing was kept or published"
        done, total = read_progress(self.checkpoint)
        return (
            f"nothing was published; {done} of {total} epoch(s) are kept in {self.path}: "
            "run the same command with --resume to continue"
        )

    def _check_final(self) -> None:
        if self.final.exists() and (not self.final.is_dir() or any(self.final.iterdir())):
            if self.resume and self.final.is_dir():
                raise OptionError(
                    f"Nothing to resume for {self.final}: that run is finished and published."
                )
            raise OptionError(
                f"The output folder {self.final} already exists and is not empty; "
                "choose another --output or remove it."
            )

    def _acquire(self) -> None:
        from filelock import FileLock, Timeout

        try:
            missing = [p for p in (self.final.parent, *self.final.parent.parents) if not p.exists()]
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self._created = missing
            lock = FileLock(self.lock_path, timeout=0)
            lock.acquire()
        except Timeout:
            raise OptionError(
                f"Another pmtk run is writing {self.final} (it holds {self.lock_path}); "
                "wait for it to finish or choose another --output."
            ) from None
        except OSError as error:
            raise OptionError(
                f"Cannot create the lock {self.lock_path} for --output {self.final} "
                f"({error.strerror}); choose a folder you can write to."
            ) from None
        self._lock = lock

    def _release(self) -> None:
        if self._lock is None:
            return
        self.lock_path.unlink(missing_ok=True)  # filelock re-opens a lock file unlinked under it
        self._lock.release()
        self._lock = None

    def _remove_created(self) -> None:
        """Removes the folders made for the lock, deepest first, if the run left them empty."""
        for folder in self._created:
            try:
                folder.rmdir()
            except OSError:
                break  # not empty (or not ours to remove): keep it and its parents
        self._created = []

    def _prepare_staging(self) -> None:
        if self.resume:
            if not self.resumable:
                raise OptionError(
                    f"Nothing to resume for {self.final}: {self.path} holds no finished epoch; "
                    "run the same command without --resume to start (--resume also needs "
                    "the --output of the interrupted run)."
                )
            return
        if self.resumable:
            raise OptionError(
                f"{self.path} holds an interrupted run of {self.final}; add --resume to continue "
                "it, or remove that folder to start over."
            )
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)


def read_progress(checkpoint: Path) -> tuple[int, int]:
    """Finished and planned epochs recorded in a checkpoint file."""
    import numpy as np

    with np.load(checkpoint, allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
    return meta["epoch"], meta["epochs"]


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


def data_hash(path: Path, listed: list[Path] = ()) -> str:
    """Content hash of a run's data: the file or folder, plus the files it lists (a manifest's
    images), so ``--resume`` refuses data changed on disk."""
    if not listed or not path.is_file():
        return content_hash(path)
    import hashlib

    digest = hashlib.sha256()
    for file in [path, *listed]:
        digest.update(content_hash(file).encode())
    return "sha256:" + digest.hexdigest()
