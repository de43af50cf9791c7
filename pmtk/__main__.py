"""``python -m pmtk`` runs the command line."""

from pmtk.cli.app import main

main()
