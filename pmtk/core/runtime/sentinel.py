"""A helper process that stops a multi-worker run whose peers are lost.

A worker waiting for a peer inside TensorFlow (joining the cluster, or in a collective during
training) holds the interpreter lock and ignores signals, so no thread of its own can end it.
This process, started by :class:`pmtk.core.runtime.distributed.Sentinel`, needs no
TensorFlow: it probes
every peer's address, and when the cluster cannot be joined in time or a peer stops answering
during training it cleans up, prints one sentence and kills the worker.

Commands, one per line on its standard input: ``join SECONDS`` (the cluster must be joined
within SECONDS), ``joined``, ``watch RUN_DIR`` (probe peers while training into RUN_DIR),
``rest`` (training ended). End of input ends the process.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sys
import time
from pathlib import Path

from pmtk.core.runtime.distributed import Cluster, answers, unreachable

CHECKPOINT = Path("checkpoint") / "state.npz"


def _kill(parent: int, sentence: str) -> None:
    sys.stderr.write(f"Error: {sentence}\n")
    sys.stderr.flush()
    os.kill(parent, signal.SIGKILL)
    raise SystemExit(0)


def _kept(cluster: Cluster, run_dir: Path) -> str:
    state = run_dir / CHECKPOINT
    if cluster.is_chief and state.is_file():
        return (
            f"nothing was published; the finished epochs are kept in {run_dir}: restart every "
            "worker with the same command and --resume to continue"
        )
    shutil.rmtree(run_dir, ignore_errors=True)
    return "nothing was published or kept"


def main(parent: int, cluster: Cluster, worker_timeout: float) -> None:
    """Serves the commands of the worker ``parent`` until its input ends."""
    join_deadline = None
    join_seconds = 0.0
    run_dir: Path | None = None
    silent_since: dict[str, float] = {}
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 1.0)
        if ready:
            line = sys.stdin.readline()
            if not line:
                return
            command, _, argument = line.strip().partition(" ")
            if command == "join":
                join_seconds = float(argument)
                join_deadline = time.monotonic() + join_seconds
            elif command == "joined":
                join_deadline = None
            elif command == "watch":
                run_dir, silent_since = Path(argument), {}
            elif command == "rest":
                run_dir = None
        now = time.monotonic()
        if join_deadline is not None and now > join_deadline:
            missing = unreachable(cluster, timeout=2.0)
            where = ", ".join(f"{n} at {a}" for n, a in missing) or "every other worker"
            who = cluster.name.capitalize()
            _kill(parent, f"{who} could not reach {where} within {join_seconds:g} s "
                  "(--distribute multi-worker); start the same pmtk run command on every worker "
                  "of TF_CONFIG, check that each address is reachable, or raise "
                  "PMTK_CLUSTER_TIMEOUT.")  # fmt: skip
        if run_dir is None:
            continue
        for name, address in cluster.peers():
            if answers(address, timeout=1.0):
                silent_since.pop(name, None)
            elif now - silent_since.setdefault(name, now) >= worker_timeout:
                _kill(parent, f"Lost {name} at {address}: it stopped answering for "
                      f"{worker_timeout:g} s during training, so {cluster.name} stopped too; "
                      f"{_kept(cluster, run_dir)}.")  # fmt: skip


if __name__ == "__main__":
    arguments = json.loads(sys.argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides; Ctrl-C reaches both
    main(
        arguments["parent"],
        Cluster(arguments["jobs"], arguments["task_type"], arguments["task_index"]),
        arguments["worker_timeout"],
    )
