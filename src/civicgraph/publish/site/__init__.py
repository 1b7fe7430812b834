"""``site/``: the website, in Polish (``{path}.html``) and English (``{path}.en.html``), each page with its machine
description beside it (``{path}.ttl``, ``{path}.jsonld``) and inside it (the same JSON-LD in a script element).

``{path}`` is an IRI minus the base IRI (``member/3064011``); ontology terms live under ``ontology/`` and concepts
under ``vocab/``. Pages are made for local governments, national organisations, reports, periods, concept schemes
and concepts, and the ontology and its terms; every other resource is a section of one of them, its anchor being
its own path (:func:`civicgraph.publish.negotiation.section_of`): ``…/id/activity/3064011/2023/pkm`` is shown at
``report/3064011/2023.html#activity/3064011/2023/pkm``.

The pages of local governments, organisations and reports are written for the people who read them
(:mod:`.member`, :mod:`.organisation`, :mod:`.report`): memberships as a story with its evidence, the report's
text with its facts marked, charts with their tables. Periods, concepts and ontology terms keep the linked-data
view (:mod:`.generic`). Every page says which resource it describes and links its Turtle and JSON-LD. A
report page's descriptions are its edition's files (the same bytes as ``editions/{teryt}-{year}.ttl|.jsonld``).

Beside them: the home page and a page per voivodeship (:mod:`.index`), the catalogue page, the concept schemes'
index (``vocab/index``) and the shapes (``shapes``) (:mod:`.documents`), ``sitemap.xml`` and ``.htaccess``.
Every link is relative, so the site works opened from disk (``file://``) as well as served. The pages need no
script; the home page's search is one where scripts run.
"""

from __future__ import annotations

import posixpath
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from markupsafe import Markup

from civicgraph.graph.jsonld import write_compact_jsonld
from civicgraph.graph.rdfio import (
    used_prefixes_of_plain,
    write_ntriples,
    write_rdfxml,
    write_turtle,
)
from civicgraph.graph.terms import PlainTriple, oxigraph_triples
from civicgraph.publish.negotiation import ONTOLOGY_IRI, SHAPES_IRI, SITE_DIR, htaccess
from civicgraph.publish.plan import plan, plan_key
from civicgraph.publish.release import EDITION_FILES, Edition, Release, build_date, editions
from civicgraph.publish.reuse import NOT_PUBLISHED, Reuse, key_of
from civicgraph.publish.site.catalog import render_catalog
from civicgraph.publish.site.documents import (
    SHAPES_PAGE,
    VOCAB_PAGE,
    shapes_context,
    shapes_jsonld,
    stable_blank_nodes,
    vocab_index_context,
    vocabulary_triples,
)
from civicgraph.publish.site.facts import Reader
from civicgraph.publish.site.generic import generic_context, view_keys
from civicgraph.publish.site.index import (
    SEARCH_INDEX,
    index_context,
    members_by_voivodeship,
    search_index,
    voivodeship_context,
    voivodeship_path,
)
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.member import member_context
from civicgraph.publish.site.model import Page, SiteModel, file_of, relative
from civicgraph.publish.site.organisation import organisation_context
from civicgraph.publish.site.parts import View
from civicgraph.publish.site.report import report_context
from civicgraph.publish.site.words import LANGS, WORDS
from civicgraph.source.records import Dataset
from civicgraph.util.folders import same_file
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import CG, CGV
from civicgraph.util.parallel import in_parallel
from civicgraph.util.resources import shapes_files

if TYPE_CHECKING:
    import jinja2

__all__ = ["write_site"]

# The story pages, by the class of their resource: (template, the function giving its content).
_STORIES: dict[str, tuple[str, Callable[[View, Reader], dict[str, Any]]]] = {
    f"{CG}LocalGovernment": ("member.html", member_context),
    f"{CG}NationalOrganisation": ("organisation.html", organisation_context),
    f"{CG}Report": ("report.html", report_context),
}


# The templates of the resources' pages.
_PAGE_TEMPLATES = ("member.html", "organisation.html", "report.html", "generic.html")


