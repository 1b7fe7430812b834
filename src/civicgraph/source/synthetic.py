"""A synthetic national dataset in civicgraph's own input format, for benchmarks and scale tests.

Nothing here is a fact. Every name says so ("Gmina Syntetyczna 0201011", "Stowarzyszenie Syntetyczne ..."),
organisations have no KRS number and no Wikidata link, report addresses live under the reserved ``.example``
domain, and the base IRI is a synthetic one, so a synthetic graph can never be mistaken for, or merged with,
published data.

What is realistic is the *shape*:

- TERYT codes follow the structure of the TERC register: 16 voivodeships (02..32, even), 314 land counties
  (voivodeship + 01..) and 66 cities with county rights (voivodeship + 61..), 2,477 communes (county + 2-digit
  number + kind digit: 1 urban, 2 rural, 3 urban-rural; a city with county rights is commune 01 of its own
  county, like Poznań 3064011). The counts per voivodeship and the national split of commune kinds (302 urban
  including the 66 cities, 662 urban-rural, 1,513 rural, as at the start of 2021) follow the register; they only
  size the synthetic data and are never published. The codes inside a county are numbered by this generator and
  the names are invented.
- Each report reads like Poznań's 2023 section on national cooperation (``data/reports/3064011/2023``): a list of
  the organisations the member belongs to, then paragraphs of activities per membership, with counts and money
  amounts printed with the hedges Polish reports use ("blisko", "ponad", "około"), participants, sub-activities,
  periods given as a year, as dates or not at all.
- Organisation keys are stable across years; memberships mostly persist from year to year, a few start or end
  within the years generated (and then the report says so).

Every report gets its own synthetic ``source.txt`` and every quote in ``report.yaml`` occurs exactly once in it
(checked here the way :func:`civicgraph.source.evidence.locate` finds quotes), so the data goes through the same loader
and checks as real data. The output depends only on the arguments: each member draws from its own
``random.Random`` seeded with ``f"{seed}:{teryt}"`` (string seeds are hashed with SHA-512, not ``hash()``), so
the same seed gives byte-identical files, and a member's reports change with the number of members generated only
in the co-financers they name (a member's county or voivodeship is named only when it is generated too).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from civicgraph.util.errors import Message
from civicgraph.util.folders import FolderKind

try:  # the C emitter keeps writing a national dataset to a few seconds
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]

SYNTHETIC_BASE_IRI = "https://civicgraph.example/synthetic/id/"
SYNTHETIC_LICENCE = "http://creativecommons.org/licenses/by/4.0/"  # the licence the portal writers know
SYNTHETIC_PUBLISH_URL = "https://civicgraph.example/synthetic/"
REPORT_URL = "https://raporty.civicgraph.example/{teryt}/{year}/wspolpraca-krajowa/"
NOTICE_FILE = "SYNTHETIC.md"

# (voivodeship code, land counties, cities with county rights, communes including those cities), as in the TERC
# register of the early 2020s; used only to size the synthetic data.
VOIVODESHIPS: tuple[tuple[str, int, int, int], ...] = (
    ("02", 26, 4, 169),
    ("04", 19, 4, 144),
    ("06", 20, 4, 213),
    ("08", 12, 2, 82),
    ("10", 21, 3, 177),
    ("12", 19, 3, 182),
    ("14", 37, 5, 314),
    ("16", 11, 1, 71),
    ("18", 21, 4, 160),
    ("20", 14, 3, 118),
    ("22", 16, 4, 123),
    ("24", 17, 19, 167),
    ("26", 13, 1, 102),
    ("28", 19, 2, 116),
    ("30", 31, 4, 226),
    ("32", 18, 3, 113),
)
# Communes of land counties by kind, nationally, at the start of 2021 (the 66 cities with county rights are the
# other urban ones).
COMMUNE_KINDS = {"urban-commune": 236, "urban-rural-commune": 662, "rural-commune": 1513}
KIND_DIGIT = {"urban-commune": "1", "rural-commune": "2", "urban-rural-commune": "3", "city-with-county-rights": "1"}
NATIONAL_SIZE = 16 + sum(v[1] for v in VOIVODESHIPS) + sum(v[3] for v in VOIVODESHIPS)  # 2,807 members

NBSP = "\u00a0"


# -- the register of local governments ----------------------------------------------------------------------


@dataclass(frozen=True)
class SynthMember:
    teryt: str
    kind: str

    @property
    def name_pl(self) -> str:
        return {
            "voivodeship": "Województwo Syntetyczne",
            "county": "Powiat Syntetyczny",
            "city-with-county-rights": "Miasto Syntetyczne",
            "urban-commune": "Gmina Miejska Syntetyczna",
            "urban-rural-commune": "Gmina Miejsko-Wiejska Syntetyczna",
            "rural-commune": "Gmina Syntetyczna",
        }[self.kind] + f" {self.teryt}"

    @property
    def name_en(self) -> str:
        return {
            "voivodeship": "Synthetic Voivodeship",
            "county": "Synthetic County",
            "city-with-county-rights": "Synthetic City",
            "urban-commune": "Synthetic Urban Commune",
            "urban-rural-commune": "Synthetic Urban-Rural Commune",
            "rural-commune": "Synthetic Rural Commune",
        }[self.kind] + f" {self.teryt}"

    @property
    def voivodeship(self) -> str:
        return self.teryt[:2]

    @property
    def county(self) -> str | None:
        """The land county a commune lies in (a city with county rights is its own county)."""
        if len(self.teryt) == 7 and self.kind != "city-with-county-rights":
            return self.teryt[:4]
        return None


def national_register(seed: int) -> list[SynthMember]:
    """Every local government of a synthetic Poland: 16 + 314 + 2,477 = 2,807 members, sorted by TERYT."""
    rng = random.Random(f"{seed}:register")
    kinds = [kind for kind, count in COMMUNE_KINDS.items() for _ in range(count)]
    rng.shuffle(kinds)
    register: list[SynthMember] = []
    for code, land_counties, cities, communes in VOIVODESHIPS:
        register.append(SynthMember(code, "voivodeship"))
        per_county = _split(communes - cities, land_counties, rng)
        for number, count in enumerate(per_county, start=1):
            county = f"{code}{number:02d}"
            register.append(SynthMember(county, "county"))
            county_kinds = sorted((kinds.pop() for _ in range(count)), key=_urban_first)
            for index, kind in enumerate(county_kinds, start=1):
                register.append(SynthMember(f"{county}{index:02d}{KIND_DIGIT[kind]}", kind))
        for number in range(61, 61 + cities):
            register.append(
                SynthMember(f"{code}{number}01{KIND_DIGIT['city-with-county-rights']}", "city-with-county-rights")
            )
    return sorted(register, key=lambda m: m.teryt)


def _urban_first(kind: str) -> int:
    # Towns first, the way TERC codes often run within a county; the exact order does not matter here.
    return ("urban-commune", "urban-rural-commune", "rural-commune").index(kind)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` communes over ``parts`` counties: at least 3 each, the rest at random."""
    counts = [3] * parts
    for _ in range(total - 3 * parts):
        counts[rng.randrange(parts)] += 1
    return counts


