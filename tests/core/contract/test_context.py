"""The run context is read-only: frozen, with options and derived a task only reads."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle

import pytest

from pmtk.core.contract.context import RunContext, Settings
from pmtk.core.contract.options import RunOptions


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


def test_options_read_as_a_mapping_exactly_as_given():
    context = RunContext("imaging", {"image_size": 64, "seed": 3})
    assert isinstance(context.options, dict)  # plugins may json.dumps or dict() it
    assert context.options["image_size"] == 64 and context.options.get("seed") == 3
    assert context.options.get("epochs") is None and "epochs" not in context.options
    assert json.loads(json.dumps(context.options)) == {"image_size": 64, "seed": 3}


def test_common_options_read_typed_with_the_dataclass_defaults():
    context = RunContext("imaging", {"seed": 3})
    assert context.options.seed == 3
    assert context.options.bootstrap == RunOptions().bootstrap
    assert context.options.val_fraction == RunOptions().val_fraction
    with pytest.raises(AttributeError, match="task_option"):
        context.options.image_size  # noqa: B018


def test_a_context_built_from_run_options_holds_every_option():
    options = RunOptions(epochs=2, task_options={"image_size": 64})
    context = RunContext("imaging", options)
    assert dict(context.options) == dict(options)
    assert context.options.epochs == 2 and context.options.task_option("image_size") == 64


def test_task_options_read_with_the_declared_default(host):
    context = RunContext("imaging", {"dropout_rate": 0.1}, host.registry)
    assert context.options.task_option("dropout_rate") == 0.1
    declared = {option.name: option.default for option in host.registry.task("imaging").options}
    assert context.options.task_option("augment") is declared["augment"]
    assert context.options.task_option("color_mode") == declared["color_mode"]
    with pytest.raises(KeyError, match="no declaration of it is known"):
        context.options.task_option("latent_dim")  # not an imaging option


def test_task_options_without_a_registry_need_their_values():
    context = RunContext("imaging", {"image_size": 64})
    assert context.options.task_option("image_size") == 64
    with pytest.raises(KeyError, match="'augment'"):
        context.options.task_option("augment")


def test_a_deprecated_options_write_is_read_back_typed_too():
    context = RunContext("imaging", {"seed": 3})
    with pytest.warns(DeprecationWarning, match=r"return them from Task\.derive\(\)"):
        context.options["seed"] = 9
    assert context.options["seed"] == 9 and context.options.seed == 9
    assert dataclasses.replace(context, run_dir=None).options is context.options


def test_options_copy_and_pickle_with_their_declared_defaults(host):
    context = RunContext("imaging", {"seed": 3}, host.registry)
    for copied in (copy.deepcopy(context.options), pickle.loads(pickle.dumps(context.options))):
        assert copied == {"seed": 3} and copied.seed == 3
        assert copied.task_option("augment") == context.options.task_option("augment")
