"""The modalities of a fused run: which column holds what, read by which task, embedded how.

``--modality COLUMN=TASK`` names a column of the patient table and the task whose examples
its cells are (an image path for ``imaging``, a DNA sequence for ``genomics``, whatever a
plugin task's :meth:`~pmtk.core.contract.task.Task.modality_examples`
accepts). The remaining columns
form the ``tabular`` modality, read and preprocessed by the risk task. Each modality keeps
its own task context (options and derived settings), so its encoder is built exactly as in
a single-modality run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmtk.core.contract.task import RunContext, TaskOption
from pmtk.core.errors import OptionError
from pmtk.core.host.options import all_options

#: Name of the modality made of the clinical columns, and the task that reads them.
TABULAR = "tabular"
TABULAR_TASK = "risk"
#: Model input holding which modalities each patient has (1 present, 0 missing).
PRESENT = "present"
#: Examples-table column holding a modality column's cell (empty: missing).
CELL_PREFIX = "modality:"
#: Options of the fused run handed to every modality's task that has them.
SHARED_OPTIONS = ("seed", "skip_bad_images", "nonfinite_as_missing")
#: Outcome column and modality columns of the bundled sample patient table.
SAMPLE_TARGET = "outcome"
SAMPLE_ID = "patient_id"
SAMPLE_MODALITIES = ("scan=imaging", "promoter=genomics")
#: Options of the fused run that define the tabular modality (the risk task's reading).
TABULAR_OPTIONS = ("target", "id_column", "categorical", "data")


@dataclass(frozen=True)
class Modality:
    """One modality of a fused run.

    Attributes:
        name: The patient-table column, or ``tabular``.
        task: The task that reads and encodes it.
        encoder: The encoder chosen with ``--encoder NAME=ENCODER`` (None: the task's default).
        options: The modality task's options (its defaults, the fused run's shared options
            and ``--modality-option NAME.OPTION=VALUE``).
        key: The name's form used in model input and layer names.
    """

    name: str
    task: str
    encoder: str | None
    options: Mapping[str, Any]
    key: str

    def to_json(self) -> dict[str, Any]:
        """What ``config.json`` keeps of it (``derived.modalities``)."""
        return {"name": self.name, "task": self.task, "encoder": self.encoder,
                "options": dict(self.options), "key": self.key}  # fmt: skip

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> Modality:
        """The modality ``to_json`` described."""
        return cls(entry["name"], entry["task"], entry["encoder"], entry["options"], entry["key"])

    def context(self, registry: Any, derived: Mapping[str, Any] | None = None) -> RunContext:
        """This modality's own task context (no labels, no group column)."""
        return registry.run_context(self.task, self.options, derived=derived, require_labels=False)


