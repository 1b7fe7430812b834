"""Stage 1 — read: curated YAML source files → typed records, or every problem located by file, line and field.

The files are read with PyYAML's composer (the C one when available), not its constructor: nodes keep their
line numbers and their text exactly as typed (a TERYT code ``0201011`` keeps its leading zero), and duplicate
keys, which YAML loaders silently merge, are reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

import yaml

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
from civicgraph.util.errors import InputError, Problem
from civicgraph.util.gcpause import paused_cycle_collector

try:  # the C composer is several times faster on national-size data
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SETTINGS_FILE = "civicgraph.yaml"
MEMBERS_FILE = "members.yaml"
ORGANISATIONS_FILE = "organisations.yaml"
REPORTS_DIR = "reports"
REPORT_FILE = "report.yaml"

TERYT = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{3})?)?")
KRS = re.compile(r"[0-9]{10}")
QID = re.compile(r"Q[1-9][0-9]*")
KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CURRENCY = re.compile(r"[A-Z]{3}")
LINK_METHODS = ("teryt", "krs", "label", "manual")
# Settings for publishing (docs/publishing.md): required fields, and what their values look like.
PUBLICATION_FIELDS = ("publish_url", "publisher", "contact", "edition", "build_date")
HTTPS_FOLDER = re.compile(r"https://[^\s<>\"{}|\\^`]+/")
RELATIVE_OR_HTTP_IRI = re.compile(r"(https?://)?[^\s<>\"{}|\\^`]+")
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
T = TypeVar("T")


def read_dataset(data_dir: Path) -> Dataset:
    """Read every source file under ``data_dir``; raise :class:`InputError` listing all problems found."""
    with paused_cycle_collector():  # YAML nodes and records by the million, no cycles among them
        return _read_dataset(data_dir)


def _read_dataset(data_dir: Path) -> Dataset:
    reader = _Reader()
    settings = reader.settings(data_dir / SETTINGS_FILE)
    dataset = Dataset(settings=settings or Settings("", "", Location(data_dir / SETTINGS_FILE, 1)))
    dataset.members = reader.members(data_dir / MEMBERS_FILE)
    dataset.organisations = reader.organisations(data_dir / ORGANISATIONS_FILE)
    report_files = sorted((data_dir / REPORTS_DIR).glob(f"**/{REPORT_FILE}"))
    if not report_files:
        reader.problems.append(Problem(data_dir / REPORTS_DIR, None, "", f"no {REPORT_FILE} found under this folder"))
    for report_file in report_files:
        report = reader.report(report_file, dataset)
        if report is not None:
            dataset.reports.append(report)
    reader.check_across_reports(dataset)
    if reader.problems:
        raise InputError(reader.problems)
    dataset.reports.sort(key=lambda r: (r.member, r.year))
    return dataset


def read_settings(data_dir: Path) -> Settings:
    """Read only ``civicgraph.yaml``, for commands that need the base IRI but not the whole dataset."""
    reader = _Reader()
    settings = reader.settings(data_dir / SETTINGS_FILE)
    if settings is None:
        raise InputError(reader.problems or [Problem(data_dir / SETTINGS_FILE, None, "", "unreadable settings")])
    return settings


class _Reader:
    """Reads YAML nodes into records, collecting problems instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.file = Path()
        # Keys each file defines, valid or not, so that one broken record is reported once and not again at
        # every reference to it; None when the file could not be parsed at all (references are not checked).
        self.defined: dict[str, set[str] | None] = {MEMBERS_FILE: None, ORGANISATIONS_FILE: None}

    # -- files ---------------------------------------------------------------------------------------------

    def parse(self, file: Path) -> yaml.Node | None:
        self.file = file
        try:
            raw = file.read_bytes()
        except OSError as error:
            self.problems.append(Problem(file, None, "", f"cannot read the file ({error.strerror})"))
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            self.problems.append(Problem(file, line, "", "the file is not UTF-8 text; save it as UTF-8"))
            return None
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            error_line = mark.line + 1 if mark is not None else None
            what = error.problem or "malformed YAML"
            self.problems.append(Problem(file, error_line, "", f"malformed YAML: {what}"))
            return None
        if node is None:
            self.problems.append(Problem(file, None, "", "the file is empty"))
        return node

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
        base = self.string(fields["base_iri"], "base_iri")
        licence = self.string(fields["data_licence"], "data_licence")
        if base is not None and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+/", base):
            self.problem(fields["base_iri"], "base_iri", f"{base!r} is not an http(s) IRI ending with '/'")
            base = None
        if licence is not None and not re.fullmatch(r"https?://\S+", licence):
            self.problem(fields["data_licence"], "data_licence", f"{licence!r} is not an http(s) IRI")
            licence = None
        if base is None or licence is None:
            return None
        return self.publication(fields, base, licence, self.location(node))

    def publication(self, fields: dict[str, yaml.Node], base: str, licence: str, location: Location) -> Settings | None:
        """The settings for publishing on open-data portals (see docs/publishing.md)."""
        publish_url = self.pattern(
            fields["publish_url"], "publish_url", HTTPS_FOLDER, "an https address ending with '/' (portals refuse http)"
        )
        publisher = self.publisher(fields["publisher"], "publisher")
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

    def publisher(self, node: yaml.Node, where: str) -> Publisher | None:
        fields = self.mapping(node, where, required=("name", "iri", "type"))
        if fields is None:
            return None
        name = self.text(fields["name"], f"{where}.name")
        iri = self.pattern(fields["iri"], f"{where}.iri", RELATIVE_OR_HTTP_IRI, "an IRI, or a path under base_iri")
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
            self.problem(node, where, "give the `url` or the `email` where people can ask about the data")
            return None
        return ContactPoint(name, url, email) if name else None

    def coverage(self, node: yaml.Node, where: str) -> Coverage | None:
        fields = self.mapping(node, where, required=("iri", "name", "bbox", "centroid"))
        if fields is None:
            return None
        iri = self.url(fields["iri"], f"{where}.iri")
        name = self.text(fields["name"], f"{where}.name")
        bbox = self.pattern(fields["bbox"], f"{where}.bbox", WKT_POLYGON, "a WKT POLYGON((lon lat, ...))")
        centroid = self.pattern(fields["centroid"], f"{where}.centroid", WKT_POINT, "a WKT POINT(lon lat)")
        return Coverage(iri, name, bbox, centroid) if iri and name and bbox and centroid else None

    def email(self, node: yaml.Node, where: str) -> str | None:
        return self.pattern(node, where, EMAIL, "an e-mail address")

    def members(self, file: Path) -> dict[str, Member]:
        node = self.parse(file)
        members: dict[str, Member] = {}
        entries = list(self.entries(node, ""))
        if node is not None:
            self.defined[MEMBERS_FILE] = {key_node.value for key_node, _ in entries}
        for key_node, value in entries:
            teryt = key_node.value
            if not TERYT.fullmatch(teryt):
                self.problem(key_node, teryt, "a TERYT code has 2 (voivodeship), 4 (county) or 7 (commune) digits")
                continue
            fields = self.mapping(value, teryt, required=("name", "kind"), optional=("wikidata",))
            if fields is None:
                continue
            name = self.text(fields["name"], f"{teryt}.name")
            kind = self.notation(fields["kind"], f"{teryt}.kind", "local-government-kind")
            link = self.wikidata(fields.get("wikidata"), f"{teryt}.wikidata")
            if name is not None and kind is not None:
                members[teryt] = Member(teryt, name, kind, link, self.location(key_node))
        return members

    def organisations(self, file: Path) -> dict[str, Organisation]:
        node = self.parse(file)
        organisations: dict[str, Organisation] = {}
        entries = list(self.entries(node, ""))
        if node is not None:
            self.defined[ORGANISATIONS_FILE] = {key_node.value for key_node, _ in entries}
        for key_node, value in entries:
            key = key_node.value
            if not KEY.fullmatch(key):
                self.problem(
                    key_node,
                    key,
                    "a key uses lower-case letters, digits and single hyphens (zmp, metropolia-poznan)",
                )
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
            variants = tuple(self.variants(fields.get("variants"), f"{key}.variants"))
            if name is not None:
                organisations[key] = Organisation(
                    key, name, abbreviation, variants, org_type, krs, link, self.location(key_node)
                )
        return organisations

    def report(self, file: Path, dataset: Dataset) -> Report | None:
        node = self.parse(file)
        if node is None:
            return None
        fields = self.mapping(
            node,
            "",
            required=("member", "year", "title", "text", "memberships"),
            optional=("section", "url", "figures", "activities"),
        )
        if fields is None:
            return None
        member = self.reference(fields["member"], "member", MEMBERS_FILE)
        year = self.year(fields["year"], "year")
        title = self.text(fields["title"], "title")
        section = self.optional(fields.get("section"), self.text, "section")
        url = self.optional(fields.get("url"), self.url, "url")
        source = self.source_text(fields["text"], file)
        if member is None or year is None or title is None or source is None:
            return None
        text, digest, text_file = source
        memberships = tuple(self.memberships(fields["memberships"], text, dataset))
        figures = tuple(self.figures(fields.get("figures"), "figures", text))
        activities = tuple(self.activities(fields.get("activities"), text, dataset, memberships, year))
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

    def check_across_reports(self, dataset: Dataset) -> None:
        """One report per member-year; a membership's known start and end agree between reports."""
        seen: dict[tuple[str, int], Report] = {}
        ends: dict[tuple[str, str], Membership] = {}
        for report in dataset.reports:
            earlier = seen.setdefault((report.member, report.year), report)
            if earlier is not report:
                self.problems.append(
                    Problem(
                        report.location.file,
                        report.location.line,
                        "year",
                        f"a second report of member {report.member} for {report.year} "
                        f"(the first is {earlier.location.file})",
                    )
                )
            for membership in report.memberships:
                previous = ends.setdefault((report.member, membership.organisation), membership)
                for end in ("start", "end"):
                    mine, theirs = getattr(membership, end), getattr(previous, end)
                    if mine is not None and theirs is not None and mine != theirs:
                        self.problems.append(
                            Problem(
                                membership.location.file,
                                membership.location.line,
                                f"memberships.{membership.organisation}.{end}",
                                f"{mine} contradicts {theirs} given in {previous.location}",
                            )
                        )

    # -- parts of a report ---------------------------------------------------------------------------------

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
                self.problem(fields["end"], f"{where}.end", f"the membership ends ({end}) before it starts ({start})")
                continue
            if evidence:
                yield Membership(key, start, end, evidence, self.location(key_node))

    def activities(
        self,
        node: yaml.Node | None,
        text: str,
        dataset: Dataset,
        memberships: tuple[Membership, ...],
        year: int,
    ) -> Iterator[Activity]:
        entries = list(self.entries(node, "activities")) if node is not None else []
        keys = {key_node.value for key_node, _ in entries}
        member_of = {m.organisation for m in memberships}
        for key_node, value in entries:
            key = key_node.value
            where = f"activities.{key}"
            if not KEY.fullmatch(key):
                self.problem(key_node, where, "a key uses lower-case letters, digits and single hyphens")
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
            if membership is not None and membership not in member_of:
                self.problem(
                    fields["membership"],
                    f"{where}.membership",
                    f"{membership!r} is not among this report's memberships; add it under `memberships` first",
                )
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
                    f"{part_of!r} is not another activity of this report",
                )
                part_of = None
            evidence = self.quotes(fields, where, text, value)
            participants = tuple(self.participants(fields.get("participants"), f"{where}.participants", text, dataset))
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

    def participants(self, node: yaml.Node | None, where: str, text: str, dataset: Dataset) -> Iterator[Participation]:
        if node is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, where, "expected a list of participants (- member: ... role: ...)")
            return
        for index, item in enumerate(node.value):
            here = f"{where}[{index}]"
            fields = self.mapping(
                item, here, required=("role",), optional=("member", "organisation", "quote", "quotes")
            )
            if fields is None:
                continue
            if ("member" in fields) == ("organisation" in fields):
                self.problem(item, here, "give exactly one of `member` (TERYT) or `organisation` (key)")
                continue
            member = organisation = None
            if "member" in fields:
                member = self.reference(fields["member"], f"{here}.member", MEMBERS_FILE)
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
            fields = self.mapping(
                value, here, required=("label", "value", "hedge", "quote"), optional=("unit", "currency")
            )
            if fields is None:
                continue
            if ("unit" in fields) == ("currency" in fields):
                self.problem(value, here, "give exactly one of `currency` (money, e.g. PLN) or `unit` (a count)")
                continue
            label = self.text(fields["label"], f"{here}.label", english=True)
            amount = self.amount(fields["value"], f"{here}.value")
            hedge = self.notation(fields["hedge"], f"{here}.hedge", "hedge")
            unit = currency = None
            if "unit" in fields:
                unit = self.notation(fields["unit"], f"{here}.unit", "unit")
            else:
                currency = self.pattern(
                    fields["currency"], f"{here}.currency", CURRENCY, "an ISO 4217 code such as PLN"
                )
            passage = self.quote(fields["quote"], f"{here}.quote", text)
            if label and amount is not None and hedge and (unit or currency) and passage:
                yield Figure(key, label, amount, hedge, currency, unit, passage, self.location(key_node))

    def quotes(self, fields: dict[str, yaml.Node], where: str, text: str, owner: yaml.Node) -> tuple[Passage, ...]:
        """The evidence of a fact: ``quote: ...`` or ``quotes: [...]``; at least one is required."""
        if ("quote" in fields) == ("quotes" in fields):
            self.problem(
                owner,
                where,
                "give the passage of the source text this fact comes from: `quote` (or a list in `quotes`)",
            )
            return ()
        if "quote" in fields:
            passage = self.quote(fields["quote"], f"{where}.quote", text)
            return (passage,) if passage else ()
        node = fields["quotes"]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(node, f"{where}.quotes", "expected a non-empty list of passages")
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
            self.problem(node, where, f"the passage {quote!r} does not occur in the source text")
        except QuoteNotUnique as error:
            self.problem(
                node,
                where,
                f"the passage {quote!r} occurs {error.count} times in the source text; lengthen it",
            )
        return None

    def source_text(self, node: yaml.Node, report_file: Path) -> tuple[str, str, Path] | None:
        name = self.string(node, "text")
        if name is None:
            return None
        path = report_file.parent / name
        try:
            raw = path.read_bytes()
        except OSError as error:
            self.problem(node, "text", f"cannot read the source text {path} ({error.strerror})")
            return None
        try:
            return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest(), path
        except UnicodeDecodeError:
            self.problem(node, "text", f"the source text {path} is not UTF-8")
            return None

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
            qid = self.pattern(fields["qid"], f"{where}.qid", QID, "a Wikidata item identifier such as Q268")
            if "method" not in fields:
                self.problem(
                    node,
                    f"{where}.method",
                    f"say how the link was verified: one of {', '.join(LINK_METHODS)}",
                )
                return None
            method = self.choice(fields["method"], f"{where}.method", LINK_METHODS)
            if qid and method and by and on:
                return WikidataLink(qid, method, by, on)
        elif "not_found" in fields and "qid" not in fields and "method" not in fields:
            if fields["not_found"].value != "true":
                self.problem(fields["not_found"], f"{where}.not_found", "write `not_found: true`, or give a `qid`")
            elif by and on:
                return WikidataLink(None, None, by, on)
        else:
            self.problem(node, where, "give either `qid` with `method`, or `not_found: true`")
        return None

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
            self.problem(fields["end"], f"{where}.end", f"the period ends ({end}) before it starts ({start})")
            return None
        return Period(start, end, f"{start}/{end}")

    def amount(self, node: yaml.Node, where: str) -> Decimal | None:
        raw = self.scalar(node, where)
        if raw is None:
            return None
        try:
            value = Decimal(raw.replace("_", ""))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.problem(node, where, f"{raw!r} is not a number; write digits only, e.g. 1400000000 (not '1,4 mld')")
            return None
        if value < 0:
            self.problem(node, where, f"{raw} is negative; amounts and counts are never below zero")
            return None
        return value

    def year(self, node: yaml.Node, where: str) -> int | None:
        raw = self.scalar(node, where)
        if raw is None:
            return None
        if not re.fullmatch(r"(19|20|21)[0-9]{2}", raw):
            self.problem(node, where, f"{raw!r} is not a year (YYYY)")
            return None
        return int(raw)

    def date(self, node: yaml.Node, where: str) -> dt.date | None:
        raw = self.scalar(node, where)
        if raw is None:
            return None
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            self.problem(node, where, f"{raw!r} is not a date (YYYY-MM-DD)")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problem(node, where, f"{raw} is not a date that exists")
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

    def variants(self, node: yaml.Node | None, where: str) -> Iterator[NameVariant]:
        if node is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, where, "expected a list of {name: ..., note: ...}")
            return
        for index, item in enumerate(node.value):
            fields = self.mapping(item, f"{where}[{index}]", required=("name",), optional=("note",))
            if fields is None:
                continue
            name = self.string(fields["name"], f"{where}[{index}].name")
            note = self.optional(fields.get("note"), self.string, f"{where}[{index}].note")
            if name is not None:
                yield NameVariant(name, note)

    def organisation_type(self, node: yaml.Node, where: str) -> str | None:
        return self.notation(node, where, "organisation-type")

    def krs(self, node: yaml.Node, where: str) -> str | None:
        return self.pattern(node, where, KRS, "10 digits (a KRS number)")

    def notation(self, node: yaml.Node, where: str, scheme: str) -> str | None:
        return self.choice(node, where, sorted(notations()[scheme]))

    def notation_list(self, node: yaml.Node, where: str, scheme: str) -> tuple[str, ...] | None:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(node, where, f"expected a non-empty list, e.g. [{sorted(notations()[scheme])[0]}]")
            return None
        values = [self.notation(item, where, scheme) for item in node.value]
        if not all(values):
            return None
        return tuple(dict.fromkeys(v for v in values if v))

    def choice(self, node: yaml.Node, where: str, allowed: list[str] | tuple[str, ...]) -> str | None:
        value = self.scalar(node, where)
        if value is not None and value not in allowed:
            self.problem(node, where, f"{value!r} is not one of: {', '.join(allowed)}")
            return None
        return value

    def pattern(self, node: yaml.Node, where: str, regex: re.Pattern[str], expected: str) -> str | None:
        value = self.scalar(node, where)
        if value is not None and not regex.fullmatch(value):
            self.problem(node, where, f"{value!r} is malformed: expected {expected}")
            return None
        return value

    def url(self, node: yaml.Node, where: str) -> str | None:
        return self.pattern(node, where, re.compile(r"https?://[^\s<>\"]+"), "an http(s) address")

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
        self.problem(node, where, f"{key!r} is not defined in {file}; add it there or fix the spelling")

    # -- YAML structure ----------------------------------------------------------------------------------

    def entries(self, node: yaml.Node | None, where: str) -> Iterator[tuple[yaml.ScalarNode, yaml.Node]]:
        """Key/value pairs of a mapping keyed by identifiers; reports duplicate keys."""
        if node is None:
            return
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, where or "(top level)", "expected a mapping of keys to entries")
            return
        seen: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or not key_node.value:
                self.problem(key_node, where, "a key must be a plain word or number")
                continue
            if key_node.value in seen:
                first = seen[key_node.value].start_mark.line + 1
                self.problem(key_node, _join(where, key_node.value), f"duplicate key (first defined on line {first})")
                continue
            seen[key_node.value] = key_node
            yield key_node, value

    def mapping(
        self, node: yaml.Node, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node] | None:
        """The fields of a record: reports missing, unknown and duplicate fields."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                node,
                where or "(top level)",
                f"expected a mapping with the fields: {', '.join(required + optional)}",
            )
            return None
        fields: dict[str, yaml.Node] = {}
        ok = True
        for key_node, value in self.entries(node, where):
            name = key_node.value
            if name not in required and name not in optional:
                allowed = ", ".join(required + optional)
                self.problem(key_node, _join(where, name), f"unknown field; the fields here are: {allowed}")
                ok = False
            fields[name] = value
        for name in required:
            if name not in fields:
                self.problem(node, _join(where, name), "missing field")
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
        if not isinstance(node, yaml.ScalarNode) or self.is_null(node):
            self.problem(node, where, "expected a single value")
            return None
        return str(node.value)

    def string(self, node: yaml.Node, where: str) -> str | None:
        value = self.scalar(node, where)
        if value is not None and not value.strip():
            self.problem(node, where, "must not be empty")
            return None
        return value.strip() if value is not None else None

    def location(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1)

    def problem(self, node: yaml.Node, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1, where, message))


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _later(start: date | int, end: date | int) -> bool:
    """Whether ``end`` is before ``start``; a bare year compares with a date by its whole span."""

    def first_day(value: date | int) -> date:
        return value if isinstance(value, date) else date(value, 1, 1)

    def last_day(value: date | int) -> date:
        return value if isinstance(value, date) else date(value, 12, 31)

    return last_day(end) < first_day(start)