def environment() -> jinja2.Environment:
    import jinja2  # imported here: only the site writer needs it

    class Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            """``{{ w.skip }}`` of a dict is its key: Jinja tries the attribute first, raising and catching an
            AttributeError for each of the 650,000 such look-ups of a national site (a tenth of the rendering)."""
            if type(obj) is dict and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    return Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
        autoescape=True,
        auto_reload=False,  # templates are compiled once per build, not checked again for each page
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def embedded(jsonld: bytes) -> Markup:
    """JSON-LD to put inside ``<script type="application/ld+json">``: ``<`` written as ``\\u003c`` (the same
    JSON, as ``<`` occurs only inside strings), so that no ``</script>`` in the data can end the element."""
    return Markup(jsonld.decode().strip().replace("<", "\\u003c"))


def common(view: View, title: str, data_files: bool = True, jsonld: Markup | None = None) -> dict[str, Any]:
    """What every page's frame needs: language, navigation, footer, and its descriptions' files."""
    path, lang = view.path, view.lang
    other = "en" if lang == "pl" else "pl"
    name = posixpath.basename(path)
    settings = view.model.settings
    return {
        "lang": lang,
        "other_lang": other,
        "w": WORDS[lang],
        "title": title,
        "title_lang": "",
        "switch_href": posixpath.basename(file_of(path, other)),
        "index_href": relative(path, file_of("index", lang)),
        "catalog_href": relative(path, file_of("catalog", lang)),
        "ontology_href": relative(path, file_of("ontology", lang)),
        "vocab_href": relative(path, file_of(VOCAB_PAGE, lang)),
        "shapes_href": relative(path, file_of(SHAPES_PAGE, lang)),
        "edition": settings.edition,
        "issued": build_date(settings).isoformat(),
        "licence": settings.data_licence,
        "turtle_href": f"{name}.ttl" if data_files else "",
        "ntriples_href": f"{name}.nt" if data_files else "",
        "rdfxml_href": f"{name}.rdf" if data_files else "",
        "jsonld_href": f"{name}.jsonld" if data_files else "",
        "jsonld": jsonld or "",
        "data_heading": WORDS[lang]["data_heading"],
        "data_more": "",
        "unplaced": [],
    }


def render_page(
    model: SiteModel, reader: Reader, templates: dict[str, jinja2.Template], page: Page, lang: str, jsonld: Markup
) -> str:
    """A resource's page: its story (member, organisation, report) or its linked-data view."""
    view = View(model, page, lang)
    story = _story(model, page)
    if story is not None:
        template, content = story
        context = content(view, reader)
    else:
        template, context = "generic.html", generic_context(view)
    frame = common(view, context["title"], jsonld=jsonld)
    frame["data_lead"] = Markup(escape(view.w["data_lead"]).format(iri=f"<code>{escape(page.iri)}</code>"))
    frame["unplaced"] = [
        {"anchor": model.anchors[s], "iri": s, "kind": _kind(view, s)}
        for s in page.subjects[1:]
        if model.anchors[s] not in view.placed
    ]
    return templates[template].render({**frame, **context})


def _story(model: SiteModel, page: Page) -> tuple[str, Callable[[View, Reader], dict[str, Any]]] | None:
    """The story of a page's resource (its template and content), by its class; None for a linked-data view."""
    return next((_STORIES[t] for t in model.graph_for(page).types(page.iri) if t in _STORIES), None)


def _kind(view: View, iri: str) -> str:
    types = view.model.index.types(iri)
    own = [t for t in types if t.startswith(CG)]
    return view.label((own or types)[0]) if types else ""


DESCRIPTIONS = (".ttl", ".nt", ".rdf", ".jsonld")  # every page's data, in each format the IRIs are answered with


