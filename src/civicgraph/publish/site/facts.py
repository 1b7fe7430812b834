"""What the story pages tell, read from the graph once per report, in the report's order.

A report's facts are its memberships and activities (with their figures and partners) and its own figures, each
with the passages of the source text it rests on. Their order is the order of those passages in the text: a reader
comparing a page with the report finds the facts where the report has them. Nothing here depends on the page's
language; the renderers look labels up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from civicgraph.publish.release import GraphIndex
from civicgraph.util.iris import CG, DCT, OA, ORG, SCHEMA, TIME

_HEDGE_EXACT = "exact"


@dataclass(frozen=True)
class Passage:
    """A passage of a report's text a fact rests on (a ``cg:Evidence``): characters ``start`` to ``end``."""

    iri: str
    start: int
    end: int


@dataclass(frozen=True)
class FigureFact:
    iri: str
    value: Decimal
    currency: str | None
    unit: str | None  # concept IRI (counts)
    hedge: str | None  # concept IRI; None when exact
    passages: tuple[Passage, ...]

    @property
    def is_money(self) -> bool:
        return self.currency is not None


@dataclass(frozen=True)
class PartnerFact:
    iri: str
    participant: str
    role: str  # concept IRI
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class ActivityFact:
    iri: str
    membership: str
    organisation: str
    types: tuple[str, ...]  # concept IRIs
    period: str | None  # interval IRI
    figures: tuple[FigureFact, ...]
    partners: tuple[PartnerFact, ...]
    passages: tuple[Passage, ...]

    @property
    def order(self) -> int:
        return self.passages[0].start if self.passages else 0


@dataclass(frozen=True)
class MembershipFact:
    iri: str
    organisation: str
    passages: tuple[Passage, ...]  # in this report
    activities: tuple[ActivityFact, ...]  # in this report, in its order

    @property
    def order(self) -> int:
        return self.passages[0].start if self.passages else 0


@dataclass(frozen=True)
class NameFact:
    """A name under which the report printed an organisation (``cg:PrintedName``), with where it printed it."""

    iri: str
    organisation: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class ReportFacts:
    iri: str
    member: str
    year: int
    text: str  # the IRI of its source text
    figures: tuple[FigureFact, ...]
    memberships: tuple[MembershipFact, ...]  # in the report's order
    orphans: tuple[ActivityFact, ...] = ()  # activities of a membership not reported in this report
    names: tuple[NameFact, ...] = ()  # names printed for organisations, in the report's order

    @property
    def activities(self) -> list[ActivityFact]:
        return [a for m in self.memberships for a in m.activities] + list(self.orphans)

    def passages(self) -> list[tuple[Passage, str, str]]:
        """Every passage of the report with the fact it backs and the fact's kind (``membership``, ``activity``,
        ``figure``, ``participation``), in the order of the facts on the page."""
        found: list[tuple[Passage, str, str]] = []
        for figure in self.figures:
            found += [(p, figure.iri, "figure") for p in figure.passages]
        for membership in self.memberships:
            found += [(p, membership.iri, "membership") for p in membership.passages]
        for name in self.names:
            found += [(p, name.iri, "name") for p in name.passages]
        for activity in self.activities:
            found += [(p, activity.iri, "activity") for p in activity.passages]
            for figure in activity.figures:
                found += [(p, figure.iri, "figure") for p in figure.passages]
            for partner in activity.partners:
                found += [(p, partner.iri, "participation") for p in partner.passages]
        return found


