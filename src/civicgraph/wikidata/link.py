"""Linking members and organisations to Wikidata: scoring (pure), the review file, and applying a review.

The flow is ``civicgraph link wikidata`` (candidates found by :mod:`civicgraph.wikidata.client`, scored here, written
to a review CSV) → a person writes ``accept`` or ``reject`` on each line → ``civicgraph link apply`` writes the
accepted links into ``members.yaml`` / ``organisations.yaml`` with their provenance ``{qid, method, by, date}``.
Those files are edited with ruamel.yaml's round-trip mode, so their comments, order, quoting and Polish text
stay as they were; only the ``wikidata:`` values of accepted rows change.

Scoring never proves a link: a matching identifier (TERYT in P1653, KRS) scores 100 when a label or alias of the
item equals one of our names, and 50 with a reason saying so when none does; a label can score at most 90, and
several items sharing the best label (Polish commune names repeat: "gmina Osiek" names four communes) are all
capped at 50 so the reviewer must tell them apart.

Applying a review records the row's ``method``, which the graph publishes (``cg:matchMethod``), so a row may claim
``teryt``, ``krs`` or ``label`` only for the QID the review proposed it for, and only the method the review gave
it. A row carries the evidence of both: ``link wikidata`` writes ``wikidata_page`` from the candidate's QID, and
the first of the ``reasons`` of a row found by an identifier is ``P… (TERYT) = value``. A QID changed by hand no
longer matches its page; a method changed by hand no longer matches its reasons. Such a row is refused; a QID a
person chose themselves is recorded with method ``manual``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.representer import RoundTripRepresenter

from civicgraph.source.reader import MEMBERS_FILE, ORGANISATIONS_FILE, is_qid
from civicgraph.source.records import Dataset, Member, Organisation
from civicgraph.util.errors import InputError, Message, Problem
from civicgraph.wikidata.client import TERYT_PROPERTY, Entity, Found, Identifier, Lookup

MEMBER = "member"
ORGANISATION = "organisation"
NONE_FOUND = "none-found"
ACCEPT = "accept"
REJECT = "reject"
METHODS = ("teryt", "krs", "label", "manual", NONE_FOUND)
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
REVIEW_COLUMNS = (
    "decision", "kind", "key", "name", "qid", "wikidata_label", "wikidata_description",
    "method", "score", "reasons", "wikidata_page",
)  # fmt: skip

IDENTIFIER_SCORE = 100
# An item holding our identifier under another name: a renamed unit, or a code that is not what our name says (a
# synthetic "Gmina Syntetyczna 3064011" holds Poznań's code); a person must tell, as with namesakes.
IDENTIFIER_NAME_DIFFERS = 50
LABEL_CEILING = 90  # a label alone never proves a link
AMBIGUOUS_CEILING = 50
PARTIAL_CEILING = 40  # a label that only shares words ("gmina Osiek Mały") stays below exact namesakes

# Words of a Wikidata description (pl or en) that fit, or contradict, the kind of thing we link.
_FITTING_WORDS = {
    "voivodeship": ("województwo", "voivodeship", "province"),
    "county": ("powiat", "county"),
    "city-with-county-rights": ("miasto", "city", "town", "gmina", "municipality"),
    "urban-commune": ("gmina", "commune", "municipality", "miasto", "town"),
    "urban-rural-commune": ("gmina", "commune", "municipality"),
    "rural-commune": ("gmina", "commune", "municipality"),
    ORGANISATION: (
        "stowarzyszenie", "association", "fundacja", "foundation", "organizacja", "organization",
        "organisation", "związek", "union", "klaster", "cluster", "sieć", "network",
    ),
}  # fmt: skip
_CONTRADICTING_WORDS = (
    "strona ujednoznaczniająca", "disambiguation", "nazwisko", "family name", "surname", "imię", "given name",
    "wieś", "village", "osada", "settlement", "rzeka", "river", "jezioro", "lake", "ulica", "street",
)  # fmt: skip
_QUOTES = str.maketrans("", "", "„”“\"«»'‘’")


@dataclass(frozen=True)
class Target:
    """A member or organisation that has no Wikidata link yet."""

    kind: str  # member | organisation
    key: str  # TERYT of a member, key of an organisation
    name: str  # Polish name
    other_names: tuple[str, ...]  # English name, variants, abbreviation: matched, not searched
    search_names: tuple[str, ...]  # names searched for
    identifiers: tuple[Identifier, ...]
    type_words: tuple[str, ...]  # description words that fit this kind of thing


@dataclass(frozen=True)
class Scored:
    qid: str
    label: str
    description: str
    method: str  # teryt | krs | label
    score: int  # 0-100
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReviewRow:
    decision: str  # "" (undecided) | accept | reject
    kind: str
    key: str
    name: str
    qid: str  # "" for a none-found row
    wikidata_label: str
    wikidata_description: str
    method: str
    score: str
    reasons: str
    wikidata_page: str
    line: int = 0  # line in the review file, when read from one


# -- targets ---------------------------------------------------------------------------------------------------


def targets(dataset: Dataset, krs_property: str | None = None) -> list[Target]:
    """Members and organisations never checked against Wikidata (``wikidata: null``)."""
    found = [member_target(m) for m in dataset.members.values() if m.wikidata is None]
    found += [organisation_target(o, krs_property) for o in dataset.organisations.values() if o.wikidata is None]
    return sorted(found, key=lambda t: (t.kind, t.key))


def member_target(member: Member) -> Target:
    name = member.name.pl
    # Wikidata labels a city by its bare name ("Poznań") and a commune as "gmina Osiek": search both forms.
    # (the longest form first: "Miasto i Gmina Osiek" is "Osiek", not "i Gmina Osiek")
    bare = re.sub(r"^(Miasto i Gmina|Miasto|Gmina)\s+", "", name)
    searched = tuple(dict.fromkeys((name, bare)))
    others = tuple(n for n in (member.name.en,) if n)
    return Target(
        MEMBER,
        member.teryt,
        name,
        others,
        searched,
        (Identifier(TERYT_PROPERTY, member.teryt, "teryt"),),
        _FITTING_WORDS[member.kind],
    )


def organisation_target(organisation: Organisation, krs_property: str | None) -> Target:
    variants = tuple(v.name for v in organisation.variants)
    others = tuple(n for n in (organisation.name.en, organisation.abbreviation) if n)
    identifiers: tuple[Identifier, ...] = ()
    if organisation.krs and krs_property:
        identifiers = (Identifier(krs_property, organisation.krs, "krs"),)
    return Target(
        ORGANISATION,
        organisation.key,
        organisation.name.pl,
        variants + others,
        (organisation.name.pl, *variants),
        identifiers,
        _FITTING_WORDS[ORGANISATION],
    )


def lookup_for(target: Target) -> Lookup:
    return Lookup(target.identifiers, target.search_names)


# -- scoring (pure) ------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """For comparing names: NFC, case-folded, typographic quotes dropped, spaces collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def score_candidates(target: Target, found: Sequence[Found]) -> list[Scored]:
    """Each candidate's score (0-100) and the reasons for it, best first; ties at the top are ambiguous."""
    scored = [_score(target, candidate) for candidate in found]
    best_by_label = [s for s in scored if s.method == "label" and s.score > 0]
    top = max((s.score for s in best_by_label), default=0)
    tied = [s for s in best_by_label if s.score == top]
    if len(tied) > 1:
        note = f"ambiguous: {len(tied)} items score the same; tell them apart by location or identifiers"
        scored = [
            Scored(s.qid, s.label, s.description, s.method, min(s.score, AMBIGUOUS_CEILING), (*s.reasons, note))
            if s in tied
            else s
            for s in scored
        ]
    return sorted(scored, key=lambda s: (-s.score, int(s.qid[1:])))