def write_descriptions(triples: Sequence[PlainTriple], target: Path, base: str) -> None:
    """``{target}.ttl``, ``.nt``, ``.rdf`` and ``.jsonld``: the page's triples (plain terms,
    :mod:`civicgraph.graph.terms`) in each format content negotiation offers (:mod:`civicgraph.publish.negotiation`),
    so that a static server answers as ``civicgraph serve`` does."""
    made = list(oxigraph_triples(triples))  # for Oxigraph's serializers
    prefixes = used_prefixes_of_plain(triples)  # for both formats that abbreviate
    write_turtle(made, Path(f"{target}.ttl"), prefixes=prefixes)
    write_ntriples(made, Path(f"{target}.nt"))
    write_rdfxml(made, Path(f"{target}.rdf"), prefixes=prefixes)
    write_compact_jsonld(triples, Path(f"{target}.jsonld"), base)


def write_site(release: Release, out: Path) -> None:
    """Every page of the site, in both languages, with its Turtle, N-Triples, RDF/XML and JSON-LD; the home and
    voivodeship pages, the catalogue page, the vocabularies' index, the shapes, the search index, ``sitemap.xml``
    and ``.htaccess``. A report's page takes its descriptions from its edition (written before)."""
    with paused_cycle_collector():
        model = SiteModel(release)
        reader = Reader(model.index)
        env = environment()
        # compiled once, before the workers fork; a dict, as Jinja's own lookup checks its cache on every call
        templates = {name: env.get_template(name) for name in _PAGE_TEMPLATES}
        for shared in ("base.html", "data.html"):  # what they extend and include, compiled before the fork too
            env.get_template(shared)
        site = out / SITE_DIR
        regions = members_by_voivodeship(model)
        folders = {(site / page.path).parent for page in model.pages.values()}
        folders |= {site / "voivodeship", site / "vocab"}
        for folder in sorted(folders):
            folder.mkdir(parents=True, exist_ok=True)
        reports = {e.report_iri: e for e in editions(release)}
        reuse = release.reuse
        reusable = _declare_reusable(release, model, reports)
        catalog_taken = _take_catalog_page(release, out)

        def write(pages: Sequence[Page]) -> None:
            for page in pages:
                target = site / page.path
                edition = reports.get(page.iri)
                if edition is not None:  # the report's edition: the part of the graph the report states
                    # its RDF/XML was written with the edition's files (editions.PAGE_RDFXML)
                    for suffix in EDITION_FILES:
                        same_file(out / edition.file(suffix), Path(f"{target}{suffix}"))
                if reuse.take_all(reusable.get(page.iri, []), out):
                    continue
                if edition is None:
                    write_descriptions(_page_triples(model, page), target, model.base)
                jsonld = embedded(Path(f"{target}.jsonld").read_bytes())
                for lang in LANGS:
                    html = render_page(model, reader, templates, page, lang, jsonld)
                    Path(str(target) + file_of("", lang)).write_bytes(html.encode())

        # the pages that show no single resource are one more job, dealt first, as the pages are
        in_parallel(
            _members_with_their_reports(model, reports),
            write,
            besides=[lambda: _write_documents(model, reader, env, site, regions, catalog_taken)],
        )
        _write_sitemap(model, regions, reuse, out)
        (out / ".htaccess").write_bytes(htaccess(model.settings).encode())


def _members_with_their_reports(model: SiteModel, reports: dict[str, Edition]) -> list[Page]:
    """The pages in the order they are dealt to the processes: a local government's page followed by its reports'
    pages, which show the same reports' facts. The process that reads a report's facts (:class:`Reader`, once per
    process) for the one then has them for the others: in IRI order, the reports' pages came long after the
    members', many in the other process, which read the report again. At three national years the processes read
    8,421 reports' facts (each report once) instead of 12,429, in 3.4 s instead of 4.6 (one instrumented build
    each); at one year 2,807 instead of 3,676."""

    def key(page: Page) -> tuple[str, str]:
        edition = reports.get(page.iri)
        return (page.iri, "") if edition is None else (f"{model.base}member/{edition.member}", page.iri)

    return sorted(model.pages.values(), key=key)


