"""civicgraph: municipal reports on national cooperation, published as a validated knowledge graph.

The pipeline has one module per stage, each usable without the CLI:
``load`` (source files → records) → ``build`` (records → graph) → ``validate`` (graph + shapes → report)
→ ``publish`` (graph → files).
"""

from __future__ import annotations

from functools import cache


def __getattr__(name: str) -> str:
    """``__version__``, looked up when asked for: importing ``importlib.metadata`` took a fifth of the start of a
    command (40 of 200 ms), which most commands never show."""
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("civicgraph")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