def select_members(register: Sequence[SynthMember], count: int, seed: int) -> list[SynthMember]:
    """``count`` members of the register: all of them, or a seeded uniform sample (the national mix of kinds on
    average, not exactly)."""
    if not 1 <= count <= len(register):
        raise ValueError(f"the number of members must be between 1 and {len(register)} (the national size)")
    if count == len(register):
        return list(register)
    chosen = random.Random(f"{seed}:select").sample(list(register), count)
    return sorted(chosen, key=lambda m: m.teryt)


# -- organisations --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthOrganisation:
    key: str
    name_pl: str
    name_en: str
    type: str | None
    abbreviation: str | None = None
    region: str | None = None  # voivodeship code of a regional organisation; None for a national one
    reach: tuple[tuple[str, float], ...] = ()  # probability that a member of each kind belongs

    def chance(self, kind: str) -> float:
        return dict(self.reach).get(kind, 0.0)


def _reach(
    city: float, urban: float, urban_rural: float, rural: float, county: float, voivodeship: float
) -> tuple[tuple[str, float], ...]:
    return (
        ("city-with-county-rights", city),
        ("urban-commune", urban),
        ("urban-rural-commune", urban_rural),
        ("rural-commune", rural),
        ("county", county),
        ("voivodeship", voivodeship),
    )


NATIONAL_ORGANISATIONS: tuple[SynthOrganisation, ...] = (
    SynthOrganisation(
        "syn-zwiazek-miast",
        "Syntetyczny Związek Miast",
        "Synthetic Union of Cities",
        None,
        "SZM",
        reach=_reach(0.95, 0.5, 0.25, 0, 0, 0),
    ),
    SynthOrganisation(
        "syn-unia-metropolii",
        "Syntetyczna Unia Metropolii",
        "Synthetic Union of Metropolises",
        None,
        "SUM",
        reach=_reach(0.3, 0, 0, 0, 0, 0),
    ),
    SynthOrganisation(
        "syn-zwiazek-gmin-wiejskich",
        "Syntetyczny Związek Gmin Wiejskich",
        "Synthetic Union of Rural Communes",
        None,
        "SZGW",
        reach=_reach(0, 0, 0.45, 0.55, 0, 0),
    ),
    SynthOrganisation(
        "syn-zwiazek-powiatow",
        "Syntetyczny Związek Powiatów",
        "Synthetic Union of Counties",
        None,
        "SZP",
        reach=_reach(0.35, 0, 0, 0, 0.8, 0),
    ),
    SynthOrganisation(
        "syn-zwiazek-wojewodztw",
        "Syntetyczny Związek Województw",
        "Synthetic Union of Voivodeships",
        None,
        reach=_reach(0, 0, 0, 0, 0, 1.0),
    ),
    SynthOrganisation(
        "syn-zdrowe-miasta",
        "Stowarzyszenie Syntetyczne „Zdrowe Miasta”",
        "Synthetic “Healthy Cities” Association",
        "association",
        reach=_reach(0.45, 0.15, 0.05, 0, 0, 0),
    ),
    SynthOrganisation(
        "syn-forum-odnowy",
        "Stowarzyszenie Syntetyczne „Forum Odnowy”",
        "Synthetic “Renewal Forum” Association",
        "association",
        reach=_reach(0.35, 0.1, 0.05, 0, 0, 0),
    ),
    SynthOrganisation(
        "syn-energia",
        "Stowarzyszenie Syntetyczne Producentów Energii",
        "Synthetic Association of Energy Producers",
        "association",
        reach=_reach(0.25, 0.05, 0, 0, 0, 0),
    ),
    SynthOrganisation(
        "syn-fundacja-rozwoju",
        "Fundacja Syntetyczna Rozwoju Lokalnego",
        "Synthetic Local Development Foundation",
        "foundation",
        reach=_reach(0.2, 0.08, 0.08, 0.05, 0.05, 0.2),
    ),
    SynthOrganisation(
        "syn-fundacja-wsi",
        "Fundacja Syntetyczna Rozwoju Wsi",
        "Synthetic Rural Development Foundation",
        "foundation",
        reach=_reach(0, 0, 0.15, 0.15, 0.05, 0),
    ),
    SynthOrganisation(
        "syn-klaster-cyfrowy",
        "Klaster Syntetyczny „Cyfrowy Samorząd”",
        "Synthetic “Digital Local Government” Cluster",
        "cluster",
        reach=_reach(0.3, 0.05, 0.02, 0, 0.1, 0.4),
    ),
    SynthOrganisation(
        "syn-banki-zywnosci",
        "Związek Stowarzyszeń Syntetycznych Banków Żywności",
        "Synthetic Union of Food Bank Associations",
        "union-of-associations",
        reach=_reach(0.4, 0.08, 0.03, 0, 0.05, 0),
    ),
    SynthOrganisation(
        "syn-miasta-rowerowe",
        "Stowarzyszenie Syntetyczne „Miasta dla Rowerów”",
        "Synthetic “Cities for Bicycles” Association",
        "association",
        reach=_reach(0.3, 0.12, 0.03, 0, 0, 0),
    ),
    SynthOrganisation(
        "syn-osrodek-ksztalcenia",
        "Syntetyczny Ośrodek Kształcenia Samorządowego",
        "Synthetic Local Government Training Centre",
        None,
        reach=_reach(0.2, 0.12, 0.12, 0.1, 0.15, 0.2),
    ),
    SynthOrganisation(
        "syn-gminy-gorskie",
        "Syntetyczny Związek Gmin Górskich",
        "Synthetic Union of Mountain Communes",
        None,
        reach=_reach(0, 0.03, 0.06, 0.06, 0.02, 0),
    ),
)


