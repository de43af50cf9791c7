"""The ``pmtk`` command line: one module per command."""
