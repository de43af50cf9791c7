"""Turning user mistakes into one sentence on stderr and a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from pmtk.core.errors import PmtkError

#: Exit status of a user mistake (bad data, options or plugins).
USER_ERROR = 1


@contextmanager
def user_errors() -> Iterator[None]:
    """Prints a :class:`PmtkError` as ``Error: <sentence>`` and exits with ``USER_ERROR``."""
    try:
        yield
    except PmtkError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(USER_ERROR) from None
