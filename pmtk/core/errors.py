"""User-facing errors: each carries the one sentence the CLI prints."""


class PmtkError(Exception):
    """A mistake the user can fix.

    The message is shown as is, without a traceback, so it must say what was
    expected, what was found, where, and what to do.
    """


class DataError(PmtkError):
    """The data the user pointed at is missing, unreadable or malformed."""


class OptionError(PmtkError):
    """An option or configuration value is invalid."""


class PluginError(PmtkError):
    """A plugin is missing, failed to load, or conflicts with another plugin."""
