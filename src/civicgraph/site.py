"""``site/``: a static linked-data website — one page per resource, in Polish (``{path}.html``) and English
(``{path}.en.html``), with the resource's own description beside it (``{path}.ttl``, ``{path}.jsonld``).

``{path}`` is the IRI minus the base IRI (``member/3064011``); ontology terms live under ``ontology/`` and concepts
under ``vocab/``. Resources that only make sense inside another one (a membership's period, an evidence's
selectors, an activity's participations) are sections of that resource's page, reached by an anchor. Every link is
relative, so the site works opened from disk (``file://``) as well as served — ``civicgraph serve`` serves it at
``/site/`` and answers ``/id/{path}`` with a 303 to ``/site/{path}.html|.ttl|.jsonld``; ``.htaccess`` shows the
same for Apache. The pages use no script.
"""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from markupsafe import Markup, escape

from .catalog import CATALOG_FILES, PlannedDataset, plan
from .jsonld import compact_document, published_context
from .rdfio import write_turtle
from .release import CG, DCT, OA, ORG, RDF_TYPE, RDFS, SCHEMA, SKOS, GraphIndex, build_date, graph_index
from .resources import ontology_file

if TYPE_CHECKING:
    import jinja2

    from .publish import Release

SITE_DIR = "site"
CGV = "https://w3id.org/civicgraph/vocab/"
ONTOLOGY_IRI = "https://w3id.org/civicgraph/ontology"
TIME = "http://www.w3.org/2006/time#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LANGS = ("pl", "en")

# Resources with a page of their own; any other resource is a section of the page of the nearest resource whose
# IRI its own extends (membership/…/during on the membership's page).
PAGED_TYPES = frozenset(
    {
        f"{CG}LocalGovernment",
        f"{CG}NationalOrganisation",
        f"{ORG}Membership",
        f"{CG}Activity",
        f"{CG}Figure",
        f"{CG}Report",
        f"{CG}SourceText",
        f"{CG}Evidence",
        f"{SKOS}Concept",
        f"{SKOS}ConceptScheme",
    }
)

WORDS: dict[str, dict[str, str]] = {
    "pl": {
        "site": "civicgraph — współpraca samorządów",
        "index": "Spis",
        "ontology": "Ontologia",
        "catalog": "Katalog danych",
        "switch": "English",
        "switch_lang": "en",
        "iri": "IRI",
        "formats": "Ten opis jako",
        "types": "Typ",
        "links_here": "Odnośniki do tego zasobu",
        "source": "Źródło",
        "passage": "Fragment raportu",
        "open_text": "cały tekst źródłowy",
        "figure": "Liczba",
        "hedge": "przybliżenie",
        "as_printed": "w tekście",
        "unit": "jednostka",
        "by_organisation": "Organizacje i lata",
        "by_year": "Raporty według lat",
        "organisation": "organizacja",
        "year": "rok",
        "member": "członek",
        "activities": "działania",
        "none": "—",
        "downloads": "Pliki do pobrania",
        "dataset": "Zbiór danych",
        "file": "plik",
        "terms": "Terminy ontologii",
        "schemes": "Słowniki pojęć",
        "classes": "Klasy",
        "properties": "Właściwości",
        "licence": "Licencja danych",
        "issued": "Wydanie",
        "reports": "raporty",
        "memberships": "członkostwa",
        "figures": "dane liczbowe",
        "of_which": "w tym",
        "text": "Tekst",
        "definition": "definicja",
    },
    "en": {
        "site": "civicgraph — local-government cooperation",
        "index": "Index",
        "ontology": "Ontology",
        "catalog": "Data catalogue",
        "switch": "Polski",
        "switch_lang": "pl",
        "iri": "IRI",
        "formats": "This description as",
        "types": "Type",
        "links_here": "Links to this resource",
        "source": "Source",
        "passage": "Passage of the report",
        "open_text": "the whole source text",
        "figure": "Figure",
        "hedge": "hedge",
        "as_printed": "as printed",
        "unit": "unit",
        "by_organisation": "Organisations and years",
        "by_year": "Reports by year",
        "organisation": "organisation",
        "year": "year",
        "member": "member",
        "activities": "activities",
        "none": "—",
        "downloads": "Downloads",
        "dataset": "Dataset",
        "file": "file",
        "terms": "Terms of the ontology",
        "schemes": "Concept schemes",
        "classes": "Classes",
        "properties": "Properties",
        "licence": "Data licence",
        "issued": "Edition",
        "reports": "reports",
        "memberships": "memberships",
        "figures": "figures",
        "of_which": "of which",
        "text": "Text",
        "definition": "definition",
    },
}

