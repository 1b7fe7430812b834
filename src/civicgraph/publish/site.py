"""``site/``: a static linked-data website in Polish (``{path}.html``) and English (``{path}.en.html``), each page
with its machine description beside it (``{path}.ttl``, ``{path}.jsonld``).

``{path}`` is an IRI minus the base IRI (``member/3064011``); ontology terms live under ``ontology/`` and concepts
under ``vocab/``. **Granularity.** A national release has about a million triples, so not every resource gets a
page of its own. Pages are made for local governments (``member/{teryt}``), national organisations
(``organisation/{key}``), reports (``report/{teryt}/{year}``), periods (``period/{year}``), concept schemes and
concepts (``vocab/…``) and the ontology and its terms (``ontology/…``). Every other resource is a *section* of one
of these pages, its anchor being its own path (:data:`SECTION_RULES`):

* ``activity/{teryt}/{year}/…`` — activities, their figures and participations — on the report's page;
* ``membership/{teryt}/…`` — memberships and their periods — on the member's page;
* anything under the IRI of a report, member or period (the source text, evidence and selectors, the report's own
  figures, a Wikidata check, a period's bounds) on that page.

So ``…/id/activity/3064011/2023/pkm`` is shown at ``report/3064011/2023.html#activity/3064011/2023/pkm``, and
described by ``report/3064011/2023.ttl``. A report page's descriptions are its edition's files (the same bytes as
``editions/{teryt}-{year}.ttl|.jsonld``): the part of the graph the report states, which holds the triples of
every section of the page.

**Bounded pages.** A page holds its own resource, its sections and the links to its resource from elsewhere. The
links from elsewhere are grouped by property; a group shows its size and at most :data:`LINKS_SHOWN` links (by
label) — a concept or a period named by every activity in Poland shows a count and a sample, the full list being
a query away. The one exception is an organisation's memberships, listed whole: one per member, so never more
than there are local governments, however many years or activities the release holds. The index lists the
organisations and the local governments with their reports; the catalogue page has one row per edition.

Every link is relative, so the site works opened from disk (``file://``) as well as served; a link to a section
of the same page is its anchor alone (``#activity/…``). ``civicgraph serve`` serves it at ``/site/`` and answers
``/id/{path}`` with a 303 to the page (``#anchor`` included), Turtle or JSON-LD (:func:`section_of`);
``.htaccess`` makes the same answers for Apache. The pages use no script.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from markupsafe import Markup

from civicgraph.graph.jsonld import write_compact_jsonld
from civicgraph.graph.rdfio import write_turtle
from civicgraph.publish.negotiation import ONTOLOGY_IRI, SITE_DIR, htaccess, section_of
from civicgraph.publish.release import (
    GraphIndex,
    build_date,
    editions,
    graph_index,
)
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import CG, CGV, DCT, OA, ORG, OWL, PROV, RDF_TYPE, RDFS, SCHEMA, SKOS, TIME, XSD
from civicgraph.util.parallel import in_parallel
from civicgraph.util.resources import ontology_file

if TYPE_CHECKING:
    import jinja2

    from civicgraph.publish.plan import PlannedDataset
    from civicgraph.publish.release import Release

_XSD_ANY_URI = f"{XSD}anyURI"
_XSD_DECIMAL = f"{XSD}decimal"
LANGS = ("pl", "en")

# How many links to a resource from elsewhere a page shows per property (the count is always shown).
LINKS_SHOWN = 100
# Links from elsewhere listed whole: an organisation's memberships (at most one per local government).
LISTED_WHOLE = frozenset({f"{ORG}organization"})


try:
    # MarkupSafe's own escaper (in C) without the ``Markup`` object ``escape`` makes: pages are built by joining
    # millions of escaped strings, and this is four times faster than ``escape`` or a chain of ``str.replace``.
    from markupsafe._speedups import _escape_inner as _escape
except ImportError:  # MarkupSafe installed without its C extension

    def _escape(text: str, /) -> str:
        """``text`` escaped for HTML as MarkupSafe escapes it, as a plain string."""
        return (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&#34;")
            .replace("'", "&#39;")
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
        "local_governments": "Samorządy i ich raporty",
        "members": "członkowie",
        "more": "pokazano {shown} z {total}; pełna lista: zapytanie SPARQL lub pliki CSV",
        "editions": "Wydania roczne (po jednym na raport)",
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
        "local_governments": "Local governments and their reports",
        "members": "members",
        "more": "{shown} of {total} shown; the full list: a SPARQL query or the CSV files",
        "editions": "Yearly editions (one per report)",
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


# -- the model of the site --------------------------------------------------------------------------------------


@dataclass
class Page:
    iri: str
    path: str  # site-relative, without extension
    subjects: list[str] = field(default_factory=list)  # the page's resource first, then its sections
    ontology: bool = False  # described by the ontology file, not the data graph

    @cached_property
    def up(self) -> str:
        """The relative link from this page to the site's root folder (``../../`` for ``report/3064011/2023``)."""
        return "../" * self.path.count("/")