def _declare_reusable(release: Release, model: SiteModel, reports: dict[str, Edition]) -> dict[str, list[str]]:
    """Declare what the pages of local governments, reports and organisations are made from
    (:mod:`civicgraph.publish.reuse`), and give the files of each page that the release being replaced may hold
    the same.

    A local government's page, and the page of each of its reports, show only its own reports (a membership joins
    what they state across the years), the records those name (the members and organisations of their editions),
    its own record, the settings and the release date: so their files are made from the keys of its editions, its
    record and those. A report page's RDF/XML is written, and declared, with its edition's files. An organisation's
    page shows its record, the reports that name it as a membership (their memberships, activities and what those
    name) and those that printed a variant of its name: its files are made from the keys of their editions, its
    record, the settings and the release date (a national report names 3 of 159 organisations: with one report
    changed, the site is written in 1.5 s instead of 2.25). The linked-data view of any other data
    resource (a period, a concept) is keyed from what changed in the graph (:func:`view_keys`), when the build made
    the subjects' digests (into an earlier release). The pages that list every local government or period (home,
    periods), the voivodeships' and the ontology's are always written."""
    reuse, dataset = release.reuse, release.dataset
    settings = key_of(dataset.settings, build_date(dataset.settings).isoformat(), skip=NOT_PUBLISHED)
    reusable: dict[str, list[str]] = {}

    def declare(page: Page, descriptions: tuple[str, ...], key: str) -> None:
        suffixes = (*descriptions, *(file_of("", lang) for lang in LANGS))
        files = [f"{SITE_DIR}/{page.path}{suffix}" for suffix in suffixes]
        reuse.declare(*files, key=key)
        reusable[page.iri] = files

    def keys_of(editions: list[Edition]) -> list[str] | None:
        """The editions' keys in their order; None when an edition was not written by this build (a writer run
        alone), so nothing is declared."""
        keys = [key for edition in editions if (key := reuse.keys.get(edition.file(".nt"))) is not None]
        return keys if len(keys) == len(editions) else None

    editions_of: dict[str, list[Edition]] = {}
    for edition in reports.values():
        editions_of.setdefault(edition.member, []).append(edition)
    for teryt, member in dataset.members.items():
        own = sorted(editions_of.get(teryt, []), key=lambda e: e.year)
        edition_keys = keys_of(own)
        if edition_keys is None:
            continue
        key = key_of(settings, member, edition_keys, skip=NOT_PUBLISHED)
        member_page = model.pages.get(f"{model.base}member/{teryt}")
        if member_page is not None:
            declare(member_page, DESCRIPTIONS, key)
        for edition in own:
            if edition.report_iri in model.pages:
                declare(model.pages[edition.report_iri], (), key)
    for organisation, shown in _editions_showing_organisations(dataset, reports).items():
        organisation_page = model.pages.get(f"{model.base}organisation/{organisation}")
        edition_keys = keys_of(shown)
        if organisation_page is not None and edition_keys is not None:
            record = dataset.organisations[organisation]
            declare(organisation_page, DESCRIPTIONS, key_of(settings, record, edition_keys, skip=NOT_PUBLISHED))
    views = [page for page in model.pages.values() if _is_view(model, page)]
    keys = view_keys(model, views, release.change, reuse.recalled.get(_VIEWS_NOTE))
    for page in views:
        if page.iri in keys:
            declare(page, DESCRIPTIONS, key_of(settings, keys[page.iri]))
    reuse.note(_VIEWS_NOTE, keys)
    return reusable


# The note of the linked-data views' keys (generic.view_keys), for the next build into the same folder.
_VIEWS_NOTE = "site views"


def _is_view(model: SiteModel, page: Page) -> bool:
    """Whether the page is a data resource's linked-data view (:func:`render_page`): no ontology term's, no story."""
    return not page.ontology and _story(model, page) is None


def _take_catalog_page(release: Release, out: Path) -> bool:
    """Declare the catalogue page, in both languages, with the key of what it is made from (the planned datasets,
    the settings and the release date: :func:`civicgraph.publish.plan.plan_key`), and take it from the release
    being replaced when that made it from the same key: rendering a national year's takes 0.4 s. Nothing is keyed
    when no earlier release is offered (a first build, ``--full``), as for dane.gov.pl's file, made from the same
    plan."""
    if release.reuse.folder is None:
        return False
    files = [f"{SITE_DIR}/{file_of('catalog', lang)}" for lang in LANGS]
    release.reuse.declare(*files, key=key_of("catalog page", plan_key(release)))
    return release.reuse.take_all(files, out)


