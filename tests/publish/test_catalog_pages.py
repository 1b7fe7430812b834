"""The catalogue a page at a time (``catalog-pages/``), for harvesters that refuse a large file and follow Hydra's
links instead: CKAN's DCAT harvester (50 MB by default) and data.europa.eu's piveau.

The harvest is walked as those harvesters walk it, by their rules (restated from their code, cited at each rule),
on a synthetic release of several years and voivodeships; each page is then checked with the official DCAT-AP 3
shapes on its own, as a harvester that validates reads it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD, Namespace

from civicgraph.cli.main import main
from civicgraph.publish import catalog as catalog_module

STANDARDS = Path(__file__).resolve().parents[1] / "standards"
CKAN = Path(__file__).resolve().parents[1] / "ckan"
CKAN_PYTHON = CKAN / ".venv" / "bin" / "python"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
MEMBERS, YEARS = 30, (2022, 2023)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    data, out = folder / "data", folder / "dist"
    years = ",".join(map(str, YEARS))
    synth = CliRunner().invoke(main, ["synth", "--out", str(data), "--members", str(MEMBERS), "--years", years])
    assert synth.exit_code == 0, synth.output
    built = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data), "--out", str(out)])
    assert built.exit_code == 0, built.output
    return out


def _publish_url(release: Path) -> str:
    """Where the release is served: graph.ttl's download URL in the catalogue, less the file's name."""
    catalog = Graph().parse(release / "catalog.ttl")
    url = next(str(o) for o in catalog.objects(None, DCAT.downloadURL) if str(o).endswith("/graph.ttl"))
    return url.removesuffix("graph.ttl")


def _ckan_next_page(page: Graph) -> str | None:
    """ckanext-dcat's RDFParser.next_page (ckanext/dcat/processors.py): of the first hydra:PartialCollectionView
    (then hydra:PagedCollection), its hydra:next, else its hydra:nextPage."""
    for kind in (HYDRA.PartialCollectionView, HYDRA.PagedCollection):
        for node in page.subjects(RDF.type, kind):
            for link in (HYDRA.next, HYDRA.nextPage):
                for found in page.objects(node, link):
                    return str(found)
    return None


def _piveau_paging(page: Graph) -> tuple[int, str | None]:
    """piveau's Hydra.findPaging and next() (io.piveau.importing.utils.Hydra), for a hydra:PartialCollectionView:
    the first hydra:totalItems of the page (it fails when there is none) read as an int, and the view's hydra:next,
    which must be a resource."""
    view = next(page.subjects(RDF.type, HYDRA.PartialCollectionView))
    total = next(page.objects(None, HYDRA.totalItems))
    assert isinstance(total, Literal)
    following = page.value(view, HYDRA.next)
    assert following is None or isinstance(following, URIRef)
    return int(total), None if following is None else str(following)


@pytest.fixture(scope="module")
def harvested(release: Path) -> list[tuple[str, Graph]]:
    """The pages a harvester reads from ``catalog-pages/all.ttl`` on, each as it parses it (read once: a test
    that changes a page changes a copy)."""
    base = _publish_url(release)
    url: str | None = f"{base}catalog-pages/all.ttl"
    pages: list[tuple[str, Graph]] = []
    while url is not None:
        assert url.startswith(base), url
        name = url.removeprefix(base)
        assert name not in [seen for seen, _page in pages], f"the pages lead back to {name}"
        page = Graph().parse(release / name, format="turtle")
        pages.append((name, page))
        url = _ckan_next_page(page)
        assert _piveau_paging(page)[1] == url
    return pages


def test_a_harvester_following_the_pages_reads_the_whole_catalogue_once(
    release: Path, harvested: list[tuple[str, Graph]]
) -> None:
    pages = harvested
    names = [name for name, _page in pages]
    assert names == ["catalog-pages/all.ttl", *sorted(f"catalog-pages/{n}" for n in _year_voivodeship_pages(release))]
    assert set(names) == {p.relative_to(release).as_posix() for p in (release / "catalog-pages").iterdir()}
    catalog = Graph().parse(release / "catalog.ttl")
    datasets = set(catalog.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1 + MEMBERS * len(YEARS)  # the whole graph, and each member's report of each year
    # every dataset on exactly one page: CKAN makes a harvested dataset of each dcat:Dataset it parses
    listed = [dataset for _name, page in pages for dataset in page.subjects(RDF.type, DCAT.Dataset)]
    assert sorted(listed) == sorted(datasets)
    # what the pages say, less Hydra's links, is the catalogue
    together = Graph()
    for _name, page in pages:
        for triple in page:
            if HYDRA not in str(triple[1]) and HYDRA not in str(triple[2]):
                together.add(triple)
    assert isomorphic(together, catalog)
    # piveau reads the count of the whole on every page
    assert {_piveau_paging(page)[0] for _name, page in pages} == {len(datasets)}


def _year_voivodeship_pages(release: Path) -> set[str]:
    """``{year}-{voivodeship}.ttl`` for each year and first two digits of a TERYT code that a report has."""
    reports = (release / "editions").glob("*.ttl")
    found = (re.fullmatch(r"(\d+)-(\d{4})", report.stem) for report in reports)
    return {f"{match[2]}-{match[1][:2]}.ttl" for match in found if match is not None}


def test_a_page_lists_the_reports_of_one_year_and_voivodeship_and_their_series(
    harvested: list[tuple[str, Graph]],
) -> None:
    for name, page in harvested[1:]:
        year, voivodeship = re.fullmatch(r"catalog-pages/(\d{4})-(\d{2})\.ttl", name).groups()  # type: ignore[union-attr]
        identifiers = {str(page.value(d, DCTERMS.identifier)) for d in page.subjects(RDF.type, DCAT.Dataset)}
        assert identifiers, name
        assert all(re.fullmatch(rf"civicgraph-{voivodeship}\d*-{year}", i) for i in identifiers), (name, identifiers)
        catalog = next(page.subjects(RDF.type, DCAT.Catalog))
        assert set(page.objects(catalog, DCAT.dataset)) == set(page.subjects(RDF.type, DCAT.Dataset))
        in_series = set(page.objects(None, DCAT.inSeries))
        assert in_series == set(page.subjects(RDF.type, DCAT.DatasetSeries))
    first = harvested[0][1]
    assert [str(first.value(d, DCTERMS.identifier)) for d in first.subjects(RDF.type, DCAT.Dataset)] == [
        "civicgraph-all"
    ]


@pytest.mark.skipif(not STANDARDS.is_dir(), reason=f"the official shapes are not at {STANDARDS}")
def test_every_page_alone_conforms_to_the_dcat_ap_3_shapes(harvested: list[tuple[str, Graph]]) -> None:
    shapes = Graph()
    for name in ("dcat-ap/3.0.1/shapes.ttl", "dcat-ap/3.0.1/range.ttl"):
        shapes.parse(STANDARDS / name, format="turtle")
    for name, page in harvested:
        conforms, _report, text = validate(
            page, shacl_graph=shapes, inference="none", allow_warnings=True, do_owl_imports=False
        )
        assert conforms, (name, text)
    # not vacuous: a page's dataset without its title does not conform
    page = Graph()
    page += harvested[1][1]
    dataset = next(page.subjects(RDF.type, DCAT.Dataset))
    page.remove((dataset, DCTERMS.title, None))
    assert not validate(page, shacl_graph=shapes, inference="none", do_owl_imports=False)[0]


def test_the_count_is_a_non_negative_integer_on_the_catalogue(
    release: Path, harvested: list[tuple[str, Graph]]
) -> None:
    """Hydra's hydra:totalItems is the collection's (the catalogue's), typed as Hydra's vocabulary ranges it."""
    page = harvested[0][1]
    catalog = next(page.subjects(RDF.type, DCAT.Catalog))
    assert (catalog, RDF.type, HYDRA.Collection) in page
    assert page.value(catalog, HYDRA.totalItems) == Literal(
        str(1 + MEMBERS * len(YEARS)), datatype=XSD.nonNegativeInteger
    )
    assert page.value(catalog, HYDRA.view) == URIRef(_publish_url(release) + "catalog-pages/all.ttl")


def test_a_changed_report_rewrites_the_pages_of_its_member_and_the_first_and_takes_the_others(tmp_path: Path) -> None:
    """Into an earlier release, a page is taken from it while its datasets, their series and its links are made
    from the same (the first page, whose dataset's files change with any report, is always written); the release
    is the one a full build writes."""
    data, out, full = tmp_path / "data", tmp_path / "dist", tmp_path / "full"
    synth = ["synth", "--out", str(data), "--members", "8", "--years", "2022,2023"]
    assert CliRunner().invoke(main, synth).exit_code == 0
    build = ["build", "--lang", "en", "--data", str(data)]
    assert CliRunner().invoke(main, [*build, "--out", str(out)]).exit_code == 0
    before = {p.name: p.stat().st_ino for p in (out / "catalog-pages").iterdir()}
    report = sorted((data / "reports").glob("*/2023/report.yaml"))[0]
    teryt = report.parent.parent.name
    text = report.read_text(encoding="utf-8")
    url = next(line for line in text.splitlines() if line.startswith("url:"))
    report.write_text(text.replace(url, url + "?v=2", 1), encoding="utf-8")

    assert CliRunner().invoke(main, [*build, "--out", str(out)]).exit_code == 0

    after = {p.name: p.stat().st_ino for p in (out / "catalog-pages").iterdir()}
    assert after.keys() == before.keys()
    # the member's report pages are keyed together (each links to its other years), and a page of the catalogue
    # describes their files: the pages of both years of its voivodeship are written, and no other
    changed = {"all.ttl", f"2022-{teryt[:2]}.ttl", f"2023-{teryt[:2]}.ttl"}
    assert {name for name in after if after[name] != before[name]} == changed
    assert len(after) > len(changed)
    assert CliRunner().invoke(main, [*build, "--out", str(full), "--full"]).exit_code == 0
    for name in after:
        assert (out / "catalog-pages" / name).read_bytes() == (full / "catalog-pages" / name).read_bytes(), name


def test_the_pages_are_the_same_whichever_process_writes_them(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shared between two processes (as a national catalogue's are), the pages are those one process writes."""
    monkeypatch.setattr(catalog_module, "_PAGES_SHARED_FROM", 0)
    shared = tmp_path / "dist"
    data = release.parent / "data"
    assert CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data), "--out", str(shared)]).exit_code == 0
    pages = sorted(p.name for p in (release / "catalog-pages").iterdir())
    assert sorted(p.name for p in (shared / "catalog-pages").iterdir()) == pages
    for name in pages:
        assert (shared / "catalog-pages" / name).read_bytes() == (release / "catalog-pages" / name).read_bytes(), name


