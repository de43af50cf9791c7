"""--distribute multi-worker: TF_CONFIG checks, and two real workers on 127.0.0.1.

The subprocess tests start ``pmtk run risk`` on the bundled sample once per worker, each with
its own ``TF_CONFIG`` (free ports on loopback), and bound every wait.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pmtk.core.errors import OptionError
from pmtk.core.runtime.distributed import EXPECTED_SHAPE, read_tf_config

ROOT = Path(__file__).resolve().parents[3]
PMTK = [sys.executable, "-c", "from pmtk.cli.app import main; main()"]
#: Test metrics, and the mean absolute difference of test scores, of a 2-worker run and a
#: single-process run of the same seed agree this closely: the global batches are the same,
#: but each replica draws its own dropout masks and sums in another order.
TOLERANCE = 0.02
RISK = ["run", "risk", "--epochs", "2", "--batch-size", "64", "--bootstrap", "20", "--seed", "3"]


def _config(workers: list[str], index: int) -> str:
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        ("", "TF_CONFIG is not set"),
        ("{not json", "TF_CONFIG is not valid"),
        ('{"cluster": {"worker": ["a:1"]}}', "no 'task' key"),
        ('{"cluster": {}, "task": {"type": "worker", "index": 0}}', "no 'worker' addresses"),
        ('{"cluster": {"worker": ["nohost"]}, "task": {"type": "worker", "index": 0}}',
         "'nohost' is not host:port"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}',
         "task index 3 is outside"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}',
         "'ps' is not a job"),
    ],
    ids=["unset", "not-json", "no-task", "no-workers", "bad-address", "bad-index", "bad-type"],
)  # fmt: skip
def test_invalid_tf_config_shows_the_expected_shape(raw, found):
    with pytest.raises(OptionError) as error:
        read_tf_config({"TF_CONFIG": raw})
    message = str(error.value)
    assert found in message and EXPECTED_SHAPE in message
    assert message.count(". ") == 0 and message.endswith(".")


@pytest.mark.parametrize(
    ("jobs", "task", "chief", "workers"),
    [
        ({"worker": ["a:1", "b:1"]}, ("worker", 0), True, 2),
        ({"worker": ["a:1", "b:1"]}, ("worker", 1), False, 2),
        ({"chief": ["c:1"], "worker": ["a:1"]}, ("worker", 0), False, 2),
        ({"chief": ["c:1"], "worker": ["a:1"]}, ("chief", 0), True, 2),
    ],
    ids=["worker0-is-chief", "worker1", "worker0-with-chief", "chief"],
)
def test_chief_and_worker_count(jobs, task, chief, workers):
    raw = json.dumps({"cluster": jobs, "task": {"type": task[0], "index": task[1]}})
    cluster = read_tf_config({"TF_CONFIG": raw})
    assert cluster.is_chief is chief and cluster.num_workers == workers
    assert len(cluster.peers()) == workers - 1


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMTK_", "TF_CONFIG"))}
    env |= {"TF_CPP_MIN_LOG_LEVEL": "3", "PMTK_CLUSTER_TIMEOUT": "60", **extra}
    return env


def _start(arguments: list[str], workers: list[str], index: int, **extra: str):
    return subprocess.Popen(
        [*PMTK, *arguments],
        cwd=ROOT,
        env=_env(TF_CONFIG=_config(workers, index), **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen, timeout: float) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"a worker did not finish within {timeout} s: {stderr[-2000:]}")
    return process.returncode, stderr


def _test_metrics(run_dir: Path) -> dict:
    return json.loads((run_dir / "metrics.json").read_text())["test"]


@pytest.mark.slow
def test_two_workers_publish_one_run_matching_a_single_process(tmp_path):
    output = tmp_path / "two"
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    arguments = [*RISK, "--distribute", "multi-worker", "--output", str(output)]
    processes = [_start(arguments, workers, index) for index in range(2)]
    results = [_finish(process, timeout=150) for process in processes]
    assert [code for code, _ in results] == [0, 0], results[0][1][-2000:] + results[1][1][-2000:]
    assert "Worker 1 finished training" in results[1][1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two"]  # no lock, staging or scratch
    config = json.loads((output / "config.json").read_text())
    assert config["options"]["distribute"] == "multi-worker"
    assert config["loop"]["distribute"]["workers"] == 2

    single = tmp_path / "single"
    completed = subprocess.run(
        [*PMTK, *RISK, "--output", str(single)],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=150,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    distributed, alone = _test_metrics(output), _test_metrics(single)
    for name in ("auroc", "loss", "accuracy"):
        assert distributed[name] == pytest.approx(alone[name], abs=TOLERANCE), name
    scores = [pd.read_csv(run / "predictions.csv")["score"] for run in (output, single)]
    assert (scores[0] - scores[1]).abs().mean() <= TOLERANCE


@pytest.mark.slow
def test_an_unreachable_worker_is_named(tmp_path):
    (port,) = _free_ports(1)
    workers = [f"127.0.0.1:{port}", "127.0.0.1:1"]  # nothing listens on port 1
    arguments = [*RISK, "--distribute", "multi-worker", "--output", str(tmp_path / "run")]
    process = _start(arguments, workers, 0, PMTK_CLUSTER_TIMEOUT="3")
    code, stderr = _finish(process, timeout=60)
    assert code != 0
    assert "Worker 0 could not reach worker 1 at 127.0.0.1:1 within 3 s" in stderr
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_lost_worker_stops_the_chief_which_keeps_its_checkpoint(tmp_path):
    output = tmp_path / "lost"
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    arguments = [*RISK, "--distribute", "multi-worker", "--output", str(output)]
    arguments[arguments.index("--epochs") + 1] = "200"
    extra = {"PMTK_WORKER_TIMEOUT": "5"}
    chief, worker = (_start(arguments, workers, index, **extra) for index in range(2))
    checkpoint = tmp_path / ".lost.incomplete" / "checkpoint" / "state.npz"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and time.monotonic() < deadline and chief.poll() is None:
        time.sleep(0.5)
    assert checkpoint.exists(), "no epoch finished within 120 s"
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=30)
    stopped = time.monotonic()
    code, stderr = _finish(chief, timeout=90)
    assert time.monotonic() - stopped < 90
    assert code != 0
    assert f"Lost worker 1 at {workers[1]}" in stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    assert not output.exists() and checkpoint.exists()