def _score(target: Target, candidate: Found) -> Scored:
    entity = candidate.entity
    label = _first(entity.labels)
    description = _first(entity.descriptions)
    conflict = _identifier_conflict(target, entity)
    if conflict is not None:
        return Scored(entity.qid, label, description, "label", 0, (conflict,))
    label_points, label_reason, exact = _label_points(target, entity)
    proven = _identifier_match(target, entity)
    if proven is not None:
        identifier, reason = proven
        if exact:
            return Scored(entity.qid, label, description, identifier.method, IDENTIFIER_SCORE, (reason,))
        differs = f"but neither its label {label!r} nor an alias equals our name {target.name!r}: is it the same unit?"
        return Scored(entity.qid, label, description, identifier.method, IDENTIFIER_NAME_DIFFERS, (reason, differs))
    type_points, type_reason = _type_points(target, entity)
    score = max(0, min(LABEL_CEILING if exact else PARTIAL_CEILING, label_points + type_points))
    reasons = tuple(r for r in (label_reason, type_reason) if r)
    if entity.redirected_from:
        reasons += (f"{entity.redirected_from} redirects to {entity.qid}",)
    return Scored(entity.qid, label, description, "label", score, reasons)


def _first(values: Any) -> str:
    """The Polish value, else the English one, else empty."""
    return str(values.get("pl") or values.get("en") or "")


