"""Checking where a command will write, before it reads any data.

Nothing the user gave may be modified, so an output path equal to or inside an
input is refused, as are paths whose parent is a file and places that cannot be
written. Each refusal is one sentence (an :class:`OptionError`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.errors import OptionError

if TYPE_CHECKING:
    from pmtk.core.contract.task import Task


def check_output(
    output: Path,
    inputs: Iterable[Path | None],
    *,
    kind: str = "folder",
    flag: str = "--output",
    not_equal_to: Iterable[Path] = (),
) -> None:
    """Refuses an output path that would change an input or cannot be written.

    Args:
        output: The file or folder the command will create.
        inputs: Files and folders the command reads (None entries are ignored).
        kind: ``folder`` (a run directory, created) or ``file`` (a CSV, created or replaced).
        flag: The option's name, for the message.
        not_equal_to: Inputs the output may lie inside but not be (a run directory
            holding an ``explain/`` folder).

    Raises:
        OptionError: The output equals or lies inside an input, a parent is a file,
            or the place is not writable.
    """
    target = _absolute(output)
    not_equal_to = list(not_equal_to)
    for given in [*inputs, *not_equal_to]:
        if given is None:
            continue
        source = _absolute(given)
        if target == source:
            raise OptionError(
                f"{flag} {output} is the input {given} itself; pmtk never writes over its "
                f"inputs, so choose another {kind} outside the data."
            )
        if source in target.parents and given not in not_equal_to:
            raise OptionError(
                f"{flag} {output} is inside the input {given}; pmtk never writes into its "
                f"inputs, so choose a {kind} outside it."
            )
    if kind == "file" and target.is_dir():
        raise OptionError(f"{flag} {output} is a folder; give the name of a CSV file to write.")
    _check_writable(output, target, flag)


def check_run_output(task: Task, options: dict[str, Any]) -> None:
    """Checks the ``--output`` of ``pmtk run`` against ``--data`` and ``--config``.

    Called first in the training loop, so a bad output stops the run before any data is read.

    Raises:
        OptionError: See :func:`check_output`.
        DataError: The ``--data`` path does not exist.
    """
    from pmtk.core.data.sample_data import data_path
    from pmtk.core.run.rundir import default_output

    output = Path(options.get("output") or default_output(task.name))
    inputs = [data_path(task, options.get("data")), options.get("config")]
    check_output(output, inputs, kind="folder")


def write_atomically(output: Path, write: Callable[[Path], None]) -> None:
    """Writes a file beside ``output`` and renames it, so no half-written file is ever left.

    Args:
        output: The file to create or replace.
        write: Writes the content to the path it is given.

    Raises:
        OptionError: The file cannot be written (disk full, permissions).
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    try:
        write(partial)
        partial.replace(output)
    except OSError as error:
        raise OptionError(
            f"--output {output} cannot be written ({error.strerror or error}); free some space "
            "or choose another file."
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def _absolute(path: Path) -> Path:
    """The path made absolute with symbolic links resolved (it need not exist)."""
    return Path(os.path.abspath(Path(path).expanduser())).resolve(strict=False)


def _check_writable(output: Path, target: Path, flag: str) -> None:
    """The nearest existing ancestor is a folder in which a file can be created."""
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OptionError(
            f"{flag} {output} cannot be created because {existing} is a file, not a folder; "
            "choose a path whose parent folders are folders."
        )
    if not os.access(existing, os.W_OK | os.X_OK) or not _can_create(existing):
        raise OptionError(
            f"{flag} {output} cannot be written: no permission to create files in {existing}; "
            "choose a folder you can write to."
        )


def _can_create(folder: Path) -> bool:
    """Whether a file can really be created in ``folder`` (read-only mounts, /proc, ...)."""
    try:
        handle, name = tempfile.mkstemp(prefix=".pmtk-write-check-", dir=folder)
    except OSError:
        return False
    os.close(handle)
    os.unlink(name)
    return True
