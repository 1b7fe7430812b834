"""Numbers as people read them: grouped digits in the language's notation, and amounts of money in the words a
report uses ("1,4 mld zł", "PLN 1.4 billion") when that loses nothing.

Figures are ``xsd:decimal`` in the graph and :class:`~decimal.Decimal` here: never a float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

NBSP = "\u00a0"

# Large amounts: (power of ten, Polish abbreviation, English word), largest first.
_SCALES = ((9, "mld", "billion"), (6, "mln", "million"))
_CURRENCY_WORDS = {"PLN": "zł"}  # Polish pages write złoty as "zł" after the number, as the reports do


def format_number(text: str, lang: str) -> str:
    """A decimal as people read it: ``1 400 000 000`` (Polish, non-breaking spaces, decimal comma) or
    ``1,400,000,000``; text that is not a number is returned as it is."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    formatted = f"{value:,}"
    if lang == "pl":
        return formatted.replace(",", NBSP).replace(".", ",")
    return formatted


def scaled(value: Decimal) -> tuple[Decimal, int] | None:
    """``value`` as a number of millions or billions with at most one decimal (``1.4``, 9) when that is exact,
    else None: "1,4 mld" is how reports write 1 400 000 000, but 1 234 567 stays as it is."""
    for power, _pl, _en in _SCALES:
        if value >= Decimal(10) ** power:
            short = value.scaleb(-power)
            if short == short.quantize(Decimal("0.1")):
                return short.normalize() if short == short.to_integral_value() else short.quantize(
                    Decimal("0.1")
                ), power
            return None
    return None


def amount(value: Decimal, currency: str | None, lang: str) -> str:
    """An amount as a report would print it: ``1,4 mld zł`` / ``PLN 1.4 billion``; ``56 758,96 zł``; a count
    without currency as its grouped digits (``7 233``). Spaces inside are non-breaking."""
    short = scaled(value) if currency else None
    if short is not None:
        number, power = short
        word = next(pl if lang == "pl" else en for p, pl, en in _SCALES if p == power)
        digits = format_number(f"{number:f}", lang)
    else:
        word, digits = "", format_number(f"{value:f}", lang)
    if currency is None:
        return digits
    if lang == "pl":
        unit = _CURRENCY_WORDS.get(currency, currency)
        return NBSP.join(part for part in (digits, word, unit) if part)
    return NBSP.join(part for part in (currency, digits, word) if part)


def percent(part: int, whole: int) -> int:
    """The whole-number percentage of ``part`` in ``whole``, rounded half up (0 for an empty whole)."""
    if whole == 0:
        return 0
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