# Labels of the terms civicgraph reuses from other vocabularies (its own terms are labelled in the ontology).
EXTERNAL_LABELS: dict[str, tuple[str, str]] = {
    RDF_TYPE: ("typ", "type"),
    f"{RDFS}label": ("etykieta", "label"),
    f"{RDFS}isDefinedBy": ("zdefiniowane w", "defined by"),
    f"{RDFS}seeAlso": ("zobacz też", "see also"),
    f"{RDFS}subClassOf": ("podklasa", "subclass of"),
    f"{RDFS}subPropertyOf": ("podwłaściwość", "subproperty of"),
    f"{RDFS}domain": ("dziedzina", "domain"),
    f"{RDFS}range": ("zakres", "range"),
    f"{SKOS}prefLabel": ("nazwa", "name"),
    f"{SKOS}altLabel": ("inna nazwa", "other name"),
    f"{SKOS}definition": ("definicja", "definition"),
    f"{SKOS}notation": ("notacja", "notation"),
    f"{SKOS}inScheme": ("w słowniku", "in scheme"),
    f"{SKOS}topConceptOf": ("pojęcie nadrzędne słownika", "top concept of"),
    f"{SKOS}hasTopConcept": ("pojęcie nadrzędne", "top concept"),
    f"{SKOS}Concept": ("pojęcie", "concept"),
    f"{SKOS}ConceptScheme": ("słownik pojęć", "concept scheme"),
    f"{DCT}title": ("tytuł", "title"),
    f"{DCT}description": ("opis", "description"),
    f"{DCT}publisher": ("wydawca", "publisher"),
    f"{DCT}temporal": ("okres", "period"),
    f"{DCT}isPartOf": ("część", "part of"),
    f"{DCT}format": ("format", "format"),
    f"{DCT}license": ("licencja", "licence"),
    f"{DCT}date": ("data", "date"),
    f"{DCT}creator": ("autor", "creator"),
    f"{ORG}member": ("członek", "member"),
    f"{ORG}organization": ("organizacja", "organisation"),
    f"{ORG}role": ("rola", "role"),
    f"{ORG}memberDuring": ("okres członkostwa", "member during"),
    f"{ORG}Organization": ("organizacja", "organisation"),
    f"{ORG}FormalOrganization": ("organizacja formalna", "formal organisation"),
    f"{ORG}Membership": ("członkostwo", "membership"),
    f"{PROV}wasAssociatedWith": ("powiązane z", "associated with"),
    f"{PROV}wasDerivedFrom": ("pochodzi z", "derived from"),
    f"{PROV}Activity": ("działanie (PROV)", "activity (PROV)"),
    f"{PROV}Entity": ("byt (PROV)", "entity (PROV)"),
    f"{SCHEMA}value": ("wartość", "value"),
    f"{SCHEMA}currency": ("waluta", "currency"),
    f"{SCHEMA}unitCode": ("jednostka", "unit"),
    f"{SCHEMA}url": ("strona", "web page"),
    f"{SCHEMA}sameAs": ("to samo co", "same as"),
    f"{SCHEMA}alternateName": ("skrót", "abbreviation"),
    f"{SCHEMA}startDate": ("początek", "start"),
    f"{SCHEMA}endDate": ("koniec", "end"),
    f"{SCHEMA}Event": ("wydarzenie", "event"),
    f"{SCHEMA}MonetaryAmount": ("kwota", "monetary amount"),
    f"{SCHEMA}QuantitativeValue": ("wartość liczbowa", "quantitative value"),
    f"{SCHEMA}domainIncludes": ("używana w", "used on"),
    f"{SCHEMA}rangeIncludes": ("wartości", "values"),
    f"{TIME}hasBeginning": ("początek", "beginning"),
    f"{TIME}hasEnd": ("koniec", "end"),
    f"{TIME}inXSDDate": ("data", "date"),
    f"{TIME}inXSDgYear": ("rok", "year"),
    f"{TIME}Interval": ("przedział czasu", "time interval"),
    f"{TIME}Instant": ("chwila", "instant"),
    f"{OA}hasSource": ("źródło", "source"),
    f"{OA}hasSelector": ("selektor", "selector"),
    f"{OA}exact": ("cytat", "exact quote"),
    f"{OA}prefix": ("tekst przed", "prefix"),
    f"{OA}suffix": ("tekst po", "suffix"),
    f"{OA}start": ("początek (znak)", "start (character)"),
    f"{OA}end": ("koniec (znak)", "end (character)"),
    f"{OA}TextQuoteSelector": ("selektor cytatu", "text quote selector"),
    f"{OA}TextPositionSelector": ("selektor pozycji", "text position selector"),
    f"{OWL}Ontology": ("ontologia", "ontology"),
    f"{OWL}Class": ("klasa", "class"),
    f"{OWL}ObjectProperty": ("właściwość obiektowa", "object property"),
    f"{OWL}DatatypeProperty": ("właściwość danych", "datatype property"),
    f"{OWL}AnnotationProperty": ("właściwość adnotacji", "annotation property"),
    f"{OWL}versionInfo": ("wersja", "version"),
    "http://purl.org/vocab/vann/preferredNamespacePrefix": ("preferowany prefiks", "preferred prefix"),
    "http://purl.org/vocab/vann/preferredNamespaceUri": ("przestrzeń nazw", "namespace"),
}