def regional_organisations(region: str) -> tuple[SynthOrganisation, ...]:
    """The organisations of one voivodeship, modelled on Poznań's regional memberships."""
    r = region
    return (
        SynthOrganisation(
            f"syn-{r}-gminy-powiaty",
            f"Stowarzyszenie Syntetyczne Gmin i Powiatów Regionu {r}",
            f"Synthetic Association of Communes and Counties of Region {r}",
            "association",
            region=r,
            reach=_reach(0.7, 0.6, 0.6, 0.6, 0.6, 0),
        ),
        SynthOrganisation(
            f"syn-{r}-turystyka",
            f"Syntetyczna Lokalna Organizacja Turystyczna Regionu {r}",
            f"Synthetic Local Tourism Organisation of Region {r}",
            "local-tourism-organisation",
            f"SLOT-{r}",
            region=r,
            reach=_reach(0.6, 0.35, 0.35, 0.3, 0.3, 0.1),
        ),
        SynthOrganisation(
            f"syn-{r}-klaster",
            f"Klaster Syntetyczny Regionu {r}",
            f"Synthetic Cluster of Region {r}",
            "cluster",
            region=r,
            reach=_reach(0.4, 0.05, 0.03, 0.02, 0.1, 0.6),
        ),
        SynthOrganisation(
            f"syn-{r}-lgd",
            f"Stowarzyszenie Syntetyczne „Lokalna Grupa Działania Regionu {r}”",
            f"Synthetic “Local Action Group of Region {r}” Association",
            "association",
            region=r,
            reach=_reach(0, 0.2, 0.75, 0.8, 0.05, 0),
        ),
        SynthOrganisation(
            f"syn-{r}-bank-zywnosci",
            f"Związek Stowarzyszeń Syntetyczny Bank Żywności Regionu {r}",
            f"Synthetic Food Bank Union of Associations of Region {r}",
            "union-of-associations",
            region=r,
            reach=_reach(0.5, 0.1, 0.05, 0.02, 0.1, 0),
        ),
        SynthOrganisation(
            f"syn-{r}-droga",
            f"Stowarzyszenie Syntetyczne Gmin i Powiatów „Droga Regionu {r}”",
            f"Synthetic “Road of Region {r}” Association of Communes and Counties",
            "association",
            region=r,
            reach=_reach(0.2, 0.15, 0.15, 0.12, 0.25, 0.2),
        ),
        SynthOrganisation(
            f"syn-{r}-fundacja",
            f"Fundacja Syntetyczna Regionu {r}",
            f"Synthetic Foundation of Region {r}",
            "foundation",
            region=r,
            reach=_reach(0.35, 0.05, 0.03, 0.02, 0.05, 0.4),
        ),
        SynthOrganisation(
            f"syn-{r}-metropolia",
            f"Stowarzyszenie Syntetyczne „Metropolia Regionu {r}”",
            f"Synthetic “Metropolis of Region {r}” Association",
            "association",
            region=r,
            reach=_reach(0.6, 0.15, 0.12, 0.08, 0.2, 0),
        ),
        SynthOrganisation(
            f"syn-{r}-osrodek",
            f"Syntetyczny Ośrodek Studiów Samorządowych Regionu {r}",
            f"Synthetic Centre for Local Government Studies of Region {r}",
            None,
            region=r,
            reach=_reach(0.3, 0.2, 0.2, 0.15, 0.25, 0.3),
        ),
    )


def all_organisations() -> list[SynthOrganisation]:
    regional = [org for code, *_ in VOIVODESHIPS for org in regional_organisations(code)]
    return [*NATIONAL_ORGANISATIONS, *regional]


# -- printed numbers ------------------------------------------------------------------------------------------

HEDGE_WORDS = {"exact": "", "nearly": "blisko", "more-than": "ponad", "about": "około"}
# Hedges drawn like Poznań's 16 figures (12 exact, 2 "blisko", 2 "ponad"), with "około" added.
HEDGE_WEIGHTS = (("exact", 70), ("nearly", 12), ("more-than", 12), ("about", 6))

# Polish noun forms after a number: 1, 2-4 (not 12-14), and the rest.
NOUNS: dict[str, tuple[str, str, str]] = {
    "project": ("projekt", "projekty", "projektów"),
    "local-government": ("samorząd", "samorządy", "samorządów"),
    "county": ("powiat", "powiaty", "powiatów"),
    "commune": ("gminę", "gminy", "gmin"),
    "pupil": ("ucznia", "uczniów", "uczniów"),
    "guide": ("poradnik", "poradniki", "poradników"),
    "training": ("szkolenie", "szkolenia", "szkoleń"),
    "participant": ("uczestnika", "uczestników", "uczestników"),
    "person": ("osobę", "osoby", "osób"),
    "year": ("rok", "lata", "lat"),
    "organisation": ("organizacji", "organizacji", "organizacji"),
}
TIMES_WORDS = {2: "dwukrotnie", 3: "trzykrotnie", 4: "czterokrotnie", 5: "pięciokrotnie"}


def noun_form(number: int, unit: str) -> str:
    one, few, many = NOUNS[unit]
    if number == 1:
        return one
    if number % 10 in (2, 3, 4) and number % 100 not in (12, 13, 14):
        return few
    return many


def group_thousands(number: int) -> str:
    """``14025`` → ``14 025`` with a non-breaking space, as Polish reports print numbers of five digits or more."""
    text = str(number)
    if len(text) < 5:
        return text
    groups: list[str] = []
    while text:
        groups.insert(0, text[-3:])
        text = text[:-3]
    return NBSP.join(groups)


