"""``danegovpl.xml`` + ``danegovpl.md5``: the release as the XML harvester of dane.gov.pl (schema 1.10) reads it.

The portal's harvester downloads the XML, compares it with the ``.md5`` file of the same base name, and
*deletes* every dataset or resource missing from a later harvest. So every member-year ever published must stay
in the file: it lists one dataset per report in ``data/reports/`` (and one for the whole graph), and a report
removed from ``data/`` disappears from the portal — ``civicgraph diff`` shows that before you publish.

The document is built as lxml elements (never as strings) and serialized with a fixed layout, so the same
release gives the same bytes and the same MD5. (lxml rather than the standard library's ElementTree, which cannot
write a default namespace next to the schema's unqualified attributes.)
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicgraph.publish.plan import THEMES, PlannedDataset, PlannedFile, licence_of, plan, plan_key
from civicgraph.publish.release import build_date
from civicgraph.publish.reuse import key_of
from civicgraph.source.records import Text

if TYPE_CHECKING:
    from civicgraph.publish.release import Release

Element = Any  # lxml.etree._Element; lxml is imported when the file is written, not when civicgraph starts

NAMESPACE = "urn:otwarte-dane:harvester:1.10"
XML_FILE = "danegovpl.xml"
MD5_FILE = "danegovpl.md5"
MAX_REGIONS = 20  # the schema allows at most 20 TERYT codes per resource


# The qualified names and the lxml module, each found once rather than for each of the 300,000 elements of a
# national file: made there, they cost a fifth of the writer's time.
@functools.cache
def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


@functools.cache
def _etree() -> Any:
    from lxml import etree

    return etree


def _element(parent: Element, name: str, text: str | None = None, **attributes: str) -> Element:
    child = _etree().SubElement(parent, _q(name), attributes)
    if text is not None:
        child.text = text
    return child


def _bilingual(parent: Element, name: str, text: Text) -> None:
    holder = _element(parent, name)
    _element(holder, "polish", text.pl)
    if text.en:
        _element(holder, "english", text.en)


def harvester_document(release: Release) -> Element:
    """The ``<datasets>`` element of the harvester file."""
    from lxml import etree

    root = etree.Element(_q("datasets"), nsmap={None: NAMESPACE})
    datasets, _series = plan(release)
    for planned in datasets:
        _dataset(root, release, planned)
    return root


def _dataset(root: Element, release: Release, planned: PlannedDataset) -> None:
    settings = release.dataset.settings
    updated = f"{build_date(settings).isoformat()}T00:00:00Z"
    dataset = _element(root, "dataset", status="published")
    _element(dataset, "extIdent", planned.identifier)
    _bilingual(dataset, "title", planned.title)
    _bilingual(dataset, "description", planned.description)
    _element(dataset, "url", settings.publish_url + planned.landing_page)
    _element(dataset, "updateFrequency", "yearly")
    categories = _element(dataset, "categories")
    for theme in THEMES:
        _element(categories, "category", theme.iri.rsplit("/", 1)[-1])
    _conditions(dataset, release)
    resources = _element(dataset, "resources")
    for planned_file in planned.files:
        _resource(resources, release, planned, planned_file, updated)
    tags = _element(dataset, "tags")
    for keyword in planned.keywords:
        _element(tags, "tag", keyword.pl, lang="pl")
        if keyword.en:
            _element(tags, "tag", keyword.en, lang="en")
    _element(dataset, "lastUpdateDate", updated)
    for flag in ("hasDynamicData", "hasHighValueData", "hasResearchData"):
        _element(dataset, flag, "false")


def _conditions(dataset: Element, release: Release) -> None:
    """The re-use conditions of the law on re-use of public-sector information, from the data licence."""
    settings = release.dataset.settings
    licence = licence_of(settings)
    conditions = _element(dataset, "conditions")
    _element(conditions, "source", "true")  # CC BY: credit the source
    _element(conditions, "modification", "true")  # CC BY: indicate if changes were made
    _element(
        conditions,
        "dbOrCopyrighted",
        f"Dane udostępnia się na licencji {licence.danegovpl} ({settings.data_licence}).",
    )
    _element(conditions, "dbOrCopyrightedLicenseChosen", licence.danegovpl)


def _resource(
    resources: Element, release: Release, dataset: PlannedDataset, planned: PlannedFile, updated: str
) -> None:
    settings = release.dataset.settings
    resource = _element(resources, "resource", status="published")
    _element(resource, "extIdent", planned.key)
    _element(resource, "url", settings.publish_url + planned.path)
    _bilingual(resource, "title", planned.title)
    _bilingual(resource, "description", planned.description)
    _element(resource, "availability", "remote")  # the portal links to the published file, it keeps no copy
    _element(resource, "dataDate", date(dataset.years[1], 12, 31).isoformat())  # the data are as of year end
    _element(resource, "lastUpdateDate", updated)
    for flag in ("hasDynamicData", "hasHighValueData", "hasResearchData"):
        _element(resource, flag, "false")
    if len(dataset.members) <= MAX_REGIONS:
        regions = _element(resource, "regions")
        for teryt in dataset.members:
            _element(regions, "terytIdent", teryt)


def take_unchanged_danegovpl(release: Release, out: Path) -> None:
    """Declare the harvester file and its MD5 with the key of what they are made from (the planned datasets, the
    settings and the release date: :func:`civicgraph.publish.plan.plan_key`), and take both from the release being
    replaced when it made them from the same key: writing the file takes 0.65 s at a national year, keying the plan
    0.2–0.4 s, once for the release (:func:`civicgraph.publish.plan.plan_keys`). Run in the building process before
    :func:`write_danegovpl` (a key declared in another process would not be recorded). Nothing is declared when no
    earlier release is offered (a first build, ``--full``): the next build writes the file again and keys it."""
    if release.reuse.folder is None:
        return
    release.reuse.declare(XML_FILE, MD5_FILE, key=key_of("danegovpl", plan_key(release)))
    release.reuse.take_all([XML_FILE, MD5_FILE], out)


def write_danegovpl(release: Release, out: Path) -> None:
    """``danegovpl.xml`` and, beside it, ``danegovpl.md5`` holding the hexadecimal MD5 of the XML's bytes; nothing
    when :func:`take_unchanged_danegovpl` took them (into a new staging folder: they are there)."""
    if (out / XML_FILE).exists():
        return
    from lxml import etree

    document = etree.tostring(harvester_document(release), encoding="UTF-8", xml_declaration=True, pretty_print=True)
    (out / XML_FILE).write_bytes(document)
    (out / MD5_FILE).write_text(hashlib.md5(document, usedforsecurity=False).hexdigest(), encoding="ascii")