@pytest.mark.skipif(
    not CKAN_PYTHON.exists(), reason="CKAN is not installed; .ci/run installs it (tests/ckan/requirements.txt)"
)
def test_ckans_dcat_harvester_gathers_every_dataset_once_with_its_files(
    release: Path, harvested: list[tuple[str, Graph]]
) -> None:
    """ckanext-dcat's own parser, walking the pages as CKAN's harvester does (tests/ckan/harvest.py), gathers each
    dataset of catalog.ttl once, with its English title (CKAN's default language), a resource per file and tags
    that CKAN's dataset schema accepts."""
    base = _publish_url(release)
    command = [str(CKAN_PYTHON), str(CKAN / "harvest.py"), str(release), base, f"{base}catalog-pages/all.ttl"]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == 0, ran.stderr
    harvest = json.loads(ran.stdout)
    assert harvest["pages"] == [base + name for name, _page in harvested]
    catalog = Graph().parse(release / "catalog.ttl")
    expected = {}
    for dataset in catalog.subjects(RDF.type, DCAT.Dataset):
        titles = catalog.objects(dataset, DCTERMS.title)
        title = next(t for t in titles if isinstance(t, Literal) and t.language == "en")
        distributions = catalog.objects(dataset, DCAT.distribution)
        # ckanext-dcat takes a resource's URL from dcat:downloadURL, else dcat:accessURL (the website's)
        files = sorted(
            str(catalog.value(d, DCAT.downloadURL) or catalog.value(d, DCAT.accessURL)) for d in distributions
        )
        expected[str(dataset)] = {
            "uri": str(dataset),
            "identifier": str(catalog.value(dataset, DCTERMS.identifier)),
            "title": str(title),
            "resources": files,
            "refused_tags": [],  # by CKAN's dataset schema
        }
    gathered = harvest["datasets"]
    assert sorted(d["uri"] for d in gathered) == sorted(expected)  # each once
    assert {d["uri"]: d for d in gathered} == expected


def test_the_sites_catalogue_page_links_the_first_page(release: Path) -> None:
    pages = {"catalog.html": "ten sam katalog w częściach", "catalog.en.html": "the same catalogue in pages"}
    for page, words in pages.items():
        html = (release / "site" / page).read_text(encoding="utf-8")
        assert '<a href="../catalog-pages/all.ttl">catalog-pages/all.ttl</a>' in html
        assert words in html
    assert (release / "site" / "../catalog-pages/all.ttl").is_file()
