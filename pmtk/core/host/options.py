"""Options of ``pmtk run``: the common ones, ``--config FILE.toml``, and resolving values."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from pmtk.core.contract.options import COMMON_NAMES, RunOptions
from pmtk.core.contract.task import Task, TaskOption
from pmtk.core.data.sample_data import data_path
from pmtk.core.errors import DataError, OptionError
from pmtk.core.evaluation.subgroups import table_columns


def _bare(annotation: Any) -> tuple[type, tuple[str, ...] | None]:
    """The type of a :class:`RunOptions` field without ``None``, and its ``Literal`` choices."""
    if get_origin(annotation) is Literal:
        return str, get_args(annotation)
    kinds = [kind for kind in get_args(annotation) if kind is not type(None)]
    return (kinds[0] if kinds else annotation), None


def _common_options() -> tuple[TaskOption, ...]:
    """The common options as flags: name, type, default and help of each RunOptions field."""
    hints = get_type_hints(RunOptions)
    declared_fields = {option.name: option for option in fields(RunOptions)}
    options = []
    for name in COMMON_NAMES:
        declared = declared_fields[name]
        kind, choices = _bare(hints[name])
        options.append(TaskOption(name, kind, declared.default, declared.metadata["help"], choices))
    return tuple(options)


#: The options every task takes, derived from :class:`RunOptions` (which states the defaults).
COMMON_OPTIONS: tuple[TaskOption, ...] = _common_options()

_POSITIVE = {"epochs", "batch_size", "patience"}


def all_options(task: Task) -> tuple[TaskOption, ...]:
    """Common options followed by the task's own."""
    return COMMON_OPTIONS + tuple(task.options)


def read_config(path: Path, task: Task) -> dict[str, Any]:
    """Reads option values from a TOML file (keys spelled like the flags, with - or _).

    Relative paths in the file are relative to the file's folder.

    Raises:
        OptionError: Missing or malformed file, unknown key, or wrong value type.
    """
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise OptionError(f"Config file {path} does not exist; check the --config path.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise OptionError(f"Config file {path} is not valid TOML ({error}); fix it.") from None
    known = {option.name: option for option in all_options(task)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        option = known.get(name)
        if option is None or name == "config":
            raise OptionError(
                f"Config file {path}: unknown option '{key}' for task '{task.name}'; "
                f"valid options are: {', '.join(sorted(known))}."
            )
        values[name] = _coerce(option, value, path)
    return values


def _coerce(option: TaskOption, value: Any, path: Path) -> Any:
    if option.multiple:
        if not isinstance(value, list):
            raise OptionError(
                f"Config file {path}: '{option.name}' must be a list such as "
                f"['{option.name}-value'], got {value!r}."
            )
        single = TaskOption(option.name, option.type, None, option.help, option.choices)
        return [_coerce(single, item, path) for item in value]
    expected = option.type
    if expected is Path and isinstance(value, str):
        return (path.parent / value).resolve()
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise OptionError(
            f"Config file {path}: '{option.name}' must be {expected.__name__}, got {value!r}."
        )
    return value


def _check_choice(option: TaskOption, value: Any) -> None:
    if option.choices and value is not None and value not in option.choices:
        raise OptionError(
            f"--{option.name.replace('_', '-')} must be one of {', '.join(option.choices)}; "
            f"got '{value}'."
        )


def resolve(task: Task, given: dict[str, Any], explicit: set[str]) -> RunOptions:
    """Merges command-line values, the config file and defaults, then validates them.

    Args:
        task: The task being run.
        given: Every option value as parsed (defaults included).
        explicit: Names of the options typed on the command line.

    Returns:
        The resolved options, every one of the task's given; the command line wins over the
        file, the file over defaults.
    """
    known = {option.name for option in all_options(task)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise OptionError(
            f"Unknown option(s) for task '{task.name}': {', '.join(unknown)}; "
            f"valid options are: {', '.join(sorted(known))}."
        )
    options = dict(given)
    config_path = given.get("config")
    if config_path is not None:
        for name, value in read_config(Path(config_path), task).items():
            if name not in explicit:
                options[name] = value
    for option in all_options(task):
        value = options.get(option.name)
        if option.multiple:
            options[option.name] = value = list(value) if value else []
        for item in value if option.multiple else [value]:
            _check_choice(option, item)
        if option.type is float and value is not None and not math.isfinite(value):
            raise OptionError(
                f"--{option.name.replace('_', '-')} must be a finite number; got {value}."
            )
        if option.name in _POSITIVE and value is not None and value < 1:
            raise OptionError(f"--{option.name.replace('_', '-')} must be at least 1; got {value}.")
    if options.get("bootstrap") is not None and options["bootstrap"] < 0:
        raise OptionError(
            f"--bootstrap must be 0 (no intervals) or a positive number of resamples; "
            f"got {options['bootstrap']}."
        )
    if options.get("learning_rate") is not None and options["learning_rate"] <= 0:
        raise OptionError(f"--learning-rate must be above 0; got {options['learning_rate']}.")
    sensitivity = options.get("target_sensitivity")
    if sensitivity is not None and not 0 < sensitivity < 1:
        raise OptionError(
            "--target-sensitivity must be between 0 and 1 (exclusive), such as 0.9; "
            f"got {sensitivity}."
        )
    if options.get("model") is None:
        options["model"] = task.default_model
    check_subgroup_column(task, options)
    return RunOptions.from_mapping(options)


def check_subgroup_column(task: Task, options: Mapping[str, Any]) -> None:
    """Refuses a ``--subgroup-column`` the data table does not have, before any training.

    Raises:
        DataError: The data is not a table, or the table lacks the column.
    """
    column = options.get("subgroup_column")
    if column is None:
        return
    try:
        path = data_path(task, options.get("data"))
    except Exception:  # a missing --data gets its own sentence when the data is read
        return
    columns = table_columns(path)
    if columns is None:
        if path.is_dir() or path.suffix.lower() in (".fa", ".fasta", ".fna", ".gz"):
            raise DataError(
                f"--subgroup-column {column}: {path} is not a table; give a CSV/TSV manifest "
                "or cohort file with that column as --data."
            )
        return
    if column not in columns:
        raise DataError(
            f"{path} has no column '{column}' (--subgroup-column); its columns are: "
            f"{', '.join(columns)}."
        )