@dataclass(frozen=True, slots=True)
class _LinkParts:
    """The parts of a link to one resource in one language that do not depend on the page it is on, as HTML."""

    owner: str | None  # the IRI of the page showing the resource (None: not shown on the site)
    target: str | None  # relative to the site's root (with its #anchor), or the absolute IRI; None: no link
    absolute: bool
    here: str  # the link from the page showing the resource: "#anchor", or the page's own file name
    resource: str  # the resource's IRI
    label: str
    kind: str  # ' <small class="kind">…</small>', or ""


@dataclass(frozen=True, slots=True)
class _Quote:
    """The passage of a source text an evidence selects: the text before it on its line, itself, the text after
    it (escaped for HTML), and its place in the text."""

    source: str  # the IRI of the source text
    first: int
    last: int
    before: str
    exact: str
    after: str


@dataclass
class Section:
    anchor: str | None
    iri: str
    title: str
    types: list[str]  # IRIs, for RDFa typeof
    body: str  # HTML (sections are joined as plain strings; only the page's own is marked safe, for the template)


class SiteModel:
    """Pages, sections, labels and links of the site, computed from the release's graph and the ontology."""

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
        self.anchors: dict[str, str] = {}  # IRI of a section's resource -> its anchor
        self._labels: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}  # language -> IRI -> label
        self._links: dict[str, dict[str, _LinkParts]] = {lang: {} for lang in LANGS}
        self._headers: dict[tuple[str, str], dict[str, str]] = {}
        self._quotes: dict[str, _Quote | None] = {}  # evidence IRI -> its passage, for the page being written
        self._quotes_page = ""
        self._properties: dict[str, str] = {}  # predicate IRI -> the IRI escaped, for RDFa's property attribute
        self._types_paragraphs: dict[tuple[str, ...], str] = {}  # (depth or page, language, *types) -> HTML
        self._typeof: dict[tuple[str, ...], str] = {}  # a section's types -> its RDFa typeof attribute
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
        for subject in self.index.by_subject:
            path = self.path_of(subject)
            if path is None:
                continue
            page, anchor = section_of(path) if subject.startswith(self.base) else (path, None)
            if anchor is not None and self.base + page in self.index.by_subject:
                self.owner[subject] = self.base + page
                self.anchors[subject] = anchor
            else:  # a page of its own (also a section's resource whose page's resource is missing)
                self.owner[subject] = subject
        for subject in sorted(s for s, owner in self.owner.items() if owner == s):
            path = self.path_of(subject)
            assert path is not None
            self.pages[subject] = Page(subject, path, [subject])
        sections = (s for s, owner in self.owner.items() if owner != s)
        for subject in sorted(sections, key=lambda s: s.split("/")):  # an activity, then its figures: by segment
            self.pages[self.owner[subject]].subjects.append(subject)
        for term in sorted(self.terms.by_subject):
            if term == ONTOLOGY_IRI or term.startswith(CG):
                path = self.path_of(term)
                assert path is not None
                self.pages[term] = Page(term, path, [term], ontology=True)
                self.owner[term] = term

    @staticmethod
    def file_of(path: str, lang: str) -> str:
        return f"{path}.en.html" if lang == "en" else f"{path}.html"

    def target(self, iri: str, lang: str) -> tuple[str | None, bool]:
        """Where a link to ``iri`` points: the site file (and anchor) showing it, relative to the site's root, or
        the IRI itself when it is outside the site (second value: whether it is absolute)."""
        owner = self.owner.get(iri)
        if owner is None:
            return (iri, True) if iri.startswith(("http://", "https://")) else (None, False)
        target = self.file_of(self.pages[owner].path, lang)
        anchor = self.anchors.get(iri)
        return (f"{target}#{anchor}" if anchor else target), False

    def href(self, page: Page, iri: str, lang: str) -> str | None:
        """The relative link from ``page`` to the page (and section) showing ``iri``, as HTML (escaped)."""
        return self._href(page, self._link_parts(iri, lang))

    @staticmethod
    def _href(page: Page, parts: _LinkParts) -> str | None:
        """A link within the page is its anchor alone (a report page links to its own sections thousands of
        times: ``#activity/…`` rather than ``../../report/…/2023.html#activity/…``)."""
        if parts.target is None or parts.absolute:
            return parts.target
        return parts.here if parts.owner == page.iri else page.up + parts.target

    # -- labels --------------------------------------------------------------------------------------------

    def label(self, iri: str, lang: str) -> str:
        labels = self._labels[lang]
        cached = labels.get(iri)
        if cached is None:
            cached = labels[iri] = self._label(iri, lang)
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
        parent = iri.rsplit("/", 1)[0]
        while parent.startswith(self.base) and parent not in self.index.by_subject:
            parent = parent.rsplit("/", 1)[0]
        if not parent.startswith(self.base) or parent == iri:
            return None
        parts = iri[len(parent) + 1 :].split("/")
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

    # -- HTML of values ----------------------------------------------------------------------------------------
    # A page of a national release shows thousands of values: the parts of a link that do not depend on the page
    # are escaped once per IRI and language, and the page's only part (the way up to the root) is added per link.

    def _link_parts(self, iri: str, lang: str) -> _LinkParts:
        links = self._links[lang]
        parts = links.get(iri)
        if parts is None:
            target, absolute = self.target(iri, lang)
            owner = self.owner.get(iri)
            anchor = self.anchors.get(iri)
            if anchor:
                here = f"#{anchor}"
            else:  # the page's own resource: its file, from its own folder
                here = posixpath.basename(self.file_of(self.pages[owner].path, lang)) if owner else ""
            kind = self.kind(iri, lang)
            parts = links[iri] = _LinkParts(
                owner,
                None if target is None else _escape(target),
                absolute,
                _escape(here),
                _escape(iri),
                _escape(self.label(iri, lang)),
                f' <small class="kind">{_escape(kind)}</small>' if kind else "",
            )
        return parts

    def link(self, page: Page, iri: str, lang: str, prop: str = "", kind: bool = True) -> str:
        """A link to ``iri`` from ``page`` with its label (and its type, and an RDFa ``property`` when given)."""
        parts = self._link_parts(iri, lang)
        href = self._href(page, parts)
        if href is None:
            html = f"<span>{parts.label}</span>"
        elif prop:
            html = f'<a href="{href}" property="{prop}" resource="{parts.resource}">{parts.label}</a>'
        else:
            html = f'<a href="{href}">{parts.label}</a>'
        return html + parts.kind if kind else html

    def value(self, page: Page, term: ox.NamedNode | ox.Literal, lang: str, prop: str) -> str:
        if isinstance(term, ox.NamedNode):
            return self.link(page, term.value, lang, prop)
        language = term.language
        if language is not None:  # a valid language tag (pyoxigraph checks): letters, digits, "-", nothing to escape
            html = f'<span lang="{language}">{_escape(term.value)}</span>'
            return html if language == lang else f"{html} <small>({language})</small>"
        datatype = term.datatype.value
        if datatype == _XSD_ANY_URI:
            url = _escape(term.value)
            return f'<a href="{url}" property="{prop}" resource="{url}">{url}</a>'
        if datatype == _XSD_DECIMAL:
            return f"<span>{_escape(format_number(term.value, lang))}</span>"
        return f"<span>{_escape(term.value)}</span>"

    def header(self, page: Page, predicate: str, lang: str) -> str:
        """The head cell of a property's row."""
        cells = self._header_cells(page, lang)
        cached = cells.get(predicate)
        if cached is None:
            parts = self._link_parts(predicate, lang)
            href = self._href(page, parts)
            cell = f'<a href="{href}">{parts.label}</a>' if href else parts.label
            cached = cells[predicate] = f'<tr><th scope="row">{cell}</th><td>'
        return cached

    def _header_cells(self, page: Page, lang: str) -> dict[str, str]:
        """The head cells by property: the same on every page as far from the root, except on an ontology page
        (a property's own page links to itself)."""
        key = (page.iri if page.ontology else page.up, lang)
        cells = self._headers.get(key)
        if cells is None:
            cells = self._headers[key] = {}
        return cells

    # -- page content --------------------------------------------------------------------------------------

    def graph_for(self, page: Page) -> GraphIndex:
        return self.terms if page.ontology else self.index

    def section(self, page: Page, subject: str, lang: str) -> Section:
        graph = self.graph_for(page)
        words = WORDS[lang]
        parts: list[str] = []
        types = graph.types(subject)
        if types:
            parts.append(self._types_html(page, types, lang, words))
        if not page.ontology:
            parts += [
                self.figure_html(page, subject, lang),
                self.passages_html(page, subject, lang),
                self.membership_activities_html(page, subject, lang),
                self.source_text_html(subject, lang),
            ]
        parts.append(self.rows_html(page, graph, subject, lang))
        return Section(self.anchors.get(subject), subject, self.label(subject, lang), types, "".join(parts))

    def _types_html(self, page: Page, types: list[str], lang: str, words: dict[str, str]) -> str:
        """The paragraph of a resource's types: the same for every resource of those types on pages as far from
        the root (an ontology page may link to itself, so its paragraphs are its own)."""
        key = (page.iri if page.ontology else page.up, lang, *types)
        cached = self._types_paragraphs.get(key)
        if cached is None:
            links = ", ".join(self.link(page, t, lang, kind=False) for t in types)
            cached = self._types_paragraphs[key] = f'<p class="types">{words["types"]}: {links}</p>\n'
        return cached

    def nested_html(self, page: Page, subject: str, lang: str) -> str:
        """A section of the page: the resource's anchor, title and content."""
        section = self.section(page, subject, lang)
        typeof = self._typeof.get(tuple(section.types))
        if typeof is None:
            typeof = self._typeof[tuple(section.types)] = (
                f' typeof="{_escape(" ".join(section.types))}"' if section.types else ""
            )
        parts = self._link_parts(subject, lang)  # the IRI and the title, escaped once
        return (
            f'<section class="nested" id="{_escape(section.anchor or "")}" about="{parts.resource}"{typeof}>\n'
            f"<h2>{parts.label}</h2>\n{section.body}</section>\n"
        )

    def rows_html(self, page: Page, graph: GraphIndex, subject: str, lang: str) -> str:
        rows = ['<table class="props"><tbody>\n']
        headers, properties, value = self._header_cells(page, lang), self._properties, self.value
        for predicate, values in graph.by_subject.get(subject, {}).items():
            if predicate == RDF_TYPE:
                continue
            prop = properties.get(predicate) or properties.setdefault(predicate, _escape(predicate))
            if len(values) == 1:  # most properties have one value
                cells = value(page, values[0], lang, prop)
            else:
                cells = "<br>".join([value(page, v, lang, prop) for v in _ordered(values, lang)])
            header = headers.get(predicate) or self.header(page, predicate, lang)
            rows.append(f"{header}{cells}</td></tr>\n")
        rows.append("</tbody></table>\n")
        return "".join(rows)

    def incoming_html(self, page: Page, lang: str) -> str:
        """The links to the page's resource from other pages, grouped by property, each group bounded."""
        if page.ontology:
            return ""
        grouped: dict[str, set[str]] = defaultdict(set)
        for subject, predicate in self.index.incoming.get(page.iri, []):
            if self.owner.get(subject) != page.iri:  # links from its own sections are not news
                grouped[predicate].add(subject)
        if not grouped:
            return ""
        words = WORDS[lang]
        rows = ['<table class="props"><tbody>\n']
        for predicate in sorted(grouped, key=lambda p: (self.label(p, lang), p)):
            subjects = sorted(grouped[predicate], key=lambda s: (self.label(s, lang).casefold(), s))
            shown = subjects if predicate in LISTED_WHOLE else subjects[:LINKS_SHOWN]
            cells = "<br>".join(self.link(page, s, lang) for s in shown)
            if len(shown) < len(subjects):
                more = words["more"].format(shown=len(shown), total=format_number(str(len(subjects)), lang))
                cells += f'<br><small class="more">{more}</small>'
            rows.append(f"{self.header(page, predicate, lang)}{cells}</td></tr>\n")
        rows.append("</tbody></table>\n")
        return "".join(rows)

    def passages_html(self, page: Page, subject: str, lang: str) -> str:
        """The source passages of a resource, each in its paragraph (an evidence's own passage in its section)."""
        if self.index.has_type(subject, f"{CG}Evidence"):
            evidence = [subject]
        else:
            evidence = self.index.iris(subject, f"{CG}evidence")
        found = [p for p in (self.passage(page, e, lang) for e in evidence) if p is not None]
        if not found:
            return ""
        found.sort(key=lambda p: (p[0], p[1]))
        words = WORDS[lang]
        quotes = "".join(html for _start, _end, html in found)
        return f'<section class="passages">\n<h3>{words["source"]}</h3>\n{quotes}</section>\n'

    def passage(self, page: Page, evidence: str, lang: str) -> tuple[int, int, str] | None:
        quote = self._quote(page, evidence)
        if quote is None:
            return None
        href = self.href(page, evidence, lang)
        marked = f'<a href="{href}">{quote.exact}</a>' if href else quote.exact
        footer = ""
        text_href = self.href(page, quote.source, lang)
        if text_href:
            footer = (
                f'<footer><a href="{text_href}">{WORDS[lang]["open_text"]}</a> · {quote.first}–{quote.last}</footer>\n'
            )
        html = f'<blockquote lang="pl"><p>{quote.before}<mark>{marked}</mark>{quote.after}</p>\n{footer}</blockquote>\n'
        return quote.first, quote.last, html

    def _quote(self, page: Page, evidence: str) -> _Quote | None:
        """The passage an evidence selects, in its line of the source text, as HTML. Kept while one page is
        written: the page shows it in both languages, and in each section that cites the evidence."""
        if self._quotes_page != page.iri:
            self._quotes.clear()
            self._quotes_page = page.iri
        if evidence in self._quotes:
            return self._quotes[evidence]
        quote = None
        source = self.index.iri(evidence, f"{OA}hasSource")
        text = self.texts.get(source or "")
        position = f"{evidence}/position"
        start, end = self.index.literal(position, f"{OA}start"), self.index.literal(position, f"{OA}end")
        if text is not None and source is not None and start is not None and end is not None:
            first, last = int(start), int(end)
            line_start = text.rfind("\n", 0, first) + 1
            line_end = text.find("\n", last)
            line_end = len(text) if line_end < 0 else line_end
            before, exact, after = text[line_start:first], text[first:last], text[last:line_end]
            quote = _Quote(source, first, last, _escape(before), _escape(exact), _escape(after))
        self._quotes[evidence] = quote
        return quote

    def figure_html(self, page: Page, subject: str, lang: str) -> str:
        """A figure as people read it: the hedge word (none when exact), the value, its unit or currency."""
        if not self.index.has_type(subject, f"{CG}Figure"):
            return ""
        words = WORDS[lang]
        figure = self.figure_summary(page, subject, lang)
        hedge = f'<span class="hedge">{figure["hedge_word"]}</span> ' if figure["hedge_word"] else ""
        currency = f" {figure['currency']}" if figure["currency"] else ""
        unit = f"{words['unit']}: {figure['unit']} · " if figure["unit"] else ""
        hedge_link = f"{words['hedge']}: {figure['hedge']}" if figure["hedge"] else ""
        printed = f" · {words['as_printed']}: „{figure['as_printed']}”" if figure["as_printed"] else ""
        return (
            f'<section class="figure">\n<p class="headline">{hedge}<span class="value">{figure["value"]}</span>'
            f"{currency}</p>\n<p>{unit}{hedge_link}{printed}</p>\n</section>\n"
        )

    def figure_summary(self, page: Page, iri: str, lang: str) -> dict[str, Any]:
        """The parts of a figure, as escaped HTML."""
        hedge = self.index.iri(iri, f"{CG}hedge")
        unit = self.index.iri(iri, f"{SCHEMA}unitCode")
        exact = hedge is not None and hedge.endswith("/exact")
        currency = self.index.literal(iri, f"{SCHEMA}currency")
        printed = self.index.literal(iri, f"{CG}asPrinted")
        return {
            "hedge": self.link(page, hedge, lang) if hedge else "",
            "hedge_word": "" if exact or hedge is None else _escape(self.label(hedge, lang)),
            "value": _escape(format_number(self.index.literal(iri, f"{SCHEMA}value") or "", lang)),
            "unit": self.link(page, unit, lang) if unit else "",
            "unit_text": _escape(self.label(unit, lang)) if unit else "",
            "currency": _escape(currency) if currency else "",
            "as_printed": _escape(printed) if printed else "",
        }

    def membership_activities_html(self, page: Page, subject: str, lang: str) -> str:
        """In a membership's section: the activities carried out within it, each with its figures."""
        if not self.index.has_type(subject, f"{ORG}Membership"):
            return ""
        activities = sorted(
            self.index.referrers(subject, f"{CG}withinMembership"), key=lambda a: self.label(a, lang).casefold()
        )
        if not activities:
            return ""
        items = []
        for activity in activities:
            figures = []
            for iri in self.index.iris(activity, f"{CG}hasFigure"):
                f = self.figure_summary(page, iri, lang)
                hedge = f'<span class="hedge">{f["hedge_word"]}</span> ' if f["hedge_word"] else ""
                currency = f" {f['currency']}" if f["currency"] else ""
                unit = f" ({f['unit_text']})" if f["unit_text"] else ""
                figures.append(f"<li>{self.link(page, iri, lang)}: {hedge}{f['value']}{currency}{unit}</li>")
            nested = f"<ul>{''.join(figures)}</ul>" if figures else ""
            items.append(f"<li>{self.link(page, activity, lang)}{nested}</li>\n")
        title = WORDS[lang]["activities"]
        return f'<section class="activities">\n<h3>{title}</h3>\n<ul>\n{"".join(items)}</ul>\n</section>\n'

    def source_text_html(self, subject: str, lang: str) -> str:
        """The paragraphs of a source text, in its section."""
        if not self.index.has_type(subject, f"{CG}SourceText"):
            return ""
        paragraphs = "".join(
            f"<p>{_escape(line)}</p>\n" for line in self.texts.get(subject, "").split("\n") if line.strip()
        )
        return f'<section class="text" lang="pl">\n<h3>{WORDS[lang]["text"]}</h3>\n{paragraphs}</section>\n'

    def triples(self, page: Page) -> list[ox.Triple]:
        """The triples of a page's resource and its sections, in canonical order."""
        graph = self.graph_for(page)
        if page.iri == ONTOLOGY_IRI:
            return self.ontology_triples  # the ontology's own description is the whole ontology
        return [t for s in sorted(page.subjects) for t in graph.triples_of.get(s, [])]


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
    if len(values) < 2:
        return values

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


