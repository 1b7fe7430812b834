"""civicgraph: municipal reports on national cooperation, published as a validated knowledge graph.

The pipeline has one module per stage, each usable without the CLI:
``load`` (source files → records) → ``build`` (records → graph) → ``validate`` (graph + shapes → report)
→ ``publish`` (graph → files).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("civicgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
