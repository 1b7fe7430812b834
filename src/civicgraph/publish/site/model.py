"""The model of the site: which page shows which resource, at which anchor, under which label, and the links
between pages.

A page is made for every local government, organisation, report, period, concept scheme, concept and ontology
term; every other resource is a section of one of them (:func:`civicgraph.publish.negotiation.section_of`), its
anchor being its IRI's path. Links are relative, so the site works opened from disk.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from operator import methodcaller

import pyoxigraph as ox

from civicgraph.graph.build import grouped_by_subject
from civicgraph.graph.terms import Lit, PlainTriple, plain_triples
from civicgraph.publish.negotiation import ONTOLOGY_IRI, section_of
from civicgraph.publish.release import GraphIndex, Release, graph_index
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.words import EXTERNAL_LABELS
from civicgraph.source.records import Member
from civicgraph.util.iris import CG, CGV, DCT, RDFS, SKOS
from civicgraph.util.resources import ontology_file

# The properties a label is read from, in this order (as GraphIndex.label reads them).
LABEL_PREDICATES = (f"{SKOS}prefLabel", f"{DCT}title", f"{RDFS}label")


@dataclass
class Page:
    """One page of the site (in each language): the resource it shows, then the resources of its sections."""

    iri: str
    path: str  # site-relative, without extension: member/3064011
    subjects: list[str] = field(default_factory=list)
    ontology: bool = False  # described by the ontology file, not by the data graph

    @cached_property
    def up(self) -> str:
        """The relative link from this page to the site's root folder (``../../`` for ``report/3064011/2023``)."""
        return "../" * self.path.count("/")


def file_of(path: str, lang: str) -> str:
    """The HTML file of a site path in a language: ``member/3064011.html``, ``member/3064011.en.html``."""
    return f"{path}.en.html" if lang == "en" else f"{path}.html"


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


# A page's sections in order by segment (an activity, then its figures): the IRI with "/" as a character sorting
# before any other sorts as the list of its segments does, ten times faster than making the lists (600,000 of them).
# Sorted page by page (SiteModel._assign_pages), a national year's model is made in 0.78 s against 0.92 sorted whole,
# and 0.96 against 1.10 (two runs of 9 alternating in one process: faster in 7, then 8).
_BY_SEGMENT = methodcaller("replace", "/", "\0")


