"""pmtk: a precision-medicine deep-learning toolkit.

Importing pmtk is cheap: TensorFlow is loaded only by the commands that train or predict.
"""

from importlib import metadata

from pmtk.core.contract.hookspecs import hookimpl

try:
    __version__ = metadata.version("pmtk")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__", "hookimpl"]
