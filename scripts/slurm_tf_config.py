#!/usr/bin/env python3
"""Prints the TF_CONFIG of this Slurm task, for ``pmtk run ... --distribute multi-worker``.

Run once per task of a Slurm job step (``srun``); every task gets the same cluster (one worker
per task, in node-list order) and its own index (``SLURM_PROCID``). Usage inside an sbatch
script, one task per node:

    srun bash -c 'TF_CONFIG="$(python scripts/slurm_tf_config.py)" \\
        pmtk run risk --data cohort.parquet --distribute multi-worker --output runs/big'

The port is ``PMTK_PORT`` (default 23456) on every node; ``SLURM_NTASKS_PER_NODE`` above 1
gives each task of a node its own port (PMTK_PORT + local id).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys


def expand_nodelist(nodelist: str) -> list[str]:
    """Host names of a Slurm node list such as ``gpu[01-03,07],login1``."""
    try:
        out = subprocess.run(
            ["scontrol", "show", "hostnames", nodelist],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout  # fmt: skip
        return out.split()
    except (OSError, subprocess.SubprocessError):
        pass
    hosts: list[str] = []
    for prefix, ranges, plain in re.findall(r"([^,\[]+)\[([^\]]+)\]|([^,]+)", nodelist):
        if plain:
            hosts.append(plain)
            continue
        for part in ranges.split(","):
            first, _, last = part.partition("-")
            for number in range(int(first), int(last or first) + 1):
                hosts.append(f"{prefix}{number:0{len(first)}d}")
    return hosts


def tf_config(environ: dict[str, str]) -> dict:
    """The TF_CONFIG of the Slurm task described by ``environ``."""
    nodes = expand_nodelist(environ["SLURM_JOB_NODELIST"])
    per_node = int(environ.get("SLURM_NTASKS_PER_NODE", "1").split("(")[0])
    port = int(environ.get("PMTK_PORT", "23456"))
    workers = [f"{node}:{port + local}" for node in nodes for local in range(per_node)]
    index = int(environ["SLURM_PROCID"])
    return {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}


if __name__ == "__main__":
    try:
        print(json.dumps(tf_config(dict(os.environ))))
    except KeyError as missing:
        sys.exit(f"{missing.args[0]} is not set: run this script inside a Slurm job (srun).")
