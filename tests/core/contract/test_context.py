"""The run context is read-only: frozen, with options and derived a task only reads."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pmtk.core.contract.context import RunContext, Settings


def _context() -> RunContext:
    return RunContext("imaging", {"epochs": 2}, derived={"channels": 1})


def test_context_is_frozen():
    context = _context()
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.derived = {}  # type: ignore[misc]
    replaced = dataclasses.replace(context, run_dir=None, derived={"channels": 3})
    assert replaced.derived == {"channels": 3} and context.derived == {"channels": 1}


def test_options_and_derived_are_read_only_mappings_that_serialise():
    context = _context()
    assert isinstance(context.options, Settings) and isinstance(context.derived, Settings)
    assert json.loads(json.dumps(context.derived)) == {"channels": 1}
    assert context.options.get("epochs") == 2 and dict(context.options) == {"epochs": 2}


def test_the_callers_dict_is_copied_not_shared():
    options = {"epochs": 2}
    context = RunContext("imaging", options)
    options["epochs"] = 5
    assert context.options["epochs"] == 2


def test_a_copied_context_shares_its_settings():
    context = _context()
    assert dataclasses.replace(context, run_dir=None).derived is context.derived


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda m: m.__setitem__("x", 1), id="setitem"),
        pytest.param(lambda m: m.update(x=1), id="update"),
        pytest.param(lambda m: m.setdefault("x", 1), id="setdefault"),
        pytest.param(lambda m: m.pop("channels"), id="pop"),
        pytest.param(lambda m: m.clear(), id="clear"),
    ],
)
def test_writing_is_deprecated_but_still_works(write):
    context = _context()
    with pytest.warns(DeprecationWarning, match=r"return them from Task\.derive\(\)"):
        write(context.derived)
    assert context.derived != {"channels": 1}  # the write took effect


def test_options_writes_are_deprecated_too():
    context = _context()
    with pytest.warns(DeprecationWarning):
        context.options["id_column"] = "patient"
    assert context.options["id_column"] == "patient"
