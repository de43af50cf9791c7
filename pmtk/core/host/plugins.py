"""The plugin manager: built-in plugins and the ``pmtk`` entry-point group, loaded the same way.

A plugin that fails to import, to register or inside a hook is recorded and
reported by ``pmtk plugins``; it never stops the other plugins or commands.

Environment switches (read when plugins are loaded):

``PMTK_LOAD_PLUGINS``
    Comma-separated allow-list of installed plugins (entry-point or distribution
    names). When set, only these third-party plugins load; set it to an empty
    string to load none. Built-in plugins are not affected.
``PMTK_DISABLE_PLUGINS``
    Comma-separated plugins not to load, built-in ones included (``genomics``).
``PMTK_TRACE_PLUGINS``
    ``1`` prints every hook call, with the plugin it goes to, on stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pluggy

from pmtk.core.contract import hookspecs

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.context import RunContext
    from pmtk.core.host.registry import Registry

ENTRY_POINT_GROUP = "pmtk"

#: Built-in plugins: short name -> module. Registered with the same calls as installed ones.
BUILTIN_PLUGINS: dict[str, str] = {
    "imaging": "pmtk.plugins.imaging",
    "genomics": "pmtk.plugins.genomics",
    "risk": "pmtk.plugins.risk",
    "autoencoder": "pmtk.plugins.autoencoder",
    "fusion": "pmtk.plugins.fusion",
}


@dataclass
class PluginRecord:
    """What ``pmtk plugins`` reports about one plugin.

    Attributes:
        name: Plugin name (built-in short name or entry-point name).
        distribution: ``"pmtk"`` for built-ins, else the installed distribution.
        version: Version of that distribution.
        module: Import path of the plugin object.
        builtin: Whether it ships with pmtk.
        status: ``"loaded"``, ``"disabled"`` or ``"failed"``.
        errors: Error messages, each prefixed by where it happened.
    """

    name: str
    distribution: str
    version: str
    module: str
    builtin: bool
    status: str = "loaded"
    errors: list[str] = field(default_factory=list)

    def fail(self, where: str, error: BaseException) -> None:
        """Marks the plugin failed, keeping the error with where it happened."""
        self.status = "failed"
        self.errors.append(f"{where}: {type(error).__name__}: {error}")


def _names(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


class PluginHost:
    """A pluggy plugin manager plus what happened while loading each plugin."""

    def __init__(self, *, entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager("pmtk")
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.trace = os.environ.get("PMTK_TRACE_PLUGINS", "") not in ("", "0")
        disabled = _names("PMTK_DISABLE_PLUGINS") or set()
        for name, module in BUILTIN_PLUGINS.items():
            record = PluginRecord(name, "pmtk", _version("pmtk"), module, builtin=True)
            self._add(record, lambda module=module: importlib.import_module(module), disabled)
        if entry_points:
            allowed = _names("PMTK_LOAD_PLUGINS")
            for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
                dist = entry_point.dist
                dist_name = dist.name if dist else "?"
                if allowed is not None and not allowed & {entry_point.name, dist_name}:
                    continue
                record = PluginRecord(
                    entry_point.name,
                    dist_name,
                    dist.version if dist else "?",
                    entry_point.value,
                    builtin=False,
                )
                self._add(record, entry_point.load, disabled)

    def register(self, plugin: object, name: str, *, distribution: str = "?") -> PluginRecord:
        """Registers an already imported plugin object (used by tests and embedders)."""
        record = PluginRecord(name, distribution, "?", getattr(plugin, "__name__", name), False)
        self._add(record, lambda: plugin, set())
        self.__dict__.pop("registry", None)
        return record

    def _add(self, record: PluginRecord, load: Callable[[], object], disabled: set[str]) -> None:
        if record.name in self.records:
            # Keep the plugin already loaded under this name; report the newcomer apart.
            clash = ValueError(f"a plugin named '{record.name}' is already loaded")
            record.name = f"{record.name} ({record.distribution})"
            self.records[record.name] = record
            record.fail("register", clash)
            return
        self.records[record.name] = record
        names = {record.name} if record.builtin else {record.name, record.distribution}
        if disabled & names:
            record.status = "disabled"
            return
        try:
            plugin = load()
        except Exception as error:  # a broken plugin must not stop pmtk
            record.fail("import", error)
            return
        try:
            self.pm.register(plugin, name=record.name)
            self.pm.check_pending()
        except Exception as error:
            if self.pm.get_plugin(record.name) is plugin:
                self.pm.unregister(name=record.name)
            record.fail("register", error)

    def unregister(self, name: str) -> None:
        """Removes a plugin (tests register and always unregister their plugins)."""
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        self.records.pop(name, None)
        self.__dict__.pop("registry", None)

    def hook_names(self, name: str) -> list[str]:
        """Names of the hooks the plugin implements."""
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])

    def call_each(
        self, hook_name: str, arguments: Callable[[str], dict[str, Any]]
    ) -> list[tuple[str, str]]:
        """Calls every implementation of a hook, one plugin at a time, in registration order.

        A plugin that raises is recorded as failed and the others still run.

        Args:
            hook_name: The ``pmtk_*`` hook.
            arguments: Given a plugin name, the hook's keyword arguments for that
                plugin (so a ``register`` callback knows who registers). An
                implementation gets only the arguments it names.

        Returns:
            ``(plugin, error text)`` for every implementation that raised.
        """
        failures: list[tuple[str, str]] = []
        caller = getattr(self.pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            if self.trace:
                print(f"pmtk: {hook_name} -> {impl.plugin_name}", file=sys.stderr)
            kwargs = arguments(impl.plugin_name)
            try:
                impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            except Exception as error:
                record = self.records.setdefault(
                    impl.plugin_name, PluginRecord(impl.plugin_name, "?", "?", "?", False)
                )
                record.fail(hook_name, error)
                failures.append((impl.plugin_name, f"{type(error).__name__}: {error}"))
        return failures

    def run_callbacks(self, context: RunContext) -> list[keras.callbacks.Callback]:
        """Every plugin's training callbacks for one run (``pmtk_register_callbacks``).

        A plugin whose hook raises is left out of the run: a ``Warning:`` line naming it
        goes to stderr, and its error text to ``config.json`` (with its record).
        """
        callbacks: list[keras.callbacks.Callback] = []
        failures = self.call_each(
            "pmtk_register_callbacks",
            lambda plugin: {"register": callbacks.append, "context": context},
        )
        for plugin, error in failures:
            print(
                f"Warning: the plugin '{plugin}' failed to add its training callbacks "
                f"({error}); the run goes on without them.",
                file=sys.stderr,
            )
        return callbacks

    @cached_property
    def registry(self) -> Registry:
        """Tasks, models and readers contributed by the loaded plugins."""
        from pmtk.core.host.registry import Registry

        return Registry.collect(self)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


_host: PluginHost | None = None


def get_plugin_host() -> PluginHost:
    """The process-wide plugin host, loaded on first use."""
    global _host
    if _host is None:
        _host = PluginHost()
    return _host


def reset_plugin_host(host: PluginHost | None = None) -> None:
    """Replaces the process-wide host (tests use it to reload with other settings)."""
    global _host
    _host = host