def round_down(number: int) -> int:
    """To two significant digits (23 559 → 23 000), as a hedged number is printed; small numbers unchanged."""
    if number < 100:
        return number
    step = int(10 ** (len(str(number)) - 2))
    return number // step * step


def with_hedge(hedge: str, printed: str) -> str:
    word = HEDGE_WORDS[hedge]
    return f"{word} {printed}" if word else printed


@dataclass(frozen=True)
class Printed:
    """A figure as the report prints it and the value the curator types."""

    text: str
    value: Decimal


def print_count(number: int, unit: str, hedge: str) -> Printed:
    if unit == "times":
        return Printed(with_hedge(hedge, TIMES_WORDS[number]), Decimal(number))
    if number >= 2000 and number % 1000 == 0 and unit in ("participant", "person"):
        # "ponad 2 tys. uczestników": thousands abbreviated, noun in the genitive plural
        return Printed(with_hedge(hedge, f"{number // 1000}{NBSP}tys. {NOUNS[unit][2]}"), Decimal(number))
    return Printed(with_hedge(hedge, f"{group_thousands(number)} {noun_form(number, unit)}"), Decimal(number))


def print_money(rng: random.Random, hedge: str, scale: str) -> Printed:
    """An amount in złoty as reports print it: "blisko 1,4 mld zł", "ponad 800 mln zł", "47 740,50 zł"."""
    if scale == "bn":
        tenths = rng.randint(11, 35)
        whole, fraction = divmod(tenths, 10)
        text = f"{whole},{fraction} mld zł" if fraction else f"{whole} mld zł"
        return Printed(with_hedge(hedge, text), Decimal(tenths) * 100_000_000)
    if scale == "m":
        tenths = rng.randint(12, 9990)
        whole, fraction = divmod(tenths, 10)
        text = f"{group_thousands(whole)},{fraction} mln zł" if fraction else f"{group_thousands(whole)} mln zł"
        return Printed(with_hedge(hedge, text), Decimal(tenths) * 100_000)
    if scale == "k":
        thousands = rng.randint(10, 999)
        return Printed(with_hedge(hedge, f"{thousands} tys. zł"), Decimal(thousands) * 1000)
    grosze = rng.randint(1_000_00, 500_000_00)  # "fees": membership fees of one local government
    whole, cents = divmod(grosze, 100)
    return Printed(f"{group_thousands(whole) if whole >= 10000 else whole},{cents:02d} zł", Decimal(grosze).scaleb(-2))


# -- report drafts --------------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A report being written: the text grows sentence by sentence, the YAML record next to it."""

    member: SynthMember
    year: int
    present: set[str]  # TERYT codes of every member generated (only they may be named as participants)
    rng: random.Random
    text_parts: list[str] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)  # figures printed so far, kept unambiguous
    quotes: list[str] = field(default_factory=list)

    def write(self, text: str) -> None:
        self.text_parts.append(text)

    def text(self) -> str:
        return "".join(self.text_parts)

    def quote(self, passage: str) -> str:
        """Record ``passage`` as a quote (typed with plain spaces, as a curator would) and return it."""
        typed = " ".join(passage.split())
        self.quotes.append(typed)
        return typed

    def clashes(self, printed: str) -> bool:
        """Whether a printed figure could be found inside another one, or another inside it ("5 lat"/"15 lat")."""
        flat = " ".join(printed.split())
        return any(flat in other or other in flat for other in self.printed)

    def keep(self, printed: str) -> None:
        self.printed.append(" ".join(printed.split()))


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label_pl: str
    label_en: str
    unit: str | None  # None: money
    low: int = 0
    high: int = 0
    scale: str = ""  # money: "bn", "m", "k" or "fees" (złoty and grosze)


@dataclass(frozen=True)
class ActivityKind:
    """One kind of activity, with the sentence a report uses for it; {name} is unique within the report."""

    key: str
    types: tuple[str, ...]
    title_pl: str
    title_en: str
    sentence: str  # placeholders: {name}, {when}, {f0}, {f1}, ... for the figures
    figures: tuple[FigureSpec, ...] = ()
    description: tuple[str, str] | None = None
    participants: str = ""  # "co-financers", "co-creator", "organiser" or ""
    weight: int = 1


