"""The website in a real browser: Debian's headless Chromium opens the key pages of each kind, in both languages,
at 1280 px and at 375 px (a phone), keeps a full-page screenshot of each in test-artifacts/site/, runs axe-core
(from npm, pinned in tests/browser/package-lock.json, injected into the page) against WCAG 2.1 A and AA, checks
that nothing is wider than the phone, and walks from the home page to a figure and its source passage — served
over HTTP on loopback, and opened from disk. The home page's search finds a local government by part of its
name."""

from __future__ import annotations

import base64
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
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "site"
WIDTHS = (1280, 375)
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# One page of every kind the site makes.
KEY_PAGES = (
    "index",
    "member/3064011",
    "report/3064011/2023",
    "organisation/metropolia-poznan",
    "voivodeship/30",
    "catalog",
    "period/2023",
    "vocab/index",
    "vocab/hedge",
    "vocab/hedge/nearly",
    "ontology",
    "ontology/Figure",
    "shapes",
)

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
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _width(driver: Any, width: int) -> None:
    """The viewport of a desktop (1280 px) or of a phone (375 px, touch, no desktop layout)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def _console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def _screenshot(driver: Any, name: str) -> None:
    """The whole page, as tall as it is."""
    size = driver.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}},
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def _axe_violations(driver: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the open page: rule, impact and the first elements."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe failed', impact: String(e), nodes: []}]));",
        WCAG_21_A_AA,
    )
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in violations]


@pytest.mark.parametrize("width", WIDTHS)
def test_key_pages_pass_axe_fit_the_screen_and_load_cleanly(browser: Any, server: str, width: int) -> None:
    if not AXE.is_file():
        pytest.skip("needs axe-core from npm: run `npm ci --prefix tests/browser` (as .ci/run does)")
    _width(browser, width)
    problems = []
    for path in KEY_PAGES:
        for suffix in (".html", ".en.html"):
            browser.get(f"{server}site/{path}{suffix}")
            name = f"{path.replace('/', '_')}{suffix.removesuffix('.html')}-{width}"
            _screenshot(browser, name)
            problems += [f"{name}: {v}" for v in _axe_violations(browser)]
            page_width = browser.execute_script("return document.documentElement.scrollWidth")
            if page_width > width:
                problems.append(f"{name}: {page_width} px wide")
            problems += [f"{name}: {e}" for e in _console_errors(browser)]
    assert problems == []


def _section(driver: Any, anchor: str | None = None) -> Any:
    """The element the URL's fragment (or ``anchor``) names: the place of the resource the link was to."""
    from selenium.webdriver.common.by import By

    anchor = anchor or unquote(urlsplit(driver.current_url).fragment)
    assert anchor, f"{driver.current_url} names no section"
    return driver.find_element(By.ID, anchor)


def _follow(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.LINK_TEXT, text).click()
    assert _console_errors(driver) == [], driver.current_url


def _walk(driver: Any, start: str) -> None:
    """Home → organisation → member (the membership's row) → the report's text → a figure and back."""
    from selenium.webdriver.common.by import By

    _width(driver, 1280)
    driver.get(start)
    _follow(driver, "Metropolia Poznań")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Metropolia Poznań"
    _follow(driver, "Miasto Poznań")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Miasto Poznań"
    # The story: the ZIT figures as large numbers, the source passage on demand with its year.
    zit = driver.find_element(
        By.XPATH, "//li[p[@class='title'] = 'Projekty Zintegrowanych Inwestycji Terytorialnych (ZIT)']"
    )
    summary = zit.find_element(By.TAG_NAME, "summary")
    assert summary.text == "Gdzie raport za 2023 r. o tym mówi"
    summary.click()
    marks = [m.text for m in zit.find_elements(By.CSS_SELECTOR, "mark.m-figure")]
    assert marks == ["139 projektów", "blisko 1,4 mld zł", "ponad 800 mln zł"]
    zit.find_element(By.LINK_TEXT, "w tekście raportu").click()
    # source.txt: "Stowarzyszone samorządy zrealizowały 139 projektów … blisko 1,4 mld zł …"
    passage = _section(driver)
    assert passage.tag_name == "mark" and passage.text.startswith("Stowarzyszone samorządy zrealizowały")
    figure_mark = driver.find_element(By.ID, "report/3064011/2023/text/chars/1216-1233")
    assert figure_mark.text == "blisko 1,4 mld zł"
    figure_mark.find_element(By.XPATH, "following-sibling::sup[1]/a").click()
    fact = _section(driver)
    assert fact.find_element(By.CSS_SELECTOR, ".big").text == "blisko 1,4 mld zł"
    _follow(driver, "English")
    fact = _section(driver, "activity/3064011/2023/zit-projects/figure/total-value")
    assert fact.find_element(By.CSS_SELECTOR, ".big").text == "nearly PLN 1.4 billion"


def test_walk_the_served_site_from_the_home_page_to_a_figure(browser: Any, server: str) -> None:
    _walk(browser, f"{server}site/index.html")


def test_walk_the_site_opened_from_disk(browser: Any, dist: Path) -> None:
    _walk(browser, (dist / "site" / "index.html").as_uri())


@pytest.mark.parametrize("where", ["http", "file"])
def test_the_search_finds_a_local_government_by_part_of_its_name(
    browser: Any, server: str, dist: Path, where: str
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _width(browser, 375)
    browser.get(f"{server}site/index.html" if where == "http" else (dist / "site" / "index.html").as_uri())
    # waited for: a navigation the test before started by a click may still end after get() returns (1 run of 9
    # once found no field right after it)
    field = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "search-field"))
    assert field.is_displayed()
    field.click()
    field.send_keys("poznan")  # without the diacritic
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a"))
    found = {a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#search-results a")}
    assert found["Miasto Poznań"].endswith("site/member/3064011.html")
    assert found["Powiat Poznański"].endswith("site/member/3021.html")
    assert _console_errors(browser) == []
