"""QuickStatements v1 commands adding "member of" (P463) statements to Wikidata, for a person to run.

One line per membership (member, organisation), tab-separated (https://www.wikidata.org/wiki/Help:QuickStatements):

    Q268 <TAB> P463 <TAB> Q… <TAB> qualifiers… <TAB> S854 <TAB> "report URL" <TAB> S813 <TAB> +2026-11-29T00:00:00Z/11

Qualifiers are the membership's known start (P580) and end (P582) — a year at year precision (``/9``), a day at
day precision (``/11``) — or, when neither end is known, the reporting year as point in time (P585). The
reference is the report's URL (S854) and, when a person gave it, the day they retrieved the report (S813); without
that day the reference is the URL alone — never a build timestamp or the clock.

A membership reported in several years gets the line of its latest report only, with that report's qualifiers and
reference. QuickStatements matches an existing statement by property and value alone and merges a line's
qualifiers and references into it (magnusmanske/quickstatements issue #34): a line per report would leave one
statement whose qualifiers come from one report and whose references come from another, which does not state them
(start 2020 from the 2023 report next to the 2022 report's URL). Each earlier report's membership is returned as
skipped, saying which later line covers it. A membership whose member or organisation has no QID, or whose report
has no URL, is not dropped silently either: it is returned as skipped, with the reason. This module only writes
text; it never edits Wikidata.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from civicgraph.source.records import Dataset, Membership, Report, WikidataLink

MEMBER_OF = "P463"
START_TIME = "P580"
END_TIME = "P582"
POINT_IN_TIME = "P585"
REFERENCE_URL = "S854"
RETRIEVED = "S813"
YEAR_PRECISION = 9
DAY_PRECISION = 11

# Characters a URL may not contain unescaped (RFC 3986) and those that would break a QuickStatements line.
_UNSAFE_IN_URL = {c: f"%{ord(c):02X}" for c in ' "<>\\^`{|}'} | {chr(i): f"%{i:02X}" for i in range(0x20)}
_UNSAFE_IN_URL["\x7f"] = "%7F"


@dataclass(frozen=True)
class Skipped:
    member: str
    organisation: str
    year: int
    reason: str


@dataclass(frozen=True)
class Export:
    lines: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    cited: tuple[Report, ...] = ()  # the reports the lines cite, in the order of the lines

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def first_retrieval_day(report: Report) -> date:
    """The first day a report can have been retrieved: a report on a year is written after that year ends."""
    return date(report.year + 1, 1, 1)


def time_value(value: date | int) -> str:
    """A Wikidata time: ``2011`` → ``+2011-00-00T00:00:00Z/9``, ``2011-03-15`` → ``+2011-03-15T00:00:00Z/11``."""
    if isinstance(value, date):
        return f"+{value.isoformat()}T00:00:00Z/{DAY_PRECISION}"
    return f"+{value:04d}-00-00T00:00:00Z/{YEAR_PRECISION}"


def string_value(text: str) -> str:
    """A QuickStatements string: in double quotes, which v1 cannot escape inside — refused rather than broken."""
    if '"' in text or "\t" in text or "\n" in text or "\r" in text:
        raise ValueError(f"{text!r} contains a double quote, tab or line break, which QuickStatements v1 cannot carry")
    return f'"{text}"'


def url_value(url: str) -> str:
    """A URL as a QuickStatements string; quotes, spaces and other characters a URL may not hold are %-escaped."""
    return string_value("".join(_UNSAFE_IN_URL.get(c, c) for c in url))


def export_quickstatements(dataset: Dataset, retrieved: date | None) -> Export:
    """One P463 line per membership, from its latest report that can be exported, and the memberships skipped.

    ``retrieved`` is the day a person retrieved the reports (S813); None leaves S813 out.
    """
    chosen: dict[tuple[str, str], tuple[Report, Membership]] = {}
    skipped: list[Skipped] = []
    for report in sorted(dataset.reports, key=lambda r: r.year, reverse=True):  # the latest report first
        for membership in report.memberships:
            reason = _why_skipped(dataset, report, membership)
            later = chosen.get((report.member, membership.organisation))
            if reason is None and later is not None:
                reason = _covered_by(later[0])
            if reason is not None:
                skipped.append(Skipped(report.member, membership.organisation, report.year, reason))
            else:
                chosen[(report.member, membership.organisation)] = (report, membership)
    # Ordered by member and organisation, the order of the skipped list.
    statements = [chosen[key] for key in sorted(chosen)]
    lines = tuple(_line(dataset, report, membership, retrieved) for report, membership in statements)
    skipped.sort(key=lambda s: (s.member, s.organisation, s.year))
    return Export(lines, tuple(skipped), tuple(report for report, _ in statements))


def _covered_by(later: Report) -> str:
    return (
        f"covered by the line of the {later.year} report: QuickStatements would merge this report's qualifiers and "
        "reference into that statement"
    )


def _qid(link: WikidataLink | None) -> str | None:
    return link.qid if link is not None else None


def _why_skipped(dataset: Dataset, report: Report, membership: Membership) -> str | None:
    missing = []
    if _qid(dataset.members[report.member].wikidata) is None:
        missing.append(f"member {report.member}")
    if _qid(dataset.organisations[membership.organisation].wikidata) is None:
        missing.append(f"organisation {membership.organisation}")
    if missing:
        verb = "has" if len(missing) == 1 else "have"
        return f"{' and '.join(missing)} {verb} no Wikidata QID"
    if report.url is None:
        return f"the {report.year} report has no URL to cite as the reference"
    return None


def _line(dataset: Dataset, report: Report, membership: Membership, retrieved: date | None) -> str:
    member = _qid(dataset.members[report.member].wikidata)
    organisation = _qid(dataset.organisations[membership.organisation].wikidata)
    assert member is not None and organisation is not None and report.url is not None
    fields = [member, MEMBER_OF, organisation]
    if membership.start is None and membership.end is None:
        fields += [POINT_IN_TIME, time_value(report.year)]
    if membership.start is not None:
        fields += [START_TIME, time_value(membership.start)]
    if membership.end is not None:
        fields += [END_TIME, time_value(membership.end)]
    fields += [REFERENCE_URL, url_value(report.url)]
    if retrieved is not None:
        fields += [RETRIEVED, time_value(retrieved)]
    return "\t".join(fields)


def skipped_csv(skipped: tuple[Skipped, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("member", "organisation", "year", "reason"))
    for entry in skipped:
        writer.writerow((entry.member, entry.organisation, entry.year, entry.reason))
    return out.getvalue()
