"""``python -m civicgraph`` runs the command-line interface."""

from civicgraph.cli.main import main

main()
