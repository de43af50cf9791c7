"""Multi-worker training: ``TF_CONFIG``, the strategy, who writes, and lost-worker detection.

Every worker runs the same ``pmtk run`` command with its own ``TF_CONFIG``. The chief (the
``chief`` task, or ``worker`` 0 when there is none) writes the run directory; the others train
into a scratch folder removed at the end. TensorFlow must learn about the cluster before its
runtime starts ("Collective ops must be configured at program startup"), so
:func:`make_multi_worker_strategy` is the first TensorFlow call of a multi-worker run.

A worker that dies leaves the others blocked in a collective, where they ignore SIGTERM, so a
:class:`Watchdog` thread probes every peer's address while training and ends the process with
one sentence naming the lost worker when one stops answering.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from pmtk.core.errors import OptionError

#: Seconds a worker waits for every other worker to start (``PMTK_CLUSTER_TIMEOUT``).
CLUSTER_TIMEOUT = 120.0
#: Seconds a peer may stay unreachable during training (``PMTK_WORKER_TIMEOUT``).
WORKER_TIMEOUT = 30.0

EXPECTED_SHAPE = (
    'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
    '"task": {"type": "worker", "index": 0}}\''
)


@dataclass(frozen=True)
class Cluster:
    """This process's place in a ``TF_CONFIG`` cluster.

    Attributes:
        jobs: Addresses per job (``chief``, ``worker``), as in ``TF_CONFIG``.
        task_type: This process's job.
        task_index: This process's index in its job.
    """

    jobs: dict[str, list[str]]
    task_type: str
    task_index: int

    @property
    def tasks(self) -> list[tuple[str, str]]:
        """``(name, address)`` of every task, chief first, e.g. ``("worker 1", "host:port")``."""
        return [
            (f"{job} {index}", address)
            for job in ("chief", "worker")
            for index, address in enumerate(self.jobs.get(job, []))
        ]

    @property
    def name(self) -> str:
        """This task's name, such as ``worker 1``."""
        return f"{self.task_type} {self.task_index}"

    @property
    def is_chief(self) -> bool:
        """Whether this process writes the run directory."""
        if "chief" in self.jobs:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.task_index == 0

    @property
    def num_workers(self) -> int:
        """Processes training together."""
        return len(self.tasks)

    def peers(self) -> list[tuple[str, str]]:
        """Every other task's name and address."""
        return [(name, address) for name, address in self.tasks if name != self.name]


def read_tf_config(environ: dict[str, str] | None = None) -> Cluster:
    """Parses and checks ``TF_CONFIG``.

    Raises:
        OptionError: ``TF_CONFIG`` is missing or malformed; the sentence shows the expected shape.
    """
    raw = (os.environ if environ is None else environ).get("TF_CONFIG", "")
    advice = (
        f"--distribute multi-worker needs TF_CONFIG set on every worker, such as {EXPECTED_SHAPE}"
    )
    if not raw.strip():
        raise OptionError(f"TF_CONFIG is not set; {advice}.")
    try:
        config = json.loads(raw)
        cluster, task = config["cluster"], config["task"]
        jobs = {job: list(cluster[job]) for job in ("chief", "worker") if job in cluster}
        task_type, task_index = str(task["type"]), int(task["index"])
    except (ValueError, KeyError, TypeError) as error:
        raise OptionError(f"TF_CONFIG is not valid ({_describe(error)}); {advice}.") from None
    problem = _problem(jobs, task_type, task_index)
    if problem:
        raise OptionError(f"TF_CONFIG is not valid ({problem}); {advice}.")
    return Cluster(jobs, task_type, task_index)


