"""``python -m civicgraph`` runs the command-line interface."""

from .cli import main

main()
