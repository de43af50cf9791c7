"""Resolving ``pmtk run`` options: defaults < ``--config`` TOML < command line, and validation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pmtk.core.contract.options import COMMON_NAMES, RunOptions
from pmtk.core.errors import OptionError
from pmtk.core.host.options import COMMON_OPTIONS, all_options, read_config, resolve
from tests.core.fake_task import FakeTask

TASK = FakeTask()


def _defaults(**given) -> dict:
    """What the CLI passes as ``given``: every option, defaults included."""
    values = {option.name: option.default for option in all_options(TASK)}
    values.update(given)
    return values


def _config(tmp_path: Path, text: str, name: str = "run.toml") -> Path:
    path = tmp_path / "configs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_all_options_are_common_then_task_options():
    names = [option.name for option in all_options(TASK)]
    assert names[: len(COMMON_OPTIONS)] == [option.name for option in COMMON_OPTIONS]
    assert names[-1] == "hidden_units"


def test_defaults_only():
    options = resolve(TASK, _defaults(), set())
    assert options["epochs"] == 20 and options["seed"] == 42 and options["distribute"] == "default"
    assert options["hidden_units"] == 4


def test_config_file_overrides_defaults_and_command_line_overrides_file(tmp_path):
    config = _config(tmp_path, "epochs = 3\nseed = 5\nbatch_size = 16\nhidden_units = 8\n")
    given = _defaults(config=config, epochs=9, seed=42)
    # epochs was typed on the command line; seed was not (42 is its default).
    options = resolve(TASK, given, explicit={"epochs", "config"})
    assert options["epochs"] == 9
    assert options["seed"] == 5
    assert options["batch_size"] == 16
    assert options["hidden_units"] == 8
    assert options["learning_rate"] == 1e-3


def test_keys_may_use_dashes_or_underscores(tmp_path):
    config = _config(tmp_path, "batch-size = 4\nlearning_rate = 0.01\nval-fraction = 0.2\n")
    values = read_config(config, TASK)
    assert values == {"batch_size": 4, "learning_rate": 0.01, "val_fraction": 0.2}


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    config = _config(tmp_path, 'data = "cohort.csv"\noutput = "../runs/first"\n')
    values = read_config(config, TASK)
    assert values["data"] == (config.parent / "cohort.csv").resolve()
    assert values["output"] == (tmp_path / "runs" / "first").resolve()


def test_absolute_paths_are_kept(tmp_path):
    target = tmp_path / "elsewhere" / "data.csv"
    values = read_config(_config(tmp_path, f'data = "{target}"\n'), TASK)
    assert values["data"] == target


def test_integers_are_accepted_for_float_options(tmp_path):
    values = read_config(_config(tmp_path, "learning_rate = 1\n"), TASK)
    assert values["learning_rate"] == 1.0 and isinstance(values["learning_rate"], float)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("epochs = 3\nlayers = 2\n", "unknown option 'layers' for task 'fake'"),
        ('config = "other.toml"\n', "unknown option 'config'"),
        ('epochs = "ten"\n', "'epochs' must be int, got 'ten'"),
        ("epochs = true\n", "'epochs' must be int, got True"),
        ("seed = 1.5\n", "'seed' must be int"),
        ("data = 3\n", "'data' must be Path"),
        ("epochs = = 3\n", "is not valid TOML"),
    ],
    ids=[
        "unknown-key",
        "config-key",
        "string-for-int",
        "bool-for-int",
        "float-for-int",
        "number-for-path",
        "invalid-toml",
    ],  # fmt: skip
)
def test_bad_config_files_are_option_errors_naming_the_file(tmp_path, text, expected):
    config = _config(tmp_path, text)
    with pytest.raises(OptionError) as caught:
        resolve(TASK, _defaults(config=config), {"config"})
    message = str(caught.value)
    assert str(config) in message and expected in message
    assert "\n" not in message


def test_unknown_key_lists_the_valid_options(tmp_path):
    with pytest.raises(OptionError) as caught:
        read_config(_config(tmp_path, "layers = 2\n"), TASK)
    assert "batch_size" in str(caught.value) and "hidden_units" in str(caught.value)


def test_missing_config_file_is_an_option_error_naming_it(tmp_path):
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(OptionError, match="does not exist") as caught:
        resolve(TASK, _defaults(config=missing), {"config"})
    assert str(missing) in str(caught.value)


@pytest.mark.parametrize("source", ["command-line", "config"])
def test_choices_are_validated(tmp_path, source):
    if source == "config":
        given = _defaults(config=_config(tmp_path, 'distribute = "parallel"\n'))
    else:
        given = _defaults(distribute="parallel")
    with pytest.raises(OptionError, match="--distribute must be one of default, mirrored"):
        resolve(TASK, given, set())


@pytest.mark.parametrize("name", ["epochs", "batch_size", "patience"])
@pytest.mark.parametrize("value", [0, -1])
def test_counts_below_one_are_rejected(name, value):
    flag = "--" + name.replace("_", "-")
    with pytest.raises(OptionError, match=f"{flag} must be at least 1; got {value}"):
        resolve(TASK, _defaults(**{name: value}), {name})


def test_epochs_below_one_from_config_are_rejected(tmp_path):
    config = _config(tmp_path, "epochs = 0\n")
    with pytest.raises(OptionError, match="--epochs must be at least 1"):
        resolve(TASK, _defaults(config=config), {"config"})


def test_default_model_comes_from_the_task():
    assert resolve(TASK, _defaults(), set())["model"] == "dense"
    assert resolve(TASK, _defaults(model="broken"), {"model"})["model"] == "broken"


def test_resolve_does_not_modify_the_given_values(tmp_path):
    given = _defaults(config=_config(tmp_path, "epochs = 3\n"))
    resolve(TASK, given, {"config"})
    assert given["epochs"] == 20 and given["model"] is None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=str)
@pytest.mark.parametrize("name", ["learning_rate", "val_fraction"])
def test_non_finite_numbers_are_rejected(name, value):
    with pytest.raises(OptionError, match=rf"--{name.replace('_', '-')} must be a finite number"):
        resolve(TASK, _defaults(**{name: value}), {name})


def test_non_finite_numbers_from_config_are_rejected(tmp_path):
    config = _config(tmp_path, "learning-rate = nan\n")
    with pytest.raises(OptionError, match="must be a finite number; got nan"):
        resolve(TASK, _defaults(config=config), {"config"})


def test_negative_bootstrap_is_rejected_and_zero_turns_intervals_off():
    with pytest.raises(OptionError, match="--bootstrap must be 0 .* got -5"):
        resolve(TASK, _defaults(bootstrap=-5), {"bootstrap"})
    assert resolve(TASK, _defaults(bootstrap=0), {"bootstrap"})["bootstrap"] == 0


def test_bootstrap_that_is_not_an_integer_is_a_usage_error(cli):
    result = cli("run", "risk", "--bootstrap", "many")
    assert result.exit_code == 2
    text = " ".join(result.output.replace("│", " ").split())  # typer draws a box
    assert "Invalid value for '--bootstrap'" in text and "valid integer" in text
    assert "Traceback" not in result.output


def test_common_options_are_the_run_options_fields():
    assert [option.name for option in COMMON_OPTIONS] == list(COMMON_NAMES)
    defaults = RunOptions()
    for option in COMMON_OPTIONS:
        assert option.default == getattr(defaults, option.name), option.name
        assert option.help, option.name
    choices = {option.name: option.choices for option in COMMON_OPTIONS if option.choices}
    assert choices == {
        "distribute": ("default", "mirrored", "multi-worker"),
        "precision": ("float32", "mixed_bfloat16", "mixed_float16"),
    }
    types = {option.name: option.type for option in COMMON_OPTIONS}
    assert (types["data"], types["seed"], types["learning_rate"]) == (Path, int, float)
    assert (types["calibrate"], types["group_column"]) == (bool, str)


def test_the_cli_default_of_every_common_flag_is_the_dataclass_default(host):
    import typer

    from pmtk.cli.app import build_app

    command = typer.main.get_command(build_app(host)).commands["run"].commands["risk"]
    flags = {parameter.name: parameter for parameter in command.params}
    defaults = RunOptions()
    for name in COMMON_NAMES:
        assert flags[name].default == getattr(defaults, name), name
        assert flags[name].opts[0] == "--" + name.replace("_", "-")


def test_resolve_builds_run_options_with_the_task_options_beside():
    options = resolve(TASK, _defaults(seed=5), {"seed"})
    assert isinstance(options, RunOptions)
    assert options.seed == 5 and options.epochs == RunOptions().epochs
    assert dict(options.task_options) == {"hidden_units": 4}
    assert list(options) == [option.name for option in all_options(TASK)]


def test_a_config_file_builds_the_same_run_options_as_the_flags(tmp_path):
    config = _config(tmp_path, "epochs = 3\nbatch-size = 16\nhidden_units = 8\n")
    from_file = resolve(TASK, _defaults(config=config), {"config"})
    from_flags = resolve(TASK, _defaults(epochs=3, batch_size=16, hidden_units=8), set())
    assert dataclasses.replace(from_file, config=None) == from_flags
