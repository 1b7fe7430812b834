"""Gather a release's catalogue pages as CKAN's DCAT harvester gathers them, with its own parser.

Run with the Python of ``tests/ckan/.venv`` (CKAN and ckanext-dcat, tests/ckan/requirements.txt):
``harvest.py RELEASE PUBLISH_URL FIRST_PAGE``. The loop is ckanext-dcat's ``DCATRDFHarvester.gather_stage``
(ckanext/dcat/harvesters/rdf.py) without its database: each page is read in the syntax its server names
(``text/turtle``, the first page's type kept for the next ones, as ``gather_stage`` keeps it), a page the same as
the first ends the walk, each is parsed by ``RDFParser``, its datasets are gathered, and ``RDFParser.next_page``
gives the next page. The pages are read from the release folder, where the URLs under ``PUBLISH_URL`` lead.
Prints, as JSON, the pages read and, for each dataset, its IRI, identifier, title, resources' URLs and the tags
CKAN's dataset schema would refuse.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from ckan.lib.navl.dictization_functions import Invalid
from ckan.logic.validators import tag_length_validator, tag_name_validator
from ckanext.dcat.processors import RDFParser


def refused_tags(dataset: dict[str, Any]) -> list[str]:
    """The tags CKAN's default dataset schema refuses (ckan/logic/validators.py), each with CKAN's message."""
    refused = []
    for tag in dataset.get("tags") or []:
        for validator in (tag_length_validator, tag_name_validator):
            try:
                validator(tag["name"], {})
            except Invalid as error:
                refused.append(str(error.error))
    return refused


def gathered(release: Path, publish_url: str, first: str) -> dict[str, list[object]]:
    pages: list[object] = []
    datasets: list[object] = []
    url: str | None = first
    rdf_format = "text/turtle"  # what .htaccess serves a .ttl file as; gather_stage keeps the first page's type
    first_hash = None
    while url:
        if not url.startswith(publish_url):
            raise SystemExit(f"a page outside the release: {url}")
        content = (release / url.removeprefix(publish_url)).read_text(encoding="utf-8")
        digest = hashlib.md5(content.encode("utf8")).digest()
        if first_hash is not None and digest == first_hash:
            break
        first_hash = first_hash or digest
        parser = RDFParser()
        parser.parse(content, _format=rdf_format)
        pages.append(url)
        for dataset in parser.datasets():
            extras = {extra["key"]: extra["value"] for extra in dataset["extras"]}
            datasets.append(
                {
                    "uri": extras.get("uri"),
                    "identifier": extras.get("identifier"),
                    "title": dataset.get("title"),
                    "resources": sorted(resource["url"] for resource in dataset["resources"]),
                    "refused_tags": refused_tags(dataset),
                }
            )
        url = parser.next_page()
    return {"pages": pages, "datasets": datasets}


if __name__ == "__main__":
    release, publish_url, first = sys.argv[1:4]
    print(json.dumps(gathered(Path(release), publish_url, first)))
