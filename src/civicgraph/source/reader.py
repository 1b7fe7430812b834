"""Stage 1 — read: curated YAML source files → typed records, or every problem located by file, line and field.

The files are read with PyYAML's composer (the C one when available), not its constructor: nodes keep their
line numbers and their text exactly as typed (a TERYT code ``0201011`` keeps its leading zero), and duplicate
keys, which YAML loaders silently merge, are reported. Only files inside the data folder are read
(:mod:`civicgraph.source.datafolder`). Every problem is a :class:`~civicgraph.errors.Message` in Polish and English.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import yaml

from civicgraph.language.names import NameIndex
from civicgraph.language.numbers import stated_values
from civicgraph.source.cache import ReportCache
from civicgraph.source.datafolder import MAX_TEXT_BYTES, MAX_YAML_BYTES, MIB, DataFolder, Unreadable
from civicgraph.source.evidence import QuoteNotFound, QuoteNotUnique, locate
from civicgraph.source.records import (
    Activity,
    ContactPoint,
    Coverage,
    Dataset,
    Figure,
    Location,
    Member,
    Membership,
    NameForms,
    NameVariant,
    Organisation,
    Participation,
    Passage,
    Period,
    Publisher,
    Report,
    Settings,
    Text,
    WikidataLink,
)
from civicgraph.source.vocab import notations
from civicgraph.util.errors import InputError, Message, Problem
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.parallel import map_in_parallel

try:  # the C composer is several times faster on national-size data
    from yaml import CSafeLoader as _Loader

    _LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _LIBYAML = False

SETTINGS_FILE = "civicgraph.yaml"
MEMBERS_FILE = "members.yaml"
ORGANISATIONS_FILE = "organisations.yaml"
REPORTS_DIR = "reports"
REPORT_FILE = "report.yaml"

TERYT = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{3})?)?")
YEAR = re.compile(r"(19|20|21)[0-9]{2}")
KRS = re.compile(r"[0-9]{10}")
QID = re.compile(r"Q[1-9][0-9]*")
MAX_QID_NUMBER = 2_147_483_647  # Wikibase numbers its entities with 32-bit integers (Int32EntityId::MAX)
KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CURRENCY = re.compile(r"[A-Z]{3}")
# A figure's value as a curator types it: digits, optionally grouped with "_" and with a fractional part.
NUMBER = re.compile(r"[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?")
MAX_DIGITS = 40  # far above any amount a report prints (the state budget is 13 digits), far below a runaway
LINK_METHODS = ("teryt", "krs", "label", "manual")
# Settings for publishing (docs/publishing.md): required fields, and what their values look like.
PUBLICATION_FIELDS = ("publish_url", "publisher", "contact", "edition", "build_date")
HTTPS_FOLDER = re.compile(r"https://[^\s<>\"{}|\\^`]+/")
RELATIVE_OR_HTTP_IRI = re.compile(r"(https?://)?[^\s<>\"{}|\\^`]+")
HTTP_ADDRESS = re.compile(r"https?://\S+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WKT_POLYGON = re.compile(r"POLYGON\s*\(\(.+\)\)")
WKT_POINT = re.compile(r"POINT\s*\(\s*-?[0-9.]+\s+-?[0-9.]+\s*\)")
# ADMS publisher types (http://purl.org/adms/publishertype/1.0), as DCAT-AP asks for dct:type of a publisher.
PUBLISHER_TYPES = (
    "Academia-ScientificOrganisation",
    "Company",
    "IndustryConsortium",
    "LocalAuthority",
    "NationalAuthority",
    "NonGovernmentalOrganisation",
    "NonProfitOrganisation",
    "PrivateIndividual(s)",
    "RegionalAuthority",
    "StandardisationBody",
    "SupraNationalAuthority",
)

_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_DRAFT_REFUSED = Message(
    "szkic zrobiony przez `civicgraph draft`: przejrzyj go, potem usuń status: draft",
    "a draft made by `civicgraph draft`: review it, then remove status: draft",
)
_STATUS_UNKNOWN = Message(
    "jedyny status to `draft`, którego build nie przyjmuje: przejrzyj wpis, potem usuń ten wiersz",
    "the only status is `draft`, which the build refuses: review the entry, then remove the line",
)
T = TypeVar("T")
REPORT_REF = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{3})?)?/(19|20|21)[0-9]{2}")


@dataclass(frozen=True)
class _PrintedName:
    """A recorded variant whose quote is located once the report that printed it has been read."""

    name: str
    member: str
    year: int
    quote: yaml.Node
    where: str
    file: Path
    location: Location


# What a pattern expects, said once for every field that uses it.
_EXPECTED_KRS = Message("10 cyfr (numer KRS)", "10 digits (a KRS number)")
_EXPECTED_CURRENCY = Message("kod ISO 4217, np. PLN", "an ISO 4217 code such as PLN")
_EXPECTED_HTTP = Message("adres http(s)", "an http(s) address")
_EXPECTED_REPORT = Message("TERYT/ROK, np. 3064011/2023", "TERYT/YEAR, e.g. 3064011/2023")
_TERYT_RULE = Message(
    "kod TERYT ma 2 (województwo), 4 (powiat) lub 7 (gmina) cyfr",
    "a TERYT code has 2 (voivodeship), 4 (county) or 7 (commune) digits",
)
_KEY_RULE = Message(
    "klucz składa się z małych liter, cyfr i pojedynczych łączników (zmp, metropolia-poznan)",
    "a key uses lower-case letters, digits and single hyphens (zmp, metropolia-poznan)",
)
_WHERE_REPORTS_LIVE = Message(
    f"raport mieszka w {REPORTS_DIR}/{{TERYT}}/{{rok}}/{REPORT_FILE}",
    f"a report lives in {REPORTS_DIR}/{{TERYT}}/{{year}}/{REPORT_FILE}",
)


def read_dataset(data_dir: Path, cache: ReportCache | None = None) -> Dataset:
    """Read every source file under ``data_dir``; raise :class:`InputError` listing all problems found. The
    reports ``cache`` keeps from an earlier read are taken while their files are unchanged
    (:mod:`civicgraph.source.cache`), and those read now are given to it to keep."""
    with paused_cycle_collector():  # YAML nodes and records by the million, no cycles among them
        return _read_dataset(data_dir, cache)


def _read_dataset(data_dir: Path, cache: ReportCache | None) -> Dataset:
    reader = _Reader(DataFolder(data_dir))
    settings = reader.settings(data_dir / SETTINGS_FILE)
    dataset = Dataset(settings=settings or Settings("", "", Location(data_dir / SETTINGS_FILE, 1)))
    dataset.members = reader.members(data_dir / MEMBERS_FILE)
    dataset.organisations = reader.organisations(data_dir / ORGANISATIONS_FILE)
    members_sha256 = reader.digests.get(data_dir / MEMBERS_FILE)
    organisations_sha256 = reader.digests.get(data_dir / ORGANISATIONS_FILE)
    if cache is not None and not reader.problems and members_sha256 and organisations_sha256:
        cache.open(members_sha256, organisations_sha256)
    else:
        cache = None  # the reports are checked against files that have problems: read and keep none
    _read_reports(reader, data_dir / REPORTS_DIR, dataset, cache)
    reader.printed_names(dataset)
    reader.check_across_reports(dataset)
    if reader.problems:
        raise InputError(reader.problems)
    dataset.reports.sort(key=lambda r: (r.member, r.year))
    if cache is not None:
        cache.save()
    return dataset


# A report as read by either process: the report (None when the child sent it pickled), pickled when it is to be
# kept (:mod:`civicgraph.source.cache`), its problems, and the digest of its report.yaml.
_ReadReport = tuple[Report | None, bytes | None, list[Problem], str | None]


def _read_reports(reader: _Reader, reports: Path, dataset: Dataset, cache: ReportCache | None) -> None:
    """Every report under ``reports`` into ``dataset``, in the order of their folders, and their problems.

    Those ``cache`` keeps unchanged are taken from it; the others are read by two processes
    (:func:`~civicgraph.util.parallel.map_in_parallel`), each report alone against the members and organisations
    read before: a national dataset's 2,807 reports in 2.2–2.4 s instead of 3.3–3.5. Taking a kept report costs
    reading its two files again and unpickling it, each done by one of two processes
    (:meth:`~civicgraph.source.cache.ReportCache.take_all`).
    """
    found = list(reader.report_files(reports))
    taken = cache.take_all(reader.folder, [file for file, _, _ in found]) if cache else {}
    to_read = [found_here for found_here in found if found_here[0] not in taken]
    start, parent = len(reader.problems), os.getpid()

    def read(share: Sequence[tuple[Path, str, int]]) -> list[_ReadReport]:
        read_here = []
        for report_file, teryt, year in share:
            report = reader.report(report_file, teryt, year, dataset)
            problems = reader.problems[start:]
            del reader.problems[start:]
            # A report to keep is pickled where it is read: the child sends it once, as the bytes the cache keeps,
            # and the parent, which reads the other half, pickles only its own.
            pickled = pickle.dumps(report, pickle.HIGHEST_PROTOCOL) if cache and report and not problems else None
            sent = None if pickled is not None and os.getpid() != parent else report
            read_here.append((sent, pickled, problems, reader.digests.get(report_file)))
        return read_here

    results = map_in_parallel(to_read, read)
    read_now = {found_here[0]: result for found_here, result in zip(to_read, results, strict=True)}
    for report_file, _teryt, _year in found:
        if report_file in taken:
            dataset.reports.append(taken[report_file])
            continue
        report, pickled, problems, report_sha256 = read_now[report_file]
        reader.problems += problems
        if report is None and pickled is not None:
            report = pickle.loads(pickled)
        if report is not None:
            dataset.reports.append(report)
        if cache is not None and report is not None and pickled is not None and report_sha256 is not None:
            cache.keep(report_file, report_sha256, report, pickled)


def composed(file: Path) -> tuple[yaml.Node | None, list[Problem]]:
    """``file`` composed into YAML nodes as the data folder's files are read (a regular file inside its folder,
    UTF-8, well-formed YAML), with what is wrong with it located by line; a file holding no YAML (blank, or
    comments alone) gives None and no problem. For a reader of its own (the drafter's registry), which takes what
    it needs from the nodes and leaves the checks to ``validate``."""
    reader = _Reader(DataFolder(file.parent))
    node = reader.parse(file, empty_is_a_problem=False)
    return node, reader.problems


def read_settings(data_dir: Path) -> Settings:
    """Read only ``civicgraph.yaml``, for commands that need the base IRI but not the whole dataset."""
    reader = _Reader(DataFolder(data_dir))
    settings = reader.settings(data_dir / SETTINGS_FILE)
    if settings is None:
        unreadable = Message("nie można odczytać ustawień", "unreadable settings")
        raise InputError(reader.problems or [Problem.of(data_dir / SETTINGS_FILE, None, "", unreadable)])
    return settings


class _Reader:
    """Reads YAML nodes into records, collecting problems instead of stopping at the first one."""

    def __init__(self, folder: DataFolder) -> None:
        self.folder = folder
        self.problems: list[Problem] = []
        self.file = Path()
        self.digests: dict[Path, str] = {}  # the SHA-256 of each file parsed (see civicgraph.source.cache)
        self.names: NameIndex | None = None  # the organisations' names, to check membership quotes against
        self.unsure_names: set[str] = set()  # organisations defined twice: their quotes are not checked
        self.pending_variants: dict[str, list[_PrintedName]] = {}  # located once the reports are read
        # Keys each file defines, valid or not, so that one broken record is reported once and not again at
        # every reference to it; None when the file could not be parsed at all (references are not checked).
        self.defined: dict[str, set[str] | None] = {MEMBERS_FILE: None, ORGANISATIONS_FILE: None}

    # -- files ---------------------------------------------------------------------------------------------

    def parse(self, file: Path, empty_is_a_problem: bool = True) -> yaml.Node | None:
        self.file = file
        too_large = Message(
            f"plik jest większy niż {MAX_YAML_BYTES // MIB} MiB, limit pliku danych",
            f"the file is larger than {MAX_YAML_BYTES // MIB} MiB, the limit for a data file",
        )
        try:
            raw = self.folder.read(file, MAX_YAML_BYTES, too_large)
        except Unreadable as error:
            self.problems.append(Problem.of(file, None, "", error.message))
            return None
        self.digests[file] = hashlib.sha256(raw).hexdigest()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            message = Message(
                "plik nie jest tekstem UTF-8; zapisz go w UTF-8", "the file is not UTF-8 text; save it as UTF-8"
            )
            self.problems.append(Problem.of(file, line, "", message))
            return None
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.reader.ReaderError as error:  # a character YAML does not allow anywhere in a file
            # libyaml counts the position in bytes of UTF-8, PyYAML's own reader in characters
            before = raw[: error.position] if _LIBYAML else text[: error.position].encode()
            line = before.count(b"\n") + 1
            code = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
            message = Message(
                f"znak {code} (sterujący albo niedozwolony) nie może wystąpić w pliku YAML; usuń go",
                f"the character {code} (a control character or a non-character) is not allowed in a YAML file; "
                "remove it",
            )
            self.problems.append(Problem.of(file, line, "", message))
            return None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            error_line = mark.line + 1 if mark is not None else None
            what = error.problem or "malformed YAML"
            message = Message(f"błędna składnia YAML: {what}", f"malformed YAML: {what}")
            self.problems.append(Problem.of(file, error_line, "", message))
            return None
        except yaml.YAMLError as error:  # pragma: no cover - every PyYAML error is one of the two above
            message = Message(f"błędny YAML: {error}", f"malformed YAML: {error}")
            self.problems.append(Problem.of(file, None, "", message))
            return None
        if node is None and empty_is_a_problem:
            self.problems.append(Problem.of(file, None, "", Message("plik jest pusty", "the file is empty")))
        # A character YAML refuses raw gets in only as an escape ("\u0007"); a bidirectional control YAML takes raw
        if node is not None and ("\\" in text or _BIDI.search(text)):
            self.unwritable_values(node, "")
        return node

    def unwritable_values(self, node: yaml.Node, where: str) -> None:
        """A problem for each value holding a character no output can carry: a control character or a
        non-character, written as an escape in a double-quoted string (YAML refuses it raw), which RDF/XML, XML
        and HTML cannot hold; or a bidirectional override, which would turn the site's own text after a name
        around."""
        if isinstance(node, yaml.ScalarNode):
            found = _UNWRITABLE.search(node.value)
            if found is not None:
                self.problem(node, where, _unwritable(found.group()))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.unwritable_values(key, where)
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                self.unwritable_values(value, _join(where, str(name)))
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                self.unwritable_values(item, f"{where}[{position}]")

    def report_files(self, reports: Path) -> Iterator[tuple[Path, str, int]]:
        """Each ``reports/{TERYT}/{year}/report.yaml`` with the member and year its folders name; a problem for
        anything else in their place. Folders and files whose names start with "." are left alone."""
        found = False
        for teryt_folder in _listed(reports):
            if not teryt_folder.is_dir():
                self.misplaced(teryt_folder)
                continue
            if not TERYT.fullmatch(teryt_folder.name):
                self.folder_problem(
                    teryt_folder, Message("nazwa folderu nie jest kodem TERYT", "the folder name is not a TERYT code")
                )
                continue
            for year_folder in _listed(teryt_folder):
                if not year_folder.is_dir():
                    self.misplaced(year_folder)
                elif not YEAR.fullmatch(year_folder.name):
                    self.folder_problem(
                        year_folder, Message("nazwa folderu nie jest rokiem", "the folder name is not a year")
                    )
                elif not (year_folder / REPORT_FILE).exists():
                    self.folder_problem(
                        year_folder,
                        Message(
                            f"w folderze nie ma {REPORT_FILE} (scripts/new_report.py go zakłada)",
                            f"the folder has no {REPORT_FILE} (scripts/new_report.py makes one)",
                        ),
                    )
                else:
                    found = True
                    yield year_folder / REPORT_FILE, teryt_folder.name, int(year_folder.name)
        if not found:
            self.problems.append(
                Problem.of(
                    reports,
                    None,
                    "",
                    Message(
                        f"brak raportów: {_WHERE_REPORTS_LIVE.pl}",
                        f"no reports: {_WHERE_REPORTS_LIVE.en}",
                    ),
                )
            )

    def misplaced(self, path: Path) -> None:
        if path.name == REPORT_FILE:
            self.folder_problem(path, Message("plik w złym miejscu", "a file in the wrong place"))

    def folder_problem(self, path: Path, what: Message) -> None:
        message = Message(f"{what.pl}: {_WHERE_REPORTS_LIVE.pl}", f"{what.en}: {_WHERE_REPORTS_LIVE.en}")
        self.problems.append(Problem.of(path, None, "", message))

    def settings(self, file: Path) -> Settings | None:
        node = self.parse(file)
        if node is None:
            return None
        fields = self.mapping(
            node,
            "",
            required=("base_iri", "data_licence", *PUBLICATION_FIELDS),
            optional=("sparql_endpoint", "spatial"),
        )
        if fields is None:
            return None
        base = self.iri(fields["base_iri"], "base_iri")
        licence = self.iri(fields["data_licence"], "data_licence")
        if base is not None and not re.fullmatch(r"https?://\S+/", base):
            self.problem(
                fields["base_iri"],
                "base_iri",
                Message(
                    f"{base!r} nie jest adresem IRI http(s) zakończonym '/'",
                    f"{base!r} is not an http(s) IRI ending with '/'",
                ),
            )
            base = None
        if licence is not None and not HTTP_ADDRESS.fullmatch(licence):
            self.problem(
                fields["data_licence"],
                "data_licence",
                Message(f"{licence!r} nie jest adresem IRI http(s)", f"{licence!r} is not an http(s) IRI"),
            )
            licence = None
        if base is None or licence is None:
            return None
        return self.publication(fields, base, licence, self.location(node))

    def publication(self, fields: dict[str, yaml.Node], base: str, licence: str, location: Location) -> Settings | None:
        """The settings for publishing on open-data portals (see docs/publishing.md)."""
        publish_url = self.pattern(
            fields["publish_url"],
            "publish_url",
            HTTPS_FOLDER,
            Message(
                "adres https zakończony '/' (portale odrzucają http)",
                "an https address ending with '/' (portals refuse http)",
            ),
        )
        publish_url = publish_url and self.checked_iri(fields["publish_url"], "publish_url", publish_url)
        publisher = self.publisher(fields["publisher"], "publisher", base)
        contact = self.contact(fields["contact"], "contact")
        edition = self.string(fields["edition"], "edition")
        build_date = self.date(fields["build_date"], "build_date")
        endpoint = self.optional(fields.get("sparql_endpoint"), self.url, "sparql_endpoint")
        spatial = self.optional(fields.get("spatial"), self.coverage, "spatial")
        if publish_url is None or publisher is None or contact is None or edition is None or build_date is None:
            return None
        return Settings(
            base, licence, location, publish_url, publisher, contact, edition, build_date, endpoint, spatial
        )

    def publisher(self, node: yaml.Node, where: str, base: str) -> Publisher | None:
        fields = self.mapping(node, where, required=("name", "iri", "type"))
        if fields is None:
            return None
        name = self.text(fields["name"], f"{where}.name")
        iri = self.pattern(
            fields["iri"],
            f"{where}.iri",
            RELATIVE_OR_HTTP_IRI,
            Message("adres IRI albo ścieżka względem base_iri", "an IRI, or a path under base_iri"),
        )
        if iri is not None and not HTTP_ADDRESS.match(iri):
            iri = self.checked_iri(fields["iri"], f"{where}.iri", base + iri) and iri
        elif iri is not None:
            iri = self.checked_iri(fields["iri"], f"{where}.iri", iri)
        kind = self.choice(fields["type"], f"{where}.type", PUBLISHER_TYPES)
        return Publisher(name, iri, kind) if name and iri and kind else None

    def contact(self, node: yaml.Node, where: str) -> ContactPoint | None:
        fields = self.mapping(node, where, required=("name",), optional=("url", "email"))
        if fields is None:
            return None
        name = self.text(fields["name"], f"{where}.name")
        url = self.optional(fields.get("url"), self.url, f"{where}.url")
        email = self.optional(fields.get("email"), self.email, f"{where}.email")
        if url is None and email is None:
            self.problem(
                node,
                where,
                Message(
                    "podaj `url` albo `email`, pod którym można pytać o dane",
                    "give the `url` or the `email` where people can ask about the data",
                ),
            )
            return None
        return ContactPoint(name, url, email) if name else None

    def coverage(self, node: yaml.Node, where: str) -> Coverage | None:
        fields = self.mapping(node, where, required=("iri", "name", "bbox", "centroid"))
        if fields is None:
            return None
        iri = self.url(fields["iri"], f"{where}.iri")
        name = self.text(fields["name"], f"{where}.name")
        bbox = self.pattern(
            fields["bbox"],
            f"{where}.bbox",
            WKT_POLYGON,
            Message("WKT POLYGON((dł. szer., ...))", "a WKT POLYGON((lon lat, ...))"),
        )
        centroid = self.pattern(
            fields["centroid"], f"{where}.centroid", WKT_POINT, Message("WKT POINT(dł. szer.)", "a WKT POINT(lon lat)")
        )
        return Coverage(iri, name, bbox, centroid) if iri and name and bbox and centroid else None

    def email(self, node: yaml.Node, where: str) -> str | None:
        return self.pattern(node, where, EMAIL, Message("adres e-mail", "an e-mail address"))

    def members(self, file: Path) -> dict[str, Member]:
        node = self.parse(file)
        members: dict[str, Member] = {}
        entries = list(self.entries(node, ""))
        if node is not None:
            self.defined[MEMBERS_FILE] = {key_node.value for key_node, _ in entries}
        for key_node, value in entries:
            teryt = self.teryt(key_node, key_node.value)
            if teryt is None:
                continue
            fields = self.mapping(value, teryt, required=("name", "kind"), optional=("forms", "wikidata"))
            if fields is None:
                continue
            name = self.text(fields["name"], f"{teryt}.name")
            kind = self.notation(fields["kind"], f"{teryt}.kind", "local-government-kind")
            link = self.wikidata(fields.get("wikidata"), f"{teryt}.wikidata")
            forms = self.optional(fields.get("forms"), self.name_forms, f"{teryt}.forms")
            if name is not None and kind is not None:
                members[teryt] = Member(teryt, name, kind, link, self.location(key_node), forms)
        return members

    def name_forms(self, node: yaml.Node, where: str) -> NameForms | None:
        """The genitive and locative of a member's Polish name, typed in members.yaml (both, or neither)."""
        fields = self.mapping(node, where, required=("genitive", "locative"))
        if fields is None:
            return None
        genitive = self.string(fields["genitive"], f"{where}.genitive")
        locative = self.string(fields["locative"], f"{where}.locative")
        return NameForms(genitive, locative) if genitive is not None and locative is not None else None

    def organisations(self, file: Path) -> dict[str, Organisation]:
        node = self.parse(file)
        organisations: dict[str, Organisation] = {}
        entries = list(self.entries(node, ""))
        if node is not None:
            self.defined[ORGANISATIONS_FILE] = {key_node.value for key_node, _ in entries}
        if isinstance(node, yaml.MappingNode):  # a key defined twice: which names are its own is not known
            keys = [key_node.value for key_node, _ in node.value if isinstance(key_node, yaml.ScalarNode)]
            self.unsure_names |= {key for key in keys if keys.count(key) > 1}
        for key_node, value in entries:
            key = key_node.value
            if not KEY.fullmatch(key):
                self.problem(key_node, key, _KEY_RULE)
                continue
            if self.is_a_draft(value, key):
                continue
            fields = self.mapping(
                value,
                key,
                required=("name", "type", "krs", "wikidata"),
                optional=("abbreviation", "variants"),
            )
            if fields is None:
                continue
            name = self.text(fields["name"], f"{key}.name")
            org_type = self.optional(fields["type"], self.organisation_type, f"{key}.type")
            krs = self.optional(fields["krs"], self.krs, f"{key}.krs")
            link = self.wikidata(fields["wikidata"], f"{key}.wikidata")
            abbreviation = self.optional(fields.get("abbreviation"), self.string, f"{key}.abbreviation")
            self.pending_variants[key] = list(self.variants(fields.get("variants"), f"{key}.variants"))
            if name is not None:
                organisations[key] = Organisation(
                    key, name, abbreviation, (), org_type, krs, link, self.location(key_node)
                )
        return organisations

    def report(self, file: Path, folder_teryt: str, folder_year: int, dataset: Dataset) -> Report | None:
        """The report of ``reports/{folder_teryt}/{folder_year}/report.yaml``."""
        node = self.parse(file)
        if node is None or self.is_a_draft(node, ""):
            return None
        fields = self.mapping(
            node,
            "",
            required=("member", "year", "title", "text", "memberships"),
            optional=("section", "url", "figures", "activities"),
        )
        if fields is None:
            return None
        member = self.member_reference(fields["member"], "member")
        year = self.year(fields["year"], "year")
        member = self.as_in_folder(fields["member"], "member", member, folder_teryt, file)
        year = self.as_in_folder(fields["year"], "year", year, folder_year, file)
        title = self.text(fields["title"], "title")
        section = self.optional(fields.get("section"), self.text, "section")
        url = self.optional(fields.get("url"), self.url, "url")
        source = self.source_text(fields["text"], file)
        stated = self.states_memberships(fields["memberships"])
        if member is None or year is None or title is None or source is None or not stated:
            return None
        text, digest, text_file = source
        memberships = tuple(self.memberships(fields["memberships"], text, dataset))
        figures = tuple(self.figures(fields.get("figures"), "figures", text))
        activities = tuple(self.activities(fields.get("activities"), text, fields["memberships"], memberships))
        return Report(
            member,
            year,
            title,
            section,
            url,
            text,
            digest,
            text_file,
            figures,
            memberships,
            activities,
            self.location(node),
        )

    def as_in_folder(self, node: yaml.Node, where: str, value: T | None, expected: T, file: Path) -> T | None:
        """``value`` when it is what the report's folder says (``reports/{TERYT}/{year}/``), else a problem."""
        if value is None or value == expected:
            return value
        folder = file.parent
        self.problem(
            node,
            where,
            Message(
                f"{value} nie zgadza się z folderem raportu {folder} ({expected}); "
                f"popraw `{where}` albo przenieś raport do właściwego folderu",
                f"{value} does not match the report's folder {folder} ({expected}); "
                f"fix `{where}` or move the report to its own folder",
            ),
        )
        return None

    def check_across_reports(self, dataset: Dataset) -> None:
        """A membership's known start and end agree between reports (each member-year has one folder, so one
        report)."""
        ends: dict[tuple[str, str], Membership] = {}
        for report in dataset.reports:
            for membership in report.memberships:
                previous = ends.setdefault((report.member, membership.organisation), membership)
                for end in ("start", "end"):
                    mine, theirs = getattr(membership, end), getattr(previous, end)
                    if mine is not None and theirs is not None and mine != theirs:
                        self.problems.append(
                            Problem.of(
                                membership.location.file,
                                membership.location.line,
                                f"memberships.{membership.organisation}.{end}",
                                Message(
                                    f"{mine} przeczy wartości {theirs} podanej w {previous.location}",
                                    f"{mine} contradicts {theirs} given in {previous.location}",
                                ),
                            )
                        )

    # -- parts of a report ---------------------------------------------------------------------------------

    def states_memberships(self, node: yaml.Node) -> bool:
        """Whether the report lists at least one membership: a report without facts publishes nothing."""
        if isinstance(node, yaml.MappingNode) and not node.value:
            self.problem(
                node,
                "memberships",
                Message(
                    "raport nie podaje żadnego członkostwa: dodaj tu każdą organizację, którą wymienia raport "
                    "(jej klucz z organisations.yaml), z cytatem, który ją nazywa (`quote`)",
                    "the report states no membership: add here each organisation the report names (its key in "
                    "organisations.yaml) with the passage naming it (`quote`)",
                ),
            )
            return False
        return True

    def memberships(self, node: yaml.Node, text: str, dataset: Dataset) -> Iterator[Membership]:
        for key_node, value in self.entries(node, "memberships"):
            key = key_node.value
            where = f"memberships.{key}"
            if not self.is_defined(key, ORGANISATIONS_FILE):
                self.unknown_key(key_node, where, key, ORGANISATIONS_FILE)
                continue
            fields = self.mapping(value, where, required=(), optional=("quote", "quotes", "start", "end"))
            if fields is None:
                continue
            evidence = self.quotes(fields, where, text, value)
            start = self.optional_date_or_year(fields.get("start"), f"{where}.start")
            end = self.optional_date_or_year(fields.get("end"), f"{where}.end")
            if start is not None and end is not None and _later(start, end):
                self.problem(
                    fields["end"],
                    f"{where}.end",
                    Message(
                        f"członkostwo kończy się ({end}) przed początkiem ({start})",
                        f"the membership ends ({end}) before it starts ({start})",
                    ),
                )
                continue
            if evidence and self.names_its_organisation(fields, where, key, evidence, text, dataset):
                yield Membership(key, start, end, evidence, self.location(key_node))

    def names_its_organisation(
        self,
        fields: dict[str, yaml.Node],
        where: str,
        key: str,
        evidence: tuple[Passage, ...],
        text: str,
        dataset: Dataset,
    ) -> bool:
        """Whether a membership's quote names its organisation: its name (Polish or English), its abbreviation or
        a recorded variant, in any case and with any quotation marks (civicgraph.language.names, strict)."""
        organisation = dataset.organisations.get(key)
        if organisation is None or key in self.unsure_names:
            return True  # the organisation's own entry has the problem, reported there
        names = self.organisation_names(dataset)
        if any(names.names(key, text, passage.start, passage.end) for passage in evidence):
            return True
        named: dict[str, None] = {}  # what the quotes name instead, to say so
        for passage in evidence:
            named.update(dict.fromkeys(m.key for m in names.find(text, passage.start, passage.end, strict=True)))
        quote, name = " ".join(evidence[0].exact.split()), organisation.name.pl
        english = f"the quote {quote!r} does not name {key} ({name}): quote the passage that prints its name, its "
        english += "abbreviation or a printed name recorded in its variants"
        polish = f"cytat {quote!r} nie wymienia organizacji {key} ({name}): zacytuj fragment z jej nazwą, skrótem "
        polish += "albo nazwą zapisaną w jej wariantach"
        others = [f"{other} ({dataset.organisations[other].name.pl})" for other in named]
        if others:
            english += f"; it names {', '.join(others)}"
            polish += f"; wymienia {', '.join(others)}"
        in_nfc = name not in quote and unicodedata.normalize("NFC", name) in unicodedata.normalize("NFC", quote)
        message = _with_unicode_form_hint(Message(polish, english), in_nfc)
        self.problem(fields.get("quote") or fields["quotes"], f"{where}.quote", message)
        return False

    def organisation_names(self, dataset: Dataset) -> NameIndex:
        """Every recorded form of every organisation's name, made once per dataset."""
        if self.names is None:
            forms = []
            for organisation in dataset.organisations.values():
                forms.append((organisation.key, organisation.name.pl, "name"))
                if organisation.name.en:
                    forms.append((organisation.key, organisation.name.en, "english"))
                if organisation.abbreviation:
                    forms.append((organisation.key, organisation.abbreviation, "abbreviation"))
                pending = self.pending_variants.get(organisation.key, [])
                forms += [(organisation.key, variant.name, "variant") for variant in pending]
            self.names = NameIndex(forms)
        return self.names

    def activities(
        self,
        node: yaml.Node | None,
        text: str,
        memberships_node: yaml.Node,
        memberships: tuple[Membership, ...],
    ) -> Iterator[Activity]:
        entries = list(self.entries(node, "activities")) if node is not None else []
        keys = {key_node.value for key_node, _ in entries}
        # Memberships written in the report, read or not: an activity of one whose quote failed is not reported
        # again (the membership's own problem says what to fix).
        written = _keys(memberships_node)
        member_of = {m.organisation for m in memberships}
        for key_node, value in entries:
            key = key_node.value
            where = f"activities.{key}"
            if not KEY.fullmatch(key):
                self.problem(key_node, where, _KEY_RULE)
                continue
            fields = self.mapping(
                value,
                where,
                required=("membership", "types", "title"),
                optional=("description", "period", "part_of", "quote", "quotes", "participants", "figures"),
            )
            if fields is None:
                continue
            membership = self.string(fields["membership"], f"{where}.membership")
            if membership is not None and written is not None and membership not in written:
                self.problem(
                    fields["membership"],
                    f"{where}.membership",
                    Message(
                        f"{membership!r} nie należy do członkostw tego raportu; najpierw dodaj je pod `memberships`",
                        f"{membership!r} is not among this report's memberships; add it under `memberships` first",
                    ),
                )
            if membership not in member_of:
                membership = None
            types = self.notation_list(fields["types"], f"{where}.types", "activity-type")
            title = self.text(fields["title"], f"{where}.title", english=True)
            description = self.optional(fields.get("description"), self.text, f"{where}.description")
            period = self.optional(fields.get("period"), self.period, f"{where}.period")
            part_of = self.optional(fields.get("part_of"), self.string, f"{where}.part_of")
            if part_of is not None and (part_of not in keys or part_of == key):
                self.problem(
                    fields["part_of"],
                    f"{where}.part_of",
                    Message(
                        f"{part_of!r} nie jest innym działaniem tego raportu",
                        f"{part_of!r} is not another activity of this report",
                    ),
                )
                part_of = None
            evidence = self.quotes(fields, where, text, value)
            participants = tuple(self.participants(fields.get("participants"), f"{where}.participants", text))
            figures = tuple(self.figures(fields.get("figures"), f"{where}.figures", text))
            if membership is None or types is None or title is None or not evidence:
                continue
            yield Activity(
                key,
                membership,
                types,
                title,
                description,
                period,
                part_of,
                participants,
                figures,
                evidence,
                self.location(key_node),
            )

    def participants(self, node: yaml.Node | None, where: str, text: str) -> Iterator[Participation]:
        if node is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problem(
                node,
                where,
                Message(
                    "oczekiwano listy uczestników (- member: ... role: ...)",
                    "expected a list of participants (- member: ... role: ...)",
                ),
            )
            return
        for index, item in enumerate(node.value):
            here = f"{where}[{index}]"
            fields = self.mapping(
                item, here, required=("role",), optional=("member", "organisation", "quote", "quotes")
            )
            if fields is None:
                continue
            if ("member" in fields) == ("organisation" in fields):
                self.problem(
                    item,
                    here,
                    Message(
                        "podaj dokładnie jedno z pól: `member` (TERYT) albo `organisation` (klucz)",
                        "give exactly one of `member` (TERYT) or `organisation` (key)",
                    ),
                )
                continue
            member = organisation = None
            if "member" in fields:
                member = self.member_reference(fields["member"], f"{here}.member")
            else:
                organisation = self.reference(fields["organisation"], f"{here}.organisation", ORGANISATIONS_FILE)
            role = self.notation(fields["role"], f"{here}.role", "role")
            evidence = self.quotes(fields, here, text, item)
            if (member or organisation) and role and evidence:
                yield Participation(member, organisation, role, evidence, self.location(item))

    def figures(self, node: yaml.Node | None, where: str, text: str) -> Iterator[Figure]:
        if node is None:
            return
        for key_node, value in self.entries(node, where):
            key = key_node.value
            here = f"{where}.{key}"
            if not KEY.fullmatch(key):  # a segment of the figure's IRI
                self.problem(key_node, here, _KEY_RULE)
                continue
            fields = self.mapping(
                value, here, required=("label", "value", "hedge", "quote"), optional=("unit", "currency")
            )
            if fields is None:
                continue
            if ("unit" in fields) == ("currency" in fields):
                self.problem(
                    value,
                    here,
                    Message(
                        "podaj dokładnie jedno z pól: `currency` (kwota, np. PLN) albo `unit` (liczba czegoś)",
                        "give exactly one of `currency` (money, e.g. PLN) or `unit` (a count)",
                    ),
                )
                continue
            label = self.text(fields["label"], f"{here}.label", english=True)
            amount = self.amount(fields["value"], f"{here}.value")
            hedge = self.notation(fields["hedge"], f"{here}.hedge", "hedge")
            unit = currency = None
            if "unit" in fields:
                unit = self.notation(fields["unit"], f"{here}.unit", "unit")
            else:
                currency = self.pattern(fields["currency"], f"{here}.currency", CURRENCY, _EXPECTED_CURRENCY)
            passage = self.quote(fields["quote"], f"{here}.quote", text)
            if amount is not None and passage is not None and not self.prints_its_value(fields, here, amount, passage):
                continue
            if label and amount is not None and hedge and (unit or currency) and passage:
                yield Figure(key, label, amount, hedge, currency, unit, passage, self.location(key_node))

    def prints_its_value(self, fields: dict[str, yaml.Node], where: str, value: Decimal, passage: Passage) -> bool:
        """Whether a figure's quote prints its value, read in Polish notation ("14 025", "1,4 mld zł", "2 tys.",
        "dwa poradniki", "dwukrotnie"; civicgraph.language.numbers)."""
        stated = stated_values(passage.exact)
        if value in stated:
            return True
        quote, shown = " ".join(passage.exact.split()), _plain_number(value)
        if stated:
            numbers = ", ".join(_plain_number(number) for number in stated)
            english = f"{shown} disagrees with its quote {quote!r}, which prints {numbers}"
            polish = f"{shown} nie zgadza się z cytatem {quote!r}, który podaje {numbers}"
        else:
            english = f"{shown} is not what its quote {quote!r} prints: it prints no number"
            polish = f"{shown} to nie to, co podaje cytat {quote!r}: nie podaje on żadnej liczby"
        self.problem(fields["value"], f"{where}.value", Message(polish, english))
        return False

    def quotes(self, fields: dict[str, yaml.Node], where: str, text: str, owner: yaml.Node) -> tuple[Passage, ...]:
        """The evidence of a fact: ``quote: ...`` or ``quotes: [...]``; at least one is required."""
        if ("quote" in fields) == ("quotes" in fields):
            self.problem(
                owner,
                where,
                Message(
                    "podaj fragment tekstu źródłowego, z którego pochodzi ten fakt: `quote` (albo listę w `quotes`)",
                    "give the passage of the source text this fact comes from: `quote` (or a list in `quotes`)",
                ),
            )
            return ()
        if "quote" in fields:
            passage = self.quote(fields["quote"], f"{where}.quote", text)
            return (passage,) if passage else ()
        node = fields["quotes"]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(
                node,
                f"{where}.quotes",
                Message("oczekiwano niepustej listy fragmentów", "expected a non-empty list of passages"),
            )
            return ()
        found = [self.quote(item, f"{where}.quotes[{i}]", text) for i, item in enumerate(node.value)]
        return tuple(p for p in found if p) if all(found) else ()

    def quote(self, node: yaml.Node, where: str, text: str) -> Passage | None:
        quote = self.string(node, where)
        if quote is None:
            return None
        try:
            return locate(text, quote)
        except QuoteNotFound:
            message = Message(
                f"fragmentu {quote!r} nie ma w tekście źródłowym",
                f"the passage {quote!r} does not occur in the source text",
            )
            self.problem(node, where, _with_unicode_form_hint(message, _found_in_nfc(text, quote)))
        except QuoteNotUnique as error:
            self.problem(
                node,
                where,
                Message(
                    f"fragment {quote!r} występuje w tekście źródłowym {error.count} razy; wydłuż go",
                    f"the passage {quote!r} occurs {error.count} times in the source text; lengthen it",
                ),
            )
        return None

    def source_text(self, node: yaml.Node, report_file: Path) -> tuple[str, str, Path] | None:
        name = self.string(node, "text")
        if name is None:
            return None
        path = report_file.parent / name
        too_large = Message(
            f"tekst źródłowy {path} jest większy niż {MAX_TEXT_BYTES // MIB} MiB (limit tekstu raportu): "
            "zachowaj w nim tylko rozdział raportu o współpracy krajowej",
            f"the source text {path} is larger than {MAX_TEXT_BYTES // MIB} MiB (the limit for a report's text): "
            "keep in it only the report's section on national cooperation",
        )
        try:
            raw = self.folder.read(path, MAX_TEXT_BYTES, too_large)
        except Unreadable as error:
            message = error.message
            self.problem(
                node,
                "text",
                Message(
                    f"nie można odczytać tekstu źródłowego {path}: {message.pl}",
                    f"cannot read the source text {path}: {message.en}",
                ),
            )
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.problem(
                node,
                "text",
                Message(
                    f"tekst źródłowy {path} nie jest zapisany w UTF-8",
                    f"the source text {path} is not UTF-8",
                ),
            )
            return None
        unwritable = _UNWRITABLE.search(text)
        if unwritable is not None:
            line = text.count("\n", 0, unwritable.start()) + 1
            message = _unwritable(unwritable.group())
            self.problem(
                node,
                "text",
                Message(
                    f"tekst źródłowy {path}, wiersz {line}: {message.pl}",
                    f"the source text {path}, line {line}: {message.en}",
                ),
            )
            return None
        if not text.strip():
            self.problem(
                node,
                "text",
                Message(
                    f"tekst źródłowy {path} jest pusty: wklej do niego rozdział raportu o współpracy krajowej, "
                    "bajt w bajt, tak jak go opublikowano",
                    f"the source text {path} is empty: paste into it the report's section on national "
                    "cooperation, byte for byte as published",
                ),
            )
            return None
        return text, hashlib.sha256(raw).hexdigest(), path

    # -- values ----------------------------------------------------------------------------------------------

    def wikidata(self, node: yaml.Node | None, where: str) -> WikidataLink | None:
        if node is None or self.is_null(node):
            return None
        fields = self.mapping(node, where, required=("by", "date"), optional=("qid", "method", "not_found"))
        if fields is None:
            return None
        by = self.string(fields["by"], f"{where}.by")
        on = self.date(fields["date"], f"{where}.date")
        if "qid" in fields and "not_found" not in fields:
            qid = self.qid(fields["qid"], f"{where}.qid")
            if "method" not in fields:
                self.problem(
                    node,
                    f"{where}.method",
                    Message(
                        f"podaj, jak sprawdzono powiązanie: jedno z {', '.join(LINK_METHODS)}",
                        f"say how the link was verified: one of {', '.join(LINK_METHODS)}",
                    ),
                )
                return None
            method = self.choice(fields["method"], f"{where}.method", LINK_METHODS)
            if qid and method and by and on:
                return WikidataLink(qid, method, by, on)
        elif "not_found" in fields and "qid" not in fields and "method" not in fields:
            if fields["not_found"].value != "true":
                self.problem(
                    fields["not_found"],
                    f"{where}.not_found",
                    Message("wpisz `not_found: true` albo podaj `qid`", "write `not_found: true`, or give a `qid`"),
                )
            elif by and on:
                return WikidataLink(None, None, by, on)
        else:
            self.problem(
                node,
                where,
                Message(
                    "podaj albo `qid` z `method`, albo `not_found: true`",
                    "give either `qid` with `method`, or `not_found: true`",
                ),
            )
        return None

    def qid(self, node: yaml.Node, where: str) -> str | None:
        """A Wikidata item identifier as Wikibase accepts it (:func:`is_qid`)."""
        value = self.scalar(node, where)
        if value is not None and not is_qid(value):
            self.problem(
                node,
                where,
                Message(
                    f"{value!r} ma błędną postać: identyfikator elementu Wikidanych to Q i liczba od 1 do "
                    f"{MAX_QID_NUMBER} bez zer na początku (tyle dopuszcza Wikibase), np. Q268",
                    f"{value!r} is malformed: a Wikidata item identifier is Q and a number from 1 to "
                    f"{MAX_QID_NUMBER} without leading zeros (what Wikibase allows), such as Q268",
                ),
            )
            return None
        return value

    def period(self, node: yaml.Node, where: str) -> Period | None:
        if isinstance(node, yaml.ScalarNode):
            year = self.year(node, where)
            return Period(year, year, str(year)) if year is not None else None
        fields = self.mapping(node, where, required=("start", "end"))
        if fields is None:
            return None
        start = self.date_or_year(fields["start"], f"{where}.start")
        end = self.date_or_year(fields["end"], f"{where}.end")
        if start is None or end is None:
            return None
        if _later(start, end):
            self.problem(
                fields["end"],
                f"{where}.end",
                Message(
                    f"okres kończy się ({end}) przed początkiem ({start})",
                    f"the period ends ({end}) before it starts ({start})",
                ),
            )
            return None
        return Period(start, end, f"{start}/{end}")

    def amount(self, node: yaml.Node, where: str) -> Decimal | None:
        """A figure's value, exactly as typed: digits only (no exponent, nothing rounded), at most
        :data:`MAX_DIGITS` of them, never negative."""
        raw = self.scalar(node, where)
        if raw is None:
            return None
        digits = raw.removeprefix("-")
        if not NUMBER.fullmatch(digits):
            if re.fullmatch(r"[0-9._]+[eE][-+]?[0-9]+", digits):
                message = Message(
                    f"{raw!r} zapisano z wykładnikiem; wpisz liczbę cyframi, tak jak podaje ją raport (np. 1400000000)",
                    f"{raw!r} is written with an exponent; write the number out in digits, as the report prints "
                    "it (e.g. 1400000000)",
                )
            else:
                message = Message(
                    f"{raw!r} nie jest liczbą; wpisz same cyfry, np. 1400000000 (nie '1,4 mld')",
                    f"{raw!r} is not a number; write digits only, e.g. 1400000000 (not '1,4 mld')",
                )
            self.problem(node, where, message)
            return None
        if sum(c.isdigit() for c in digits) > MAX_DIGITS:
            self.problem(
                node,
                where,
                Message(
                    f"{raw!r} ma więcej niż {MAX_DIGITS} cyfr; żadna liczba w raporcie nie jest tak długa: "
                    "sprawdź wartość",
                    f"{raw!r} has more than {MAX_DIGITS} digits; no figure in a report is that long: check the value",
                ),
            )
            return None
        if raw.startswith("-"):
            self.problem(
                node,
                where,
                Message(
                    f"{raw} jest liczbą ujemną; kwoty i liczności nigdy nie są mniejsze od zera",
                    f"{raw} is negative; amounts and counts are never below zero",
                ),
            )
            return None
        return Decimal(digits.replace("_", ""))  # exact: the constructor does not round

    def year(self, node: yaml.Node, where: str) -> int | None:
        raw = self.scalar(node, where)
        if raw is None:
            return None
        if not YEAR.fullmatch(raw):
            self.problem(node, where, Message(f"{raw!r} nie jest rokiem (RRRR)", f"{raw!r} is not a year (YYYY)"))
            return None
        return int(raw)

    def date(self, node: yaml.Node, where: str) -> dt.date | None:
        raw = self.scalar(node, where)
        if raw is None:
            return None
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            self.problem(
                node, where, Message(f"{raw!r} nie jest datą (RRRR-MM-DD)", f"{raw!r} is not a date (YYYY-MM-DD)")
            )
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problem(node, where, Message(f"dzień {raw} nie istnieje", f"{raw} is not a date that exists"))
            return None

    def date_or_year(self, node: yaml.Node, where: str) -> dt.date | int | None:
        raw = self.scalar(node, where)
        if raw is not None and re.fullmatch(r"[0-9]{4}", raw):
            return self.year(node, where)
        return self.date(node, where)

    def optional_date_or_year(self, node: yaml.Node | None, where: str) -> dt.date | int | None:
        # Not through `optional`: mypy joins date and int to object in its type variable.
        if node is None or self.is_null(node):
            return None
        return self.date_or_year(node, where)

    def text(self, node: yaml.Node, where: str, english: bool = False) -> Text | None:
        fields = self.mapping(
            node, where, required=("pl", "en") if english else ("pl",), optional=() if english else ("en",)
        )
        if fields is None:
            return None
        pl = self.string(fields["pl"], f"{where}.pl")
        en = self.optional(fields.get("en"), self.string, f"{where}.en")
        return Text(pl, en) if pl is not None else None

    def variants(self, node: yaml.Node | None, where: str) -> Iterator[_PrintedName]:
        """Printed names: each with the report that printed it (``TERYT/YEAR``) and the quote that prints it;
        the quote is located once the reports are read (:meth:`printed_names`)."""
        if node is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problem(
                node,
                where,
                Message(
                    "oczekiwano listy {name: ..., report: TERYT/ROK, quote: ...}",
                    "expected a list of {name: ..., report: TERYT/YEAR, quote: ...}",
                ),
            )
            return
        for index, item in enumerate(node.value):
            here = f"{where}[{index}]"
            fields = self.mapping(item, here, required=("name", "report", "quote"))
            if fields is None:
                continue
            name = self.string(fields["name"], f"{here}.name")
            report = self.pattern(fields["report"], f"{here}.report", REPORT_REF, _EXPECTED_REPORT)
            if name is not None and report is not None:
                member, year = report.split("/")
                yield _PrintedName(name, member, int(year), fields["quote"], here, self.file, self.location(item))

    def printed_names(self, dataset: Dataset) -> None:
        """Each recorded variant located in the report that printed it: the report is read, the quote occurs once
        in its text and prints the name (in any case); then it becomes a variant of its organisation."""
        texts = {(report.member, report.year): report.text for report in dataset.reports}
        for key, pending in self.pending_variants.items():
            organisation = dataset.organisations.get(key)
            if organisation is None:
                continue
            located = [v for v in (self.printed_name(p, texts) for p in pending) if v is not None]
            dataset.organisations[key] = replace(organisation, variants=tuple(located))

    def report_exists(self, member: str, year: int) -> bool:
        return (self.folder.root / REPORTS_DIR / member / str(year) / REPORT_FILE).is_file()

    def printed_name(self, pending: _PrintedName, texts: dict[tuple[str, int], str]) -> NameVariant | None:
        self.file = pending.file
        text = texts.get((pending.member, pending.year))
        if text is None and self.report_exists(pending.member, pending.year):
            return None  # the report is there but could not be read: its own problems say why
        if text is None:
            english = f"no report {pending.member}/{pending.year} is read: a variant names the report that printed it"
            polish = f"nie wczytano raportu {pending.member}/{pending.year}: wariant wskazuje raport, który go podał"
            self.problem(pending.quote, f"{pending.where}.report", Message(polish, english))
            return None
        passage = self.quote(pending.quote, f"{pending.where}.quote", text)
        if passage is None:
            return None
        prints = NameIndex([("variant", pending.name, "variant")]).find(text, passage.start, passage.end, strict=True)
        if not prints:
            quote = " ".join(passage.exact.split())
            english = f"the quote {quote!r} does not print the name {pending.name!r}"
            polish = f"cytat {quote!r} nie podaje nazwy {pending.name!r}"
            self.problem(pending.quote, f"{pending.where}.quote", Message(polish, english))
            return None
        return NameVariant(pending.name, pending.member, pending.year, passage, pending.location)

    def organisation_type(self, node: yaml.Node, where: str) -> str | None:
        return self.notation(node, where, "organisation-type")

    def krs(self, node: yaml.Node, where: str) -> str | None:
        return self.pattern(node, where, KRS, _EXPECTED_KRS)

    def teryt(self, node: yaml.Node, where: str) -> str | None:
        """A TERYT code: 2, 4 or 7 digits, in quotes (a plain ``0201011`` is a number to YAML)."""
        value = self.scalar(node, where)
        if value is None:
            return None
        if not TERYT.fullmatch(value):
            self.problem(node, where, _TERYT_RULE)
            return None
        if node.tag != _STR:
            self.problem(
                node,
                where,
                Message(
                    f'zapisz kod TERYT w cudzysłowie ("{value}"): bez niego YAML czyta go jako liczbę, a inne '
                    "programy gubią zero na początku kodu",
                    f'write the TERYT code in quotes ("{value}"): unquoted, YAML reads it as a number and other '
                    "programs drop a leading zero",
                ),
            )
            return None
        return value

    def member_reference(self, node: yaml.Node, where: str) -> str | None:
        """A TERYT code defined in members.yaml."""
        teryt = self.teryt(node, where)
        if teryt is not None and not self.is_defined(teryt, MEMBERS_FILE):
            self.unknown_key(node, where, teryt, MEMBERS_FILE)
            return None
        return teryt

    def notation(self, node: yaml.Node, where: str, scheme: str) -> str | None:
        return self.choice(node, where, sorted(notations()[scheme]))

    def notation_list(self, node: yaml.Node, where: str, scheme: str) -> tuple[str, ...] | None:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            example = sorted(notations()[scheme])[0]
            self.problem(
                node,
                where,
                Message(f"oczekiwano niepustej listy, np. [{example}]", f"expected a non-empty list, e.g. [{example}]"),
            )
            return None
        values = [self.notation(item, where, scheme) for item in node.value]
        if not all(values):
            return None
        return tuple(dict.fromkeys(v for v in values if v))

    def choice(self, node: yaml.Node, where: str, allowed: list[str] | tuple[str, ...]) -> str | None:
        value = self.scalar(node, where)
        if value is not None and value not in allowed:
            listed = ", ".join(allowed)
            self.problem(
                node,
                where,
                Message(f"{value!r} nie jest żadną z wartości: {listed}", f"{value!r} is not one of: {listed}"),
            )
            return None
        return value

    def pattern(self, node: yaml.Node, where: str, regex: re.Pattern[str], expected: Message) -> str | None:
        value = self.scalar(node, where)
        if value is not None and not regex.fullmatch(value):
            self.problem(
                node,
                where,
                Message(
                    f"{value!r} ma błędną postać: oczekiwano: {expected.pl}",
                    f"{value!r} is malformed: expected {expected.en}",
                ),
            )
            return None
        return value

    def url(self, node: yaml.Node, where: str) -> str | None:
        """An http(s) address that is a valid IRI (RFC 3987, as Oxigraph checks it when the graph is built)."""
        value = self.pattern(node, where, HTTP_ADDRESS, _EXPECTED_HTTP)
        return value and self.checked_iri(node, where, value)

    def iri(self, node: yaml.Node, where: str) -> str | None:
        value = self.string(node, where)
        return value and self.checked_iri(node, where, value)

    def checked_iri(self, node: yaml.Node, where: str, iri: str) -> str | None:
        """``iri`` if Oxigraph takes it as an IRI, else a problem naming what it refused."""
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            self.problem(
                node,
                where,
                Message(
                    f"{iri!r} nie jest poprawnym adresem IRI ({error}); zakoduj niedozwolone znaki jako %XX",
                    f"{iri!r} is not a valid IRI ({error}); percent-encode the characters it does not allow",
                ),
            )
            return None
        return iri

    def reference(self, node: yaml.Node, where: str, file: str) -> str | None:
        key = self.scalar(node, where)
        if key is not None and not self.is_defined(key, file):
            self.unknown_key(node, where, key, file)
            return None
        return key

    def is_defined(self, key: str, file: str) -> bool:
        defined = self.defined[file]
        return defined is None or key in defined

    def unknown_key(self, node: yaml.Node, where: str, key: str, file: str) -> None:
        self.problem(
            node,
            where,
            Message(
                f"{key!r} nie jest zdefiniowany w {file}; dodaj go tam albo popraw pisownię",
                f"{key!r} is not defined in {file}; add it there or fix the spelling",
            ),
        )

    # -- YAML structure ----------------------------------------------------------------------------------

    def entries(self, node: yaml.Node | None, where: str) -> Iterator[tuple[yaml.ScalarNode, yaml.Node]]:
        """Key/value pairs of a mapping keyed by identifiers; reports duplicate keys."""
        if node is None:
            return
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                node,
                where or "(top level)",
                Message("oczekiwano mapowania kluczy na wpisy", "expected a mapping of keys to entries"),
            )
            return
        seen: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or not key_node.value:
                self.problem(
                    key_node,
                    where,
                    Message("klucz musi być zwykłym słowem lub liczbą", "a key must be a plain word or number"),
                )
                continue
            if key_node.value in seen:
                first = seen[key_node.value].start_mark.line + 1
                self.problem(
                    key_node,
                    _join(where, key_node.value),
                    Message(
                        f"powtórzony klucz (pierwszy raz w wierszu {first})",
                        f"duplicate key (first defined on line {first})",
                    ),
                )
                continue
            seen[key_node.value] = key_node
            yield key_node, value

    def mapping(
        self, node: yaml.Node, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node] | None:
        """The fields of a record: reports missing, unknown and duplicate fields."""
        if not isinstance(node, yaml.MappingNode):
            listed = ", ".join(required + optional)
            self.problem(
                node,
                where or "(top level)",
                Message(f"oczekiwano mapowania z polami: {listed}", f"expected a mapping with the fields: {listed}"),
            )
            return None
        fields: dict[str, yaml.Node] = {}
        ok = True
        for key_node, value in self.entries(node, where):
            name = key_node.value
            if name not in required and name not in optional:
                allowed = ", ".join(required + optional)
                self.problem(
                    key_node,
                    _join(where, name),
                    Message(
                        f"nieznane pole; pola w tym miejscu to: {allowed}",
                        f"unknown field; the fields here are: {allowed}",
                    ),
                )
                ok = False
            fields[name] = value
        for name in required:
            if name not in fields:
                self.problem(node, _join(where, name), Message("brak pola", "missing field"))
                ok = False
        return fields if ok else None

    def optional(self, node: yaml.Node | None, read: Callable[[yaml.Node, str], T | None], where: str) -> T | None:
        """``read(node, where)`` unless the field is absent or explicitly null (``~``, ``null`` or empty)."""
        if node is None or self.is_null(node):
            return None
        return read(node, where)

    def is_null(self, node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag == _NULL

    def scalar(self, node: yaml.Node, where: str) -> str | None:
        if self.is_null(node):
            self.problem(node, where, Message("brak wartości: uzupełnij to pole", "no value: fill in this field"))
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, where, Message("oczekiwano pojedynczej wartości", "expected a single value"))
            return None
        return str(node.value)

    def string(self, node: yaml.Node, where: str) -> str | None:
        value = self.scalar(node, where)
        if value is not None and not value.strip():
            self.problem(node, where, Message("nie może być puste: uzupełnij to pole", "must not be empty: fill it in"))
            return None
        return value.strip() if value is not None else None

    def location(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1)

    def problem(self, node: yaml.Node, where: str, message: Message) -> None:
        self.problems.append(Problem.of(self.file, node.start_mark.line + 1, where, message))

    def is_a_draft(self, node: yaml.Node | None, where: str) -> bool:
        """Whether a mapping carries ``status: draft`` (written by `civicgraph draft`); then it is refused with
        one problem, not read further: nothing unreviewed is published."""
        if not isinstance(node, yaml.MappingNode):
            return False
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "status":
                here = _join(where, "status")
                if isinstance(value, yaml.ScalarNode) and value.value == "draft":
                    self.problem(value, here, _DRAFT_REFUSED)
                else:
                    self.problem(value, here, _STATUS_UNKNOWN)
                return True
        return False


