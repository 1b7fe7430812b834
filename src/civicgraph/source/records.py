"""Typed records of the curated source data, as the loader produces them and the builder consumes them.

Every record keeps its location (file and line) so that a validation result on the graph can be traced back
to the line a person has to edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Location:
    file: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Text:
    """A text in Polish (required) and English (optional)."""

    pl: str
    en: str | None = None


@dataclass(frozen=True)
class Passage:
    """A verbatim passage of a report's source text: ``text[start:end]`` in Unicode code points."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class WikidataLink:
    """A verified Wikidata link (``qid`` set) or a recorded search that found nothing (``qid`` None)."""

    qid: str | None
    method: str | None  # teryt | krs | label | manual; None for "not found"
    by: str
    on: date


@dataclass(frozen=True)
class NameForms:
    """A Polish name in the cases sentences need besides the nominative: "członkostwa Miasta Poznania"
    (genitive), "o Mieście Poznaniu" (locative). Typed by a person; never derived."""

    genitive: str
    locative: str


@dataclass(frozen=True)
class Member:
    teryt: str
    name: Text
    kind: str
    wikidata: WikidataLink | None
    location: Location
    forms: NameForms | None = None  # of the Polish name; None when nobody has typed them


@dataclass(frozen=True)
class NameVariant:
    """A name under which a report printed an organisation, with the passage of that report's text printing it."""

    name: str  # as recorded: the name in the nominative
    member: str  # the report that printed it: its member's TERYT ...
    year: int  # ... and its year
    evidence: Passage
    location: Location


@dataclass(frozen=True)
class Organisation:
    key: str
    name: Text
    abbreviation: str | None
    variants: tuple[NameVariant, ...]
    type: str | None
    krs: str | None
    wikidata: WikidataLink | None
    location: Location


@dataclass(frozen=True)
class Period:
    """A period with ends known to the day or to the year; either end may be unknown (None)."""

    start: date | int | None
    end: date | int | None
    label: str


@dataclass(frozen=True)
class Figure:
    key: str
    label: Text
    value: Decimal
    hedge: str
    currency: str | None  # money when set
    unit: str | None  # a count or measure when set
    evidence: Passage
    location: Location


@dataclass(frozen=True)
class Participation:
    member: str | None  # TERYT of a local government ...
    organisation: str | None  # ... or key of an organisation
    role: str
    evidence: tuple[Passage, ...]
    location: Location


@dataclass(frozen=True)
class Membership:
    organisation: str
    start: date | int | None
    end: date | int | None
    evidence: tuple[Passage, ...]
    location: Location


@dataclass(frozen=True)
class Activity:
    key: str
    membership: str  # organisation key of the reporting member's membership
    types: tuple[str, ...]
    title: Text
    description: Text | None
    period: Period | None
    part_of: str | None
    participants: tuple[Participation, ...]
    figures: tuple[Figure, ...]
    evidence: tuple[Passage, ...]
    location: Location


@dataclass(frozen=True)
class Report:
    member: str
    year: int
    title: Text
    section: Text | None
    url: str | None
    text: str
    text_sha256: str
    text_file: Path
    figures: tuple[Figure, ...]
    memberships: tuple[Membership, ...]
    activities: tuple[Activity, ...]
    location: Location


@dataclass(frozen=True)
class Publisher:
    """Who publishes the release on open-data portals (DCAT ``dct:publisher``)."""

    name: Text
    iri: str  # absolute, or relative to base_iri (member/3064011)
    type: str  # ADMS publisher type, e.g. LocalAuthority


@dataclass(frozen=True)
class ContactPoint:
    """Where portal users turn with questions (DCAT ``dcat:contactPoint``); only what a source gives."""

    name: Text
    url: str | None
    email: str | None


@dataclass(frozen=True)
class Coverage:
    """The area the data covers (DCAT ``dct:spatial``): a controlled-vocabulary IRI and its geometry (WKT)."""

    iri: str
    name: Text
    bbox: str
    centroid: str


@dataclass(frozen=True)
class Settings:
    base_iri: str
    data_licence: str
    location: Location
    # Publishing on open-data portals (catalogue, dane.gov.pl file, website); see docs/publishing.md.
    publish_url: str = ""  # https address where the files of dist/ are published, ending with "/"
    publisher: Publisher | None = None
    contact: ContactPoint | None = None
    edition: str = ""  # the release's edition label, e.g. 2023.1
    build_date: date | None = None  # overridden by SOURCE_DATE_EPOCH
    sparql_endpoint: str | None = None
    spatial: Coverage | None = None


@dataclass
class Dataset:
    """Everything the loader read from one data folder."""

    settings: Settings
    members: dict[str, Member] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