def _environment() -> jinja2.Environment:
    import jinja2  # imported here: only the site writer needs it

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        auto_reload=False,  # templates are compiled once per build, not checked again for each page
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _common(model: SiteModel, path: str, lang: str) -> dict[str, Any]:
    other = WORDS[lang]["switch_lang"]
    return {
        "lang": lang,
        "w": WORDS[lang],
        "switch_href": posixpath.basename(SiteModel.file_of(path, other)),
        "switch_lang": other,
        "index_href": relative(path, SiteModel.file_of("index", lang)),
        "ontology_href": relative(path, SiteModel.file_of("ontology", lang)),
        "catalog_href": relative(path, SiteModel.file_of("catalog", lang)),
        "edition": model.settings.edition,
        "issued": build_date(model.settings).isoformat(),
        "licence": model.settings.data_licence,
    }


def render_resource(model: SiteModel, template: jinja2.Template, page: Page, lang: str) -> str:
    name = posixpath.basename(page.path)
    main = model.section(page, page.iri, lang)
    context = {
        **_common(model, page.path, lang),
        "page": page,
        "title": main.title,
        "main": main,
        "body": Markup(main.body),
        "nested": Markup("".join(model.nested_html(page, s, lang) for s in page.subjects[1:])),
        "incoming": Markup(model.incoming_html(page, lang)),
        "turtle_href": f"{name}.ttl",
        "jsonld_href": f"{name}.jsonld",
        "terms": _ontology_terms(model, page, lang) if page.iri == ONTOLOGY_IRI else None,
    }
    return template.render(context)


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
        "link": Markup(model.link(page, term, lang)),
        "definition": graph.literal(term, f"{SKOS}definition", lang) or "",
    }


