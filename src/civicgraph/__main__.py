"""``python -m civicgraph`` runs the command-line interface."""

from civicgraph.cli.main import run

run()
