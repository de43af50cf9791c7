"""Progress of long data passes: a bar on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

Item = TypeVar("Item")
#: Passes shorter than this many seconds print nothing.
QUIET_SECONDS = 2.0
_WIDTH = 30


def progress(
    items: Iterable[Item],
    total: int | None,
    description: str,
    *,
    stream: TextIO | None = None,
    weights: bool = False,
) -> Iterator[Item]:
    """Yields ``items`` while showing how far a pass over them got.

    On a terminal a bar is redrawn at most 10 times a second; otherwise (logs, CI, pipes) one
    plain line is printed at every quarter. Nothing is printed for a pass that ends within
    :data:`QUIET_SECONDS`.

    Args:
        items: What the pass iterates over.
        total: Units expected (rows, files), or None when unknown.
        description: What the pass does, such as ``"Statistics of the training rows"``.
        stream: Where to write (default ``sys.stderr``).
        weights: When True each item is ``(units, value)`` and ``value`` is yielded, so a
            batch of 1,024 rows counts 1,024.
    """
    stream = stream or sys.stderr
    terminal = hasattr(stream, "isatty") and stream.isatty()
    start = last = time.monotonic()
    done, quarter, shown = 0, 0, False
    for item in items:
        units, value = item if weights else (1, item)
        yield value
        done += units
        now = time.monotonic()
        if now - start < QUIET_SECONDS:
            continue
        if terminal and (now - last >= 0.1 or (total and done >= total)):
            stream.write("\r" + _bar(description, done, total, now - start))
            stream.flush()
            last, shown = now, True
        elif not terminal and total and done * 4 // total > quarter:
            quarter = min(done * 4 // total, 4)
            stream.write(f"{description}: {done:,} of {total:,} ({25 * quarter}%)\n")
            stream.flush()
    if terminal and shown:
        stream.write("\r" + _bar(description, done, total, time.monotonic() - start) + "\n")
        stream.flush()


def _bar(description: str, done: int, total: int | None, seconds: float) -> str:
    rate = done / seconds if seconds > 0 else 0.0
    if not total:
        return f"{description}: {done:,} ({rate:,.0f}/s)"
    filled = min(_WIDTH, _WIDTH * done // total)
    return (
        f"{description} [{'#' * filled}{'.' * (_WIDTH - filled)}] {done:,}/{total:,} "
        f"({rate:,.0f}/s)"
    )