def render_index(model: SiteModel, env: jinja2.Environment, lang: str) -> str:
    """The organisations (with their number of members) and the local governments with their reports."""
    index = model.index
    page = Page("", "index")
    organisations: list[dict[str, Any]] = [
        {
            "link": Markup(model.link(page, organisation, lang)),
            "sort": model.label(organisation, lang).casefold(),
            "members": len(index.referrers(organisation, f"{ORG}organization")),
        }
        for organisation in index.of_type(f"{CG}NationalOrganisation")
    ]
    organisations.sort(key=lambda o: o["sort"])
    reports_of: dict[str, list[str]] = defaultdict(list)
    for report in index.of_type(f"{CG}Report"):
        for member in index.iris(report, f"{DCT}publisher"):
            reports_of[member].append(report)
    members: list[dict[str, Any]] = []
    for member in index.of_type(f"{CG}LocalGovernment"):
        reports = sorted(reports_of.get(member, []), key=lambda r: index.literal(r, f"{CG}reportYear") or "")
        members.append(
            {
                "link": Markup(model.link(page, member, lang)),
                "sort": model.label(member, lang).casefold(),
                "reports": [
                    {
                        "link": Markup(model.link(page, report, lang, kind=False)),
                        "memberships": sum(
                            index.has_type(r, f"{ORG}Membership") for r in index.referrers(report, f"{CG}reportedIn")
                        ),
                    }
                    for report in reversed(reports)
                ],
            }
        )
    members.sort(key=lambda m: (not m["reports"], m["sort"]))
    context = {
        **_common(model, "index", lang),
        "title": WORDS[lang]["site"],
        "organisations": organisations,
        "members": members,
    }
    return env.get_template("index.html").render(context)


