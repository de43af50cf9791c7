"""Plugins written against pmtk 0.1's flat core keep importing it, with a warning."""

from __future__ import annotations

import json
import subprocess
import sys

from pmtk.core import MOVED

PROBE = """
import importlib, json, sys, warnings
from pmtk.core import MOVED
found = {}
for old, new in MOVED.items():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    found[old] = {
        "same": module is importlib.import_module(new),
        "warned": [str(w.message) for w in caught if w.category is DeprecationWarning],
    }
from pmtk.core.task import Task, TaskOption  # the form plugins write
from pmtk.core.contract.task import Task as Moved
found["from-import"] = {"same": Task is Moved, "warned": ["-"]}
print(json.dumps(found))
"""


def test_every_old_module_name_imports_the_new_module_with_a_deprecation_warning():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    found = json.loads(result.stdout)
    assert set(found) == {*MOVED, "from-import"}
    for old, seen in found.items():
        assert seen["same"], old
        assert len(seen["warned"]) == 1, (old, seen["warned"])
        if old in MOVED:
            assert f"{old} moved to {MOVED[old]}" in seen["warned"][0]


def test_no_old_name_shadows_a_module_that_exists():
    import importlib.util

    for old, new in MOVED.items():
        assert importlib.util.find_spec(new) is not None, new
        assert not old.endswith((".data", ".evaluation", ".runtime", ".loop", ".run")), old
