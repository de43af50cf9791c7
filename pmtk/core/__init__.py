"""The core: hook specs, plugin host, task registry, the training loop, run directories, errors."""
