"""Stopping a run on SIGINT or SIGTERM: a handler that raises and a flag that outlives the raise.

Python runs signal handlers in the main thread only, between bytecodes: while TensorFlow's
threads compute a batch the handler waits for the step to return, which takes milliseconds.
An exception raised by a handler can still be lost when it lands in a ``__del__`` method or a
weakref callback (Python only prints those), so the signal is also remembered:
:func:`raise_if_interrupted` raises it again at the next batch, epoch or before publishing.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Signals received while :func:`stop_on_signals` is active (the first one counts).
_received: list[int] = []


class RunInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped a run.

    It derives from ``KeyboardInterrupt`` so that no ``except Exception`` swallows it.

    Args:
        signum: The signal received.
        detail: What was kept and how to continue, ending the sentence the CLI prints.
    """

    def __init__(self, signum: int, detail: str = "") -> None:
        self.signum = int(signum)
        self.detail = detail
        super().__init__(self.sentence)

    @property
    def signal_name(self) -> str:
        """``SIGINT`` or ``SIGTERM``."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 plus the signal number (130, 143)."""
        return 128 + self.signum

    @property
    def sentence(self) -> str:
        """The one sentence shown to the user."""
        detail = f": {self.detail}" if self.detail else ""
        return f"Interrupted by {self.signal_name}{detail}."


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turns SIGINT and SIGTERM into :class:`RunInterrupted` while the block runs.

    The first signal raises in the main thread and is remembered; a second one ends the
    process at once with the signal's default action. The previous handlers come back when
    the block ends. Outside the main thread (where Python cannot install handlers) nothing
    changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = {number: signal.getsignal(number) for number in _SIGNALS}
    for number in _SIGNALS:
        signal.signal(number, _handle)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _received.clear()


def _handle(signum: int, frame) -> None:
    if _received:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _received.append(signum)
    raise RunInterrupted(signum)


def raise_if_interrupted() -> None:
    """Raises :class:`RunInterrupted` if a signal arrived, even if its first raise was lost."""
    if _received:
        raise RunInterrupted(_received[0])


def signal_number(error: KeyboardInterrupt) -> int:
    """The signal behind a ``KeyboardInterrupt`` (SIGINT unless it says otherwise)."""
    return getattr(error, "signum", signal.SIGINT)
