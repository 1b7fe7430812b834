"""Finding names of organisations and local governments in report text, whatever their case, quotation marks,
dashes and capitals, and however shortened.

A name is a sequence of words; a printed form matches it when the two have a lemma in common word by word
("ze Stowarzyszeniem Metropolia Poznań" is "Stowarzyszenie Metropolia Poznań"). Beyond that exact or inflected
match, the drafter accepts — and says so — an acronym standing for several words ("Związek Gmin Wiejskich RP",
"SGiPP"), a printed name that holds a recorded one and more ("Unia Metropolii Polskich im. Pawła Adamowicza"),
one that is the beginning of a recorded one, and, last, a similar spelling (rapidfuzz). The source reader accepts
only the exact and inflected matches and the abbreviation: a quote must name its organisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from rapidfuzz import fuzz, process

from .lemmas import lemmas
from .text import QUOTATION_MARKS, Span, Token, fold, tokens


class How(Enum):
    """How a printed name was matched to a recorded one, from the surest to the least sure."""

    EXACT = "exact"  # the same words (case, quotation marks and dashes aside)
    INFLECTED = "inflected"  # the same words in another case or number
    ABBREVIATION = "abbreviation"  # the recorded abbreviation (ZMP)
    INITIALS = "initials"  # an acronym stands for several words of the name (RP, SGiPP, LOT)
    LONGER = "longer"  # the printed name holds the recorded one and more words
    SHORTENED = "shortened"  # the printed name is the beginning of the recorded one
    SIMILAR = "similar"  # a similar spelling

    @property
    def strict(self) -> bool:
        """Whether the match is one a person reading the quote would call the same name."""
        return self in (How.EXACT, How.INFLECTED, How.ABBREVIATION)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    span: Span
    lemmas: frozenset[str]

    @property
    def is_acronym(self) -> bool:
        return Token(self.text, self.span.start, self.span.end).is_acronym


@dataclass(frozen=True, slots=True)
class Form:
    """One recorded form of a name: the name, its English name, an abbreviation or a printed variant."""

    key: str
    text: str
    kind: str  # name | english | abbreviation | variant (or whatever the caller calls its forms)
    words: tuple[Word, ...]

    @property
    def initials(self) -> str:
        return "".join(w.text[0].casefold() for w in self.words)


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    form: Form
    how: How
    span: Span  # the printed name in the text
    score: float  # 1.0 for exact; lower the less sure


Lemmatiser = Callable[[str], frozenset[str]]


def words(text: str, start: int = 0, end: int | None = None, lemmatise: Lemmatiser = lemmas) -> list[Word]:
    """The words and numbers of a passage; punctuation, quotation marks and dashes are not part of a name."""
    return [
        Word(t.text, Span(t.start, t.end), lemmatise(t.text)) for t in tokens(text, start, end) if t.text[0].isalnum()
    ]


class NameIndex:
    """The recorded forms of a set of names, searchable in text."""

    def __init__(self, entries: Iterable[tuple[str, str, str]], lemmatise: Lemmatiser = lemmas) -> None:
        """``entries``: (key, form, kind) for every recorded form of every name. ``lemmatise``: the lemmas of a
        word (Morfeusz's; another lemmatiser only to compare them, see benchmarks/language_choices.py)."""
        self.lemmatise = lemmatise
        self.forms: list[Form] = []
        for key, text, kind in entries:
            found = words(text, lemmatise=lemmatise)
            if found:
                self.forms.append(Form(key, text, kind, tuple(found)))
        self._by_first_lemma: dict[str, list[Form]] = defaultdict(list)
        self._by_first_initial: dict[str, list[Form]] = defaultdict(list)
        for form in self.forms:
            for lemma in form.words[0].lemmas:
                self._by_first_lemma[lemma].append(form)
            self._by_first_initial[form.initials[0]].append(form)
        # Spellings compared by similarity: whole names, not abbreviations ("zmp" is no misspelling of "ZMP").
        self._by_key: dict[str, list[Form]] = defaultdict(list)
        for form in self.forms:
            self._by_key[form.key].append(form)
        self._folded = {f: fold(f.text) for f in self.forms if f.kind != "abbreviation" and len(f.text) >= SIMILAR_MIN}

    # -- running text ------------------------------------------------------------------------------------

    def find(self, text: str, start: int = 0, end: int | None = None, strict: bool = False) -> list[Match]:
        """The names in ``text[start:end]``, longest first where they overlap, in the order of the text.

        ``strict``: only exact and inflected matches and abbreviations, as the source reader requires.
        """
        printed = words(text, start, end, self.lemmatise)
        candidates: list[Match] = []
        for i in range(len(printed)):
            for form in self._starting_at(printed[i]):
                aligned = _align(printed, i, form, allow_initials=not strict)
                if aligned is None:
                    continue
                stop, how = aligned
                if form.kind == "abbreviation":
                    if printed[i].text != form.text:  # an abbreviation is printed as recorded: ZMP, not zmp
                        continue
                    how = How.ABBREVIATION
                span = _with_closing_mark(text, Span(printed[i].span.start, printed[stop - 1].span.end), form)
                candidates.append(Match(form.key, form, how, span, _SCORE[how]))
        return _longest_first(candidates)

    def names(self, key: str, text: str, start: int = 0, end: int | None = None) -> bool:
        """Whether ``text[start:end]`` names ``key`` by one of its recorded forms, strictly (as :meth:`find`
        with ``strict``, but trying only that key's forms: the source reader asks this of every membership)."""
        printed = words(text, start, end, self.lemmatise)
        for form in self._by_key.get(key, ()):
            first = form.words[0].lemmas
            for i, word in enumerate(printed):
                if not word.lemmas & first:
                    continue
                if form.kind == "abbreviation" and word.text != form.text:
                    continue
                if _align(printed, i, form, allow_initials=False) is not None:
                    return True
        return False

    def _starting_at(self, word: Word) -> list[Form]:
        found = {id(f): f for lemma in word.lemmas for f in self._by_first_lemma.get(lemma, ())}
        if word.is_acronym:
            found |= {id(f): f for f in self._by_first_initial.get(word.text[0].casefold(), ())}
        return list(found.values())

    # -- a printed name: an item of a list -----------------------------------------------------------------

    def match(self, text: str, span: Span) -> list[Match]:
        """The recorded names a printed name may be, the most likely first; empty when none is close enough."""
        printed = words(text, span.start, span.end, self.lemmatise)
        if not printed:
            return []
        whole: list[Match] = []
        for form in {id(f): f for w in printed[:1] for f in self._starting_at(w)}.values():
            aligned = _align(printed, 0, form, allow_initials=True)
            if aligned is not None and aligned[0] == len(printed):
                if form.kind == "abbreviation" and printed[0].text != form.text:
                    continue  # an abbreviation is printed as recorded: ZMP, not zmp
                how = How.ABBREVIATION if form.kind == "abbreviation" else aligned[1]
                whole.append(Match(form.key, form, how, span, _SCORE[how]))
        if whole:
            return _best_per_key(whole)
        inside = [
            Match(m.key, m.form, How.LONGER, span, _SCORE[How.LONGER] * _share(m.span, printed))
            for m in self.find(text, span.start, span.end)
        ]
        if inside:
            return _best_per_key(inside)
        shortened = self._shortened(printed, span)
        if shortened:
            return shortened
        return self._similar(text, span)

    def _shortened(self, printed: Sequence[Word], span: Span) -> list[Match]:
        """A printed name of two or more words that is the beginning of a recorded one, at least half of it."""
        if len(printed) < 2:
            return []
        found = []
        for form in self._starting_at(printed[0]):
            if len(form.words) <= len(printed) or 2 * len(printed) < len(form.words):
                continue
            if all(p.lemmas & f.lemmas for p, f in zip(printed, form.words, strict=False)):
                found.append(Match(form.key, form, How.SHORTENED, span, _SCORE[How.SHORTENED]))
        return _best_per_key(found)

    def _similar(self, text: str, span: Span) -> list[Match]:
        folded = fold(span.of(text))
        if len(folded) < SIMILAR_MIN:
            return []
        best = process.extractOne(folded, self._folded, scorer=fuzz.ratio, score_cutoff=SIMILAR_CUTOFF)
        if best is None:
            return []
        _, score, form = best
        return [Match(form.key, form, How.SIMILAR, span, _SCORE[How.SIMILAR] * score / 100)]


SIMILAR_CUTOFF = 90  # rapidfuzz ratio (0-100) of the folded spellings
SIMILAR_MIN = 8  # characters: shorter names are told apart by a letter

_SCORE = {
    How.EXACT: 1.0,
    How.INFLECTED: 1.0,
    How.ABBREVIATION: 0.95,
    How.INITIALS: 0.9,
    How.LONGER: 0.9,
    How.SHORTENED: 0.7,
    How.SIMILAR: 0.6,
}


def _align(printed: Sequence[Word], at: int, form: Form, allow_initials: bool) -> tuple[int, How] | None:
    """Whether ``form`` is printed from ``printed[at]`` on: the index after its last word, and how it matched."""
    i, j, how = at, 0, How.EXACT
    while j < len(form.words):
        if i >= len(printed):
            return None
        word, wanted = printed[i], form.words[j]
        if word.text.casefold() == wanted.text.casefold():
            i, j = i + 1, j + 1
        elif word.lemmas & wanted.lemmas:
            i, j, how = i + 1, j + 1, _weaker(how, How.INFLECTED)
        elif allow_initials and word.is_acronym and len(word.text) >= 2:
            letters = word.text.casefold()
            if form.initials[j : j + len(letters)] != letters or len(form.words) - j < len(letters):
                return None
            i, j, how = i + 1, j + len(letters), _weaker(how, How.INITIALS)
        else:
            return None
    return i, how


def _with_closing_mark(text: str, span: Span, form: Form) -> Span:
    """A name recorded with its closing quotation mark (Stowarzyszenie „Forum Rewitalizacji”) keeps it."""
    if form.text[-1:] in QUOTATION_MARKS and text[span.end : span.end + 1] in QUOTATION_MARKS:
        return Span(span.start, span.end + 1) if text[span.end : span.end + 1] else span
    return span


def _weaker(a: How, b: How) -> How:
    return a if _ORDER[a] >= _ORDER[b] else b


_ORDER = {how: rank for rank, how in enumerate(How)}


def _share(inside: Span, printed: Sequence[Word]) -> float:
    """How much of the printed name the recorded one covers, in words."""
    covered = sum(1 for w in printed if inside.contains(w.span))
    return covered / len(printed)


def _best_per_key(found: list[Match]) -> list[Match]:
    best: dict[str, Match] = {}
    for match in found:
        if match.key not in best or match.score > best[match.key].score:
            best[match.key] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.key))


def _longest_first(candidates: list[Match]) -> list[Match]:
    chosen: list[Match] = []
    for match in sorted(candidates, key=lambda m: (-(m.span.end - m.span.start), -m.score, m.span.start, m.key)):
        if not any(match.span.overlaps(c.span) for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.span.start)
