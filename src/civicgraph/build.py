"""Stage 2 — build: typed records → an RDF graph (docs/MODEL.md describes every triple made here).

Every resource a person may link to gets a minted IRI under the dataset's base IRI; there are no blank nodes.
Literals are made in their canonical lexical form (``xsd:decimal`` without exponent or trailing zeros), the
form a triple store such as Oxigraph gives back, so a round trip through a store does not change the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from .namespaces import CG, OA, SCHEMA, WD, concept
from .records import (
    Activity,
    Dataset,
    Figure,
    Location,
    Member,
    Membership,
    Organisation,
    Passage,
    Period,
    Report,
    Text,
    WikidataLink,
)
from .resources import vocabularies_file

ObjectTerm = URIRef | Literal


@dataclass
class BuiltGraph:
    """The graph, and for each minted resource the source line it came from (for validation reports)."""

    graph: Graph
    sources: dict[URIRef, Location] = field(default_factory=dict)


def build_graph(dataset: Dataset, include_vocabularies: bool = True) -> BuiltGraph:
    """Turn a loaded dataset into its graph, with the SKOS vocabularies it uses copied in."""
    builder = _Builder(dataset)
    for member in dataset.members.values():
        builder.member(member)
    for organisation in dataset.organisations.values():
        builder.organisation(organisation)
    for report in dataset.reports:
        builder.report(report)
    builder.mark_unknown_membership_ends()
    if include_vocabularies:
        builder.graph.parse(vocabularies_file(), format="turtle")
    return BuiltGraph(builder.graph, builder.sources)


def canonical_decimal(value: Decimal) -> Literal:
    """``xsd:decimal`` in canonical form: ``Decimal("47740.00")`` → ``"47740"``, never ``4.774E+4``."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Literal(text or "0", datatype=XSD.decimal)


