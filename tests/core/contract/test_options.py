"""RunOptions: one frozen dataclass of the common options, a read-only mapping of every option."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from pmtk.core.contract.options import COMMON_DEFAULTS, COMMON_NAMES, RunOptions


def test_the_dataclass_is_frozen():
    options = RunOptions(seed=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.seed = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        options["seed"] = 4  # type: ignore[index]
    with pytest.raises(TypeError):
        options.task_options["image_size"] = 64  # type: ignore[index]


def test_defaults_are_the_fields_defaults():
    options = RunOptions()
    assert (options.seed, options.bootstrap, options.batch_size) == (42, 1000, 32)
    assert (options.val_fraction, options.test_fraction) == (0.15, 0.15)
    assert options.precision == "float32" and options.target_sensitivity == 0.9
    assert dict(COMMON_DEFAULTS) == {name: getattr(options, name) for name in COMMON_NAMES}


def test_it_is_a_mapping_of_every_option_common_then_task():
    options = RunOptions(epochs=3, task_options={"image_size": 64, "augment": False})
    assert list(options) == [*COMMON_NAMES, "image_size", "augment"]
    assert len(options) == len(COMMON_NAMES) + 2
    assert options["epochs"] == 3 and options["image_size"] == 64
    assert options.get("seed") == 42 and options.get("absent") is None
    assert dict(options) == dict(COMMON_DEFAULTS) | {
        "epochs": 3,
        "image_size": 64,
        "augment": False,
    }
    with pytest.raises(KeyError):
        options["absent"]


def test_from_mapping_splits_common_and_task_options():
    options = RunOptions.from_mapping({"seed": 7, "data": Path("a.csv"), "hidden_units": 4})
    assert options.seed == 7 and options.data == Path("a.csv")
    assert dict(options.task_options) == {"hidden_units": 4}
    assert options.epochs == 20  # missing common options take their default
    assert RunOptions.from_mapping(options) is options
    assert RunOptions.from_mapping(dict(options)) == options


def test_a_common_option_is_not_a_task_option():
    with pytest.raises(TypeError, match="seed are common options"):
        RunOptions(task_options={"seed": 1})


def test_it_pickles_and_copies():
    options = RunOptions(seed=5, task_options={"hidden_units": 4})
    assert pickle.loads(pickle.dumps(options)) == options
    assert dataclasses.replace(options, seed=6)["hidden_units"] == 4
