"""``build`` warns when publish_url cannot serve the release's files: the download URLs of the catalogue would lead
nowhere. The default (https://w3id.org/civicgraph/) is a redirect service; reserved names (RFC 2606) have no server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from civicgraph.publish.plan import publish_url_warning

from ..conftest import ROOT


@pytest.mark.parametrize(
    ("publish_url", "warned"),
    [
        ("https://w3id.org/civicgraph/", True),  # the default: w3id.org only redirects
        ("https://purl.org/civicgraph/", True),
        ("https://doi.org/10.1234/x/", True),
        ("https://civicgraph.example/synthetic/", True),  # RFC 2606: .example is reserved
        ("https://www.example.org/civicgraph/", True),
        ("https://dane.poznan.pl/civicgraph/", False),
        ("https://notexample.org/civicgraph/", False),  # only the name itself and its subdomains
        ("https://w3id.org.poznan.pl/", False),
    ],
)
def test_an_address_that_cannot_serve_files_is_warned_about(publish_url: str, warned: bool) -> None:
    warning = publish_url_warning(publish_url)
    assert (warning is not None) is warned
    if warning is not None:
        assert warning["en"].startswith(f"warning: publish_url {publish_url} is on ")
        assert warning["pl"].startswith(f"uwaga: publish_url {publish_url} to ")
        assert "docs/publishing.md" in warning["en"] and "docs/publishing.md" in warning["pl"]


def _build(data: Path, out: Path, lang: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "civicgraph", "build", "--data", str(data), "--out", str(out), "--lang", lang]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_build_with_the_default_address_warns_in_the_language_asked_and_still_publishes(
    data_copy: Path, tmp_path: Path
) -> None:
    run = _build(data_copy, tmp_path / "dist", "en")
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert lines[0].startswith("warning: publish_url https://w3id.org/civicgraph/ is on w3id.org, which only redirects")
    # the count is the graph's, though the build lets its triples go before the catalogue is written
    published = len((tmp_path / "dist" / "graph.nt").read_bytes().splitlines())
    assert lines[1] == f"wrote {tmp_path / 'dist'} ({published} triples, 1 reports, 0 SHACL warnings)"
    assert json.loads((tmp_path / "dist" / "release.json").read_text(encoding="utf-8"))["triples"] == published
    assert (tmp_path / "dist" / "catalog.ttl").is_file()


def test_build_with_a_server_address_says_nothing_of_it(data_copy: Path, tmp_path: Path) -> None:
    settings = data_copy / "civicgraph.yaml"
    text = settings.read_text(encoding="utf-8")
    assert text.count("publish_url: https://w3id.org/civicgraph/\n") == 1
    settings.write_text(text.replace("https://w3id.org/civicgraph/\n", "https://dane.poznan.pl/civicgraph/\n"))
    run = _build(data_copy, tmp_path / "dist", "pl")
    assert run.returncode == 0, run.stderr
    assert [line for line in run.stderr.splitlines() if "publish_url" in line] == []