def is_qid(value: str) -> bool:
    """Whether ``value`` is a Wikidata item identifier as Wikibase accepts it: ``Q`` and a number from 1 to
    2147483647 (its entity numbers are 32-bit integers), without leading zeros."""
    return QID.fullmatch(value) is not None and int(value[1:]) <= MAX_QID_NUMBER


def _listed(folder: Path) -> list[Path]:
    """The entries of ``folder`` that are not hidden, sorted; none when it is not a folder."""
    try:
        return sorted(entry for entry in folder.iterdir() if not entry.name.startswith("."))
    except OSError:
        return []


# What no value may hold: what YAML does not count printable (C0 and C1 controls but tab, line feed, carriage return
# and NEL; DEL; surrogates; U+FFFE and U+FFFF), which XML 1.0 and HTML cannot carry either, and the bidirectional
# overrides and isolates, which reverse or isolate the text after them wherever a value is shown.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_UNWRITABLE = re.compile(f"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[{_BIDI_CONTROLS}]")


def _unwritable(character: str) -> Message:
    code = f"U+{ord(character):04X}"
    if _BIDI.fullmatch(character):
        return Message(
            f"znak {code} (sterujący kierunkiem pisma) odwróciłby tekst strony po tej wartości; usuń go",
            f"the character {code} (a bidirectional control) would turn the page's text after this value around; "
            "remove it",
        )
    return Message(
        f"znak {code} (sterujący albo niedozwolony) nie może wystąpić w danych: RDF/XML, XML i HTML go nie "
        "przeniosą; usuń go",
        f"the character {code} (a control character or a non-character) is not allowed in the data: RDF/XML, XML "
        "and HTML cannot carry it; remove it",
    )


