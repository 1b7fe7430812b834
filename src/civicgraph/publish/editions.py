"""``editions/{teryt}-{year}.ttl|.nt|.jsonld``: each member-year's part of the graph, the datasets of the catalogue's
series."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from civicgraph.graph.jsonld import write_compact_jsonld
from civicgraph.graph.rdfio import write_ntriples, write_turtle
from civicgraph.publish.release import (
    EDITIONS_DIR,
    Edition,
    Release,
    edition_triples,
    editions,
    graph_index,
)
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.parallel import in_parallel


def write_editions(release: Release, out: Path) -> None:
    """``editions/{teryt}-{year}.ttl|.nt|.jsonld``: each member-year's part of the graph, for the catalogue."""
    base = release.dataset.settings.base_iri
    (out / EDITIONS_DIR).mkdir(exist_ok=True)

    def write(share: Sequence[Edition]) -> None:
        for edition in share:
            triples = edition_triples(index, edition.report_iri)
            write_turtle(triples, out / edition.file(".ttl"))
            write_ntriples(triples, out / edition.file(".nt"))
            write_compact_jsonld(triples, out / edition.file(".jsonld"), base)

    with paused_cycle_collector():
        index = graph_index(release)
        index.nested  # noqa: B018 -- computed once here, not once per worker
        in_parallel(editions(release), write)