_NESTED_LABELS = {
    "during": ("okres członkostwa", "membership period"),
    "beginning": ("początek", "beginning"),
    "end": ("koniec", "end"),
    "quote": ("selektor cytatu", "quote selector"),
    "position": ("selektor pozycji", "position selector"),
    "wikidata-check": ("sprawdzenie w Wikidanych", "Wikidata check"),
    "participation": ("udział", "participation"),
}


# -- what templates receive -------------------------------------------------------------------------------------


@dataclass
class Link:
    """A value shown on a page: a literal, or a link to a resource with its label and type."""

    text: str
    href: str | None = None
    iri: str | None = None
    kind: str | None = None  # label of the target's type
    lang: str | None = None


@dataclass
class Row:
    label: str
    href: str | None
    iri: str
    values: list[Link]


@dataclass
class Section:
    anchor: str | None
    title: str
    iri: str
    types: list[Link]
    rows: list[Row]


@dataclass
class Passage:
    """A passage of a source text, shown inside its paragraph."""

    before: str
    exact: str
    after: str
    href: str | None  # the evidence's page
    text_href: str | None  # the source text's page
    start: int
    end: int


@dataclass
class Page:
    iri: str
    path: str  # site-relative, without extension
    subjects: list[str] = field(default_factory=list)  # the resource and the nested resources shown on its page
    ontology: bool = False  # described by the ontology file, not the data graph


# -- the model of the site --------------------------------------------------------------------------------------


