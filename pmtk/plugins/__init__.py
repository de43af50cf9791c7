"""Built-in plugins, one folder per task, registered like any installed plugin."""
