"""The plugin host: who contributed what, and the options a run is given.

- ``plugins``: the pluggy manager; built-in plugins and the ``pmtk`` entry-point group are
  loaded the same way, and a failing plugin is recorded, never fatal.
- ``registry``: tasks, models, encoders, readers and explainers, with who added each.
- ``options``: the common options of ``pmtk run``, ``--config FILE.toml`` and resolving them.
"""

from pmtk.core.host.options import COMMON_OPTIONS, read_config, resolve
from pmtk.core.host.plugins import PluginHost, get_plugin_host, reset_plugin_host
from pmtk.core.host.registry import Registry

__all__ = [
    "COMMON_OPTIONS",
    "PluginHost",
    "Registry",
    "get_plugin_host",
    "read_config",
    "reset_plugin_host",
    "resolve",
]