def _identifier_match(target: Target, entity: Entity) -> tuple[Identifier, str] | None:
    for identifier in target.identifiers:
        if identifier.value in entity.identifiers.get(identifier.property, ()):
            return identifier, f"{identifier.property} ({identifier.method.upper()}) = {identifier.value}"
    return None


def _identifier_conflict(target: Target, entity: Entity) -> str | None:
    """An item holding a different value of one of our identifiers is another thing, whatever its label."""
    for identifier in target.identifiers:
        theirs = entity.identifiers.get(identifier.property, ())
        if theirs and identifier.value not in theirs:
            return (
                f"{identifier.property} ({identifier.method.upper()}) is {', '.join(theirs)}, "
                f"ours is {identifier.value}: a different {identifier.method} unit"
            )
    return None


def _label_points(target: Target, entity: Entity) -> tuple[int, str, bool]:
    """Points for the name, its reason, and whether a label or alias equals one of our names."""
    ours = {normalise(n) for n in (target.name, *target.search_names, *target.other_names)}
    theirs = {normalise(v) for v in entity.labels.values()}
    aliases = {normalise(a) for values in entity.aliases.values() for a in values}
    if ours & theirs:
        return 60, f"label {_first(entity.labels)!r} equals our name", True
    if ours & aliases:
        return 50, "an alias equals our name", True
    overlap = max((_word_overlap(a, b) for a in ours for b in theirs | aliases), default=0.0)
    if overlap > 0:
        return round(40 * overlap), f"label shares {round(100 * overlap)}% of its words with our name", False
    return 0, "label differs from our name", False


def _word_overlap(a: str, b: str) -> float:
    words_a, words_b = set(a.split()), set(b.split())
    return len(words_a & words_b) / len(words_a | words_b) if words_a and words_b else 0.0


def _type_points(target: Target, entity: Entity) -> tuple[int, str]:
    text = " ".join(normalise(d) for d in entity.descriptions.values())
    if not text:
        return 0, "no description to check the type"
    wrong = next((w for w in _CONTRADICTING_WORDS if re.search(rf"\b{re.escape(w)}\b", text)), None)
    if wrong is not None:
        return -40, f"description says {wrong!r}: another kind of thing"
    fitting = next((w for w in target.type_words if re.search(rf"\b{re.escape(w)}\b", text)), None)
    if fitting is not None:
        return 30, f"description says {fitting!r}"
    return 0, "description does not say what kind of thing it is"


