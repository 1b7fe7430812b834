"""Every page of the website read by the Nu Html Checker (vnu.jar, the checker behind validator.w3.org/nu), an HTML
reader that is not the one that wrote them: no error and no warning, in either language. The checker runs on Java;
.ci/run installs both (Debian's JDK, ``npm ci --prefix tests/browser``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT

VNU = ROOT / "tests" / "browser" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None or not VNU.is_file(),
    reason="Java or the Nu Html Checker is not installed; .ci/run installs them (npm ci --prefix tests/browser)",
)


def checked(pages: list[Path]) -> list[dict[str, Any]]:
    """The checker's messages on ``pages`` (errors, warnings and notes), as its JSON report gives them."""
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always", *map(str, pages)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    messages: list[dict[str, Any]] = json.loads(run.stdout)["messages"]
    return messages


def test_every_page_of_the_site_is_valid_html(dist: Path) -> None:
    pages = sorted((dist / "site").rglob("*.html"))
    assert {page.name for page in pages} >= {"index.html", "index.en.html", "3064011.html", "3064011.en.html"}
    assert checked(pages) == []


def test_the_checker_reports_a_broken_page(dist: Path, tmp_path: Path) -> None:
    """The same check fires on a page given an element with an ID the page already has."""
    page = tmp_path / "index.html"
    text = (dist / "site" / "index.html").read_text(encoding="utf-8")
    assert text.count('<main id="main"') == 1
    page.write_text(text.replace('<main id="main"', '<p id="main">x</p><main id="main"'), encoding="utf-8")
    errors = [m["message"] for m in checked([page]) if m["type"] == "error"]
    assert errors == ["Duplicate ID \u201cmain\u201d."]