ACTIVITY_KINDS: tuple[ActivityKind, ...] = (
    ActivityKind(
        "purchasing-group",
        ("joint-purchasing",),
        "Syntetyczna grupa zakupowa „Energia {n}”",
        "Synthetic purchasing group “Energia {n}”",
        "kontynuowano{when} działania w grupie zakupowej „Energia {n}”, do której należy {f0}",
        (
            FigureSpec(
                "members",
                "Samorządy w grupie zakupowej",
                "Local governments in the purchasing group",
                "local-government",
                3,
                60,
            ),
        ),
        weight=2,
    ),
    ActivityKind(
        "project",
        ("project",),
        "Syntetyczny projekt „Zielona Zmiana {n}”",
        "Synthetic project “Zielona Zmiana {n}”",
        "prowadzono{when} projekt pn. „Zielona Zmiana {n}” promujący ograniczanie ilości odpadów",
        description=(
            "Projekt syntetyczny promujący ograniczanie ilości odpadów.",
            "A synthetic project promoting waste reduction.",
        ),
        weight=3,
    ),
    ActivityKind(
        "investment-programme",
        ("investment-programme",),
        "Syntetyczny program „Inwestycje Terytorialne {n}”",
        "Synthetic programme “Inwestycje Terytorialne {n}”",
        "stowarzyszone samorządy zrealizowały{when} {f0} w programie „Inwestycje Terytorialne {n}” "
        "na łączną kwotę {f1}, przy {f2} dotacji ze środków unijnych",
        (
            FigureSpec(
                "projects", "Liczba zrealizowanych projektów", "Number of projects carried out", "project", 2, 180
            ),
            FigureSpec("total-value", "Łączna kwota projektów", "Total value of the projects", None, scale="bn"),
            FigureSpec("eu-grants", "Dotacje ze środków unijnych", "EU grants", None, scale="m"),
        ),
        participants="co-financers",
    ),
    ActivityKind(
        "promotion",
        ("promotion",),
        "Syntetyczna promocja „Głos Mieszkańców {n}”",
        "Synthetic promotion “Głos Mieszkańców {n}”",
        "kontynuowano{when} promocję konsultacji społecznych w kampanii „Głos Mieszkańców {n}”",
        weight=2,
    ),
    ActivityKind(
        "joint-service",
        ("joint-service", "project"),
        "Syntetyczna usługa wspólna „Kolej Regionalna {n}”",
        "Synthetic joint service “Kolej Regionalna {n}”",
        "funkcjonuje{when} wspólna usługa „Kolej Regionalna {n}”, trwająca od {f0}, w którą zaangażowanych jest "
        "{f1}, w tym {f2} i {f3}",
        (
            FigureSpec("years-of-operation", "Lata funkcjonowania usługi", "Years of operation", "year", 1, 30),
            FigureSpec(
                "local-governments", "Zaangażowane samorządy", "Local governments involved", "local-government", 5, 80
            ),
            FigureSpec("counties", "Zaangażowane powiaty", "Counties involved", "county", 1, 12),
            FigureSpec("communes", "Zaangażowane gminy", "Communes involved", "commune", 3, 60),
        ),
        participants="co-financers",
    ),
    ActivityKind(
        "joint-decision",
        ("joint-decision",),
        "Syntetyczna decyzja „Szkoły Średnie {n}”",
        "Synthetic joint decision “Szkoły Średnie {n}”",
        "samorządy przegłosowały{when} rozwiązanie „Szkoły Średnie {n}”, zapewniając możliwość nauki dla {f0} "
        "przy {f1} wyższej liczbie kandydatów",
        (
            FigureSpec(
                "pupils",
                "Uczniowie, dla których zapewniono miejsca",
                "Pupils given a school place",
                "pupil",
                200,
                30000,
            ),
            FigureSpec(
                "candidate-ratio",
                "Krotność liczby kandydatów",
                "Multiple of the usual number of candidates",
                "times",
                2,
                5,
            ),
        ),
        description=(
            "Samorządy wspólnie sfinansowały dodatkowe klasy.",
            "The local governments jointly paid for additional classes.",
        ),
    ),
    ActivityKind(
        "trainings",
        ("training",),
        "Syntetyczne szkolenia „Akademia Samorządowa {n}”",
        "Synthetic trainings “Akademia Samorządowa {n}”",
        "przeprowadzono{when} {f0} w cyklu „Akademia Samorządowa {n}”, przeszkolono {f1}",
        (
            FigureSpec("trainings", "Liczba szkoleń", "Number of trainings", "training", 1, 90),
            FigureSpec("people-trained", "Liczba przeszkolonych osób", "Number of people trained", "person", 10, 9000),
        ),
        weight=2,
    ),
    ActivityKind(
        "guides",
        ("guide",),
        "Syntetyczne poradniki „Poradnik Samorządowca {n}”",
        "Synthetic guides “Poradnik Samorządowca {n}”",
        "przygotowano{when} {f0} z serii „Poradnik Samorządowca {n}”",
        (FigureSpec("guides", "Liczba poradników", "Number of guides", "guide", 1, 12),),
    ),
    ActivityKind(
        "campaign",
        ("campaign",),
        "Syntetyczna kampania „Nie Śpij {n}”",
        "Synthetic campaign “Nie Śpij {n}”",
        "współorganizowano{when} kampanię społeczną pn. „Nie Śpij {n}”",
    ),
    ActivityKind(
        "conference",
        ("conference",),
        "Syntetyczna konferencja „Forum Samorządowe {n}”",
        "Synthetic conference “Forum Samorządowe {n}”",
        "zorganizowano{when} konferencję „Forum Samorządowe {n}” z udziałem {f0}",
        (FigureSpec("participants", "Uczestnicy konferencji", "Conference participants", "participant", 20, 3000),),
        participants="organiser",
        weight=2,
    ),
    ActivityKind(
        "meetings",
        ("meeting", "webinar"),
        "Syntetyczne spotkania i webinaria „Dialog Samorządowy {n}”",
        "Synthetic meetings and webinars “Dialog Samorządowy {n}”",
        "zorganizowano{when} spotkania i webinaria „Dialog Samorządowy {n}” dla pracowników samorządowych",
    ),
    ActivityKind(
        "advisory-project",
        ("project", "training"),
        "Syntetyczny projekt doradczy „Rozwój Lokalny {n}”",
        "Synthetic advisory project “Rozwój Lokalny {n}”",
        "współtworzono{when} projekt szkoleniowo-doradczy dla samorządów pn. „Rozwój Lokalny {n}”",
        participants="co-creator",
    ),
)
MONTHS = ((1, 31), (3, 31), (6, 30), (9, 30), (12, 31))


@dataclass(frozen=True)
class _Membership:
    organisation: SynthOrganisation
    first_year: int  # the first year the member belongs (may be before the years generated)
    start: int | None  # year stated in the reports, when they state it
    end: date | None  # the day it ended, stated in the report of that year

    def active_in(self, year: int) -> bool:
        return self.first_year <= year and (self.end is None or self.end.year >= year)


@dataclass(frozen=True)
class SynthReport:
    member: str
    year: int
    record: dict[str, Any]  # the content of report.yaml
    text: str  # the content of source.txt


@dataclass(frozen=True)
class SynthDataset:
    seed: int
    years: tuple[int, ...]
    base_iri: str
    members: list[SynthMember]
    organisations: list[SynthOrganisation]
    reports: list[SynthReport]