class _Builder:
    def __init__(self, dataset: Dataset) -> None:
        self.base = dataset.settings.base_iri
        self.dataset = dataset
        self.graph = Graph(bind_namespaces="none")
        self.sources: dict[URIRef, Location] = {}
        self.membership_ends: dict[URIRef, set[str]] = {}  # which ends of each membership some report states

    # -- IRIs ---------------------------------------------------------------------------------------------

    def iri(self, *parts: object) -> URIRef:
        return URIRef(self.base + "/".join(str(p) for p in parts))

    def member_iri(self, teryt: str) -> URIRef:
        return self.iri("member", teryt)

    def organisation_iri(self, key: str) -> URIRef:
        return self.iri("organisation", key)

    def report_iri(self, report: Report) -> URIRef:
        return self.iri("report", report.member, report.year)

    def membership_iri(self, teryt: str, organisation: str) -> URIRef:
        return self.iri("membership", teryt, organisation)

    def activity_iri(self, report: Report, key: str) -> URIRef:
        return self.iri("activity", report.member, report.year, key)

    # -- helpers ------------------------------------------------------------------------------------------

    def add(self, subject: URIRef, predicate: URIRef, obj: ObjectTerm) -> None:
        self.graph.add((subject, predicate, obj))

    def labels(self, subject: URIRef, predicate: URIRef, text: Text) -> None:
        self.add(subject, predicate, Literal(text.pl, lang="pl"))
        if text.en:
            self.add(subject, predicate, Literal(text.en, lang="en"))

    def not_recorded(self, subject: URIRef, what: str) -> None:
        """State explicitly that a value is absent from every source, instead of leaving a silent gap."""
        self.add(subject, CG.notRecorded, URIRef(concept("recordable-field", what)))

    def wikidata(self, subject: URIRef, link: WikidataLink | None) -> None:
        if link is None or link.qid is None:
            # Never checked, or checked and nothing found: either way there is no link (see cg:WikidataCheck).
            self.not_recorded(subject, "wikidata")
        if link is None:
            return
        check = URIRef(f"{subject}/wikidata-check")
        self.add(subject, CG.wikidataCheck, check)
        self.add(check, RDF.type, CG.WikidataCheck)
        self.add(check, DCTERMS.date, Literal(link.on.isoformat(), datatype=XSD.date))
        self.add(check, DCTERMS.creator, Literal(link.by))
        if link.qid is not None and link.method is not None:
            self.add(subject, SCHEMA.sameAs, WD[link.qid])
            self.add(check, CG.linkTarget, WD[link.qid])
            self.add(check, CG.matchMethod, URIRef(concept("match-method", link.method)))
        else:
            self.add(check, CG.matchMethod, URIRef(concept("match-method", "none-found")))

    def instant(self, interval: URIRef, end: str, value: date | int) -> None:
        instant = URIRef(f"{interval}/{end}")
        self.add(interval, TIME.hasBeginning if end == "beginning" else TIME.hasEnd, instant)
        self.add(instant, RDF.type, TIME.Instant)
        if isinstance(value, date):
            literal = Literal(value.isoformat(), datatype=XSD.date)
            self.add(instant, TIME.inXSDDate, literal)
            # Repeated on the interval so that one standard SHACL sh:lessThanOrEquals checks start <= end.
            # Only days are repeated: a year cannot be compared with a day, and turning 2010 into 2010-01-01
            # would invent a precision no source gives (the loader checks such mixed ends).
            self.add(interval, SCHEMA.startDate if end == "beginning" else SCHEMA.endDate, literal)
        else:
            self.add(instant, TIME.inXSDgYear, Literal(f"{value:04d}", datatype=XSD.gYear))

    def interval(self, iri: URIRef, start: date | int | None, end: date | int | None, label: str) -> URIRef:
        self.add(iri, RDF.type, TIME.Interval)
        self.add(iri, RDFS.label, Literal(label))
        if start is not None:
            self.instant(iri, "beginning", start)
        if end is not None:
            self.instant(iri, "end", end)
        return iri

    def year(self, year: int) -> URIRef:
        return self.interval(self.iri("period", year), date(year, 1, 1), date(year, 12, 31), str(year))

    def evidence(self, subject: URIRef, report: Report, passages: tuple[Passage, ...]) -> None:
        text_iri = URIRef(f"{self.report_iri(report)}/text")
        for passage in passages:
            evidence = URIRef(f"{text_iri}/chars/{passage.start}-{passage.end}")
            self.add(subject, CG.evidence, evidence)
            self.add(evidence, RDF.type, CG.Evidence)
            self.add(evidence, OA.hasSource, text_iri)
            quote = URIRef(f"{evidence}/quote")
            self.add(evidence, OA.hasSelector, quote)
            self.add(quote, RDF.type, OA.TextQuoteSelector)
            self.add(quote, OA.exact, Literal(passage.exact))
            if passage.prefix:
                self.add(quote, OA.prefix, Literal(passage.prefix))
            if passage.suffix:
                self.add(quote, OA.suffix, Literal(passage.suffix))
            position = URIRef(f"{evidence}/position")
            self.add(evidence, OA.hasSelector, position)
            self.add(position, RDF.type, OA.TextPositionSelector)
            # xsd:integer, not the xsd:nonNegativeInteger of the Web Annotation vocabulary: Oxigraph stores the
            # latter as xsd:integer, so it would not survive a round trip through a store (shapes check >= 0).
            self.add(position, OA.start, Literal(passage.start, datatype=XSD.integer))
            self.add(position, OA.end, Literal(passage.end, datatype=XSD.integer))

    # -- resources ----------------------------------------------------------------------------------------

    def member(self, member: Member) -> None:
        iri = self.member_iri(member.teryt)
        self.sources[iri] = member.location
        self.add(iri, RDF.type, CG.LocalGovernment)
        self.add(iri, RDF.type, ORG.Organization)
        self.add(iri, CG.teryt, Literal(member.teryt))
        self.labels(iri, SKOS.prefLabel, member.name)
        self.add(iri, CG.localGovernmentKind, URIRef(concept("local-government-kind", member.kind)))
        self.wikidata(iri, member.wikidata)

    def organisation(self, organisation: Organisation) -> None:
        iri = self.organisation_iri(organisation.key)
        self.sources[iri] = organisation.location
        self.add(iri, RDF.type, CG.NationalOrganisation)
        self.add(iri, RDF.type, ORG.FormalOrganization)
        self.add(iri, CG.key, Literal(organisation.key))
        self.labels(iri, SKOS.prefLabel, organisation.name)
        for variant in organisation.variants:
            self.add(iri, SKOS.altLabel, Literal(variant.name, lang="pl"))
        if organisation.abbreviation:
            self.add(iri, SCHEMA.alternateName, Literal(organisation.abbreviation))
        if organisation.type:
            self.add(iri, CG.organisationType, URIRef(concept("organisation-type", organisation.type)))
        else:
            self.not_recorded(iri, "legal-form")
        if organisation.krs:
            self.add(iri, CG.krs, Literal(organisation.krs))
        else:
            self.not_recorded(iri, "krs")
        self.wikidata(iri, organisation.wikidata)

    def report(self, report: Report) -> None:
        iri = self.report_iri(report)
        self.sources[iri] = report.location
        member = self.member_iri(report.member)
        self.add(iri, RDF.type, CG.Report)
        self.labels(iri, DCTERMS.title, report.title)
        self.add(iri, DCTERMS.publisher, member)
        self.add(iri, DCTERMS.temporal, self.year(report.year))
        self.add(iri, CG.reportYear, Literal(f"{report.year:04d}", datatype=XSD.gYear))
        if report.section:
            self.labels(iri, CG.section, report.section)
        if report.url:
            self.add(iri, SCHEMA.url, Literal(report.url, datatype=XSD.anyURI))
        text = URIRef(f"{iri}/text")
        self.add(iri, CG.sourceText, text)
        self.add(text, RDF.type, CG.SourceText)
        self.add(text, DCTERMS.isPartOf, iri)
        self.add(text, DCTERMS.format, Literal("text/plain"))
        self.add(text, CG.sha256, Literal(report.text_sha256))
        self.add(text, CG.characterCount, Literal(len(report.text), datatype=XSD.integer))
        if report.url:
            self.add(text, PROV.wasDerivedFrom, URIRef(report.url))
        for figure in report.figures:
            self.figure(iri, f"{iri}/figure/{figure.key}", figure, report)
        for membership in report.memberships:
            self.membership(report, membership)
        for activity in report.activities:
            self.activity(report, activity)

    def membership(self, report: Report, membership: Membership) -> None:
        iri = self.membership_iri(report.member, membership.organisation)
        self.sources.setdefault(iri, membership.location)
        self.add(iri, RDF.type, ORG.Membership)
        self.add(iri, ORG.member, self.member_iri(report.member))
        self.add(iri, ORG.organization, self.organisation_iri(membership.organisation))
        self.add(iri, ORG.role, URIRef(concept("role", "member")))
        self.add(iri, CG.reportedIn, self.report_iri(report))
        during = self.interval(URIRef(f"{iri}/during"), membership.start, membership.end, "membership")
        self.add(iri, ORG.memberDuring, during)
        self.evidence(iri, report, membership.evidence)
        known = self.membership_ends.setdefault(iri, set())
        known.update(end for end, value in (("start", membership.start), ("end", membership.end)) if value)

    def mark_unknown_membership_ends(self) -> None:
        """A membership whose start or end no report states says so explicitly (after all reports are read)."""
        for iri, known in self.membership_ends.items():
            for end in ("start", "end"):
                if end not in known:
                    self.not_recorded(iri, f"{end}-date")

    def activity(self, report: Report, activity: Activity) -> None:
        iri = self.activity_iri(report, activity.key)
        self.sources[iri] = activity.location
        membership = self.membership_iri(report.member, activity.membership)
        self.add(iri, RDF.type, CG.Activity)
        self.add(iri, RDF.type, PROV.Activity)
        if {"conference", "meeting", "webinar"} & set(activity.types):
            self.add(iri, RDF.type, SCHEMA.Event)
        self.add(iri, CG.withinMembership, membership)
        self.add(iri, CG.reportedIn, self.report_iri(report))
        self.add(iri, PROV.wasAssociatedWith, self.member_iri(report.member))
        self.add(iri, PROV.wasAssociatedWith, self.organisation_iri(activity.membership))
        for activity_type in activity.types:
            self.add(iri, CG.activityType, URIRef(concept("activity-type", activity_type)))
        self.labels(iri, DCTERMS.title, activity.title)
        if activity.description:
            self.labels(iri, DCTERMS.description, activity.description)
        if activity.period is None:
            self.not_recorded(iri, "period")
        else:
            self.add(iri, DCTERMS.temporal, self.period(activity.period))
        if activity.part_of:
            self.add(iri, DCTERMS.isPartOf, self.activity_iri(report, activity.part_of))
        for number, participation in enumerate(activity.participants, start=1):
            node = URIRef(f"{iri}/participation/{number}")
            self.sources[node] = participation.location
            self.add(iri, CG.hasParticipation, node)
            self.add(node, RDF.type, CG.Participation)
            participant = (
                self.member_iri(participation.member)
                if participation.member
                else self.organisation_iri(str(participation.organisation))
            )
            self.add(node, CG.participant, participant)
            self.add(node, CG.role, URIRef(concept("role", participation.role)))
            self.evidence(node, report, participation.evidence)
        for figure in activity.figures:
            self.figure(iri, f"{iri}/figure/{figure.key}", figure, report)
        self.evidence(iri, report, activity.evidence)

    def period(self, period: Period) -> URIRef:
        if isinstance(period.start, int) and period.start == period.end:
            return self.year(period.start)
        return self.interval(self.iri("period", period.label), period.start, period.end, period.label)

    def figure(self, owner: URIRef, iri_text: str, figure: Figure, report: Report) -> None:
        iri = URIRef(iri_text)
        self.sources[iri] = figure.location
        self.add(owner, CG.hasFigure, iri)
        self.add(iri, CG.figureOf, owner)
        self.add(iri, RDF.type, CG.Figure)
        if figure.currency:
            self.add(iri, RDF.type, SCHEMA.MonetaryAmount)
            self.add(iri, SCHEMA.currency, Literal(figure.currency))
        else:
            self.add(iri, RDF.type, SCHEMA.QuantitativeValue)
            self.add(iri, SCHEMA.unitCode, URIRef(concept("unit", str(figure.unit))))
        self.add(iri, SCHEMA.value, canonical_decimal(figure.value))
        self.add(iri, CG.hedge, URIRef(concept("hedge", figure.hedge)))
        self.add(iri, CG.asPrinted, Literal(figure.evidence.exact, lang="pl"))
        self.labels(iri, SKOS.prefLabel, figure.label)
        self.evidence(iri, report, (figure.evidence,))