class SiteModel:
    """Pages, sections, labels and links of the site, computed from the release's graph and the ontology."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.settings = release.dataset.settings
        self.base = self.settings.base_iri
        self.index = graph_index(release)
        self.ontology_triples = ontology_triples()
        self.terms = GraphIndex.of(self.ontology_triples, self.base)
        self.texts = {f"{self.base}report/{r.member}/{r.year}/text": r.text for r in release.dataset.reports}
        self.members: dict[str, Member] = {f"{self.base}member/{m.teryt}": m for m in release.dataset.members.values()}
        self.pages: dict[str, Page] = {}
        self.owner: dict[str, str] = {}  # IRI of any shown resource -> IRI of the page it is shown on
        self.anchors: dict[str, str] = {}  # IRI of a section's resource -> its anchor
        # IRIs of resources that would be sections of a page whose resource is missing, each on a page of its own
        self.orphans: list[str] = []
        self._labels: dict[str, dict[str, str]] = {"pl": {}, "en": {}}
        self._targets: dict[str, dict[str, str | None]] = {"pl": {}, "en": {}}
        self._names: dict[str, dict[str, str]] = {"pl": {}, "en": {}}
        self.quotes: dict[tuple[object, ...], str] = {}  # (source text, marks) -> its paragraphs, marked
        self._of_type: dict[str, list[str]] = {}
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
        base, subjects, owner, anchors = self.base, self.index.spans, self.owner, self.anchors
        own: list[str] = []  # the resources with a page of their own
        sections: dict[str, list[str]] = {}  # by the resource of the page showing them
        for subject in subjects:  # a data IRI may be a section of another's page; any other has a page of its own
            if subject.startswith(base):
                page, anchor = section_of(subject[len(base) :])
                shown_on = base + page
                if anchor is not None and shown_on in subjects:
                    owner[subject] = shown_on
                    anchors[subject] = anchor
                    shown = sections.get(shown_on)
                    if shown is None:
                        sections[shown_on] = [subject]
                    else:
                        shown.append(subject)
                    continue
                if anchor is not None:  # a section's resource whose page's resource is missing: a page of its own
                    self.orphans.append(subject)
            elif self.path_of(subject) is None:
                continue  # no resource of the site
            owner[subject] = subject
            own.append(subject)
        for subject in sorted(own):
            path = self.path_of(subject)
            assert path is not None
            its_sections = sorted(sections.pop(subject, ()), key=_BY_SEGMENT)
            self.pages[subject] = Page(subject, path, [subject, *its_sections])
        assert not sections, "a section is shown on a page that is itself a section"
        for term in sorted(self.terms.subjects):
            if term == ONTOLOGY_IRI or term.startswith(CG):
                path = self.path_of(term)
                assert path is not None
                self.pages[term] = Page(term, path, [term], ontology=True)
                self.owner[term] = term

    def graph_for(self, page: Page) -> GraphIndex:
        return self.terms if page.ontology else self.index

    def of_type(self, cls: str) -> list[str]:
        """The resources of a class in the release's graph, sorted; found once per class, as each finding looks
        at every resource (600,000 in a national graph) and the home pages and search index ask eleven times."""
        found = self._of_type.get(cls)
        if found is None:
            found = self._of_type[cls] = self.index.of_type(cls)
        return found

    # -- labels --------------------------------------------------------------------------------------------

    def label(self, iri: str, lang: str) -> str:
        """The resource's name in ``lang`` (a Polish one when it has no other), else its IRI."""
        labels = self._labels[lang]
        cached = labels.get(iri)
        if cached is None:
            external = EXTERNAL_LABELS.get(iri)
            cached = labels[iri] = (
                self.index.label(iri, lang)
                or self.terms.label(iri, lang)
                or (external[0 if lang == "pl" else 1] if external else iri)
            )
        return cached

    def label_language(self, iri: str, lang: str) -> str | None:
        """The language of the label :meth:`label` gives when it is not ``lang`` (a name that exists only in
        Polish, on an English page), else None."""
        properties = self.index.properties(iri) or self.terms.properties(iri) or {}
        for predicate in LABEL_PREDICATES:
            languages = [v.language for v in properties.get(predicate, ()) if isinstance(v, Lit)]
            if languages:
                if lang in languages:
                    return None
                shown = "pl" if "pl" in languages else languages[0]
                return shown if shown != lang else None
        return None

    def name(self, iri: str, lang: str) -> str:
        """The label as HTML: escaped, and marked with its language when it is not the page's."""
        names = self._names[lang]
        cached = names.get(iri)
        if cached is None:
            other = self.label_language(iri, lang)
            text = escape(self.label(iri, lang))
            cached = names[iri] = f'<span lang="{other}">{text}</span>' if other else text
        return cached

    # -- links ---------------------------------------------------------------------------------------------

    def target(self, iri: str, lang: str) -> str | None:
        """Where a link to ``iri`` points, escaped for HTML: the site file (and anchor) showing it relative to the
        site's root, the IRI itself when it is outside the site (http or https), or None."""
        targets = self._targets[lang]
        if iri in targets:
            return targets[iri]
        owner = self.owner.get(iri)
        if owner is None:
            found = escape(iri) if iri.startswith(("http://", "https://")) else None
        else:
            anchor = self.anchors.get(iri)
            found = escape(file_of(self.pages[owner].path, lang) + (f"#{anchor}" if anchor else ""))
        targets[iri] = found
        return found

    def href(self, page_path: str, iri: str, lang: str) -> str | None:
        """The link from the page at ``page_path`` to the page (and section) showing ``iri``: its anchor alone
        within the same page, relative otherwise, the IRI itself outside the site."""
        target = self.target(iri, lang)
        if target is None or target.startswith(("http://", "https://")):
            return target
        own = file_of(page_path, lang)
        if target.startswith(own) and target[len(own) : len(own) + 1] in ("#", ""):
            return target[len(own) :] or posixpath.basename(own)
        return "../" * page_path.count("/") + target

    def link(self, page_path: str, iri: str, lang: str, text: str | None = None) -> str:
        """``<a>`` to ``iri`` with its label (or ``text``, escaped here), or the label alone when it has no page."""
        shown = escape(text) if text is not None else self.name(iri, lang)
        href = self.href(page_path, iri, lang)
        return f'<a href="{href}">{shown}</a>' if href else shown


def ontology_triples() -> list[PlainTriple]:
    """The ontology's triples in canonical order (named nodes only: civicgraph's ontology has no blank nodes)."""
    triples = (
        q.triple
        for q in ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode | ox.Literal)
    )
    return grouped_by_subject(plain_triples(triples))