# -- the review file ------------------------------------------------------------------------------------------


def review_rows(target: Target, scored: Sequence[Scored]) -> list[ReviewRow]:
    """The lines a reviewer sees for one target; a target without candidates gets one none-found line."""
    if not scored:
        searched = ", ".join(repr(n) for n in target.search_names)
        by_id = "; ".join(f"no item has {i.property} = {i.value}" for i in target.identifiers)
        reason = "; ".join(r for r in (by_id, f"searching {searched} found no item") if r)
        return [ReviewRow("", target.kind, target.key, target.name, "", "", "", NONE_FOUND, "", reason, "")]
    return [
        ReviewRow(
            "",
            target.kind,
            target.key,
            target.name,
            s.qid,
            s.label,
            s.description,
            s.method,
            str(s.score),
            "; ".join(s.reasons),
            WIKIDATA_PAGE + s.qid,
        )
        for s in scored
    ]


def write_review(rows: Iterable[ReviewRow]) -> str:
    """The review file as CSV text (UTF-8, comma-separated, one header line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REVIEW_COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, column) for column in REVIEW_COLUMNS])
    return out.getvalue()


def read_review(path: Path) -> list[ReviewRow]:
    """Rows of a review file; every malformed line is reported (file:line) and nothing is returned."""
    text = _review_text(path)
    first_line = text.split("\n", 1)[0]
    # A spreadsheet set to Polish saves CSV with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != REVIEW_COLUMNS:
        header_text = ",".join(REVIEW_COLUMNS)
        expected = Message(f"oczekiwano nagłówka {header_text}", f"expected the header {header_text}")
        raise InputError([Problem.of(path, 1, "", expected)])
    rows: list[ReviewRow] = []
    problems: list[Problem] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(REVIEW_COLUMNS):
            counts = Message(
                f"oczekiwano kolumn: {len(REVIEW_COLUMNS)}, jest ich {len(cells)}",
                f"expected {len(REVIEW_COLUMNS)} columns, found {len(cells)}",
            )
            problems.append(Problem.of(path, line, "", counts))
            continue
        row = _row([c.strip() for c in cells], line)
        problems.extend(_row_problems(path, row))
        rows.append(row)
    if problems:
        raise InputError(problems)
    return rows


def _review_text(path: Path) -> str:
    """The review file's text. A spreadsheet may add a byte-order mark, which is skipped; one set to Polish may save
    in its own encoding (cp1250), which is refused at the line of the first byte that is not UTF-8, so that a person
    can find it, instead of being guessed."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # error.object is what was decoded after the byte-order mark, and error.start counts in it
        line = error.object[: error.start].count(b"\n") + 1
        byte = f"0x{error.object[error.start]:02x}"
        not_utf8 = Message(
            f"plik nie jest tekstem UTF-8 (bajt {byte}; np. polskie kodowanie arkusza, cp1250); "
            "zapisz go jako UTF-8 (w arkuszu: „CSV UTF-8”)",
            f"the file is not UTF-8 text (byte {byte}; a spreadsheet's Polish encoding, cp1250, say); "
            'save it as UTF-8 ("CSV UTF-8" in a spreadsheet)',
        )
        raise InputError([Problem.of(path, line, "", not_utf8)]) from None


def _row(cells: list[str], line: int) -> ReviewRow:
    decision, kind, key, name, qid, label, description, method, score, reasons, page = cells
    return ReviewRow(decision, kind, key, name, qid, label, description, method, score, reasons, page, line)


