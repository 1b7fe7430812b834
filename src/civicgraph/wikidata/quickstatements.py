"""QuickStatements v1 commands adding "member of" (P463) statements to Wikidata, for a person to run.

One line per membership and report, tab-separated (https://www.wikidata.org/wiki/Help:QuickStatements):

    Q268 <TAB> P463 <TAB> Q… <TAB> qualifiers… <TAB> S854 <TAB> "report URL" <TAB> S813 <TAB> +2026-11-29T00:00:00Z/11

Qualifiers are the membership's known start (P580) and end (P582) — a year at year precision (``/9``), a day at
day precision (``/11``) — or, when neither end is known, the reporting year as point in time (P585). The
reference is the report's URL (S854) and the day it was retrieved (S813), a setting and never the clock.
QuickStatements merges a line into an existing identical statement, so one statement reported in several years
gathers one reference per report. A membership whose member or organisation has no QID is not dropped silently:
it is returned as skipped, with the reason. This module only writes text; it never edits Wikidata.
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

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


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


def export_quickstatements(dataset: Dataset, retrieved: date) -> Export:
    """The P463 lines of every membership of every report, and the memberships that cannot be exported."""
    lines: list[tuple[str, str, int, str]] = []
    skipped: list[Skipped] = []
    for report in dataset.reports:
        for membership in report.memberships:
            reason = _why_skipped(dataset, report, membership)
            if reason is not None:
                skipped.append(Skipped(report.member, membership.organisation, report.year, reason))
            else:
                line = _line(dataset, report, membership, retrieved)
                lines.append((report.member, membership.organisation, report.year, line))
    # Ordered by member, organisation and year, so that one membership's lines stand together.
    ordered = dict.fromkeys(line for *_, line in sorted(lines))
    skipped.sort(key=lambda s: (s.member, s.organisation, s.year))
    return Export(tuple(ordered), tuple(skipped))


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


def _line(dataset: Dataset, report: Report, membership: Membership, retrieved: date) -> str:
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
    fields += [REFERENCE_URL, url_value(report.url), RETRIEVED, time_value(retrieved)]
    return "\t".join(fields)


def skipped_csv(skipped: tuple[Skipped, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("member", "organisation", "year", "reason"))
    for entry in skipped:
        writer.writerow((entry.member, entry.organisation, entry.year, entry.reason))
    return out.getvalue()
