"""Numbers as Polish reports print them, with the word that hedges them and what they count.

"14 025 uczniów", "7233 osoby", "blisko 1,4 mld zł", "ponad 800 mln zł", "ponad 2 tys. uczestników", "5 lat",
"dwa poradniki", "blisko dwukrotnie wyższej": the value (a Decimal, never a float), the hedge ("blisko" nearly,
"ponad" more than, "około"/"ok." about, "co najmniej" at least, ...), the currency (zł is PLN) or the counted noun
with its lemmas, and the passage they occupy.

Not figures: years ("w 2023 r.", "Eurocities 2022"), dates ("31 grudnia 2024 r.", "12–13 czerwca"), school years
("2023/2024"), ordinals and list numbers ("30. Konferencja", "1. Związek Miast Polskich"), numbers inside names
and quotation marks ("Droga S 11", "Zespół Szkół nr 2"), ranges ("10–15"), times ("10:00") and Roman numerals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache

from num2words import num2words

from .lemmas import Reading, readings
from .text import QUOTATION_MARKS, Span, sentences


class Hedge(Enum):
    EXACT = "exact"
    NEARLY = "nearly"  # blisko, prawie, niemal, niespełna: a little below
    MORE_THAN = "more-than"  # ponad, przeszło, powyżej, więcej niż
    ABOUT = "about"  # około, ok., rzędu, szacunkowo
    AT_LEAST = "at-least"  # co najmniej, przynajmniej, nie mniej niż
    LESS_THAN = "less-than"  # mniej niż, poniżej


# The words before a number that hedge it, as folded word sequences; the longest that fits is taken.
HEDGE_WORDS: dict[tuple[str, ...], Hedge] = {
    ("blisko",): Hedge.NEARLY,
    ("prawie",): Hedge.NEARLY,
    ("niemal",): Hedge.NEARLY,
    ("niemalże",): Hedge.NEARLY,
    ("niespełna",): Hedge.NEARLY,
    ("ponad",): Hedge.MORE_THAN,
    ("przeszło",): Hedge.MORE_THAN,
    ("powyżej",): Hedge.MORE_THAN,
    ("więcej", "niż"): Hedge.MORE_THAN,
    ("około",): Hedge.ABOUT,
    ("ok",): Hedge.ABOUT,
    ("rzędu",): Hedge.ABOUT,
    ("szacunkowo",): Hedge.ABOUT,
    ("mniej", "więcej"): Hedge.ABOUT,
    ("co", "najmniej"): Hedge.AT_LEAST,
    ("przynajmniej",): Hedge.AT_LEAST,
    ("nie", "mniej", "niż"): Hedge.AT_LEAST,
    ("minimum",): Hedge.AT_LEAST,
    ("mniej", "niż"): Hedge.LESS_THAN,
    ("poniżej",): Hedge.LESS_THAN,
}

SCALES = {"tysiąc": 1000, "milion": 1_000_000, "miliard": 1_000_000_000}
CURRENCIES = {"złoty": "PLN", "zł": "PLN", "pln": "PLN", "euro": "EUR", "eur": "EUR", "€": "EUR", "dolar": "USD"}
CURRENCIES |= {"usd": "USD", "frank": "CHF", "chf": "CHF", "funt": "GBP", "gbp": "GBP"}
PERCENT = frozenset({"%", "proc", "procent"})
MONTHS = frozenset(
    {"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października"}
    | {"listopada", "grudnia"}
)
# Words after which a number belongs to a name or a reference, not to a count.
NAME_NUMBER_AFTER = frozenset({"nr", "art", "ust", "pkt", "poz", "§", "tom", "zeszyt", "rozdz", "str", "s"})
# Words before a four-digit number that make it a year: "w 2023", "od 1991", "roku 2023".
YEAR_AFTER = frozenset({"w", "we", "od", "do", "po", "przed", "z", "ze", "roku", "rok", "latach", "lata", "lat"})
YEAR_AFTER |= MONTHS | frozenset({"r", "okresie", "dniu", "końcu", "początku", "połowie", "sezonie", "edycji"})
# "dwukrotnie", "trzykrotny": a multiple; the Polish prefixes of the multiplicative adverbs and adjectives.
MULTIPLES = {"dwu": 2, "trzy": 3, "cztero": 4, "pięcio": 5, "sześcio": 6, "siedmio": 7, "ośmio": 8}
MULTIPLES |= {"dziewięcio": 9, "dziesięcio": 10, "stu": 100, "tysiąc": 1000}
_MULTIPLE = re.compile(r"(" + "|".join(sorted(MULTIPLES, key=len, reverse=True)) + r")krotn", re.IGNORECASE)

# A printed number: digit groups separated by a space, a non-breaking or a thin space, or a period (14 025,
# 1 346 890, 1.500), or a plain run of digits; then a decimal comma.
_NUMBER = re.compile(
    r"(?<![\w,./:])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d{1,3}(?:\.\d{3})+(?![\d.,]\d)|\d+)(,\d+)?"
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|%|€|§")


def _words(text: str, start: int, end: int) -> list[tuple[str, Span]]:
    """The words of a passage; an abbreviation that takes a period ("tys.", "ok.") keeps it."""
    found = []
    for match in _WORD.finditer(text, start, end):
        word, stop = match.group(), match.end()
        if text[stop : stop + 1] == "." and any(r.pos == "brev" for r in readings(word + ".")):
            word, stop = word + ".", stop + 1
        found.append((word, Span(match.start(), stop)))
    return found


@dataclass(frozen=True, slots=True)
class Noun:
    """The counted noun after a number: "projektów" (projekt), "osoby" (osoba), "lat" (rok)."""

    text: str
    span: Span
    lemmas: frozenset[str]  # of its noun readings
    people: bool  # a masculine-personal noun: it counts people (urzędników, delegatów)
    inherited: bool = False  # "w tym 4 międzynarodowych": the noun of the figure before


@dataclass(frozen=True, slots=True)
class Quantity:
    value: Decimal
    hedge: Hedge
    span: Span  # the whole passage: hedge, number, scale, currency or counted noun
    number: Span  # the number as printed, with its scale ("1,4 mld")
    currency: str | None = None  # ISO 4217
    noun: Noun | None = None
    percent: bool = False
    multiple: bool = False  # "dwukrotnie": a ratio


def quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """The figures of ``text[start:end]``, in the order of the text."""
    stop = len(text) if end is None else end
    quoted = _quoted(text)
    found: list[Quantity] = []
    for sentence in sentences(text, start, stop):
        previous: Quantity | None = None
        for quantity in _in_sentence(text, sentence, quoted):
            if (
                quantity.noun is None
                and previous is not None
                and previous.noun is not None
                and _inclusive(text, quantity)
            ):
                quantity = _inherit(quantity, previous)
            found.append(quantity)
            previous = quantity
    return found


def stated_values(passage: str) -> list[Decimal]:
    """The values of the figures a passage states (a figure's quote), in order."""
    return list(_stated_values(passage))


@lru_cache(maxsize=65536)  # the source reader asks it of every figure's quote; many quotes repeat
def _stated_values(passage: str) -> tuple[Decimal, ...]:
    return tuple(q.value for q in quantities(passage))


# -- one sentence ----------------------------------------------------------------------------------------------


def _in_sentence(text: str, sentence: Span, quoted: list[Span]) -> list[Quantity]:
    found = []
    words = _words(text, sentence.start, sentence.end)
    for match in _NUMBER.finditer(text, sentence.start, sentence.end):
        number = Span(match.start(), match.end())
        if any(q.contains(number) for q in quoted) or _not_a_count(text, number, words):
            continue
        value = _value(match.group(1), match.group(2))
        found.append(_read_around(text, number, value, words))
    for word, span in words:
        spelled = _word_value(word)
        if spelled is not None and not any(q.contains(span) for q in quoted):
            multiple = _MULTIPLE.match(word) is not None
            found.append(_read_around(text, span, Decimal(spelled), words, multiple=multiple))
    return sorted(found, key=lambda q: q.number.start)


def _read_around(
    text: str, number: Span, value: Decimal, words: list[tuple[str, Span]], multiple: bool = False
) -> Quantity:
    after = [(w, s) for w, s in words if s.start >= number.end]
    before = [(w, s) for w, s in words if s.end <= number.start]
    end = number.end
    printed = number
    scale = _scale(after[0][0]) if after and _adjacent(text, number.end, after[0][1].start) else None
    if scale is not None:
        value = _scaled(value, scale)
        end = after[0][1].end
        printed = Span(number.start, end)
        after = after[1:]
    currency = noun = None
    percent = False
    if after and _adjacent(text, end, after[0][1].start):
        word = after[0][0]
        if word.casefold().rstrip(".") in PERCENT or (word == "%" and after[0][1].start == end):
            percent = True
            end = after[0][1].end
        elif _currency(word) is not None:
            currency = _currency(word)
            end = after[0][1].end
        elif not multiple:
            noun = _counted_noun(text, after)
            end = noun.span.end if noun is not None else _past_adjectives(text, end, after)
    hedge, hedge_start = _hedge(text, before, number.start)
    return Quantity(
        value,
        hedge,
        Span(hedge_start if hedge_start is not None else number.start, end),
        printed,
        currency,
        noun,
        percent,
        multiple,
    )


def _not_a_count(text: str, number: Span, words: list[tuple[str, Span]]) -> bool:
    """Years, dates, school years, ordinals, list numbers, ranges, times and numbers inside names."""
    before_char = text[number.start - 1 : number.start]
    after_text = text[number.end : number.end + 4]
    if before_char.isalpha() or after_text[:1].isalpha():
        return True  # S11, 5G, 28aa: a part of a name or a code
    if re.match(r"[/:]\d|[–—-]\d|\.\d", after_text) or re.search(
        r"\d[/:–—-]$", text[max(0, number.start - 2) : number.start]
    ):
        return True  # 2023/2024, 10:00, 10–15, 12–13 czerwca, 31.12.2023
    if re.match(r"\.[ \u00a0\t]*[^\W\d_]", after_text) or (
        re.match(r"[.)][ \u00a0\t]", after_text) and _line_start(text, number.start)
    ):
        return True  # 30. Konferencja, 12. miejsce; 1. / 1) at the start of a line
    previous = [w for w, s in words if s.end <= number.start][-1:]
    following = [w for w, s in words if s.start >= number.end][:1]
    if (
        previous
        and previous[0].casefold().rstrip(".") in NAME_NUMBER_AFTER
        and _adjacent(text, _end_of(words, previous), number.start)
    ):
        return True
    if following and following[0].casefold() in MONTHS:
        return True
    digits = text[number.start : number.end]
    if re.fullmatch(r"(19|20|21)\d\d", digits):
        return _is_year(text, number, previous, following)
    return _ends_a_name(text, number, words, following)


def _ends_a_name(text: str, number: Span, words: list[tuple[str, Span]], following: list[str]) -> bool:
    """ "Regionu 12;", "Gmina Syntetyczna 1808092.": a number right after a capitalised word inside a sentence,
    with nothing counted after it, is a part of a name."""
    before = [(w, s) for w, s in words if s.end <= number.start]
    if len(before) < 2 or not before[-1][0][:1].isupper() or not _adjacent(text, before[-1][1].end, number.start):
        return False  # the first word of a sentence is capitalised whatever it is
    if text[before[-1][1].end : number.start].strip():
        return False
    counted = following and _adjacent(text, number.end, _start_of(words, number.end))
    return not (counted and (_currency(following[0]) or _scale(following[0]) or _noun_readings(following[0])))


def _start_of(words: list[tuple[str, Span]], after: int) -> int:
    return next(s.start for w, s in words if s.start >= after)


def _is_year(text: str, number: Span, previous: list[str], following: list[str]) -> bool:
    """A four-digit number from 1900 to 2199 is a year unless a counted noun, a scale or a currency follows it
    and no word that introduces a year precedes it."""
    if previous and previous[0].casefold().rstrip(".") in YEAR_AFTER:
        return True
    if not following:
        return True
    word = following[0]
    if word.casefold().rstrip(".") in ("r", "rok", "roku", "rr"):
        return True
    return not (_currency(word) or _scale(word) or _noun_readings(word))


def _line_start(text: str, position: int) -> bool:
    return not text[text.rfind("\n", 0, position) + 1 : position].strip()


def _end_of(words: list[tuple[str, Span]], last: list[str]) -> int:
    return [s for w, s in words if w == last[0]][-1].end


def _adjacent(text: str, end: int, start: int) -> bool:
    """Only white space (or the period of an abbreviation) between two positions."""
    return not text[end:start].strip(" \u00a0\u202f\t\n.")


def _hedge(text: str, before: list[tuple[str, Span]], number_start: int) -> tuple[Hedge, int | None]:
    for length in (3, 2, 1):
        if len(before) < length:
            continue
        candidate = before[-length:]
        folded = tuple(w.casefold().rstrip(".") for w, _ in candidate)
        hedge = HEDGE_WORDS.get(folded)
        if hedge is not None and _adjacent(text, candidate[-1][1].end, number_start):
            return hedge, candidate[0][1].start
    return Hedge.EXACT, None


def _counted_noun(text: str, after: list[tuple[str, Span]]) -> Noun | None:
    """The noun a number counts: the first noun after it, past at most three adjectives ("12 regionalnych
    instytucji naukowych")."""
    for index, (word, span) in enumerate(after[:4]):
        if index and not _adjacent(text, after[index - 1][1].end, span.start):
            return None
        nouns = _noun_readings(word)
        if nouns:
            lemmas = frozenset(r.lemma.casefold() for r in nouns)
            return Noun(word, span, lemmas, any(r.counts_people for r in nouns))
        if not any(r.is_adjective for r in readings(word)):
            return None
    return None


def _noun_readings(word: str) -> list[Reading]:
    if not word[0].isalpha():
        return []
    return [r for r in readings(word) if r.is_noun and not r.has("nazwisko")]


def _scale(word: str) -> int | None:
    for reading in readings(word):
        if reading.lemma.casefold() in SCALES and (reading.is_noun or reading.pos == "brev"):
            return SCALES[reading.lemma.casefold()]
    return None


def _currency(word: str) -> str | None:
    folded = word.casefold()
    if folded in CURRENCIES:
        return CURRENCIES[folded]
    for reading in readings(word):
        if reading.lemma.casefold() in CURRENCIES and (reading.is_noun or reading.pos == "brev"):
            return CURRENCIES[reading.lemma.casefold()]
    return None


def _value(integer: str, decimals: str | None) -> Decimal:
    digits = re.sub(r"[ \u00a0\u202f.]", "", integer)
    return Decimal(digits + ("." + decimals[1:] if decimals else ""))


def _scaled(value: Decimal, scale: int) -> Decimal:
    """1,4 × 10⁹ as 1400000000 (not 1.4E+9 nor 1400000000.0): a scaled value is a whole number when it can be."""
    scaled = value * scale
    return scaled.quantize(Decimal(1)) if scaled == scaled.to_integral_value() else scaled.normalize()


def _past_adjectives(text: str, end: int, after: list[tuple[str, Span]]) -> int:
    """The end of the adjectives that stand for an omitted noun ("w tym 4 międzynarodowych")."""
    for word, span in after[:3]:
        if not _adjacent(text, end, span.start) or not any(r.is_adjective for r in readings(word)):
            break
        end = span.end
    return end


@cache
def _number_words() -> dict[str, int]:
    """Polish number words (their lemmas) and their values: "dwa" 2, "pięć" 5, "dwadzieścia" 20, "sto" 100."""
    words = {}
    for n in range(2, 1000):  # "jeden" is left out: "jednym z 25 miast" is not a figure
        spelled = num2words(n, lang="pl")
        if " " not in spelled:
            words[spelled] = n
    return words


def _word_value(word: str) -> int | None:
    multiple = _MULTIPLE.match(word)
    if multiple is not None:
        return MULTIPLES[multiple.group(1).casefold()]
    for reading in readings(word):
        if reading.pos == "num" and reading.lemma.casefold() in _number_words():
            return _number_words()[reading.lemma.casefold()]
    return None


def _quoted(text: str) -> list[Span]:
    """Passages in quotation marks: titles and names, whose numbers are not figures."""
    return [Span(m.start(), m.end()) for m in re.finditer(r"„[^”\n]*”|“[^”\n]*”|\"[^\"\n]*\"", text)]


def _inclusive(text: str, quantity: Quantity) -> bool:
    """ "w tym 4 międzynarodowych", "z czego 3": a part of the figure before, counting the same things."""
    before = text[max(0, quantity.span.start - 12) : quantity.span.start].casefold().split()
    return before[-2:] in (["w", "tym"], ["z", "czego"], ["spośród", "nich"]) or before[-1:] == ["tym"]


def _inherit(quantity: Quantity, previous: Quantity) -> Quantity:
    assert previous.noun is not None
    noun = Noun(previous.noun.text, previous.noun.span, previous.noun.lemmas, previous.noun.people, inherited=True)
    return Quantity(quantity.value, quantity.hedge, quantity.span, quantity.number, previous.currency, noun)


QUOTES = QUOTATION_MARKS  # re-exported for callers that strip a quote's marks