class SiteModel:
    """Pages, labels and links of the site, computed from the release's graph and the ontology."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.settings = release.dataset.settings
        self.base = self.settings.base_iri
        self.index = graph_index(release)
        self.ontology_triples = _ontology_triples()
        self.terms = GraphIndex.of(self.ontology_triples, self.base)
        self.texts = {f"{self.base}report/{r.member}/{r.year}/text": r.text for r in release.dataset.reports}
        self.pages: dict[str, Page] = {}
        self.owner: dict[str, str] = {}  # IRI of any shown resource -> IRI of the page it is shown on
        self._labels: dict[tuple[str, str], str] = {}
        self._assign_pages()

    # -- pages and paths -----------------------------------------------------------------------------------

    def path_of(self, iri: str) -> str | None:
        if iri.startswith(self.base):
            return iri[len(self.base) :]
        if iri == ONTOLOGY_IRI:
            return "ontology"
        if iri.startswith(CG):
            return "ontology/" + iri[len(CG) :]
        if iri.startswith(CGV):
            return "vocab/" + iri[len(CGV) :]
        return None

    def _assign_pages(self) -> None:
        subjects = sorted(s for s in self.index.by_subject if self.path_of(s) is not None)
        paged = {s for s in subjects if PAGED_TYPES & set(self.index.types(s)) or self._is_period(s)}
        for subject in subjects:
            owner = self._nearest(subject, paged)
            if owner is None:  # nothing to nest it in: it gets a page of its own
                paged.add(subject)
                owner = subject
            self.owner[subject] = owner
        for subject in sorted(paged):
            path = self.path_of(subject)
            assert path is not None
            self.pages[subject] = Page(subject, path)
        for subject, owner in sorted(self.owner.items()):
            self.pages[owner].subjects.append(subject)
        for term in sorted(self.terms.by_subject):
            if term == ONTOLOGY_IRI or term.startswith(CG):
                path = self.path_of(term)
                assert path is not None
                self.pages[term] = Page(term, path, [term], ontology=True)
                self.owner[term] = term

    def _is_period(self, iri: str) -> bool:
        path = self.index.path(iri)
        return path.startswith("period/") and self.index.has_type(iri, f"{TIME}Interval")

    @staticmethod
    def _nearest(iri: str, paged: set[str]) -> str | None:
        candidate = iri
        while candidate:
            if candidate in paged:
                return candidate
            cut = candidate.rfind("/")
            if cut <= len("https://"):
                return None
            candidate = candidate[:cut]
        return None

    def anchor(self, iri: str) -> str | None:
        owner = self.owner.get(iri)
        if owner is None or owner == iri:
            return None
        return iri[len(owner) + 1 :].replace("/", "-")

    @staticmethod
    def file_of(path: str, lang: str) -> str:
        return f"{path}.en.html" if lang == "en" else f"{path}.html"

    def href(self, from_path: str, iri: str, lang: str) -> str | None:
        """The relative link from the page at ``from_path`` to the page (and anchor) showing ``iri``."""
        owner = self.owner.get(iri)
        if owner is None:
            return iri if iri.startswith(("http://", "https://")) else None
        target = self.file_of(self.pages[owner].path, lang)
        link = relative(from_path, target)
        anchor = self.anchor(iri)
        return f"{link}#{anchor}" if anchor else link

    # -- labels --------------------------------------------------------------------------------------------

    def label(self, iri: str, lang: str) -> str:
        cached = self._labels.get((iri, lang))
        if cached is None:
            cached = self._labels[(iri, lang)] = self._label(iri, lang)
        return cached

    def _label(self, iri: str, lang: str) -> str:
        nested = self._nested_label(iri, lang)
        if nested:
            return nested
        own = self.index.label(iri, lang) or self.terms.label(iri, lang)
        if own:
            return own
        if self.index.has_type(iri, f"{ORG}Membership"):
            member = self.index.iri(iri, f"{ORG}member")
            organisation = self.index.iri(iri, f"{ORG}organization")
            if member and organisation:
                return f"{self.label(member, lang)} — {self.label(organisation, lang)}"
        if self.index.has_type(iri, f"{CG}Evidence"):
            exact = self.index.literal(f"{iri}/quote", f"{OA}exact") or ""
            return f"„{_shorten(exact, 90)}”"
        if self.index.has_type(iri, f"{CG}SourceText"):
            report = self.index.iri(iri, f"{DCT}isPartOf")
            prefix = "Tekst źródłowy" if lang == "pl" else "Source text"
            return f"{prefix}: {self.label(report, lang)}" if report else prefix
        if self.index.has_type(iri, f"{CG}Participation"):
            participant = self.index.iri(iri, f"{CG}participant")
            role = self.index.iri(iri, f"{CG}role")
            if participant and role:
                return f"{self.label(participant, lang)} ({self.label(role, lang)})"
        for value_predicate in (f"{TIME}inXSDDate", f"{TIME}inXSDgYear"):
            value = self.index.literal(iri, value_predicate)
            if value:
                return value
        if iri in EXTERNAL_LABELS:
            return EXTERNAL_LABELS[iri][0 if lang == "pl" else 1]
        return _compact(iri)

    def _nested_label(self, iri: str, lang: str) -> str | None:
        """Resources nested in another (membership/…/during, …/quote) are named by their place in it."""
        owner = self.owner.get(iri)
        if owner is None or owner == iri or not iri.startswith(self.base):
            return None
        parts = iri[len(owner) + 1 :].split("/")
        if parts[0] == "participation":
            return None  # participations are named by their participant and role
        names = [_NESTED_LABELS[part][0 if lang == "pl" else 1] for part in parts if part in _NESTED_LABELS]
        return ": ".join(names) if names else None

    def kind(self, iri: str, lang: str) -> str | None:
        """The label of the most specific type of ``iri`` (its first civicgraph type, else its first type)."""
        types = self.index.types(iri) or self.terms.types(iri)
        if not types:
            return None
        own = [t for t in types if t.startswith(CG)]
        return self.label((own or types)[0], lang)

    def link(self, from_path: str, iri: str, lang: str) -> Link:
        return Link(self.label(iri, lang), self.href(from_path, iri, lang), iri, self.kind(iri, lang))

    # -- page content --------------------------------------------------------------------------------------

    def graph_for(self, page: Page) -> GraphIndex:
        return self.terms if page.ontology else self.index

    def section(self, page: Page, subject: str, lang: str) -> Section:
        graph = self.graph_for(page)
        rows = []
        for predicate, values in graph.by_subject.get(subject, {}).items():
            if predicate == RDF_TYPE:
                continue
            rows.append(
                Row(
                    self.label(predicate, lang),
                    self.href(page.path, predicate, lang),
                    predicate,
                    [self.value(page.path, value, lang) for value in _ordered(values, lang)],
                )
            )
        types = [Link(self.label(t, lang), self.href(page.path, t, lang), t) for t in graph.types(subject)]
        return Section(self.anchor(subject), self.label(subject, lang), subject, types, rows)

    def value(self, from_path: str, term: ox.NamedNode | ox.Literal, lang: str) -> Link:
        if isinstance(term, ox.NamedNode):
            return self.link(from_path, term.value, lang)
        datatype = term.datatype.value
        if datatype == f"{XSD}anyURI":
            return Link(term.value, term.value, term.value)
        if datatype == f"{XSD}decimal":
            return Link(format_number(term.value, lang))
        return Link(term.value, lang=term.language)

    def incoming(self, page: Page, lang: str) -> list[Row]:
        if page.ontology:
            return []
        grouped: dict[str, set[str]] = {}
        shown_above = f"{CG}withinMembership"  # a membership's activities are listed with their figures
        for subject, predicate in self.index.incoming.get(page.iri, []):
            if predicate == shown_above:
                continue
            if self.owner.get(subject) != page.iri:  # links from its own sections are not news
                grouped.setdefault(predicate, set()).add(subject)
        rows = []
        for predicate in sorted(grouped, key=lambda p: self.label(p, lang)):
            links = [self.link(page.path, s, lang) for s in grouped[predicate]]
            links.sort(key=lambda link: (link.text.casefold(), link.iri or ""))
            rows.append(Row(self.label(predicate, lang), self.href(page.path, predicate, lang), predicate, links))
        return rows

    def passages(self, page: Page, lang: str) -> list[Passage]:
        """The source passages of the page's resource, each in its paragraph (the evidence itself on its page)."""
        if page.ontology:
            return []
        if self.index.has_type(page.iri, f"{CG}Evidence"):
            evidence = [page.iri]
        else:
            evidence = self.index.iris(page.iri, f"{CG}evidence")
        found = [self.passage(page.path, e, lang) for e in evidence]
        return sorted((p for p in found if p is not None), key=lambda p: (p.start, p.end))

    def passage(self, from_path: str, evidence: str, lang: str) -> Passage | None:
        source = self.index.iri(evidence, f"{OA}hasSource")
        text = self.texts.get(source or "")
        position = f"{evidence}/position"
        start, end = self.index.literal(position, f"{OA}start"), self.index.literal(position, f"{OA}end")
        if text is None or source is None or start is None or end is None:
            return None
        first, last = int(start), int(end)
        line_start = text.rfind("\n", 0, first) + 1
        line_end = text.find("\n", last)
        line_end = len(text) if line_end < 0 else line_end
        return Passage(
            text[line_start:first],
            text[first:last],
            text[last:line_end],
            self.href(from_path, evidence, lang),
            self.href(from_path, source, lang),
            first,
            last,
        )

    def figure(self, page: Page, lang: str) -> dict[str, Any] | None:
        if page.ontology or not self.index.has_type(page.iri, f"{CG}Figure"):
            return None
        return self.figure_summary(page.path, page.iri, lang)

    def figure_summary(self, from_path: str, iri: str, lang: str) -> dict[str, Any]:
        """A figure as people read it: the hedge word (none when exact), the value, its unit or currency."""
        hedge = self.index.iri(iri, f"{CG}hedge")
        unit = self.index.iri(iri, f"{SCHEMA}unitCode")
        exact = hedge is not None and hedge.endswith("/exact")
        return {
            "link": self.link(from_path, iri, lang),
            "hedge": self.link(from_path, hedge, lang) if hedge else None,
            "hedge_word": "" if exact or hedge is None else self.label(hedge, lang),
            "value": format_number(self.index.literal(iri, f"{SCHEMA}value") or "", lang),
            "unit": self.link(from_path, unit, lang) if unit else None,
            "currency": self.index.literal(iri, f"{SCHEMA}currency"),
            "as_printed": self.index.literal(iri, f"{CG}asPrinted"),
        }

    def membership_activities(self, page: Page, lang: str) -> list[dict[str, Any]]:
        """On a membership's page: the activities carried out within it, each with its figures."""
        if page.ontology or not self.index.has_type(page.iri, f"{ORG}Membership"):
            return []
        activities = sorted(
            self.index.referrers(page.iri, f"{CG}withinMembership"), key=lambda a: self.label(a, lang).casefold()
        )
        return [
            {
                "link": self.link(page.path, activity, lang),
                "figures": [
                    self.figure_summary(page.path, f, lang) for f in self.index.iris(activity, f"{CG}hasFigure")
                ],
            }
            for activity in activities
        ]

    def source_text(self, page: Page) -> list[str]:
        """The paragraphs of a source text, on the source text's own page."""
        if page.ontology or not self.index.has_type(page.iri, f"{CG}SourceText"):
            return []
        return [line for line in self.texts.get(page.iri, "").split("\n") if line.strip()]

    def triples(self, page: Page) -> list[ox.Triple]:
        graph = self.graph_for(page)
        if page.iri == ONTOLOGY_IRI:
            return self.ontology_triples  # the ontology's own description is the whole ontology
        return [t for s in page.subjects for t in graph.triples_of.get(s, [])]


