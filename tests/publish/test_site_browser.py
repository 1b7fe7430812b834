"""End to end in a real browser: Debian's headless Chromium walks the site from the index to an organisation, a
membership (a section of its member's page) and a figure (a section of its report's page) — served over HTTP on
loopback, and opened from disk — and finds the source passage, working links and no console errors. A screenshot
of each step is kept in test-artifacts/."""

from __future__ import annotations

import functools
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from ..conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium (apt-get install chromium)"),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(dist: Path) -> Iterator[str]:
    """The release served over HTTP on a free loopback port, the way a web server publishes dist/."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(dist)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not CHROMEDRIVER.exists():
        pytest.skip("needs /usr/bin/chromedriver (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="civicgraph-chromium-")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1200,1400",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def _follow(driver: Any, text: str, step: str) -> None:
    """Click the link whose text is ``text``, check the page has no console error, keep a screenshot."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.LINK_TEXT, text).click()
    _check_page(driver, step)


def _check_page(driver: Any, step: str) -> None:
    from selenium.webdriver.common.by import By

    assert _console_errors(driver) == [], step
    hrefs = [a.get_attribute("href") for a in driver.find_elements(By.TAG_NAME, "a")]
    assert hrefs and all(hrefs), f"{step}: a link without a target"
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"site-{step}.png"))


def _section(driver: Any, anchor: str | None = None) -> Any:
    """The element the URL's fragment (or ``anchor``) names: the section of the resource the link was to."""
    from selenium.webdriver.common.by import By

    anchor = anchor or unquote(urlsplit(driver.current_url).fragment)
    assert anchor, f"{driver.current_url} names no section"
    return driver.find_element(By.ID, anchor)


def _walk(driver: Any, start: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(start)
    _check_page(driver, f"{name}-1-index")
    _follow(driver, "Metropolia Poznań", f"{name}-2-organisation")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Metropolia Poznań"
    _follow(driver, "Miasto Poznań — Metropolia Poznań", f"{name}-3-membership")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Miasto Poznań"
    # The membership's evidence, as listed in source.txt: " • Metropolia Poznań;" (with other reports', if the data
    # holds other years of Poznań)
    membership = _section(driver)
    assert "Metropolia Poznań;" in [m.text for m in membership.find_elements(By.TAG_NAME, "mark")]
    membership.find_element(By.LINK_TEXT, "Łączna kwota projektów ZIT").click()
    _check_page(driver, f"{name}-4-figure")
    figure = _section(driver)
    anchor = figure.get_attribute("id")
    assert figure.find_element(By.CSS_SELECTOR, ".headline").text == "blisko 1 400 000 000 PLN"
    # source.txt: "…na łączną kwotę blisko 1,4 mld zł, przy ponad 800 mln zł dotacji ze środków unijnych."
    (mark,) = figure.find_elements(By.TAG_NAME, "mark")
    assert mark.text == "blisko 1,4 mld zł"
    paragraph = mark.find_element(By.XPATH, "./ancestor::p[1]").text
    assert "Stowarzyszone samorządy zrealizowały 139 projektów" in paragraph
    _follow(driver, "English", f"{name}-5-report-en")
    figure = _section(driver, anchor)  # the language switch leads to the top of the same page
    assert figure.find_element(By.CSS_SELECTOR, ".headline").text == "nearly 1,400,000,000 PLN"
    figure.find_element(By.LINK_TEXT, "blisko 1,4 mld zł").click()
    _check_page(driver, f"{name}-6-evidence-en")
    evidence = _section(driver)
    assert evidence.get_attribute("typeof") == "https://w3id.org/civicgraph/ontology#Evidence"
    assert [m.text for m in evidence.find_elements(By.TAG_NAME, "mark")] == ["blisko 1,4 mld zł"]


def test_walk_the_served_site_from_the_index_to_a_figure(browser: Any, server: str) -> None:
    _walk(browser, f"{server}site/index.html", "http")


def test_walk_the_site_opened_from_disk(browser: Any, dist: Path) -> None:
    _walk(browser, (dist / "site" / "index.html").as_uri(), "file")