def _pairs(values: list[str], flag: str, example: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, equals, rest = value.partition("=")
        if not equals or not name.strip() or not rest.strip():
            raise OptionError(f"{flag} takes NAME=VALUE such as {example}; got '{value}'.")
        pairs.append((name.strip(), rest.strip()))
    return pairs


def parse_modalities(options: Mapping[str, Any], registry: Any) -> list[Modality]:
    """The ``--modality`` columns, with their encoders and options (tabular not included).

    Raises:
        OptionError: A malformed flag, a repeated column, a task that is not installed or
            has no encoder, an unknown encoder, or a ``--modality-option`` that names an
            unknown modality or option or holds a value of the wrong type.
    """
    given = list(options.get("modality") or [])
    if not given and options.get("data") is None:
        given = list(SAMPLE_MODALITIES)  # the bundled sample's columns
    columns = _pairs(given, "--modality", "scan=imaging")
    if not columns:
        raise OptionError(
            "Name at least one modality column with --modality COLUMN=TASK, such as "
            "--modality scan=imaging (the other columns are the clinical features)."
        )
    seen: set[str] = set()
    for column, task in columns:
        if column in seen or column == TABULAR:
            raise OptionError(
                f"--modality names the column '{column}' twice or uses the reserved name "
                f"'{TABULAR}'; give each column once."
            )
        seen.add(column)
        _check_task(task, column, registry)
    encoders = dict(_pairs(list(options.get("encoder") or []), "--encoder", "scan=seed"))
    settings = _modality_options(options.get("modality_option") or [])
    for name in [*encoders, *settings]:
        if name not in seen and name != TABULAR:
            raise OptionError(
                f"--encoder/--modality-option name '{name}', which is not a --modality column "
                f"nor '{TABULAR}'; use one of: {', '.join([*seen, TABULAR])}."
            )
    modalities = []
    keys: set[str] = {PRESENT}
    for column, task in columns:
        encoder = encoders.get(column)
        registry.encoder_builder(task, encoder)  # refuses an unknown encoder, naming choices
        modalities.append(
            Modality(column, task, encoder, _task_options(registry, task, column, options,
                                                          settings.get(column, {})),
                     _key(column, keys))
        )  # fmt: skip
    return modalities


def tabular_modality(options: Mapping[str, Any], registry: Any, columns: list[str]) -> Modality:
    """The clinical columns as one modality, read and encoded by the risk task.

    ``columns`` are the ``--modality`` columns, which the risk task must leave out.
    """
    settings = _modality_options(options.get("modality_option") or []).get(TABULAR, {})
    encoder = dict(_pairs(list(options.get("encoder") or []), "--encoder", "scan=seed")).get(
        TABULAR
    )
    registry.encoder_builder(TABULAR_TASK, encoder)
    task_options = _task_options(registry, TABULAR_TASK, TABULAR, options, settings)
    excluded = [name.strip() for name in (options.get("exclude") or "").split(",") if name.strip()]
    task_options["exclude"] = ",".join(dict.fromkeys([*excluded, *columns]))
    for name in TABULAR_OPTIONS:
        task_options[name] = options.get(name)
    if options.get("data") is None:  # the bundled sample's columns
        task_options["target"] = options.get("target") or SAMPLE_TARGET
        task_options["id_column"] = options.get("id_column") or SAMPLE_ID
    return Modality(TABULAR, TABULAR_TASK, encoder, task_options, TABULAR)


def _check_task(task: str, column: str, registry: Any) -> None:
    if task not in registry.tasks:
        with_encoders = sorted(name for name in registry.tasks if registry.encoder_names(name))
        raise OptionError(
            f"--modality {column}={task}: no task '{task}' is installed; modalities can be "
            f"{', '.join(with_encoders)}."
        )
    if not registry.encoder_names(task):
        with_encoders = sorted(name for name in registry.tasks if registry.encoder_names(name))
        raise OptionError(
            f"--modality {column}={task}: the task '{task}' registers no encoder, so it cannot "
            f"join a fused model; use one of {', '.join(with_encoders)}, or register an encoder "
            "for it with the pmtk_register_encoders hook."
        )


def _modality_options(values: list[str]) -> dict[str, dict[str, str]]:
    settings: dict[str, dict[str, str]] = {}
    for name, value in _pairs(list(values), "--modality-option", "scan.image_size=64"):
        modality, dot, option = name.rpartition(".")
        if not dot or not modality or not option:
            raise OptionError(
                f"--modality-option takes COLUMN.OPTION=VALUE such as scan.image_size=64; "
                f"got '{name}={value}'."
            )
        settings.setdefault(modality, {})[option.replace("-", "_")] = value
    return settings


def _task_options(
    registry: Any, task_name: str, name: str, options: Mapping[str, Any], given: dict[str, str]
) -> dict[str, Any]:
    task = registry.task(task_name)
    known = {option.name: option for option in all_options(task)}
    values = {option.name: option.default for option in known.values() if not option.multiple}
    for option in SHARED_OPTIONS:
        if option in known and options.get(option) is not None:
            values[option] = options[option]
    for option, text in given.items():
        if option not in known:
            raise OptionError(
                f"--modality-option {name}.{option}: the task '{task_name}' has no option "
                f"'{option}'; its options are: {', '.join(o.name for o in task.options)}."
            )
        values[option] = _coerce(known[option], text, f"{name}.{option}")
    values.pop("output", None)
    values.pop("config", None)
    return values


def _coerce(option: TaskOption, text: str, where: str) -> Any:
    if option.type is bool:
        if text.lower() in ("1", "true", "yes"):
            return True
        if text.lower() in ("0", "false", "no"):
            return False
    elif option.type is Path:
        return str(Path(text).expanduser().resolve())
    else:
        try:
            value = option.type(text)
        except ValueError:
            pass
        else:
            if option.choices and value not in option.choices:
                raise OptionError(
                    f"--modality-option {where} must be one of {', '.join(option.choices)}; "
                    f"got '{text}'."
                )
            return value
    raise OptionError(f"--modality-option {where} must be {option.type.__name__}; got '{text}'.")


def _key(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^0-9A-Za-z_]", "_", name).strip("_") or "modality"
    key, suffix = base, 2
    while key.lower() in taken or key.lower() == TABULAR:
        key, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(key.lower())
    return key
