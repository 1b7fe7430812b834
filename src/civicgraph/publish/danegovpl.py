"""``danegovpl.xml`` + ``danegovpl.md5``: the release as the XML harvester of dane.gov.pl (schema 1.10) reads it.

The portal's harvester downloads the XML, compares it with the ``.md5`` file of the same base name, and
*deletes* every dataset or resource missing from a later harvest. So every member-year ever published must stay
in the file: it lists one dataset per report in ``data/reports/`` (and one for the whole graph), and a report
removed from ``data/`` disappears from the portal — ``civicgraph diff`` shows that before you publish.

The document is built as lxml elements (never as strings) and serialized with a fixed layout, so the same
release gives the same bytes and the same MD5. (lxml rather than the standard library's ElementTree, which cannot
write a default namespace next to the schema's unqualified attributes.) Into an earlier release, a file whose
planned datasets changed (a report added or removed) is written from the earlier one: the elements of the datasets
planned as before are copied as lxml wrote them, the others made (:func:`_written_from`).

The schema caps the length of most elements, and the portal refuses the whole file for one element too long: each
text is fitted to its element (:func:`fitted`, the catalogue keeping the full text), and an identifier or address,
which a cut would break, fails the build instead (:func:`_whole`).
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicgraph.graph.splice import worth_splicing
from civicgraph.publish.plan import (
    DESCRIPTION_MOST,
    THEMES,
    PlannedDataset,
    PlannedFile,
    licence_of,
    plan,
    plan_key,
    plan_keys,
)
from civicgraph.publish.release import build_date
from civicgraph.publish.reuse import key_of
from civicgraph.source.records import Text
from civicgraph.util.errors import ExitCode, Failure, Message

if TYPE_CHECKING:
    from civicgraph.publish.release import Release

Element = Any  # lxml.etree._Element; lxml is imported when the file is written, not when civicgraph starts

NAMESPACE = "urn:otwarte-dane:harvester:1.10"
XML_FILE = "danegovpl.xml"
MD5_FILE = "danegovpl.md5"
MAX_REGIONS = 20  # the schema allows at most 20 TERYT codes per resource

# The longest value the schema (xml_import_otwarte_dane_1_10.xsd) allows in each element civicgraph writes with a
# limit, in characters (``xs:maxLength``). Descriptions: ``descriptionType``, 1,000 (plan.DESCRIPTION_MOST). Tags
# have none; ``terytIdent`` (2 to 7) holds a TERYT code, which has 2, 4 or 7 digits.
TITLE_MOST = 300  # titleType: polish, english (of a dataset and of a resource)
CONDITIONS_MOST = 4000  # conditionsType: dbOrCopyrighted (and responsibilities, personalData, not written)
IDENTIFIER_MOST = 36  # extIdent of a dataset and of a resource
DATASET_URL_MOST = 1000  # datasetType: url
RESOURCE_URL_MOST = 2000  # resourceType: url
ELLIPSIS = "…"


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


def _bilingual(parent: Element, name: str, text: Text, most: int) -> None:
    holder = _element(parent, name)
    _element(holder, "polish", fitted(text.pl, most))
    if text.en:
        _element(holder, "english", fitted(text.en, most))


_LAST_WORD = re.compile(r"\s+\S*\Z")  # the end of a text from its last space on: the word the cut fell in
_LOOSE_END = re.compile(r"[\s,;:—–\-„“(]+\Z")  # spaces, separators or an opening quote left before the "…"


def fitted(text: str, most: int) -> str:
    """``text`` fitted to an element of the harvester file holding at most ``most`` characters: unchanged when it
    fits, else cut and ended with "…", ``most`` characters at most. The cut falls at a word's end, before the word
    the limit falls in, unless that would keep half of the room or less (a name of one long word is cut inside it);
    spaces, separators (",;:" and dashes) and an opening quote or bracket left before the "…" go too.
    Characters are counted as XML Schema's ``maxLength`` counts them, by code point (Python's ``len``): "Łódź" is 4
    characters, though 7 bytes in UTF-8.

    Only dane.gov.pl's file is fitted, as the portal refuses the whole file for one element too long: the
    catalogue (``catalog.ttl`` and its other forms and pages), VoID and the website keep the full texts. The cut
    depends on ``text`` and ``most`` alone, so a dataset planned from the same key gets the same element, as
    :func:`_written_from` copies it."""
    if len(text) <= most:
        return text
    room = most - len(ELLIPSIS)
    head = text[:room]
    if not text[room].isspace():
        last_word = _LAST_WORD.search(head)
        if last_word is not None and last_word.start() > room // 2:
            head = head[: last_word.start()]
    return (_LOOSE_END.sub("", head) or head) + ELLIPSIS


def _whole(value: str, most: int, element: str) -> str:
    """``value``, an identifier or an address, which a cut would break: a :class:`Failure` when it is longer than
    the ``most`` characters its ``element`` allows, rather than a file the portal refuses whole. The identifiers are
    short by construction (``civicgraph-{teryt}-{year}-…``); an address over its limit means a ``publish_url`` of
    hundreds of characters."""
    if len(value) <= most:
        return value
    address = element.endswith("/url")
    raise Failure(
        Message(
            f"{element} w {XML_FILE} ma {len(value)} znaków, a schemat dane.gov.pl dopuszcza najwyżej {most}: "
            f"{value}" + (" (skróć publish_url w civicgraph.yaml)" if address else ""),
            f"{element} in {XML_FILE} is {len(value)} characters long, where dane.gov.pl's schema allows at most "
            f"{most}: {value}" + (" (shorten publish_url in civicgraph.yaml)" if address else ""),
        ),
        ExitCode.BAD_INPUT,
    )


def harvester_document(release: Release, datasets: list[PlannedDataset] | None = None) -> Element:
    """The ``<datasets>`` element of the harvester file: of every planned dataset, or of ``datasets``."""
    from lxml import etree

    root = etree.Element(_q("datasets"), nsmap={None: NAMESPACE})
    for planned in datasets if datasets is not None else plan(release)[0]:
        _dataset(root, release, planned)
    return root


def _serialized(document: Element) -> bytes:
    """The harvester file of ``document``: UTF-8 with the XML declaration, indented (the layout :func:`_cut` reads)."""
    from lxml import etree

    serialized: bytes = etree.tostring(document, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return serialized


# The media types of files the portal refuses to link to, left out of the file (the catalogue lists them). When it
# checks a resource, the portal downloads it and refuses a Content-Type missing from its list of supported types
# (mcod/resources/link_validation.py, ``download_file``, backend 2.32.0); that list spells N-Triples
# "application/nt-triples" (mcod/settings/base.py), so the N-Triples files, served as the registered
# "application/n-triples", would be refused. Their triples are offered in Turtle and JSON-LD beside them.
REFUSED_BY_THE_PORTAL = frozenset({"application/n-triples"})


def _dataset(root: Element, release: Release, planned: PlannedDataset) -> None:
    settings = release.dataset.settings
    updated = f"{build_date(settings).isoformat()}T00:00:00Z"
    dataset = _element(root, "dataset", status="published")
    _element(dataset, "extIdent", _whole(planned.identifier, IDENTIFIER_MOST, "dataset/extIdent"))
    _bilingual(dataset, "title", planned.title, TITLE_MOST)
    _bilingual(dataset, "description", planned.description, DESCRIPTION_MOST)
    _element(dataset, "url", _whole(settings.publish_url + planned.landing_page, DATASET_URL_MOST, "dataset/url"))
    _element(dataset, "updateFrequency", "yearly")
    categories = _element(dataset, "categories")
    for theme in THEMES:
        _element(categories, "category", theme.iri.rsplit("/", 1)[-1])
    _conditions(dataset, release)
    resources = _element(dataset, "resources")
    for planned_file in planned.files:
        if planned_file.kind.media_type not in REFUSED_BY_THE_PORTAL:
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
        fitted(f"Dane udostępnia się na licencji {licence.danegovpl} ({settings.data_licence}).", CONDITIONS_MOST),
    )
    _element(conditions, "dbOrCopyrightedLicenseChosen", licence.danegovpl)


def _resource(
    resources: Element, release: Release, dataset: PlannedDataset, planned: PlannedFile, updated: str
) -> None:
    settings = release.dataset.settings
    resource = _element(resources, "resource", status="published")
    _element(resource, "extIdent", _whole(planned.key, IDENTIFIER_MOST, "resource/extIdent"))
    _element(resource, "url", _whole(settings.publish_url + planned.path, RESOURCE_URL_MOST, "resource/url"))
    _bilingual(resource, "title", planned.title, TITLE_MOST)
    _bilingual(resource, "description", planned.description, DESCRIPTION_MOST)
    _element(resource, "availability", "remote")  # the portal links to the published file, it keeps no copy
    _element(resource, "dataDate", date(dataset.years[1], 12, 31).isoformat())  # the data are as of year end
    _element(resource, "lastUpdateDate", updated)
    for flag in ("hasDynamicData", "hasHighValueData", "hasResearchData"):
        _element(resource, flag, "false")
    if len(dataset.members) <= MAX_REGIONS:
        regions = _element(resource, "regions")
        for teryt in dict.fromkeys(portal_region(member) for member in dataset.members):
            _element(regions, "terytIdent", teryt)


def portal_region(teryt: str) -> str:
    """The TERYT code dane.gov.pl is given for a local government's region: its own, unless it is a commune's
    (seven digits, TERC) whose last digit happens to be the check digit a SIMC locality's identifier ends with (the
    first six digits weighted 2 to 7, modulo 11; 10 counts as 0). The portal reads a seven-digit code that passes
    that check as a locality's (mcod/regions/api.py, ``BaseApi.verify_teryt_region``, backend 2.32.0), looks the
    locality up, and refuses the resource when there is none: about one commune in eleven (217 of the 2,477 of
    the synthetic national dataset, whose codes are shaped as TERC's). Such a commune's region is given as its
    county, the code's first four digits, which the portal reads as a county's."""
    if len(teryt) != 7:
        return teryt
    weighted = sum(weight * int(digit) for weight, digit in enumerate(teryt[:6], start=2)) % 11
    return teryt[:4] if str(weighted % 10) == teryt[6] else teryt


def take_unchanged_danegovpl(release: Release, out: Path) -> None:
    """Declare the harvester file and its MD5 with the key of what they are made from (the planned datasets, the
    settings and the release date: :func:`civicgraph.publish.plan.plan_key`), and take both from the release being
    replaced when it made them from the same key: writing the file takes 0.65 s at a national year, keying the plan
    0.2–0.4 s, once for the release (:func:`civicgraph.publish.plan.plan_keys`). Note, for the next build, the key
    of each planned dataset in the file's order (:func:`_written_from`). Run in the building process before
    :func:`write_danegovpl` (a key or note made in another process would not be recorded). Nothing is declared
    when no earlier release is offered (a first build, ``--full``): the next build writes the file again and keys
    it."""
    if release.reuse.folder is None:
        return
    key = key_of("danegovpl", plan_key(release))
    release.reuse.declare(XML_FILE, MD5_FILE, key=key)
    release.reuse.note(_NOTE, {"key": key, "datasets": list(plan_keys(release).datasets.values())})
    release.reuse.take_all([XML_FILE, MD5_FILE], out)


def write_danegovpl(release: Release, out: Path) -> None:
    """``danegovpl.xml`` and, beside it, ``danegovpl.md5`` holding the hexadecimal MD5 of the XML's bytes; nothing
    when :func:`take_unchanged_danegovpl` took them (into a new staging folder: they are there)."""
    if (out / XML_FILE).exists():
        return
    document = _written_from(release)
    if document is None:
        document = _serialized(harvester_document(release))
    (out / XML_FILE).write_bytes(document)
    (out / MD5_FILE).write_text(hashlib.md5(document, usedforsecurity=False).hexdigest(), encoding="ascii")


# -- written from the earlier release's file ----------------------------------------------------------------------

_NOTE = "danegovpl"  # the note of the file's key and its datasets' keys, in the reuse record
# How lxml lays out a dataset's element in the file: each starts a line, indented by two spaces (the file's only
# elements at that depth), and the file ends with the closing tag of the root. Text never holds a "<" unescaped.
_OPENING = b"  <dataset "
_CLOSING = b"  </dataset>\n"
_END = b"</datasets>\n"


def _written_from(release: Release) -> bytes | None:
    """The harvester file written from the earlier release's: the element of each dataset planned from the same
    key (:class:`civicgraph.publish.plan.PlanKeys`: from the same records, settings, release date and code) copied
    as written, the others made. None (to be written whole) when the earlier build noted no keys or its file is
    not the one it wrote with them, or when too many datasets changed for copying to pay.

    A national year's file (2,808 datasets, 19.7 MB) took 0.75 s to write whole, one report added."""
    reuse = release.reuse
    note = reuse.recalled.get(_NOTE)
    if not (isinstance(note, dict) and isinstance(note.get("key"), str) and isinstance(note.get("datasets"), list)):
        return None
    earlier_file = reuse.earlier_file(XML_FILE, note["key"])
    if earlier_file is None:
        return None
    earlier = _cut(earlier_file.read_bytes())
    if earlier is None or len(earlier[1]) != len(note["datasets"]):
        return None
    head, elements, end = earlier
    written = dict(zip(note["datasets"], elements, strict=True))
    datasets, keys = plan(release)[0], plan_keys(release).datasets
    missing = [planned for planned in datasets if keys[planned.key] not in written]
    if not worth_splicing(len(missing), len(datasets)):
        return None
    if missing:
        made = _cut(_serialized(harvester_document(release, missing)))
        if made is None or made[0] != head or made[2] != end:
            return None
        written.update((keys[planned.key], element) for planned, element in zip(missing, made[1], strict=True))
    return b"".join([head, *(written[keys[planned.key]] for planned in datasets), end])


def _cut(document: bytes) -> tuple[bytes, list[bytes], bytes] | None:
    """The file's head (up to its first dataset), each dataset's element with its line end, and its end; None for
    a file not laid out as lxml lays out the harvester document with datasets."""
    first = document.find(b"\n" + _OPENING)
    if first < 0 or not document.endswith(_END):
        return None
    head, body = document[: first + 1], document[first + 1 : -len(_END)]
    parts = body.split(b"\n" + _OPENING)
    last = len(parts) - 1
    elements = [
        (_OPENING if place else b"") + part + (b"\n" if place < last else b"") for place, part in enumerate(parts)
    ]
    if not all(element.endswith(_CLOSING) for element in elements):
        return None
    return head, elements, _END
