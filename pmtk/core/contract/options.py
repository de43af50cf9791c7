"""The options every ``pmtk run`` takes, as one frozen dataclass: :class:`RunOptions`.

Each field states its default once, its metadata the ``--help`` line, and a ``Literal``
annotation the allowed values. The command-line flags and ``--config`` keys
(``pmtk.core.host.options.COMMON_OPTIONS``) are derived from it. A task's own options are
declared by ``TaskOption`` and travel beside the common ones in ``task_options``; the whole is
a read-only mapping of every option, in the order ``config.json`` stores them.

Part of the task contract: nothing here imports anything above it, nor TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal


def _option(default: Any, help: str) -> Any:
    """A common option: its default and its one-line ``--help``."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, eq=False)
class RunOptions(Mapping[str, Any]):
    """The resolved options of one run: typed common options, and the task's own.

    Built by ``pmtk run`` (``pmtk.core.host.options.resolve``: defaults, then ``--config``,
    then the command line) and by tests (``RunOptions(epochs=2, task_options={...})``).
    Attributes are typed (``options.seed``); as a mapping it holds every option, common then
    task, with the values ``config.json`` stores. Frozen: a run's options never change.

    Attributes:
        task_options: The values of the task's ``TaskOption`` options, by name.
    """

    data: Path | None = _option(
        None, "File or folder to train on (default: the bundled sample data)."
    )
    output: Path | None = _option(None, "Run directory to create (default: runs/<task>-<time>).")
    model: str | None = _option(
        None, "Architecture; 'pmtk tasks' lists them (default: the task's)."
    )
    epochs: int = _option(20, "Maximum number of epochs.")
    batch_size: int = _option(32, "Examples per batch.")
    learning_rate: float = _option(1e-3, "Adam learning rate.")
    patience: int = _option(5, "Epochs without val-loss improvement before stopping.")
    seed: int = _option(42, "Random seed for splits, weights and shuffling.")
    group_column: str | None = _option(None, "Column whose groups (patients) stay in one split.")
    splitter: str | None = _option(
        None,
        "How examples are split: column, stratified, group, hash, or a plugin's (default: the "
        "data's split column, else stratified; hash for data read in parts).",
    )
    val_fraction: float = _option(0.15, "Share of the data for validation.")
    test_fraction: float = _option(0.15, "Share of the data for testing.")
    positive_class: str | None = _option(None, "For two classes: the class whose risk is scored.")
    distribute: Literal["default", "mirrored", "multi-worker"] = _option(
        "default",
        "tf.distribute strategy: one device, every local device (mirrored), or the workers "
        "of TF_CONFIG (multi-worker; see docs/distributed.md).",
    )
    precision: Literal["float32", "mixed_bfloat16", "mixed_float16"] = _option(
        "float32",
        "Layer precision; mixed_bfloat16/mixed_float16 compute in 16 bits, outputs stay float32.",
    )
    bootstrap: int = _option(
        1000, "Bootstrap resamples of the test split for 95% intervals (0: no intervals)."
    )
    subgroup_column: str | None = _option(
        None,
        "Column of the data table (cohort or manifest) whose values get their own test metrics.",
    )
    calibrate: bool = _option(
        False, "Fit temperature scaling on the validation split and save it inside the model."
    )
    target_sensitivity: float = _option(
        0.9, "Binary targets: sensitivity the operating point's threshold reaches on validation."
    )
    config: Path | None = _option(None, "TOML file of option values; the command line wins.")
    resume: bool = _option(False, "Continue the interrupted run in --output from its last epoch.")
    task_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clash = sorted(set(self.task_options) & set(COMMON_NAMES))
        if clash:
            raise TypeError(
                f"RunOptions: {', '.join(clash)} are common options; give them as fields, "
                "not in task_options."
            )
        object.__setattr__(self, "task_options", MappingProxyType(dict(self.task_options)))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RunOptions:
        """The options of a mapping: its common keys as fields (defaults for those it
        lacks), every other key as a task option. A ``RunOptions`` is returned as it is."""
        if isinstance(values, RunOptions):
            return values
        common = {name: value for name, value in values.items() if name in COMMON_NAMES}
        others = {name: value for name, value in values.items() if name not in COMMON_NAMES}
        return cls(**common, task_options=others)

    def __getitem__(self, name: str) -> Any:
        if name in COMMON_NAMES:
            return getattr(self, name)
        return self.task_options[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMON_NAMES
        yield from self.task_options

    def __len__(self) -> int:
        return len(COMMON_NAMES) + len(self.task_options)

    def __repr__(self) -> str:
        return f"RunOptions({dict(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # the read-only task_options view does not pickle
        return (RunOptions.from_mapping, (dict(self),))


#: Names of the common options, in the order of the flags and of ``config.json``.
COMMON_NAMES: tuple[str, ...] = tuple(
    option.name for option in fields(RunOptions) if "help" in option.metadata
)

#: The default of each common option, as :class:`RunOptions` states it.
COMMON_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {option.name: option.default for option in fields(RunOptions) if "help" in option.metadata}
)
