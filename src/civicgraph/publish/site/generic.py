"""The linked-data view of a resource: its properties as a table of labelled links and values, then the links to it
from elsewhere (grouped by property, each group bounded). Pages of periods, concept schemes, concepts and ontology
terms are this view; every section's resource gets its own table, under its anchor.

Literals in the page's language are shown; one in another language only when the resource has none in the
page's, marked with its ``lang``. Codes and IRIs are in ``<code>``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from typing import Any

from markupsafe import Markup

from civicgraph.graph.terms import Lit, Term
from civicgraph.publish.release import GraphIndex
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.numbers import format_number
from civicgraph.publish.site.parts import View
from civicgraph.util.iris import CG, ORG, OWL, RDF_TYPE, SKOS, XSD

# How many links to a resource from elsewhere a page shows per property (the count is always shown).
LINKS_SHOWN = 100
# Links from elsewhere listed whole: an organisation's memberships (at most one per local government).
LISTED_WHOLE = frozenset({f"{ORG}organization"})

_XSD_ANY_URI = f"{XSD}anyURI"
_XSD_DECIMAL = f"{XSD}decimal"


def generic_context(view: View) -> dict[str, Any]:
    model = view.model
    graph = model.graph_for(view.page)
    main = view.page.iri
    sections = [
        {"id": model.anchors[s], "title": Markup(view.name(s)), "body": Markup(properties_html(view, graph, s))}
        for s in view.page.subjects[1:]
    ]
    view.placed.update(section["id"] for section in sections)
    return {
        "title": view.label(main),
        "title_lang": view.title_lang(main),
        "types": Markup(_types(view, graph, main)),
        "body": Markup(properties_html(view, graph, main)),
        "sections": sections,
        "incoming": Markup(incoming_html(view)),
        "terms": _ontology_terms(view) if view.page.path == "ontology" else None,
        "concepts": _concepts(view) if view.model.index.has_type(main, f"{SKOS}ConceptScheme") else None,
    }


def _types(view: View, graph: GraphIndex, subject: str) -> str:
    types = graph.types(subject)
    if not types:
        return ""
    return f'<p class="meta">{escape(view.w["types"])}: {", ".join(view.link(t) for t in types)}</p>\n'


def properties_html(view: View, graph: GraphIndex, subject: str) -> str:
    rows = []
    for predicate, values in graph.by_subject.get(subject, {}).items():
        if predicate == RDF_TYPE:
            continue
        shown = _in_language(values, view.lang)
        cells = "<br>".join(_value(view, v) for v in shown)
        rows.append(f'<tr><th scope="row">{view.link(predicate)}</th><td>{cells}</td></tr>\n')
    if not rows:
        return ""
    return f'<table class="props"><tbody>\n{"".join(rows)}</tbody></table>\n'


def _in_language(values: list[Any], lang: str) -> list[Any]:
    """The values to show: every IRI and plain literal, and the language-tagged literals in ``lang`` (those in
    another language only when none is in ``lang``)."""
    tagged = [v for v in values if isinstance(v, Lit) and v.language is not None]
    if not tagged or any(v.language == lang for v in tagged):
        return [v for v in values if not (isinstance(v, Lit) and v.language not in (None, lang))]
    return values


def _value(view: View, term: Term) -> str:
    if not isinstance(term, Lit):
        return view.link(term)
    if term.language is not None:
        own = term.language == view.lang
        return escape(term.lexical) if own else f'<span lang="{term.language}">{escape(term.lexical)}</span>'
    if term.datatype == _XSD_ANY_URI:
        url = escape(term.lexical)
        return f'<a href="{url}">{url}</a>'
    if term.datatype == _XSD_DECIMAL:
        return escape(format_number(term.lexical, view.lang))
    return f"<code>{escape(term.lexical)}</code>"


def incoming_html(view: View) -> str:
    """The links to the page's resource from other pages, grouped by property, each group bounded."""
    model, page, lang = view.model, view.page, view.lang
    if page.ontology:
        return ""
    grouped: dict[str, list[str]] = defaultdict(list)  # a subject links to one object once per predicate
    for subject, predicate in model.index.incoming.get(page.iri, []):
        if model.owner.get(subject) != page.iri:  # links from its own sections are not news
            grouped[predicate].append(subject)
    label = model.label
    rows = []
    for predicate in sorted(grouped, key=lambda p: (view.label(p), p)):
        # Each subject keyed once, outside a key function, and only the first hundred put in order: a concept's or
        # a period's page lists up to 13,544. The links from elsewhere of a national year's concept, period and
        # ontology pages, in both languages: 0.74 s instead of 0.89 sorted whole (medians of 7 alternating runs).
        subjects = [(label(s, lang).casefold(), s) for s in grouped[predicate]]
        shown = sorted(subjects) if predicate in LISTED_WHOLE else heapq.nsmallest(LINKS_SHOWN, subjects)
        cells = "<br>".join(view.link(s) for _key, s in shown)
        if len(shown) < len(subjects):
            more = view.w["more"].format(shown=len(shown), total=format_number(str(len(subjects)), view.lang))
            cells += f'<br><small class="more">{escape(more)}</small>'
        rows.append(f'<tr><th scope="row">{view.link(predicate)}</th><td>{cells}</td></tr>\n')
    if not rows:
        return ""
    return f'<table class="props"><tbody>\n{"".join(rows)}</tbody></table>\n'


def _ontology_terms(view: View) -> dict[str, list[dict[str, Any]]]:
    """The ontology page's lists: classes and properties, with their definitions."""
    terms = view.model.terms
    groups: dict[str, list[dict[str, Any]]] = {"classes": [], "properties": []}
    for term in sorted(t for t in terms.by_subject if t.startswith(CG)):
        group = "classes" if terms.has_type(term, f"{OWL}Class") else "properties"
        groups[group].append(
            {
                "id": term.rsplit("#", 1)[-1],
                "link": Markup(view.link(term)),
                "definition": terms.literal(term, f"{SKOS}definition", view.lang) or "",
            }
        )
    return groups


def _concepts(view: View) -> list[dict[str, Any]]:
    """A concept scheme's concepts with their definitions, in notation order."""
    index = view.model.index
    concepts = sorted(index.referrers(view.page.iri, f"{SKOS}inScheme"), key=lambda c: view.label(c).casefold())
    return [
        {"link": Markup(view.link(c)), "definition": index.literal(c, f"{SKOS}definition", view.lang) or ""}
        for c in concepts
    ]