def generate(
    members: int = NATIONAL_SIZE, years: Sequence[int] = (2023,), seed: int = 1, base_iri: str = SYNTHETIC_BASE_IRI
) -> SynthDataset:
    """A synthetic dataset of ``members`` local governments with one report per member and year."""
    if not years or len(set(years)) != len(years):
        raise ValueError("give one or more distinct years")
    if any(not 1990 <= y <= 2100 for y in years):
        raise ValueError("years must lie between 1990 and 2100")
    chosen = select_members(national_register(seed), members, seed)
    present = {m.teryt for m in chosen}
    organisations = all_organisations()
    reports: list[SynthReport] = []
    used: set[str] = set()
    for member in chosen:
        rng = random.Random(f"{seed}:{member.teryt}")
        memberships = _memberships(member, organisations, sorted(years), rng)
        for year in sorted(years):
            active = [m for m in memberships if m.active_in(year)]
            report = _report(member, year, active, present, rng)
            used.update(report.record["memberships"])
            reports.append(report)
    kept = [org for org in organisations if org.key in used]
    return SynthDataset(seed, tuple(sorted(years)), base_iri, chosen, kept, reports)


def _memberships(
    member: SynthMember, organisations: Sequence[SynthOrganisation], years: Sequence[int], rng: random.Random
) -> list[_Membership]:
    """The member's memberships over the years: mostly lasting, a few starting or ending within them."""
    eligible = [o for o in organisations if o.region in (None, member.voivodeship) and o.chance(member.kind) > 0]
    chosen = [o for o in eligible if rng.random() < o.chance(member.kind)]
    if not chosen:  # every local government belongs to at least one organisation
        chosen = [max(eligible, key=lambda o: (o.chance(member.kind), o.key))]
    memberships: list[_Membership] = []
    for index, organisation in enumerate(chosen):
        first_year, start, end = years[0] - 1 - rng.randrange(25), None, None
        if rng.random() < 0.25:
            start = first_year  # the reports say since when
        if index > 0 and len(years) > 1 and rng.random() < 0.06:
            first_year = start = rng.choice(years[1:])  # joined within the years generated
        if index > 0 and rng.random() < 0.04:
            end_year = rng.choice([y for y in years if y >= first_year])
            month, day = rng.choice(MONTHS)
            end = date(end_year, month, day)
        memberships.append(_Membership(organisation, first_year, start, end))
    return memberships


def _report(
    member: SynthMember, year: int, memberships: list[_Membership], present: set[str], rng: random.Random
) -> SynthReport:
    """One member-year; redrawn in the rare case a figure would be ambiguous in the text."""
    for _attempt in range(50):
        draft = _Draft(member, year, present, rng)
        record = _draft_report(draft, memberships)
        text = draft.text()
        if _all_quotes_unique(text, draft.quotes):
            return SynthReport(member.teryt, year, record, text)
    raise RuntimeError(f"could not draw an unambiguous synthetic report for {member.teryt} {year}")


def _all_quotes_unique(text: str, quotes: list[str]) -> bool:
    """Whether the loader will find every quote exactly once.

    The loader (:func:`civicgraph.source.evidence.locate`) lets any run of white space in a quote match any run in the
    text; counting the quote in the text with every run made one space gives the same answer without compiling a
    regular expression per quote (which made generation four times slower).
    """
    flat = " ".join(text.split())
    return all(flat.count(quote) == 1 for quote in quotes)


def _draft_report(draft: _Draft, memberships: list[_Membership]) -> dict[str, Any]:
    member, year = draft.member, draft.year
    count = len(memberships)
    phrase = f"{count} krajowej organizacji lub sieci" if count == 1 else f"{count} krajowych organizacji i sieci"
    draft.keep(phrase)
    draft.write(
        f"{member.name_pl} w {year}{NBSP}r. było członkiem {phrase} skupiających m.in. polskie samorządy, "
        "do których należały:\n\n"
    )
    record: dict[str, Any] = {
        "member": _Teryt(member.teryt),
        "year": year,
        "title": {
            "pl": f"Raport o stanie: {member.name_pl} za {year} rok (dane syntetyczne)",
            "en": f"Report on the state of {member.name_en} for {year} (synthetic data)",
        },
        "section": {"pl": "Współpraca krajowa", "en": "National cooperation"},
    }
    if draft.rng.random() < 0.85:
        record["url"] = REPORT_URL.format(teryt=member.teryt, year=year)
    record["text"] = "source.txt"
    record["figures"] = {
        "national-organisations": {
            "label": {
                "pl": "Liczba krajowych organizacji i sieci, których członkiem był samorząd",
                "en": "Number of national organisations and networks the local government was a member of",
            },
            "value": count,
            "unit": "organisation",
            "hedge": "exact",
            "quote": draft.quote(phrase),
        }
    }
    record["memberships"] = _membership_records(draft, memberships)
    _fees_figure(draft, record["figures"])
    record["activities"] = _activity_records(draft, memberships)
    return record


def _membership_records(draft: _Draft, memberships: list[_Membership]) -> dict[str, Any]:
    """The bulleted list of organisations (Poznań's layout), and when some memberships started or ended."""
    records: dict[str, Any] = {}
    for index, membership in enumerate(memberships):
        terminator = "." if index == len(memberships) - 1 else ";"
        item = f"{membership.organisation.name_pl}{terminator}"
        draft.write(f" • {item}\n")
        records[membership.organisation.key] = {"quote": item}
    draft.write("\n")
    statements: list[str] = []
    for membership in memberships:
        entry = records[membership.organisation.key]
        stated = _membership_statements(membership, draft.year)
        statements.extend(stated)
        if membership.start is not None:
            entry["start"] = membership.start
        if membership.end is not None and membership.end.year == draft.year:
            entry["end"] = membership.end.isoformat()
        if stated:
            entry["quotes"] = [draft.quote(entry.pop("quote")), *(draft.quote(s) for s in stated)]
        else:
            entry["quote"] = draft.quote(entry["quote"])
    if statements:
        draft.write(" ".join(statements) + "\n\n")
    return records


def _membership_statements(membership: _Membership, year: int) -> list[str]:
    """The sentences that state when a membership started or ended, when the report says so."""
    name = membership.organisation.name_pl
    stated = []
    if membership.start is not None:
        stated.append(f"Do organizacji „{name}” samorząd przystąpił w {membership.start}{NBSP}r.")
    if membership.end is not None and membership.end.year == year:
        stated.append(f"Członkostwo w organizacji „{name}” zakończono z dniem {membership.end:%d.%m.%Y}{NBSP}r.")
    return stated


