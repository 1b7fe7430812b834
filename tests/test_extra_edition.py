"""Adding a valid year or member to data/ leaves the suite green: the tests of the shipped Poznań facts are run
again on a copy of data/ with three more reports — the constructed Poznań 2022 (tests/fixtures/poznan-2022), the
made-up Gmina Próbna 2023 (tests/fixtures/extra-member) and Gmina Przykładowa 2023 (tests/fixtures/second-member),
whose report has no English title, which the shapes warn of — through ``CIVICGRAPH_TEST_DATA``.

Tests of behaviour start from their own fixtures (``data_copy`` holds Poznań 2023 alone), so they do not see the
extra reports; the modules run here are those that read the shipped data itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, ROOT, add_extra_member, add_poznan_2022, add_second_member

# The modules whose tests read data/ as shipped (the session's dataset, built graph and release).
SHIPPED_FACTS = (
    "tests/graph/test_graph_facts.py",
    "tests/sparql/test_queries.py",
    "tests/sparql/test_query_cli.py",
    "tests/publish/test_catalog_release.py",
    "tests/publish/test_catalog.py",
    "tests/publish/test_danegovpl.py",
    "tests/publish/test_tables.py",
    "tests/publish/test_void.py",
    "tests/wikidata/test_quickstatements.py",
    "tests/shacl/test_validate_cli.py",
    "tests/publish/test_publish.py",
    "tests/publish/test_site_pages.py",
)


def test_the_tests_of_the_shipped_facts_hold_with_three_more_reports(tmp_path: Path) -> None:
    if os.environ.get("CIVICGRAPH_TEST_DATA"):
        pytest.skip("this run already has other data (CIVICGRAPH_TEST_DATA): not nested again")
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    add_poznan_2022(data)
    add_extra_member(data)
    add_second_member(data)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SHIPPED_FACTS],
        cwd=ROOT,
        env={**os.environ, "CIVICGRAPH_TEST_DATA": str(data)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:]
    summary = run.stdout.strip().splitlines()[-1]
    # Only passes (and warnings): a test skipped, deselected, xfailed or erroring on the extra reports would hide
    # what this run is for. None of these modules skips where the repository's files are present (the official
    # shapes and the dane.gov.pl schema are in tests/standards/).
    assert re.fullmatch(r"=* ?\d+ passed(, \d+ warnings?)? in [\d.]+s( \([\d:]+\))?( =*)?", summary), summary