def _editions_showing_organisations(dataset: Dataset, reports: dict[str, Edition]) -> dict[str, list[Edition]]:
    """Each organisation's key, with the editions its page shows: of the reports naming it as a membership and
    of those that printed a recorded variant of its name (the reader found both in the data), by member and
    year."""
    edition_of = {(edition.member, edition.year): edition for edition in reports.values()}
    shown: dict[str, set[tuple[str, int]]] = {key: set() for key in dataset.organisations}
    for report in dataset.reports:
        for membership in report.memberships:
            shown[membership.organisation].add((report.member, report.year))
    for key, organisation in dataset.organisations.items():
        shown[key].update((variant.member, variant.year) for variant in organisation.variants)
    return {key: [edition_of[report] for report in sorted(reports_of)] for key, reports_of in shown.items()}


def _write_documents(
    model: SiteModel,
    reader: Reader,
    env: jinja2.Environment,
    site: Path,
    regions: dict[str, list[str]],
    catalog_taken: bool,
) -> None:
    """The pages that show no single resource of the graph, and the files they need; the catalogue page unless it
    was taken from the release being replaced (:func:`_take_catalog_page`)."""
    write_descriptions(vocabulary_triples(), site / VOCAB_PAGE, model.base)
    shapes = shapes_files()
    if len(shapes) == 1:
        shutil.copyfile(shapes[0], site / f"{SHAPES_PAGE}.ttl")  # not linked: the installed file may change
    else:
        write_turtle(sorted((t for f in shapes for t in _parse(f)), key=str), site / f"{SHAPES_PAGE}.ttl")
    (site / f"{SHAPES_PAGE}.jsonld").write_bytes(shapes_jsonld())
    named = sorted(stable_blank_nodes([t for f in shapes for t in _parse(f)]), key=str)  # blank labels as in JSON-LD
    write_ntriples(named, site / f"{SHAPES_PAGE}.nt")
    write_rdfxml(named, site / f"{SHAPES_PAGE}.rdf")
    (site / SEARCH_INDEX).write_bytes(search_index(model))
    datasets, _series = plan(model.release)
    for lang in LANGS:
        pages: list[tuple[str, str, dict[str, Any], bool]] = [
            ("index", "index.html", index_context(model, reader, lang), False),
            (VOCAB_PAGE, "vocab_index.html", vocab_index_context(model, lang), True),
            (SHAPES_PAGE, "shapes.html", shapes_context(model, lang), True),
        ]
        pages += [
            (voivodeship_path(code), "voivodeship.html", voivodeship_context(model, reader, code, members, lang), False)
            for code, members in regions.items()
        ]
        for path, template, context, described in pages:
            view = View(model, Page("", path), lang)
            jsonld = embedded((site / f"{path}.jsonld").read_bytes()) if described else None
            frame = common(view, context["title"], data_files=described, jsonld=jsonld)
            iri = CGV if path == VOCAB_PAGE else SHAPES_IRI
            frame["data_lead"] = Markup(escape(view.w["data_lead"]).format(iri=f"<code>{escape(iri)}</code>"))
            html = env.get_template(template).render({**frame, **context})
            (site / file_of(path, lang)).write_bytes(html.encode())
        if not catalog_taken:
            frame = common(View(model, Page("", "catalog"), lang), WORDS[lang]["catalog"], data_files=False)
            catalog = render_catalog(model, env, datasets, lang, frame)
            (site / file_of("catalog", lang)).write_bytes(catalog.encode())


def _parse(path: Path) -> list[Any]:
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


def _page_triples(model: SiteModel, page: Page) -> Sequence[PlainTriple]:
    """The triples of a page's resource and its sections, in canonical order."""
    graph = model.graph_for(page)
    if page.iri == ONTOLOGY_IRI:
        return model.ontology_triples  # the ontology's own description is the whole ontology
    return [t for s in sorted(page.subjects) for t in graph.triples_of(s)]