@dataclass
class Reader:
    """Reads :class:`ReportFacts` from the release's index, each report once (member and organisation pages
    show the same report's facts again)."""

    index: GraphIndex
    _reports: dict[str, ReportFacts] = field(default_factory=dict)
    _activities: dict[tuple[str, str], tuple[ActivityFact, ...]] = field(default_factory=dict)

    def report(self, iri: str) -> ReportFacts:
        facts = self._reports.get(iri)
        if facts is None:
            facts = self._reports[iri] = self._read_report(iri)
        return facts

    def reports_of(self, member: str) -> list[ReportFacts]:
        """The member's reports, oldest first."""
        reports = [r for r in self.index.referrers(member, f"{DCT}publisher") if self.index.has_type(r, f"{CG}Report")]
        return sorted((self.report(r) for r in reports), key=lambda r: r.year)

    def years_of(self, member: str) -> list[tuple[int, str]]:
        """The years and IRIs of the member's reports, oldest first (without reading their facts)."""
        index = self.index
        reports = [r for r in index.referrers(member, f"{DCT}publisher") if index.has_type(r, f"{CG}Report")]
        return sorted((self.year_of(r), r) for r in reports)

    def year_of(self, report: str) -> int:
        """The year a report is of (without reading its facts)."""
        return int(self.index.literal(report, f"{CG}reportYear") or 0)

    def activities_in(self, membership: str, report: str) -> tuple[ActivityFact, ...]:
        """The membership's activities that ``report`` (which reports the membership) states, in its order: those
        of the report's facts when they were read, else these alone. An organisation's page needs no more of its
        members' reports, and a build that takes the members' pages from the release it replaces reads no more."""
        read = self._reports.get(report)
        if read is not None:
            return next((m.activities for m in read.memberships if m.iri == membership), ())
        found = self._activities.get((membership, report))  # the page is made in each language
        if found is None:
            index, text = self.index, self._text_of(report)
            activities = [
                self._activity(activity, text)
                for activity in index.referrers(membership, f"{CG}withinMembership")
                if report in index.iris(activity, f"{CG}reportedIn")
            ]
            found = self._activities[(membership, report)] = tuple(_in_order(activities))
        return found

    def _text_of(self, report: str) -> str:
        """The IRI of the report's text, whose passages its facts quote."""
        return self.index.iri(report, f"{CG}sourceText") or f"{report}/text"

    def membership_count(self, report: str) -> int:
        """How many memberships a report records."""
        index = self.index
        return sum(index.has_type(s, f"{ORG}Membership") for s in index.referrers(report, f"{CG}reportedIn"))

    def _read_report(self, iri: str) -> ReportFacts:
        index = self.index
        text = self._text_of(iri)
        in_report = [s for s in index.referrers(iri, f"{CG}reportedIn")]
        activities: dict[str, list[ActivityFact]] = defaultdict(list)
        for subject in in_report:
            if index.has_type(subject, f"{CG}Activity"):
                activity = self._activity(subject, text)
                activities[activity.membership].append(activity)
        memberships = []
        for subject in in_report:
            if index.has_type(subject, f"{ORG}Membership"):
                own = _in_order(activities.pop(subject, []))
                memberships.append(
                    MembershipFact(
                        subject,
                        index.iri(subject, f"{ORG}organization") or "",
                        self._passages(subject, text),
                        tuple(own),
                    )
                )
        memberships.sort(key=lambda m: (m.order, m.iri))
        orphans = _in_order(a for rest in activities.values() for a in rest)
        names = [
            NameFact(s, index.iri(s, f"{CG}nameOf") or "", self._passages(s, text))
            for s in index.under(iri)
            if index.has_type(s, f"{CG}PrintedName")
        ]
        names.sort(key=lambda n: (n.passages[0].start if n.passages else 0, n.iri))
        return ReportFacts(
            iri,
            index.iri(iri, f"{DCT}publisher") or "",
            self.year_of(iri),
            text,
            self._figures(iri, text),
            tuple(memberships),
            tuple(orphans),
            tuple(names),
        )

    def _activity(self, iri: str, text: str) -> ActivityFact:
        index = self.index
        membership = index.iri(iri, f"{CG}withinMembership") or ""
        partners = [
            PartnerFact(
                node,
                index.iri(node, f"{CG}participant") or "",
                index.iri(node, f"{CG}role") or "",
                self._passages(node, text),
            )
            for node in index.iris(iri, f"{CG}hasParticipation")
        ]
        partners.sort(key=lambda p: (p.passages[0].start if p.passages else 0, _number(p.iri)))
        return ActivityFact(
            iri,
            membership,
            index.iri(membership, f"{ORG}organization") or "",
            tuple(index.iris(iri, f"{CG}activityType")),
            index.iri(iri, f"{DCT}temporal"),
            self._figures(iri, text),
            tuple(partners),
            self._passages(iri, text),
        )

    def _figures(self, owner: str, text: str) -> tuple[FigureFact, ...]:
        index = self.index
        figures = []
        for iri in index.iris(owner, f"{CG}hasFigure"):
            hedge = index.iri(iri, f"{CG}hedge")
            figures.append(
                FigureFact(
                    iri,
                    Decimal(index.literal(iri, f"{SCHEMA}value") or "0"),
                    index.literal(iri, f"{SCHEMA}currency"),
                    index.iri(iri, f"{SCHEMA}unitCode"),
                    None if hedge is None or hedge.endswith(f"/{_HEDGE_EXACT}") else hedge,
                    self._passages(iri, text),
                )
            )
        figures.sort(key=lambda f: (f.passages[0].start if f.passages else 0, f.iri))
        return tuple(figures)

    def _passages(self, subject: str, text: str) -> tuple[Passage, ...]:
        """The subject's evidence in the text ``text`` (a membership has evidence in every report naming it)."""
        index = self.index
        found = []
        for evidence in index.iris(subject, f"{CG}evidence"):
            if index.iri(evidence, f"{OA}hasSource") != text:
                continue
            position = f"{evidence}/position"
            start, end = index.literal(position, f"{OA}start"), index.literal(position, f"{OA}end")
            if start is not None and end is not None:
                found.append(Passage(evidence, int(start), int(end)))
        found.sort(key=lambda p: (p.start, p.end))
        return tuple(found)


def membership_period(index: GraphIndex, membership: str) -> tuple[str | None, str | None]:
    """The membership's start and end as the data state them (a date or a year), or None where not stated."""
    during = index.iri(membership, f"{ORG}memberDuring")
    if during is None:
        return None, None
    ends: list[str | None] = []
    for predicate in (f"{TIME}hasBeginning", f"{TIME}hasEnd"):
        instant = index.iri(during, predicate)
        value = None
        if instant is not None:
            value = index.literal(instant, f"{TIME}inXSDDate") or index.literal(instant, f"{TIME}inXSDgYear")
        ends.append(value)
    return ends[0], ends[1]


def _in_order(activities: Iterable[ActivityFact]) -> list[ActivityFact]:
    """Activities in the order their report gives them."""
    return sorted(activities, key=lambda a: (a.order, a.iri))


def _number(iri: str) -> int:
    tail = iri.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0