def render_catalog(model: SiteModel, env: jinja2.Environment, datasets: list[PlannedDataset], lang: str) -> str:
    """The whole-graph dataset with its files, then one row per edition (its files as short links)."""

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
    from civicgraph.publish.plan import CATALOG_FILES

    extra = ["void.ttl", "danegovpl.xml", "SHA256SUMS", "release.json", "catalog.dcat-ap-2.ttl"]
    context = {
        **_common(model, "catalog", lang),
        "title": WORDS[lang]["catalog"],
        "whole": entries[0],
        "editions": entries[1:],
        "catalog_files": [{"name": name, "href": name} for name in CATALOG_FILES],
        "release_files": [{"name": name, "href": relative("catalog", _site_or_root(name))} for name in extra],
    }
    return env.get_template("catalog.html").render(context)


_FORMAT_NAMES = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON-LD", ".html": "HTML"}


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


def _same_file(source: Path, target: Path) -> None:
    """``target`` with the bytes of ``source``: a hard link where the file system has them (creating a file costs
    a national build seconds), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_site(release: Release, out: Path) -> None:
    """Every page of the site, in both languages, with its Turtle and JSON-LD; the index, the catalogue page,
    ``sitemap.xml`` and ``.htaccess``. A report's page takes its descriptions from its edition (written before)."""
    from civicgraph.publish.plan import plan

    with paused_cycle_collector():
        model = SiteModel(release)
        env = _environment()
        site = out / SITE_DIR
        for folder in sorted({(site / page.path).parent for page in model.pages.values()}):
            folder.mkdir(parents=True, exist_ok=True)
        reports = {e.report_iri: e for e in editions(release)}

        template = env.get_template("resource.html")  # compiled once, before the workers fork

        def write(pages: Sequence[Page]) -> None:
            for page in pages:
                target = site / page.path
                for lang in LANGS:
                    html = render_resource(model, template, page, lang).encode()
                    Path(f"{target}{'.en' if lang == 'en' else ''}.html").write_bytes(html)
                edition = reports.get(page.iri)
                if edition is not None:  # the report's edition: the part of the graph the report states
                    for suffix in (".ttl", ".jsonld"):
                        _same_file(out / edition.file(suffix), Path(f"{target}{suffix}"))
                else:
                    triples = model.triples(page)
                    write_turtle(triples, Path(f"{target}.ttl"))
                    write_compact_jsonld(triples, Path(f"{target}.jsonld"), model.base)

        in_parallel(list(model.pages.values()), write)
        datasets, _series = plan(release)
        for lang in LANGS:
            suffix = ".en.html" if lang == "en" else ".html"
            (site / f"index{suffix}").write_bytes(render_index(model, env, lang).encode())
            (site / f"catalog{suffix}").write_bytes(render_catalog(model, env, datasets, lang).encode())
        (site / "sitemap.xml").write_bytes(sitemap(model))
        (out / ".htaccess").write_bytes(htaccess(model.settings).encode())
