"""The notations allowed in source data, read from the SKOS schemes in ``ontology/vocabularies.ttl``.

The vocabularies file is the single source of truth: adding a concept there makes it usable in ``data/``.
"""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from civicgraph.util.iris import CGV
from civicgraph.util.resources import vocabularies_file

_IN_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
_NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")


@cache
def notations() -> dict[str, frozenset[str]]:
    """Map each scheme name (``hedge``, ``unit``, ...) to the notations of its concepts."""
    found: dict[str, set[str]] = {}
    quads = list(ox.parse(path=str(vocabularies_file()), format=ox.RdfFormat.TURTLE))
    notation_of = {q.subject: q.object.value for q in quads if q.predicate == _NOTATION}
    for q in quads:
        if q.predicate == _IN_SCHEME and q.subject in notation_of and str(q.object.value).startswith(str(CGV)):
            scheme = str(q.object.value)[len(str(CGV)) :]
            found.setdefault(scheme, set()).add(str(notation_of[q.subject]))
    return {scheme: frozenset(values) for scheme, values in found.items()}
