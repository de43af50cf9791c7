"""Progress of a long explain job on stderr: a bar on a terminal, plain lines otherwise.

Explainers call :func:`progress` after each batch. On a terminal the bar is redrawn in
place (``\\r``) and ends with a newline when the job is done; in a log file or a pipe
(no terminal, so no ``\\r`` tricks) one line is printed each time the job passes a quarter.
"""

from __future__ import annotations

import sys
from typing import TextIO

#: Jobs with fewer inputs than this print nothing (they take seconds).
LONG_JOB = 200
#: Characters of the bar between the brackets.
BAR_WIDTH = 30


def progress(
    done: int, total: int, what: str, batch: int = 1, stream: TextIO | None = None
) -> None:
    """Reports that ``done`` of ``total`` inputs are explained.

    Args:
        done: Inputs explained so far.
        total: Inputs to explain (jobs under ``LONG_JOB`` print nothing).
        what: What the inputs are ("images").
        batch: Inputs explained since the previous call.
        stream: Where to write (default: ``sys.stderr``, looked up at each call).
    """
    stream = stream if stream is not None else sys.stderr
    if total < LONG_JOB:
        return
    if _is_terminal(stream):
        stream.write("\r" + progress_bar(done, total, what))
        if done >= total:
            stream.write("\n")
        stream.flush()
        return
    quarter = max(1, total // 4)
    if done == total or done // quarter != (done - batch) // quarter:
        print(f"Explained {done:,}/{total:,} {what}", file=stream)


def progress_bar(done: int, total: int, what: str, width: int = BAR_WIDTH) -> str:
    """One line such as ``Explaining images [#########.....]  60% 240/400``."""
    share = min(1.0, done / total) if total else 1.0
    filled = int(round(share * width))
    return (
        f"Explaining {what} [{'#' * filled}{'.' * (width - filled)}] "
        f"{share:4.0%} {done:,}/{total:,}"
    )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
