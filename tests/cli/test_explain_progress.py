"""Progress of long explain jobs: a bar redrawn in place on a terminal, plain lines in a log."""

from __future__ import annotations

import io

import pytest

from pmtk.core.explaining import progress, progress_bar


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run_job(stream: io.StringIO, total: int, batch: int) -> None:
    for done in range(batch, total + batch, batch):
        progress(min(done, total), total, "images", batch, stream=stream)


def test_a_log_gets_a_plain_line_at_each_quarter():
    stream = io.StringIO()
    run_job(stream, 400, 64)
    assert stream.getvalue().splitlines() == [
        "Explained 128/400 images",
        "Explained 256/400 images",
        "Explained 320/400 images",
        "Explained 400/400 images",
    ]
    assert "\r" not in stream.getvalue()


def test_a_terminal_gets_one_bar_redrawn_in_place():
    stream = Terminal()
    run_job(stream, 400, 100)
    text = stream.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n") and text.count("\n") == 1
    last = text.split("\r")[-1].strip()
    assert last == progress_bar(400, 400, "images") and "100% 400/400" in last


@pytest.mark.parametrize("stream", [io.StringIO(), Terminal()], ids=["log", "terminal"])
def test_short_jobs_print_nothing(stream):
    run_job(stream, 199, 10)
    assert stream.getvalue() == ""


def test_the_bar_fills_with_the_share_done():
    assert (
        progress_bar(0, 200, "patients", width=10) == "Explaining patients [..........]   0% 0/200"
    )
    assert progress_bar(100, 200, "patients", width=10).startswith(
        "Explaining patients [#####.....]  50%"
    )
    assert progress_bar(1_500, 3_000, "sequences", width=4).endswith("1,500/3,000")
