"""Tasks, models, encoders, readers and explainers contributed by plugins, and who added each.

The API a plugin's command may use (``host.registry``): :meth:`Registry.task`,
:meth:`Registry.model_names`, :meth:`Registry.model_builder`, :meth:`Registry.encoder_names`,
:meth:`Registry.encoder_builder`, :meth:`Registry.reader_for`, :meth:`Registry.extensions`,
:meth:`Registry.explainer`, :meth:`Registry.splitter` and :meth:`Registry.run_context`; the
``tasks``, ``models``, ``encoders``, ``readers``, ``explainers`` and ``splitters`` tables map
names to :class:`Contribution`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pmtk.core.contract.context import RunContext
from pmtk.core.contract.reader import Reader, best_reader
from pmtk.core.contract.targets import TARGET_KINDS, Targets
from pmtk.core.contract.task import Task
from pmtk.core.data.splitters import BUILTIN_SPLITTERS, Splitter
from pmtk.core.errors import OptionError, PluginError

#: Who registered what the core itself provides (its splitters).
CORE = "pmtk"


class HookHost(Protocol):
    """What the registry needs of the plugin host (:class:`pmtk.core.host.plugins.PluginHost`)."""

    records: Mapping[str, Any]

    def call_each(self, hook_name: str, arguments: Callable[[str], dict[str, Any]]) -> None:
        """Calls every implementation of a hook, one plugin at a time."""


@dataclass(frozen=True)
class Contribution:
    """One registered thing and the plugin that registered it."""

    value: Any
    plugin: str
    description: str = ""


@dataclass
class Registry:
    """Everything plugins registered. Build it with :meth:`Registry.collect`."""

    tasks: dict[str, Contribution] = field(default_factory=dict)
    models: dict[str, dict[str, Contribution]] = field(default_factory=dict)
    readers: dict[str, list[Contribution]] = field(default_factory=dict)
    #: modality -> encoder name -> its builder (``pmtk_register_encoders``).
    encoders: dict[str, dict[str, Contribution]] = field(default_factory=dict)
    #: task name -> its explainer (``pmtk explain``).
    explainers: dict[str, Contribution] = field(default_factory=dict)
    #: name -> splitter (``--splitter``): the core's, then plugins' (``pmtk_register_splitters``).
    splitters: dict[str, Contribution] = field(
        default_factory=lambda: {
            name: Contribution(splitter, CORE, splitter.description)
            for name, splitter in BUILTIN_SPLITTERS.items()
        }
    )
    #: (kind, name) -> every plugin that registered that name.
    conflicts: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def collect(cls, host: HookHost) -> Registry:
        """Calls the registration hooks of every loaded plugin."""
        registry = cls()
        builtin = {name for name, record in host.records.items() if record.builtin}
        host.call_each(
            "pmtk_register_tasks", lambda plugin: {"register": registry._task(plugin, builtin)}
        )
        host.call_each("pmtk_register_models", lambda plugin: {"register": registry._model(plugin)})
        host.call_each(
            "pmtk_register_encoders", lambda plugin: {"register": registry._encoder(plugin)}
        )
        host.call_each(
            "pmtk_register_readers", lambda plugin: {"register": registry._reader(plugin)}
        )
        host.call_each(
            "pmtk_register_explainers", lambda plugin: {"register": registry._explainer(plugin)}
        )
        host.call_each(
            "pmtk_register_splitters", lambda plugin: {"register": registry._splitter(plugin)}
        )
        return registry

    def _claim(self, kind: str, name: str, table: dict, contribution: Contribution) -> None:
        if name in table:
            plugins = self.conflicts.setdefault((kind, name), [table[name].plugin])
            plugins.append(contribution.plugin)
            return
        table[name] = contribution

    def _task(self, plugin: str, builtin: set[str]) -> Callable[[Task], None]:
        def register(task: Task) -> None:
            if not isinstance(task, Task):
                raise TypeError(f"register() expects a pmtk Task instance, got {task!r}")
            if task.target_kind is not None and task.target_kind not in TARGET_KINDS:
                raise ValueError(
                    f"the task '{task.name}' has target_kind '{task.target_kind}'; expected "
                    f"None or one of: {', '.join(TARGET_KINDS)}"
                )
            owner = self.tasks.get(task.name)
            if owner is not None and owner.plugin in builtin and plugin not in builtin:
                # A built-in task keeps its name; the newcomer is reported as failed.
                raise PluginError(
                    f"the task name '{task.name}' belongs to pmtk's built-in plugin "
                    f"'{owner.plugin}'; rename the task (its other tasks were not registered)"
                )
            self._claim("task", task.name, self.tasks, Contribution(task, plugin, task.description))

        return register

    def _model(self, plugin: str) -> Callable[..., None]:
        def register(task_name: str, model_name: str, builder: Callable, description: str = ""):
            table = self.models.setdefault(task_name, {})
            self._claim(
                f"model of {task_name}",
                model_name,
                table,
                Contribution(builder, plugin, description),
            )

        return register

    def _encoder(self, plugin: str) -> Callable[..., None]:
        def register(modality: str, encoder_name: str, builder: Callable, description: str = ""):
            if not callable(builder):
                raise TypeError(f"register() expects an encoder builder function, got {builder!r}")
            table = self.encoders.setdefault(modality, {})
            contribution = Contribution(builder, plugin, description)
            self._claim(f"encoder of {modality}", encoder_name, table, contribution)

        return register

    def _reader(self, plugin: str) -> Callable[[str, Reader], None]:
        def register(task_name: str, reader: Reader) -> None:
            if not isinstance(reader, Reader):
                raise TypeError(f"register() expects a pmtk Reader, got {reader!r}")
            self.readers.setdefault(task_name, []).append(
                Contribution(reader, plugin, reader.description)
            )

        return register

    def _explainer(self, plugin: str) -> Callable[[str, Any], None]:
        def register(task_name: str, explainer: Any) -> None:
            # Checked by what it does: pmtk.core.explaining sits above the registry.
            if not all(callable(getattr(explainer, m, None)) for m in ("explain", "write")):
                raise TypeError(f"register() expects a pmtk Explainer instance, got {explainer!r}")
            contribution = Contribution(explainer, plugin, explainer.description)
            self._claim("explainer of", task_name, self.explainers, contribution)

        return register

    def _splitter(self, plugin: str) -> Callable[[Splitter], None]:
        def register(splitter: Splitter) -> None:
            if not isinstance(splitter, Splitter):
                raise TypeError(f"register() expects a pmtk Splitter instance, got {splitter!r}")
            contribution = Contribution(splitter, plugin, splitter.description)
            self._claim("splitter", splitter.name, self.splitters, contribution)

        return register

    def splitter(self, name: str) -> Splitter:
        """The splitter ``--splitter name`` chooses.

        Raises:
            OptionError: No splitter has that name.
            PluginError: Several plugins register it.
        """
        self._check_conflict("splitter", name)
        if name not in self.splitters:
            raise OptionError(
                f"Unknown splitter '{name}' (--splitter); choose one of: "
                f"{', '.join(sorted(self.splitters))}."
            )
        return self.splitters[name].value

    def explainer(self, task_name: str) -> Any:
        """The explainer registered for a task.

        Raises:
            PluginError: No plugin registers one for the task, or several do.
        """
        self._check_conflict("explainer of", task_name)
        if task_name not in self.explainers:
            known = ", ".join(sorted(self.explainers)) or "none"
            raise PluginError(
                f"The task '{task_name}' has no explainer, so 'pmtk explain' cannot explain its "
                f"runs (tasks with one: {known}); a plugin can add one with the "
                "pmtk_register_explainers hook."
            )
        return self.explainers[task_name].value

    def _check_conflict(self, kind: str, name: str) -> None:
        plugins = self.conflicts.get((kind, name))
        if plugins:
            raise PluginError(
                f"The {kind} '{name}' is registered by more than one plugin "
                f"({', '.join(repr(p) for p in plugins)}); uninstall one of them or disable it "
                f"with PMTK_DISABLE_PLUGINS={plugins[-1]}."
            )

    def task(self, name: str) -> Task:
        """The task called ``name``.

        Raises:
            PluginError: No plugin registers it, or several do.
        """
        self._check_conflict("task", name)
        if name not in self.tasks:
            known = ", ".join(sorted(self.tasks)) or "none"
            raise PluginError(
                f"Unknown task '{name}'; the installed tasks are: {known}. "
                "Run 'pmtk tasks' to list them, or install the plugin that provides it."
            )
        return self.tasks[name].value

    def model_names(self, task_name: str) -> list[str]:
        """Architectures registered for a task."""
        return sorted(self.models.get(task_name, {}))

    def model_builder(self, task_name: str, model_name: str) -> Callable:
        """The builder of ``--model model_name`` for a task.

        Raises:
            OptionError: No plugin registers that model for the task.
            PluginError: Several plugins register it.
        """
        self._check_conflict(f"model of {task_name}", model_name)
        models = self.models.get(task_name, {})
        if model_name not in models:
            raise OptionError(
                f"Unknown model '{model_name}' for task '{task_name}'; choose one of: "
                f"{', '.join(sorted(models)) or 'none'} (--model NAME)."
            )
        return models[model_name].value

    def encoder_names(self, modality: str) -> list[str]:
        """Encoders registered for a modality (a task's name for the built-in modalities)."""
        return sorted(self.encoders.get(modality, {}))

    def encoder_builder(self, modality: str, encoder_name: str | None = None) -> Callable:
        """The builder of an encoder: ``builder(spec) -> pmtk.core.contract.encoders.Encoded``.

        Args:
            modality: The modality (a task's name for the built-in ones).
            encoder_name: The encoder; None means the modality task's ``default_encoder``,
                or the modality's only encoder when the task names none.

        Raises:
            OptionError: No plugin registers that encoder for the modality.
            PluginError: Several plugins register it.
        """
        encoders = self.encoders.get(modality, {})
        if encoder_name is None and modality in self.tasks:
            encoder_name = self.tasks[modality].value.default_encoder
        if encoder_name is None and len(encoders) == 1:  # a modality's only encoder
            encoder_name = next(iter(encoders))
        self._check_conflict(f"encoder of {modality}", str(encoder_name))
        if encoder_name not in encoders:
            raise OptionError(
                f"Unknown encoder '{encoder_name}' for the modality '{modality}'; choose one "
                f"of: {', '.join(sorted(encoders)) or 'none'}."
            )
        return encoders[encoder_name].value

    def readers_of(self, task_name: str) -> tuple[Reader, ...]:
        """Every reader registered for a task, in registration order."""
        return tuple(c.value for c in self.readers.get(task_name, []))

    def reader_for(self, task_name: str, file_name: str) -> Reader | None:
        """The reader of a task whose extensions match ``file_name`` (longest ending wins)."""
        return best_reader(self.readers_of(task_name), file_name)

    def run_context(
        self,
        task_name: str,
        options: Mapping[str, Any],
        *,
        derived: Mapping[str, Any] | None = None,
        targets: Targets | None = None,
        run_dir: Path | None = None,
        require_labels: bool = True,
    ) -> RunContext:
        """The run context the loop hands a task: its readers and the group column included.

        Args:
            task_name: The task.
            options: Resolved options.
            derived: What the task derived from its training data.
            targets: The run's targets.
            run_dir: The directory being written (None while predicting).
            require_labels: False when predicting: no group column is handed over.
        """
        group = options.get("group_column") if require_labels else None
        return RunContext(
            task_name, options, self, dict(derived or {}), run_dir, targets,
            self.readers_of(task_name), group,
        )  # fmt: skip

    def extensions(self, task_name: str) -> set[str]:
        """Every file ending some reader of the task accepts."""
        return {ext for c in self.readers.get(task_name, []) for ext in c.value.extensions}