def _fees_figure(draft: _Draft, figures: dict[str, Any]) -> None:
    """Half of the reports say what the membership fees cost, in złoty and grosze."""
    if draft.rng.random() >= 0.5:
        return
    printed = print_money(draft.rng, "exact", "fees")
    if draft.clashes(printed.text):
        return
    draft.keep(printed.text)
    draft.write(f"Na składki członkowskie w {draft.year}{NBSP}r. przeznaczono {printed.text}.\n\n")
    figures["membership-fees"] = {
        "label": {"pl": "Składki członkowskie", "en": "Membership fees"},
        "value": printed.value,
        "currency": "PLN",
        "hedge": "exact",
        "quote": draft.quote(printed.text),
    }


def _activity_records(draft: _Draft, memberships: list[_Membership]) -> dict[str, Any]:
    """A paragraph of activities for a few of the memberships (Poznań describes 3 of its 16)."""
    kind = draft.member.kind
    described = {"city-with-county-rights": 5, "voivodeship": 4}.get(kind, 3)
    per_membership = 6 if kind == "city-with-county-rights" else 4
    records: dict[str, Any] = {}
    number = 0
    for membership in draft.rng.sample(memberships, min(len(memberships), draft.rng.randint(1, described))):
        organisation = membership.organisation
        draft.write(f"W ramach członkostwa w organizacji „{organisation.name_pl}”")
        project_key: str | None = None
        for index in range(draft.rng.randint(1, per_membership)):
            number += 1
            activity = draft.rng.choices(ACTIVITY_KINDS, weights=[k.weight for k in ACTIVITY_KINDS])[0]
            key = f"{activity.key}-{number}"
            entry = _activity(draft, activity, number, organisation, capitalised=index > 0)
            if activity.key == "conference" and project_key is not None and draft.rng.random() < 0.5:
                entry["part_of"] = project_key  # a conference of an earlier project (Poznań: Mariupol – Reborn)
            if "project" in activity.types:
                project_key = key
            records[key] = entry
        draft.write("\n\n")
    return records


def _activity(
    draft: _Draft, kind: ActivityKind, number: int, organisation: SynthOrganisation, capitalised: bool
) -> dict[str, Any]:
    """The record of one activity; its sentences are written to the text."""
    period, when = _period(draft)
    figures: dict[str, Any] = {}
    printed: list[str] = []
    for spec in kind.figures:
        figure, text = _figure(draft, spec)
        figures[spec.key] = figure
        printed.append(text)
    clause = kind.sentence.format(n=number, when=when, **{f"f{i}": p for i, p in enumerate(printed)})
    if capitalised:
        clause = clause[0].upper() + clause[1:]
    draft.write(" " + clause + ".")
    entry: dict[str, Any] = {
        "membership": organisation.key,
        "types": list(kind.types),
        "title": {"pl": kind.title_pl.format(n=number), "en": kind.title_en.format(n=number)},
    }
    if kind.description is not None and draft.rng.random() < 0.5:
        entry["description"] = {"pl": kind.description[0], "en": kind.description[1]}
    if period is not None:
        entry["period"] = period
    entry["quote"] = draft.quote(clause)
    participants = _participants(draft, kind, number, organisation)
    if participants:
        entry["participants"] = participants
    if figures:
        entry["figures"] = figures
    return entry


def _period(draft: _Draft) -> tuple[Any, str]:
    """A year (most often), dates, or nothing when the text does not say when (like Poznań's ZIT projects)."""
    draw, year = draft.rng.random(), draft.year
    if draw < 0.7:
        return year, f" w {year}{NBSP}r."
    if draw < 0.85:
        (m1, _), (m2, d2) = sorted(draft.rng.sample(MONTHS, 2))
        start, end = date(year, m1, 1), date(year, m2, d2)
        return (
            {"start": start.isoformat(), "end": end.isoformat()},
            f" w okresie od {start:%d.%m.%Y}{NBSP}r. do {end:%d.%m.%Y}{NBSP}r.",
        )
    return None, ""


def _figure(draft: _Draft, spec: FigureSpec) -> tuple[dict[str, Any], str]:
    """A figure drawn so that its printed form is not part of another one in the same text."""
    rng = draft.rng
    for _attempt in range(100):
        hedge = rng.choices([h for h, _ in HEDGE_WEIGHTS], weights=[w for _, w in HEDGE_WEIGHTS])[0]
        if spec.unit is None:
            printed = print_money(rng, hedge, spec.scale)
        else:
            number = rng.randint(spec.low, spec.high)
            if hedge != "exact":
                number = round_down(number)  # "ponad 800", "blisko 2 tys.": hedged numbers are round
            printed = print_count(number, spec.unit, hedge)
        if not draft.clashes(printed.text):
            break
    draft.keep(printed.text)
    figure: dict[str, Any] = {"label": {"pl": spec.label_pl, "en": spec.label_en}, "value": printed.value}
    if spec.unit is None:
        figure["currency"] = "PLN"
    else:
        figure["unit"] = spec.unit
    figure["hedge"] = hedge
    figure["quote"] = draft.quote(printed.text)
    return figure, printed.text


def _participants(
    draft: _Draft, kind: ActivityKind, number: int, organisation: SynthOrganisation
) -> list[dict[str, Any]]:
    """Who took part and in which role, with the sentence that says so (Poznań: the co-financers of PKM)."""
    member, rng = draft.member, draft.rng
    name = kind.title_pl.format(n=number).split("„", 1)[1].rstrip("”")
    if kind.participants == "co-financers" and rng.random() < 0.6:
        named = (member.voivodeship, member.county, member.teryt)
        teryts = list(dict.fromkeys(t for t in named if t is not None and t in draft.present))
        names = [_name_of(t, member) for t in teryts]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " i " + names[-1]
        quote = _sentence(draft, f"Przedsięwzięcie „{name}” współfinansują: {listed}.")
        return [{"member": _Teryt(t), "role": "co-financer", "quote": quote} for t in teryts]
    if kind.participants == "co-creator" and rng.random() < 0.7:
        quote = _sentence(draft, f"{member.name_pl} uczestniczył we współtworzeniu projektu „{name}”.")
        return [{"member": _Teryt(member.teryt), "role": "co-creator", "quote": quote}]
    if kind.participants == "organiser" and rng.random() < 0.5:
        quote = _sentence(
            draft,
            f"Organizatorem konferencji „{name}” była organizacja „{organisation.name_pl}”, "
            f"a współorganizatorem {member.name_pl}.",
        )
        return [
            {"organisation": organisation.key, "role": "organiser", "quote": quote},
            {"member": _Teryt(member.teryt), "role": "co-organiser", "quote": quote},
        ]
    return []