def _row_problems(path: Path, row: ReviewRow) -> list[Problem]:
    problems = []
    if row.decision not in ("", ACCEPT, REJECT):
        problems.append(
            Problem.of(
                path,
                row.line,
                "decision",
                Message(
                    f"{row.decision!r}: wpisz accept, reject albo nic",
                    f"{row.decision!r}: write accept, reject or nothing",
                ),
            )
        )
    if row.kind not in (MEMBER, ORGANISATION):
        problems.append(
            Problem.of(
                path,
                row.line,
                "kind",
                Message(f"{row.kind!r} to ani member, ani organisation", f"{row.kind!r} is not member or organisation"),
            )
        )
    if row.method not in METHODS:
        methods = ", ".join(METHODS)
        problems.append(
            Problem.of(
                path,
                row.line,
                "method",
                Message(
                    f"{row.method!r} nie jest żadną z wartości: {methods}", f"{row.method!r} is not one of {methods}"
                ),
            )
        )
    if row.method == NONE_FOUND and row.qid:
        problems.append(
            Problem.of(path, row.line, "qid", Message("wiersz none-found nie ma qid", "a none-found line has no qid"))
        )
    if row.method != NONE_FOUND and not is_qid(row.qid):
        problems.append(
            Problem.of(
                path,
                row.line,
                "qid",
                Message(
                    f"{row.qid!r} nie jest identyfikatorem elementu Wikidanych (Q…)",
                    f"{row.qid!r} is not a Wikidata item identifier (Q…)",
                ),
            )
        )
    return problems


# -- applying a review ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    written: tuple[ReviewRow, ...]  # accepted rows recorded now
    already: tuple[ReviewRow, ...]  # accepted rows the data already records identically


def accepted_links(
    rows: Sequence[ReviewRow], dataset: Dataset, review: Path
) -> tuple[list[ReviewRow], list[ReviewRow]]:
    """The accepted rows to write and those already recorded; conflicts are problems, reported all at once."""
    problems: list[Problem] = []
    accepted: dict[tuple[str, str], ReviewRow] = {}
    for row in rows:
        if row.decision != ACCEPT:
            continue
        earlier = accepted.setdefault((row.kind, row.key), row)
        if earlier is not row:
            again = Message(
                f"{row.kind} {row.key} przyjęto dwa razy (także w wierszu {earlier.line})",
                f"{row.kind} {row.key} is accepted twice (also on line {earlier.line})",
            )
            problems.append(Problem.of(review, row.line, "decision", again))
    new: list[ReviewRow] = []
    same: list[ReviewRow] = []
    for (kind, key), row in sorted(accepted.items()):
        records = dataset.members if kind == MEMBER else dataset.organisations
        record = records.get(key)
        if record is None:
            file = MEMBERS_FILE if kind == MEMBER else ORGANISATIONS_FILE
            problems.append(
                Problem.of(
                    review, row.line, "key", Message(f"{key!r} nie występuje w {file}", f"{key!r} is not in {file}")
                )
            )
            continue
        unproposed = _unproposed_method(row, record)
        if unproposed is not None:
            problems.append(Problem.of(review, row.line, "method", unproposed))
            continue
        current = record.wikidata
        if current is None:
            new.append(row)
        elif current.qid == (row.qid or None):
            same.append(row)
        else:
            recorded = current.qid or "not found"
            problems.append(
                Problem.of(
                    review,
                    row.line,
                    "qid",
                    Message(
                        f"{kind} {key} ma już zapisane {recorded} ({current.by}, {current.on}); "
                        "jeśli ten zapis jest błędny, popraw YAML ręcznie",
                        f"{kind} {key} already records {recorded} ({current.by}, {current.on}); "
                        "change the YAML by hand if that record is wrong",
                    ),
                )
            )
    if problems:
        raise InputError(problems)
    return new, same


_FOUND_BY_IDENTIFIER = re.compile(r"P[1-9][0-9]* \((?P<method>[A-Z]+)\) = (?P<value>\S+)")