def _ontology_triples() -> list[ox.Triple]:
    """The ontology's triples in canonical order (named nodes only: civicgraph's ontology has no blank nodes)."""
    triples = [
        q.triple
        for q in ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode | ox.Literal)
    ]
    triples.sort(key=lambda t: (str(t.subject), t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object)))
    return triples


def _ordered(values: list[ox.NamedNode | ox.Literal], lang: str) -> list[ox.NamedNode | ox.Literal]:
    """Literals in the page's language first, then the others; otherwise the graph's order."""

    def key(value: ox.NamedNode | ox.Literal) -> int:
        if isinstance(value, ox.Literal) and value.language is not None:
            return 0 if value.language == lang else 1
        return 0

    return sorted(values, key=key)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _compact(iri: str) -> str:
    for prefix, namespace in (
        ("schema", SCHEMA),
        ("org", ORG),
        ("dct", DCT),
        ("skos", SKOS),
        ("prov", PROV),
        ("time", TIME),
        ("oa", OA),
        ("owl", OWL),
        ("rdfs", RDFS),
        ("xsd", XSD),
    ):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def format_number(text: str, lang: str) -> str:
    """A decimal as people read it: ``1 400 000 000`` (Polish, with non-breaking spaces) or ``1,400,000,000``."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    formatted = f"{value:,}"
    if lang == "pl":
        return formatted.replace(",", "\u00a0").replace(".", ",")
    return formatted


def relative(from_path: str, target: str) -> str:
    """The relative link from the site file ``from_path`` (``member/3064011``) to ``target`` (a site file).

    Not ``posixpath.relpath``: it consults the working directory on every call, and a build makes thousands.
    """
    here = from_path.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


# -- writing ------------------------------------------------------------------------------------------------------


def link_html(link: Link, lang: str, prop: str | None = None) -> Markup:
    """A value as HTML: a link (with its RDFa property when given, and the target's type) or a literal."""
    if link.href:
        rdfa = f' property="{escape(prop)}" resource="{escape(link.iri)}"' if prop and link.iri else ""
        html = f'<a href="{escape(link.href)}"{rdfa}>{escape(link.text)}</a>'
    elif link.lang:
        html = f'<span lang="{escape(link.lang)}">{escape(link.text)}</span>'
    else:
        html = f"<span>{escape(link.text)}</span>"
    if link.kind:
        html += f' <small class="kind">{escape(link.kind)}</small>'
    if link.lang and link.lang != lang:
        html += f" <small>({escape(link.lang)})</small>"
    return Markup(html)


def _environment() -> jinja2.Environment:
    import jinja2  # imported here: only the site writer needs it

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        auto_reload=False,  # one build renders hundreds of pages: do not stat the templates for each
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["link"] = link_html
    return environment


def _common(model: SiteModel, path: str, lang: str) -> dict[str, Any]:
    other = WORDS[lang]["switch_lang"]
    return {
        "lang": lang,
        "w": WORDS[lang],
        "root": relative(path, "index.html")[: -len("index.html")],
        "switch_href": posixpath.basename(SiteModel.file_of(path, other)),
        "switch_lang": other,
        "index_href": relative(path, SiteModel.file_of("index", lang)),
        "ontology_href": relative(path, SiteModel.file_of("ontology", lang)),
        "catalog_href": relative(path, SiteModel.file_of("catalog", lang)),
        "edition": model.settings.edition,
        "issued": build_date(model.settings).isoformat(),
        "licence": model.settings.data_licence,
    }


def render_resource(model: SiteModel, env: jinja2.Environment, page: Page, lang: str) -> str:
    name = posixpath.basename(page.path)
    sections = [model.section(page, s, lang) for s in page.subjects]
    context = {
        **_common(model, page.path, lang),
        "page": page,
        "title": model.label(page.iri, lang),
        "main": sections[0],
        "nested": sections[1:],
        "incoming": model.incoming(page, lang),
        "passages": model.passages(page, lang),
        "figure": model.figure(page, lang),
        "activities": model.membership_activities(page, lang),
        "paragraphs": model.source_text(page),
        "turtle_href": f"{name}.ttl",
        "jsonld_href": f"{name}.jsonld",
        "terms": _ontology_terms(model, page, lang) if page.iri == ONTOLOGY_IRI else None,
    }
    return env.get_template("resource.html").render(context)


def _ontology_terms(model: SiteModel, page: Page, lang: str) -> dict[str, list[dict[str, Any]]]:
    """The ontology page's lists: classes, properties and concept schemes, with their definitions."""
    groups: dict[str, list[dict[str, Any]]] = {"classes": [], "properties": [], "schemes": []}
    for term in sorted(t for t in model.terms.by_subject if t.startswith(CG)):
        group = "classes" if model.terms.has_type(term, f"{OWL}Class") else "properties"
        groups[group].append(_term_entry(model, model.terms, page, term, lang))
    for scheme in model.index.of_type(f"{SKOS}ConceptScheme"):
        groups["schemes"].append(_term_entry(model, model.index, page, scheme, lang))
    return groups


def _term_entry(model: SiteModel, graph: GraphIndex, page: Page, term: str, lang: str) -> dict[str, Any]:
    return {
        "id": term.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
        "link": model.link(page.path, term, lang),
        "definition": graph.literal(term, f"{SKOS}definition", lang) or "",
    }


def render_index(model: SiteModel, env: jinja2.Environment, lang: str) -> str:
    index = model.index
    organisations: list[dict[str, Any]] = []
    for organisation in index.of_type(f"{CG}NationalOrganisation"):
        years: dict[str, list[dict[str, Any]]] = {}
        for membership in index.referrers(organisation, f"{ORG}organization"):
            for report in index.iris(membership, f"{CG}reportedIn"):
                year = index.literal(report, f"{CG}reportYear") or ""
                activities = sorted(
                    (
                        a
                        for a in index.referrers(membership, f"{CG}withinMembership")
                        if report in index.iris(a, f"{CG}reportedIn")
                    ),
                    key=lambda a: model.label(a, lang).casefold(),
                )
                member = index.iri(membership, f"{ORG}member")
                years.setdefault(year, []).append(
                    {
                        "membership": model.link("index", membership, lang),
                        "member": model.link("index", member, lang) if member else None,
                        "activities": [model.link("index", a, lang) for a in activities],
                    }
                )
        organisations.append(
            {
                "link": model.link("index", organisation, lang),
                "years": [{"year": y, "rows": rows} for y, rows in sorted(years.items(), reverse=True)],
            }
        )
    organisations.sort(key=lambda o: o["link"].text.casefold())
    reports: list[dict[str, Any]] = []
    for report in index.of_type(f"{CG}Report"):
        reports.append(
            {
                "year": index.literal(report, f"{CG}reportYear") or "",
                "link": model.link("index", report, lang),
                "memberships": sum(
                    index.has_type(r, f"{ORG}Membership") for r in index.referrers(report, f"{CG}reportedIn")
                ),
            }
        )
    reports.sort(key=lambda r: (r["year"], r["link"].text), reverse=True)
    context = {
        **_common(model, "index", lang),
        "title": WORDS[lang]["site"],
        "organisations": organisations,
        "reports": reports,
    }
    return env.get_template("index.html").render(context)


def render_catalog(model: SiteModel, env: jinja2.Environment, datasets: list[PlannedDataset], lang: str) -> str:
    entries = []
    for dataset in datasets:
        files = [
            {
                "title": f.title.pl if lang == "pl" else (f.title.en or f.title.pl),
                "href": relative("catalog", _site_or_root(f.path)),
                "media_type": f.kind.media_type,
                "id": f"distribution-{f.key}",
            }
            for f in dataset.files
        ]
        entries.append(
            {
                "id": f"dataset-{dataset.key}",
                "title": dataset.title.pl if lang == "pl" else (dataset.title.en or dataset.title.pl),
                "description": dataset.description.pl
                if lang == "pl"
                else (dataset.description.en or dataset.description.pl),
                "landing": relative("catalog", _site_or_root(dataset.landing_page)),
                "files": files,
            }
        )
    extra = ["void.ttl", "danegovpl.xml", "SHA256SUMS", "release.json", "catalog.dcat-ap-2.ttl"]
    context = {
        **_common(model, "catalog", lang),
        "title": WORDS[lang]["catalog"],
        "datasets": entries,
        "catalog_files": [{"name": name, "href": name} for name in CATALOG_FILES],
        "release_files": [{"name": name, "href": relative("catalog", _site_or_root(name))} for name in extra],
    }
    return env.get_template("catalog.html").render(context)


def _site_or_root(dist_path: str) -> str:
    """A dist/ path as seen from the site folder: ``site/x`` is ``x``, anything else is ``../x``."""
    prefix = f"{SITE_DIR}/"
    return dist_path[len(prefix) :] if dist_path.startswith(prefix) else f"../{dist_path}"


def sitemap(model: SiteModel) -> bytes:
    namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"
    root = ET.Element(f"{{{namespace}}}urlset")
    site_url = f"{model.settings.publish_url}{SITE_DIR}/"
    lastmod = build_date(model.settings).isoformat()
    for path in ["index", "catalog", *sorted(page.path for page in model.pages.values())]:
        for lang in LANGS:
            url = ET.SubElement(root, f"{{{namespace}}}url")
            ET.SubElement(url, f"{{{namespace}}}loc").text = site_url + SiteModel.file_of(path, lang)
            ET.SubElement(url, f"{{{namespace}}}lastmod").text = lastmod
    ET.indent(root, space=" ")
    document: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True, default_namespace=namespace)
    return document + b"\n"