def _sentence(draft: _Draft, sentence: str) -> str:
    draft.write(" " + sentence)
    return draft.quote(sentence)


def _name_of(teryt: str, member: SynthMember) -> str:
    if teryt == member.teryt:
        return member.name_pl
    return SynthMember(teryt, "voivodeship" if len(teryt) == 2 else "county").name_pl


# -- writing the data folder ----------------------------------------------------------------------------------


class _Teryt(str):
    """A TERYT code, always written quoted so that its leading zero survives any YAML reader."""


class _Dumper(_BaseDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a curator types a shared quote twice; anchors (&id001) would only puzzle them


def _represent_decimal(dumper: _Dumper, value: Decimal) -> yaml.Node:
    # Written as typed by a curator (47740.50, 1400000000): the loader reads the digits, never a float.
    text = format(value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


def _represent_teryt(dumper: _Dumper, value: _Teryt) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(_Teryt, _represent_teryt)


def _yaml(header: str, content: Any) -> str:
    body = yaml.dump(content, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)
    return header + body


def _header(dataset: SynthDataset, what: str) -> str:
    return (
        f"# SYNTHETIC DATA — {what}, generated by `civicgraph synth --seed {dataset.seed}`.\n"
        "# Not facts: every name, number and quote is invented to measure the pipeline at scale.\n\n"
    )


def members_yaml(dataset: SynthDataset) -> str:
    content = {
        _Teryt(m.teryt): {"name": {"pl": m.name_pl, "en": m.name_en}, "kind": m.kind, "wikidata": None}
        for m in dataset.members
    }
    return _yaml(_header(dataset, "local governments with synthetic names and TERYT-shaped codes"), content)


def organisations_yaml(dataset: SynthDataset) -> str:
    content: dict[str, Any] = {}
    for org in dataset.organisations:
        entry: dict[str, Any] = {"name": {"pl": org.name_pl, "en": org.name_en}}
        if org.abbreviation:
            entry["abbreviation"] = org.abbreviation
        entry.update({"type": org.type, "krs": None, "wikidata": None})
        content[org.key] = entry
    return _yaml(_header(dataset, "organisations with synthetic names; no KRS number, no Wikidata link"), content)


def settings_yaml(dataset: SynthDataset) -> str:
    """The settings a data folder needs; everything that would identify a real publisher is synthetic."""
    publisher = {"pl": "Wydawca Syntetyczny (dane testowe)", "en": "Synthetic Publisher (test data)"}
    content = {
        "base_iri": dataset.base_iri,
        "data_licence": SYNTHETIC_LICENCE,
        "publish_url": SYNTHETIC_PUBLISH_URL,
        "publisher": {"name": publisher, "iri": f"{SYNTHETIC_PUBLISH_URL}publisher", "type": "NonProfitOrganisation"},
        "contact": {"name": publisher, "url": f"{SYNTHETIC_PUBLISH_URL}contact", "email": None},
        "edition": f"synthetic-{dataset.seed}",
        # A fixed date (never the clock): the 1st of January after the last year generated.
        "build_date": f"{max(dataset.years) + 1}-01-01",
        "sparql_endpoint": None,
    }
    return _yaml(_header(dataset, "settings; the base IRI is synthetic on purpose"), content)


def notice(dataset: SynthDataset) -> str:
    return (
        "# Synthetic data — not facts\n\n"
        f"Generated by `civicgraph synth --members {len(dataset.members)} "
        f"--years {','.join(map(str, dataset.years))} --seed {dataset.seed}` to measure civicgraph at scale.\n"
        "Every name, number and quote is invented; only the shape (TERYT structure, kinds of local governments,\n"
        "the mix of memberships, activities and figures of a real report) is realistic. Do not publish it.\n"
    )


def files(dataset: SynthDataset) -> Iterator[tuple[str, str]]:
    """Every file of the data folder as (relative path, text), in a stable order."""
    yield NOTICE_FILE, notice(dataset)
    yield "civicgraph.yaml", settings_yaml(dataset)
    yield "members.yaml", members_yaml(dataset)
    yield "organisations.yaml", organisations_yaml(dataset)
    for report in dataset.reports:
        folder = f"reports/{report.member}/{report.year}"
        header = _header(dataset, f"report of {report.member} for {report.year}")
        yield f"{folder}/report.yaml", _yaml(header, report.record)
        yield f"{folder}/source.txt", report.text


# What a synthetic data folder holds, and nothing else: an earlier one may be replaced, never another folder.
_SYNTHETIC_FILE = re.compile(
    rf"{re.escape(NOTICE_FILE)}|civicgraph\.yaml|members\.yaml|organisations\.yaml"
    r"|reports/[0-9]{2,7}/[0-9]{4}/(report\.yaml|source\.txt)"
)


def _files_not_synthetic(folder: Path, files: list[str]) -> list[str] | None:
    notice_file = folder / NOTICE_FILE
    if not notice_file.is_file() or not notice_file.read_bytes().startswith(b"# Synthetic data \xe2\x80\x94 not facts"):
        return None
    return [name for name in files if not _SYNTHETIC_FILE.fullmatch(name)]


SYNTHETIC_FOLDER = FolderKind(
    Message("syntetyczny folder danych", "synthetic data folder"),
    Message(NOTICE_FILE, NOTICE_FILE),  # a file name: the same in both languages
    _files_not_synthetic,
)


def write_dataset(dataset: SynthDataset, out: Path) -> int:
    """Write the data folder into ``out`` (which must not exist or be empty); returns the number of files."""
    written = 0
    for relative, text in files(dataset):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written += 1
    return written