def _unproposed_method(row: ReviewRow, record: Member | Organisation) -> Message | None:
    """Why the review did not propose ``row.qid`` by ``row.method``, or None when it did (see the module's
    docstring); ``manual`` and ``none-found`` claim no match and are always taken."""
    if row.method not in ("teryt", "krs", "label"):
        return None
    proposed = row.wikidata_page.removeprefix(WIKIDATA_PAGE) if row.wikidata_page.startswith(WIKIDATA_PAGE) else ""
    found = _FOUND_BY_IDENTIFIER.fullmatch(row.reasons.split("; ")[0])
    found_method = found["method"].lower() if found is not None else "label"
    ours = record.teryt if isinstance(record, Member) else record.krs
    if proposed != row.qid:
        why = Message(
            f"przegląd zaproponował ten wiersz dla {proposed or 'innego elementu'} (wikidata_page), nie dla {row.qid}",
            f"the review proposed this line for {proposed or 'another item'} (wikidata_page), not {row.qid}",
        )
    elif found_method != row.method:
        why = Message(
            f"przegląd znalazł {row.qid} metodą {found_method} (reasons), nie {row.method}",
            f"the review found {row.qid} by {found_method} (reasons), not by {row.method}",
        )
    elif found is not None and found["value"] != ours:
        by_value = f"{found['method']} {found['value']}"
        why = Message(
            f"przegląd znalazł {row.qid} po {by_value} (reasons), a {row.kind} {row.key} ma: {ours or 'brak'}",
            f"the review found {row.qid} by {by_value} (reasons), but {row.kind} {row.key} has {ours or 'none'}",
        )
    else:
        return None
    return Message(
        f"{row.method}: {why.pl}; dla QID wybranego ręcznie wpisz metodę manual",
        f"{row.method}: {why.en}; for a QID chosen by hand write method manual",
    )


def link_value(row: ReviewRow, by: str, on: date) -> CommentedMap:
    """The ``wikidata:`` value of an accepted row, as a one-line flow mapping like the hand-written ones."""
    if row.method == NONE_FOUND:
        value = CommentedMap([("not_found", True), ("by", by), ("date", on)])
    else:
        value = CommentedMap([("qid", row.qid), ("method", row.method), ("by", by), ("date", on)])
    value.fa.set_flow_style()
    return value


def apply_review(
    data_dir: Path, rows: Sequence[ReviewRow], dataset: Dataset, by: str, on: date, review: Path
) -> Applied:
    """Write accepted links into the YAML files; each changed file is replaced whole, after all are prepared."""
    new, same = accepted_links(rows, dataset, review)
    texts: dict[Path, str] = {}
    for kind, file in ((MEMBER, MEMBERS_FILE), (ORGANISATION, ORGANISATIONS_FILE)):
        changes = {row.key: link_value(row, by, on) for row in new if row.kind == kind}
        if changes:
            texts[data_dir / file] = _with_links(data_dir / file, changes)
    for path, text in texts.items():
        _replace(path, text)
    return Applied(tuple(new), tuple(same))


class _NoNewAliases(RoundTripRepresenter):
    """Never writes an anchor or alias (``&id001`` … ``*id001``) of its own: a curator edits each link alone, and
    replacing an anchored one by ``null`` would leave its alias undefined. An anchor read from the file is kept."""

    def ignore_aliases(self, data: Any) -> bool:
        anchor = getattr(data, "anchor", None)
        return anchor is None or anchor.value is None


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _NoNewAliases
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _: None) -> Any:
    """``null`` written as ``null`` (ruamel's default writes nothing), as in the hand-written files."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _with_links(path: Path, changes: dict[str, CommentedMap]) -> str:
    """The text of ``path`` with the ``wikidata:`` values of ``changes`` replaced, everything else kept."""
    yaml = _yaml()
    document = yaml.load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        document[key]["wikidata"] = value
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _replace(path: Path, text: str) -> None:
    """Write a sibling temporary file and rename it over ``path``: never a half-written data file."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as out:
        out.write(text)
    os.chmod(out.name, path.stat().st_mode & 0o7777)  # keep the data file's permissions
    os.replace(out.name, path)
