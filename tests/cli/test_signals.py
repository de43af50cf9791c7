"""Interrupted, killed, resumed and concurrent `pmtk run` processes on the risk sample."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pmtk.core.run.rundir import read_progress

pytestmark = pytest.mark.slow

#: Bounded waits: a stuck process fails the test instead of hanging the suite.
START_TIMEOUT = 240
RUN_TIMEOUT = 400


def _command(output: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pmtk", "run", "risk", "--output", str(output), *args]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMTK_")}
    return env | {"PYTHONUNBUFFERED": "1"}


def _start(output: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    log = output.parent / f"{output.name}-{time.monotonic_ns()}.stderr"
    with log.open("w") as handle:
        process = subprocess.Popen(
            _command(output, *args),
            cwd=output.parent,
            stdout=subprocess.DEVNULL,
            stderr=handle,
            env=_environment(),
        )
    return process, log


def _run(output: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        _command(output, *args),
        cwd=output.parent,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env=_environment(),
    )


def _finished_epochs(staging: Path) -> int:
    """Epochs in the checkpoint (history.csv gets its row a moment earlier)."""
    try:
        return read_progress(staging / "checkpoint" / "state.npz")[0]
    except (FileNotFoundError, ValueError, OSError):
        return 0


def _wait_for_epochs(process: subprocess.Popen, staging: Path, epochs: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while _finished_epochs(staging) < epochs:
        assert process.poll() is None, "the run ended before it could be interrupted"
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {epochs} finished epoch(s) within {START_TIMEOUT} s")
        time.sleep(0.05)


def _epochs(history: Path) -> list[int]:
    return [int(line.split(",")[0]) for line in history.read_text().splitlines()[1:]]


def _staging(output: Path) -> Path:
    return output.parent / f".{output.name}.incomplete"


def test_killed_run_resumes_with_every_epoch_once(tmp_path):
    output = tmp_path / "run"
    args = ("--epochs", "8", "--patience", "50")
    process, _ = _start(output, *args)
    _wait_for_epochs(process, _staging(output), 3)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert not output.exists() and (_staging(output) / "checkpoint" / "state.npz").exists()

    refused = _run(output, *args[:2], "--patience", "49", "--resume")
    assert refused.returncode == 1
    errors = [line for line in refused.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0] == refused.stderr.strip().splitlines()[-1]
    assert errors[0].startswith("Error: Cannot resume:") and "--patience 50" in errors[0]
    assert not output.exists() and "Traceback" not in refused.stderr

    resumed = _run(output, *args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    notes = [line for line in resumed.stderr.splitlines() if line.startswith("Resuming")]
    assert len(notes) == 1 and notes[0].startswith("Resuming from epoch ")
    assert _epochs(output / "history.csv") == list(range(8))
    assert not _staging(output).exists() and not (output / "checkpoint").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".stderr")) == ["run"]

    uninterrupted = _run(tmp_path / "uninterrupted", *args)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    history = (output / "history.csv").read_bytes()
    assert history == (tmp_path / "uninterrupted" / "history.csv").read_bytes()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_the_run_without_publishing(tmp_path, signum):
    output = tmp_path / "run"
    process, log = _start(output, "--epochs", "500", "--patience", "500")
    _wait_for_epochs(process, _staging(output), 1)
    sent = time.monotonic()
    process.send_signal(signum)
    assert process.wait(timeout=60) == 128 + signum
    assert time.monotonic() - sent < 20
    stderr = log.read_text()
    sentences = [line for line in stderr.splitlines() if line.startswith("Interrupted")]
    assert sentences == [stderr.strip().splitlines()[-1]]
    name = signal.Signals(signum).name
    assert sentences[0].startswith(f"Interrupted by {name}: nothing was published; ")
    assert str(_staging(output)) in sentences[0] and "--resume" in sentences[0]
    assert "Traceback" not in stderr
    assert not output.exists() and (_staging(output) / "checkpoint" / "state.npz").exists()
    assert not (tmp_path / ".run.lock").exists()


def test_two_runs_to_one_output_publish_once(tmp_path):
    output = tmp_path / "run"
    first, first_log = _start(output, "--epochs", "2")
    second, second_log = _start(output, "--epochs", "2")
    codes = sorted([first.wait(timeout=RUN_TIMEOUT), second.wait(timeout=RUN_TIMEOUT)])
    assert codes == [0, 1]
    loser = first_log if first.returncode else second_log
    message = loser.read_text().strip().splitlines()
    assert len(message) == 1 and str(output) in message[0]
    assert "Another pmtk run is writing" in message[0] or "already exists" in message[0]
    assert _epochs(output / "history.csv") == [0, 1]
    assert not _staging(output).exists() and not (tmp_path / ".run.lock").exists()


def test_resume_with_nothing_to_resume(tmp_path):
    result = _run(tmp_path / "run", "--resume")
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: Nothing to resume for {tmp_path / 'run'}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