def _describe(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"no {error.args[0]!r} key"
    return str(error).split("\n")[0]


def _problem(jobs: dict[str, list[str]], task_type: str, index: int) -> str:
    if not jobs.get("worker") and not jobs.get("chief"):
        return "its cluster lists no 'worker' addresses"
    if len(jobs.get("chief", [])) > 1:
        return "a cluster has at most one chief"
    for addresses in jobs.values():
        for address in addresses:
            host, _, port = str(address).rpartition(":")
            if not host or not port.isdigit():
                return f"address {address!r} is not host:port"
    if task_type not in jobs:
        return f"task type {task_type!r} is not a job of the cluster"
    if not 0 <= index < len(jobs[task_type]):
        return f"task index {index} is outside the {len(jobs[task_type])} {task_type} address(es)"
    return ""


def _seconds(variable: str, default: float) -> float:
    try:
        return float(os.environ.get(variable, default))
    except ValueError:
        raise OptionError(
            f"{variable} must be a number of seconds; got {os.environ[variable]!r}."
        ) from None


def make_multi_worker_strategy(cluster: Cluster) -> Any:
    """Creates ``MultiWorkerMirroredStrategy``; must come before any other TensorFlow call.

    The coordination service is configured with bounded timeouts: every worker must join
    within ``PMTK_CLUSTER_TIMEOUT`` seconds (default 120), and a silent peer fails the others
    after ``PMTK_WORKER_TIMEOUT`` seconds (default 30).

    Raises:
        OptionError: TensorFlow already started in this process, or a worker cannot be
            reached within the timeout (names its address).
    """
    from pmtk.core.runtime.tensorflow_setup import quiet_import_tensorflow

    tf = quiet_import_tensorflow()
    from tensorflow.python.eager import context as eager_context

    if eager_context.context()._context_handle is not None:  # the runtime already started
        raise OptionError(
            "--distribute multi-worker must be set up before TensorFlow starts, but this "
            "process already used TensorFlow; run pmtk run in a fresh process on every worker."
        )
    from tensorflow.compiler.xla.tsl.protobuf import coordination_config_pb2

    register = _seconds("PMTK_CLUSTER_TIMEOUT", CLUSTER_TIMEOUT)
    heartbeat = _seconds("PMTK_WORKER_TIMEOUT", WORKER_TIMEOUT)
    eager_context.context().configure_coordination_service(
        service_type="standalone",
        service_leader=f"/job:{cluster.tasks[0][0].split()[0]}/replica:0/task:0",
        cluster_register_timeout_in_ms=int(register * 1000),
        heartbeat_timeout_in_ms=int(heartbeat * 1000),
        shutdown_barrier_timeout_in_ms=int(max(register, heartbeat) * 1000),
        coordinated_jobs=[
            coordination_config_pb2.CoordinatedJob(name=job, num_tasks=len(addresses))
            for job, addresses in cluster.jobs.items()
        ],
    )
    options = tf.distribute.experimental.CommunicationOptions(
        implementation=tf.distribute.experimental.CommunicationImplementation.RING
    )
    print(
        f"{cluster.name[0].upper()}{cluster.name[1:]} of {cluster.num_workers}: waiting up to "
        f"{register:g} s for the other workers (--distribute multi-worker).",
        file=sys.stderr,
    )
    # TensorFlow may wait for a missing peer forever, deaf to signals: the sentinel ends it.
    sentinel = Sentinel.start(cluster)
    sentinel.send(f"join {register}")
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    except Exception as error:  # TensorFlow reports a missing peer with several error types
        missing = unreachable(cluster, timeout=2.0)
        where = ", ".join(f"{n} at {a}" for n, a in missing) or "every other worker"
        raise OptionError(
            f"{cluster.name} could not reach {where} (--distribute multi-worker, "
            f"{type(error).__name__}); start the same pmtk run command on every worker of "
            "TF_CONFIG and check that each address is reachable."
        ) from None
    sentinel.send("joined")
    return strategy


def unreachable(cluster: Cluster, timeout: float) -> list[tuple[str, str]]:
    """The peers whose address does not accept a TCP connection within ``timeout`` seconds."""
    return [(name, address) for name, address in cluster.peers() if not answers(address, timeout)]


def answers(address: str, timeout: float) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return True
    except OSError:
        return False


class Sentinel:
    """The helper process (:mod:`pmtk.core.runtime.sentinel`) that ends this worker when peers
    are lost.

    One per process; it ends when this process does (its input closes).
    """

    _current: Sentinel | None = None

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process

    @classmethod
    def start(cls, cluster: Cluster) -> Sentinel:
        """Starts the helper for ``cluster`` (once per process)."""
        if cls._current is None:
            arguments = {
                "parent": os.getpid(),
                "jobs": cluster.jobs,
                "task_type": cluster.task_type,
                "task_index": cluster.task_index,
                "worker_timeout": _seconds("PMTK_WORKER_TIMEOUT", WORKER_TIMEOUT),
            }
            process = subprocess.Popen(
                [sys.executable, "-m", "pmtk.core.runtime.sentinel", json.dumps(arguments)],
                stdin=subprocess.PIPE,
                text=True,
            )
            cls._current = cls(process)
            atexit.register(cls._current.close)
        return cls._current

    @classmethod
    def current(cls) -> Sentinel | None:
        """The helper of this process, if a multi-worker run started one."""
        return cls._current

    def send(self, command: str) -> None:
        """Sends one command line (see :mod:`pmtk.core.runtime.sentinel`)."""
        try:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def close(self) -> None:
        """Ends the helper."""
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