def htaccess(model: SiteModel) -> str:
    """Apache rules answering the IRIs with a 303 to the page, Turtle or JSON-LD the client asks for."""
    publish_url = model.settings.publish_url
    site_url = f"{publish_url}{SITE_DIR}/"
    lines = [
        "# civicgraph: content negotiation for the IRIs of the data, its ontology and its concept schemes.",
        f"# Put this file in the folder served at {publish_url} (with mod_rewrite enabled); each IRI is answered",
        "# with 303 See Other to its description: Turtle or JSON-LD when the Accept header asks for them,",
        "# otherwise the HTML page (English when the browser prefers English).",
        "",
        "Options -MultiViews",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddType text/csv .csv",
        "AddCharset UTF-8 .ttl .jsonld .nt .csv .html .json .xml",
        "",
        "RewriteEngine On",
    ]
    namespaces = [("data", model.base, "{}"), ("ontology", ONTOLOGY_IRI, "ontology"), ("vocabularies", CGV, "vocab/{}")]
    for what, iri, target in namespaces:
        if not iri.startswith(publish_url):
            lines += ["", f"# The {what} IRIs ({iri}) are not under {publish_url}: redirect them on their own server."]
            continue
        pattern = "^" + urlsplit(iri).path[len(urlsplit(publish_url).path) :]
        pattern = f"{pattern}(.+)$" if "{}" in target else f"{pattern}$"
        page = target.format("$1")
        lines += ["", f"# {what}: {iri}…"]
        for condition, suffix in (
            ("%{HTTP_ACCEPT} text/turtle", ".ttl"),
            (r"%{HTTP_ACCEPT} application/ld\+json", ".jsonld"),
            ("%{HTTP:Accept-Language} ^en [NC]", ".en.html"),
        ):
            lines += [f"RewriteCond {condition}", f"RewriteRule {pattern} {site_url}{page}{suffix} [R=303,L]"]
        lines.append(f"RewriteRule {pattern} {site_url}{page}.html [R=303,L]")
    return "\n".join(lines) + "\n"