SITEMAP = "sitemap.xml"  # in the site's folder: what a search engine is given, a sitemap or the index of several

# The sitemaps protocol's most URLs in one sitemap file (https://www.sitemaps.org/protocol.html: 50,000 URLs and 50
# MB; 50,000 URLs of 206 characters take 13.3 MB, and the site's are far shorter). A national release passes it at
# its eighth year: the pages of 2,807 local governments and of their reports, each in two languages.
URLS_PER_SITEMAP = 50_000
_SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _write_sitemap(model: SiteModel, regions: dict[str, list[str]], reuse: Reuse, out: Path) -> None:
    """``sitemap.xml`` (:func:`sitemap_files`: with the sitemaps it indexes, when the pages need more than one),
    declared with the key of what it lists (the path of every page, the site's address and the release date) and
    taken from the release being replaced when that made it from the same key: a national year's lists 5,906 pages
    in both languages, and writing it took 0.12–0.23 s of this process (4 builds), the other core idle."""
    paths = _sitemap_paths(model, regions)
    site_url, lastmod = f"{model.settings.publish_url}{SITE_DIR}/", build_date(model.settings).isoformat()
    files = sitemap_files(site_url, lastmod, paths)
    released = [f"{SITE_DIR}/{name}" for name in files]
    reuse.declare(*released, key=key_of("sitemap", site_url, lastmod, paths))
    if not reuse.take_all(released, out):
        for name, document in files.items():
            (out / SITE_DIR / name).write_bytes(document)


def _sitemap_paths(model: SiteModel, regions: dict[str, list[str]]) -> list[str]:
    """The path of every page the sitemap lists, in its order."""
    paths = ["index", "catalog", VOCAB_PAGE, SHAPES_PAGE, *(voivodeship_path(code) for code in regions)]
    return [*paths, *sorted(page.path for page in model.pages.values())]


def sitemap_files(site_url: str, lastmod: str, paths: list[str]) -> dict[str, bytes]:
    """The sitemap of the pages at ``paths`` (each in both languages) of the site at ``site_url``, by file name in
    the site's folder: :data:`SITEMAP` alone while their URLs fit in one file (:data:`URLS_PER_SITEMAP`), else
    ``sitemap-1.xml``, ``sitemap-2.xml``, … of that many URLs each (a page's two languages in the same one) in the
    order of ``paths``, and :data:`SITEMAP` the sitemap index listing them, so that the address a search engine
    was given stays the same."""
    per_file = URLS_PER_SITEMAP // len(LANGS)
    shares = [paths[start : start + per_file] for start in range(0, len(paths), per_file)] or [[]]
    if len(shares) == 1:
        return {SITEMAP: _urlset(site_url, lastmod, shares[0])}
    files = {f"sitemap-{number}.xml": _urlset(site_url, lastmod, share) for number, share in enumerate(shares, 1)}
    index = ET.Element(f"{{{_SITEMAPS}}}sitemapindex")
    for name in files:
        listed = ET.SubElement(index, f"{{{_SITEMAPS}}}sitemap")
        ET.SubElement(listed, f"{{{_SITEMAPS}}}loc").text = site_url + name
        ET.SubElement(listed, f"{{{_SITEMAPS}}}lastmod").text = lastmod
    return {SITEMAP: _xml(index), **files}


def _urlset(site_url: str, lastmod: str, paths: list[str]) -> bytes:
    root = ET.Element(f"{{{_SITEMAPS}}}urlset")
    for path in paths:
        for lang in LANGS:
            url = ET.SubElement(root, f"{{{_SITEMAPS}}}url")
            ET.SubElement(url, f"{{{_SITEMAPS}}}loc").text = site_url + file_of(path, lang)
            ET.SubElement(url, f"{{{_SITEMAPS}}}lastmod").text = lastmod
    return _xml(root)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    document: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True, default_namespace=_SITEMAPS)
    return document + b"\n"
