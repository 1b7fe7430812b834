"""``site/sitemap.xml``: every page of the site by its absolute URL, as the sitemaps protocol allows a file to hold
them (https://www.sitemaps.org/protocol.html: at most 50,000 URLs and 50 MB in one file, more listed by a sitemap
index), read back by a crawler's sitemap parser (ultimate-sitemap-parser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from usp.fetch_parse import SitemapFetcher
from usp.objects.sitemap import AbstractSitemap, IndexXMLSitemap, PagesXMLSitemap
from usp.web_client.abstract_client import (
    AbstractWebClient,
    AbstractWebClientResponse,
    AbstractWebClientSuccessResponse,
    WebClientErrorResponse,
)

from civicgraph.graph.build import BuiltGraph
from civicgraph.publish import site as site_module
from civicgraph.publish.orchestrator import publish
from civicgraph.publish.site import sitemap_files
from civicgraph.source.records import Dataset

SITEMAPS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "https://example.org/civicgraph/site/"
PROTOCOL_MOST_BYTES = 50 * 1024 * 1024


def _locations(document: bytes, what: str = "url") -> list[str]:
    return list(etree.fromstring(document).xpath(f"s:{what}/s:loc/text()", namespaces=SITEMAPS))


def test_the_pages_of_one_sitemap_file_at_most_then_sitemaps_listed_by_an_index() -> None:
    """50,000 URLs (25,000 pages in two languages) are one sitemap; one page more makes ``sitemap.xml`` the index of
    two sitemaps, the first with 50,000 URLs, in the pages' order, each page's two languages in the same one."""
    paths = [f"member/{number:07d}" for number in range(25_001)]

    assert list(sitemap_files(SITE, "2024-01-31", paths[:25_000])) == ["sitemap.xml"]

    files = sitemap_files(SITE, "2024-01-31", paths)
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert _locations(files["sitemap.xml"], "sitemap") == [f"{SITE}sitemap-1.xml", f"{SITE}sitemap-2.xml"]
    assert index.xpath("s:sitemap/s:lastmod/text()", namespaces=SITEMAPS) == ["2024-01-31", "2024-01-31"]
    first, second = _locations(files["sitemap-1.xml"]), _locations(files["sitemap-2.xml"])
    assert (len(first), first[:2], first[-1]) == (
        50_000,
        [f"{SITE}member/0000000.html", f"{SITE}member/0000000.en.html"],
        f"{SITE}member/0024999.en.html",
    )
    assert second == [f"{SITE}member/0025000.html", f"{SITE}member/0025000.en.html"]
    assert max(len(document) for document in files.values()) < PROTOCOL_MOST_BYTES


class _ReleaseClient(AbstractWebClient):
    """Answers the URLs under the release's address from its folder, as the server holding it would: the parser
    reads the files a crawler would fetch, without a network."""

    def __init__(self, publish_url: str, folder: Path) -> None:
        self.publish_url, self.folder = publish_url, folder
        self.fetched: list[str] = []

    def set_max_response_data_length(self, max_response_data_length: int | None) -> None:
        pass

    def get(self, url: str) -> AbstractWebClientResponse:
        self.fetched.append(url)
        path = self.folder / url.removeprefix(self.publish_url)
        if not url.startswith(self.publish_url) or not path.is_file():
            return WebClientErrorResponse("404 Not Found", retryable=False)
        return _Found(url, path.read_bytes())


class _Found(AbstractWebClientSuccessResponse):
    def __init__(self, url: str, data: bytes) -> None:
        self._url, self._data = url, data

    def status_code(self) -> int:
        return 200

    def status_message(self) -> str:
        return "OK"

    def header(self, case_insensitive_name: str) -> str | None:
        return "application/xml" if case_insensitive_name.lower() == "content-type" else None

    def raw_data(self) -> bytes:
        return self._data

    def url(self) -> str:
        return self._url


def _read_by_a_crawler(dataset: Dataset, release: Path) -> tuple[AbstractSitemap, list[str]]:
    publish_url = dataset.settings.publish_url
    client = _ReleaseClient(publish_url, release)
    sitemap = SitemapFetcher(f"{publish_url}site/sitemap.xml", recursion_level=0, web_client=client).sitemap()
    return sitemap, client.fetched


def _pages_on_disk(dataset: Dataset, release: Path) -> set[str]:
    site = release / "site"
    return {f"{dataset.settings.publish_url}site/{page.relative_to(site).as_posix()}" for page in site.rglob("*.html")}


def test_a_crawler_reads_every_page_from_the_sitemap(dataset: Dataset, dist: Path) -> None:
    sitemap, fetched = _read_by_a_crawler(dataset, dist)
    assert isinstance(sitemap, PagesXMLSitemap)
    assert fetched == [f"{dataset.settings.publish_url}site/sitemap.xml"]
    pages = [page.url for page in sitemap.all_pages()]
    assert len(pages) == len(set(pages))
    assert set(pages) == _pages_on_disk(dataset, dist)


def test_a_crawler_follows_the_sitemap_index_to_every_page(
    dataset: Dataset, built: BuiltGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With at most 20 URLs a file (the protocol's 50,000 made small for the real data), the release's sitemap is
    an index of sitemaps, which a build into the release takes from it as a whole while the pages are the same."""
    monkeypatch.setattr(site_module, "URLS_PER_SITEMAP", 20)
    release = publish(dataset, built, tmp_path / "dist").folder
    on_disk = _pages_on_disk(dataset, release)
    files = sorted((release / "site").glob("sitemap*.xml"))
    expected = [f"sitemap-{number}.xml" for number in range(1, -(-len(on_disk) // 20) + 1)]
    assert sorted(path.name for path in files) == sorted(["sitemap.xml", *expected])

    sitemap, fetched = _read_by_a_crawler(dataset, release)
    assert isinstance(sitemap, IndexXMLSitemap)
    assert fetched == [f"{dataset.settings.publish_url}site/{name}" for name in ["sitemap.xml", *expected]]
    pages = [page.url for page in sitemap.all_pages()]
    assert len(pages) == len(set(pages))
    assert set(pages) == on_disk
    assert all(len(_locations((release / "site" / name).read_bytes())) <= 20 for name in expected)

    before = {path.name: path.stat().st_ino for path in files}
    publish(dataset, built, release)
    assert {path.name: path.stat().st_ino for path in (release / "site").glob("sitemap*.xml")} == before
