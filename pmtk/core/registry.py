"""Tasks, models, readers and explainers contributed by plugins, with who contributed each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmtk.core.errors import OptionError, PluginError
from pmtk.core.task import Reader, Task

if TYPE_CHECKING:
    from pmtk.core.plugins import PluginHost


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
    #: task name -> its explainer (``pmtk explain``).
    explainers: dict[str, Contribution] = field(default_factory=dict)
    #: (kind, name) -> every plugin that registered that name.
    conflicts: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def collect(cls, host: PluginHost) -> Registry:
        """Calls the registration hooks of every loaded plugin."""
        registry = cls()
        host.call_each("pmtk_register_tasks", lambda plugin: {"register": registry._task(plugin)})
        host.call_each("pmtk_register_models", lambda plugin: {"register": registry._model(plugin)})
        host.call_each(
            "pmtk_register_readers", lambda plugin: {"register": registry._reader(plugin)}
        )
        host.call_each(
            "pmtk_register_explainers", lambda plugin: {"register": registry._explainer(plugin)}
        )
        return registry

    def _claim(self, kind: str, name: str, table: dict, contribution: Contribution) -> None:
        if name in table:
            plugins = self.conflicts.setdefault((kind, name), [table[name].plugin])
            plugins.append(contribution.plugin)
            return
        table[name] = contribution

    def _task(self, plugin: str) -> Callable[[Task], None]:
        def register(task: Task) -> None:
            if not isinstance(task, Task):
                raise TypeError(f"register() expects a pmtk Task instance, got {task!r}")
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
            from pmtk.core.explaining import Explainer

            if not isinstance(explainer, Explainer):
                raise TypeError(f"register() expects a pmtk Explainer instance, got {explainer!r}")
            contribution = Contribution(explainer, plugin, explainer.description)
            self._claim("explainer of", task_name, self.explainers, contribution)

        return register

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

    def reader_for(self, task_name: str, file_name: str) -> Reader | None:
        """The reader of a task whose extensions match ``file_name`` (longest ending wins)."""
        lowered = file_name.lower()
        best: tuple[int, Reader | None] = (0, None)
        for contribution in self.readers.get(task_name, []):
            for ext in contribution.value.extensions:
                if lowered.endswith(ext) and len(ext) > best[0]:
                    best = (len(ext), contribution.value)
        return best[1]

    def extensions(self, task_name: str) -> set[str]:
        """Every file ending some reader of the task accepts."""
        return {ext for c in self.readers.get(task_name, []) for ext in c.value.extensions}