def write_compact_jsonld(triples: list[ox.Triple], path: Path, base: str) -> None:
    """A resource's JSON-LD (:func:`civicgraph.jsonld.compact_document`, context embedded), without indentation:
    Python's JSON encoder is several times faster without it, and a site has hundreds of these files."""
    document = compact_document(triples, base)
    document["@context"] = [published_context(), {"@base": base}]
    path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_site(release: Release, out: Path) -> None:
    """Every page of the site, in both languages, with its Turtle and JSON-LD; the index, the catalogue page,
    ``sitemap.xml`` and ``.htaccess``."""
    model = SiteModel(release)
    env = _environment()
    site = out / SITE_DIR
    base = model.base
    for page in model.pages.values():
        target = site / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        for lang in LANGS:
            Path(f"{target}{'.en' if lang == 'en' else ''}.html").write_text(
                render_resource(model, env, page, lang), encoding="utf-8"
            )
        triples = model.triples(page)
        write_turtle(triples, Path(f"{target}.ttl"))
        write_compact_jsonld(triples, Path(f"{target}.jsonld"), base)
    datasets, _series = plan(release)
    for lang in LANGS:
        suffix = ".en.html" if lang == "en" else ".html"
        (site / f"index{suffix}").write_text(render_index(model, env, lang), encoding="utf-8")
        (site / f"catalog{suffix}").write_text(render_catalog(model, env, datasets, lang), encoding="utf-8")
    (site / "sitemap.xml").write_bytes(sitemap(model))
    (out / ".htaccess").write_text(htaccess(model), encoding="utf-8")