def _found_in_nfc(text: str, quote: str) -> bool:
    """Whether a quote not found in the text is found once both are in one Unicode form (NFC)."""
    try:
        locate(unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", quote))
    except QuoteNotFound:
        return False
    except QuoteNotUnique:
        return True
    return True


def _with_unicode_form_hint(message: Message, found_in_nfc: bool) -> Message:
    """``message``, saying why when what it did not find is found once both texts are in one Unicode form
    (``found_in_nfc``): the two look alike but write a letter differently ("ó" as one character, or as "o" and a
    combining accent: NFC against NFD, as text copied out of a PDF may be), which a reader cannot see."""
    if not found_in_nfc:
        return message
    return Message(
        f"{message.pl} (wygląda tak samo, ale litery z ogonkami albo kreskami są zapisane inaczej niż w tekście: "
        "jako jeden znak albo jako litera ze znakiem łączącym, NFC i NFD; zapisz oba pliki w tej samej postaci, NFC)",
        f"{message.en} (it looks the same, but letters with diacritics are written otherwise than in the text: as one "
        "character, or as a letter and a combining mark, NFC against NFD; save both files in one form, NFC)",
    )


def _keys(node: yaml.Node) -> set[str] | None:
    """The keys written in a mapping node, whatever their values; None when it is not a mapping."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return {str(key.value) for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def _plain_number(value: Decimal) -> str:
    """1400000000, not 1.4E+9."""
    return format(value, "f")


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _later(start: date | int, end: date | int) -> bool:
    """Whether ``end`` is before ``start``; a bare year compares with a date by its whole span."""

    def first_day(value: date | int) -> date:
        return value if isinstance(value, date) else date(value, 1, 1)

    def last_day(value: date | int) -> date:
        return value if isinstance(value, date) else date(value, 12, 31)

    return last_day(end) < first_day(start)
