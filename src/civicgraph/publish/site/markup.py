"""HTML escaping for the site's pages, which are built by joining many small escaped strings."""

from __future__ import annotations

try:
    # MarkupSafe's own escaper (in C) without the ``Markup`` object ``escape`` makes: pages are built by joining
    # many escaped strings, and this is four times faster than ``escape`` or a chain of ``str.replace``.
    from markupsafe._speedups import _escape_inner as escape
except ImportError:  # MarkupSafe installed without its C extension

    def escape(text: str, /) -> str:
        """``text`` escaped for HTML as MarkupSafe escapes it, as a plain string."""
        return (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&#34;")
            .replace("'", "&#39;")
        )


__all__ = ["escape"]
