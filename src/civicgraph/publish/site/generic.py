"""The linked-data view of a resource: its properties as a table of labelled links and values, then the links to it
from elsewhere (grouped by property, each group bounded). Pages of periods, concept schemes, concepts and ontology
terms are this view; every section's resource gets its own table, under its anchor.

Literals in the page's language are shown; one in another language only when the resource has none in the
page's, marked with its ``lang``. Codes and IRIs are in ``<code>``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain
from typing import Any

from markupsafe import Markup

from civicgraph.graph.terms import Lit, Term
from civicgraph.publish.negotiation import section_of
from civicgraph.publish.release import GraphChange, GraphIndex
from civicgraph.publish.reuse import key_of
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.model import Page, SiteModel
from civicgraph.publish.site.numbers import format_number
from civicgraph.publish.site.parts import View, in_name_order
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


def view_keys(model: SiteModel, views: Sequence[Page], change: GraphChange, earlier: object) -> dict[str, str]:
    """What each linked-data view among ``views`` (a period's or a concept's page: :func:`generic_context`, and its
    descriptions) is made from, by its resource; none when the build made no subjects' digests (into a new folder).
    ``earlier``: these keys as the build of the release being replaced noted them.

    A view shows the triples of its resource and of its sections, and the label and the page of every IRI they link
    to and of every subject linking to its resource (:func:`incoming_html`, :func:`_concepts`). It keeps the key it
    had in the earlier release when none of those changed since (:func:`_shown_as_before`), and is otherwise given
    the key of the graph's digests with its IRI: a key is only ever given to what the view shows in one graph, so
    the same key means the same files, which a build into an earlier release then takes. A national year's 65
    concept and 11 period pages list 100,041 links from elsewhere: keyed from the digests of all they show, they took
    0.35–0.47 s of each build, as much as writing them."""
    if change.digests_key is None:
        return {}
    before = earlier if isinstance(earlier, dict) else {}
    as_before = _shown_as_before(model, views, change) if before else set()
    keys = {}
    for page in views:
        kept = before.get(page.iri) if page.iri in as_before else None
        keys[page.iri] = kept if isinstance(kept, str) else key_of("view", change.digests_key, page.iri)
    return keys


def _shown_as_before(model: SiteModel, views: Sequence[Page], change: GraphChange) -> set[str]:
    """The resources of ``views`` whose view shows what it showed in the earlier release: no subject whose triples
    changed is its resource or a section of it, links to its resource (before or now: ``change.referred``) or is
    linked to from what it shows; and every resource is shown on the page it was shown on (:func:`_pages_as_before`).
    None of them when the change is not known."""
    changed, added, referred = change.subjects, change.added, change.referred
    if changed is None or added is None or referred is None or not _pages_as_before(model, changed, added):
        return set()
    base = model.base
    reached: set[str] = set()  # the pages a changed subject is shown on or links to, now or before
    for iri in chain(changed, referred):
        reached.add(iri)
        if iri.startswith(base):  # the page it is a section of, if any (so too a section removed)
            reached.add(base + section_of(iri[len(base) :])[0])
    return {page.iri for page in views if page.iri not in reached and not _links_to(model, page, changed)}


def _pages_as_before(model: SiteModel, changed: frozenset[str], added: frozenset[str]) -> bool:
    """Whether every subject whose triples did not change is shown on the page it was shown on, which its IRI gives
    (:func:`civicgraph.publish.negotiation.section_of`) unless its page's resource is missing. So no section is on a
    page of its own for want of its page's resource (:attr:`SiteModel.orphans`: the resource removed, the section
    kept), and the sections of each new page are new too (none moved onto it from a page of its own)."""
    if model.orphans:
        return False
    for iri in added:
        page = model.pages.get(iri)
        if page is not None and not changed.issuperset(page.subjects[1:]):
            return False
    return True


def _links_to(model: SiteModel, page: Page, subjects: frozenset[str]) -> bool:
    """Whether the triples the page shows name any of ``subjects`` (as a predicate or an object)."""
    return any(
        iri in subjects
        for subject in page.subjects
        for _subject, predicate, obj in model.index.triples_of(subject)
        for iri in (predicate, obj)
        if type(iri) is str
    )


def _types(view: View, graph: GraphIndex, subject: str) -> str:
    types = graph.types(subject)
    if not types:
        return ""
    return f'<p class="meta">{escape(view.w["types"])}: {", ".join(view.link(t) for t in types)}</p>\n'


def properties_html(view: View, graph: GraphIndex, subject: str) -> str:
    rows = []
    for predicate, values in (graph.properties(subject) or {}).items():
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
    for term in sorted(t for t in terms.subjects if t.startswith(CG)):
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
    """A concept scheme's concepts with their definitions, in the order of their names."""
    index = view.model.index
    concepts = in_name_order(index.referrers(view.page.iri, f"{SKOS}inScheme"), view.label)
    return [
        {"link": Markup(view.link(c)), "definition": index.literal(c, f"{SKOS}definition", view.lang) or ""}
        for c in concepts
    ]
