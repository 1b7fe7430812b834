"""The catalogue page: the whole-graph dataset with its files, then one row per yearly edition, and the other files
of the release (the DCAT-AP catalogue itself is written after the site, from the files it describes)."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from civicgraph.publish.negotiation import SITE_DIR
from civicgraph.publish.site.model import SiteModel, relative

if TYPE_CHECKING:
    import jinja2

    from civicgraph.publish.plan import PlannedDataset

_FORMAT_NAMES = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON-LD", ".html": "HTML"}
_RELEASE_FILES = ("void.ttl", "danegovpl.xml", "SHA256SUMS", "release.json", "catalog.dcat-ap-2.ttl")


def render_catalog(
    model: SiteModel, env: jinja2.Environment, datasets: list[PlannedDataset], lang: str, frame: dict[str, Any]
) -> str:
    """The whole-graph dataset with its files, then one row per edition (its files as short links)."""
    from civicgraph.publish.plan import CATALOG_FILES, FIRST_CATALOG_PAGE

    def text(value: Any) -> str:
        return str(value.pl if lang == "pl" else (value.en or value.pl))

    entries = []
    for dataset in datasets:
        files = [
            {
                "title": text(f.title),
                "short": _FORMAT_NAMES.get(posixpath.splitext(f.path)[1], f.path),
                "href": relative("catalog", _site_or_root(f.path)),
                "media_type": f.kind.media_type,
                "id": f"distribution-{f.key}",
            }
            for f in dataset.files
        ]
        entries.append(
            {
                "id": f"dataset-{dataset.key}",
                "title": text(dataset.title),
                "description": text(dataset.description),
                "landing": relative("catalog", _site_or_root(dataset.landing_page)),
                "files": files,
                "year": dataset.years[1],
            }
        )
    context = {
        **frame,
        "whole": entries[0],
        "editions": entries[1:],
        "catalog_files": [{"name": name, "href": name} for name in CATALOG_FILES],
        "first_page": {"name": FIRST_CATALOG_PAGE, "href": relative("catalog", _site_or_root(FIRST_CATALOG_PAGE))},
        "release_files": [{"name": name, "href": relative("catalog", _site_or_root(name))} for name in _RELEASE_FILES],
    }
    return env.get_template("catalog.html").render(context)


def _site_or_root(dist_path: str) -> str:
    """A dist/ path as seen from the site folder: ``site/x`` is ``x``, anything else is ``../x``."""
    prefix = f"{SITE_DIR}/"
    return dist_path[len(prefix) :] if dist_path.startswith(prefix) else f"../{dist_path}"
