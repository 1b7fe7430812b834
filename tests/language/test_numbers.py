"""Figures in Polish notation: values, hedges, scales, currencies and counted nouns, and what is not a figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from civicgraph.language.numbers import Hedge, quantities, stated_values


def only(text: str):  # type: ignore[no-untyped-def]
    found = quantities(text)
    assert len(found) == 1, [q.span.of(text) for q in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "currency", "noun"),
    [
        ("możliwość nauki dla 14\u00a0025 uczniów", Decimal(14025), None, "uczniów"),
        ("przeszkolono 7233 osoby", Decimal(7233), None, "osoby"),
        ("na łączną kwotę 1,4 mld zł", Decimal(1_400_000_000), "PLN", None),
        ("przy 800 mln zł dotacji", Decimal(800_000_000), "PLN", None),
        ("(2 tys. uczestników)", Decimal(2000), None, "uczestników"),
        ("minęło 5 lat funkcjonowania", Decimal(5), None, "lat"),
        ("składka w wysokości 18 450,00 zł", Decimal("18450.00"), "PLN", None),
        ("budżet wyniósł 212 400 euro", Decimal(212400), "EUR", None),
        ("o łącznej mocy 1,6 MW", Decimal("1.6"), None, "MW"),
        ("przygotowano dwa poradniki", Decimal(2), None, "poradniki"),
        ("2000 uczestników", Decimal(2000), None, "uczestników"),
        ("w Metropolii Poznań 48 samorządów", Decimal(48), None, "samorządów"),  # a name, then a count
    ],
)
def test_value_currency_and_counted_noun(text: str, value: Decimal, currency: str | None, noun: str | None) -> None:
    quantity = only(text)
    assert quantity.value == value
    assert quantity.currency == currency
    assert (quantity.noun.text if quantity.noun else None) == noun


def test_a_scaled_value_is_a_whole_number_and_printed_decimals_stay() -> None:
    assert str(only("blisko 1,4 mld zł").value) == "1400000000"
    assert str(only("18 450,00 zł").value) == "18450.00"


@pytest.mark.parametrize(
    ("words", "hedge"),
    [
        ("blisko", Hedge.NEARLY),
        ("prawie", Hedge.NEARLY),
        ("niemal", Hedge.NEARLY),
        ("niespełna", Hedge.NEARLY),
        ("ponad", Hedge.MORE_THAN),
        ("przeszło", Hedge.MORE_THAN),
        ("więcej niż", Hedge.MORE_THAN),
        ("około", Hedge.ABOUT),
        ("ok.", Hedge.ABOUT),
        ("rzędu", Hedge.ABOUT),
        ("co najmniej", Hedge.AT_LEAST),
        ("przynajmniej", Hedge.AT_LEAST),
        ("nie mniej niż", Hedge.AT_LEAST),
        ("mniej niż", Hedge.LESS_THAN),
        ("łącznie", Hedge.EXACT),
    ],
)
def test_every_hedge(words: str, hedge: Hedge) -> None:
    text = f"wzięło udział {words} 120 osób"
    quantity = only(text)
    assert (quantity.value, quantity.hedge) == (Decimal(120), hedge)
    expected = f"{words} 120 osób" if hedge is not Hedge.EXACT else "120 osób"
    assert quantity.span.of(text) == expected


def test_a_multiple_is_a_figure_counting_times() -> None:
    quantity = only("zapotrzebowanie blisko dwukrotnie wyższej liczby uczniów")
    assert (quantity.value, quantity.hedge, quantity.multiple) == (Decimal(2), Hedge.NEARLY, True)


@pytest.mark.parametrize(
    "text",
    [
        "W 2023 r. minęło też",  # a year
        "w roku szkolnym 2023/2024",  # a school year
        "Według stanu na 31 grudnia 2024 r.",  # a date
        "Festiwal Smaków (12–13 czerwca 2021 r.)",  # a date range
        "miasto było współorganizatorem 17. Konferencji Generalnej",  # an ordinal
        "zajmując 12. miejsce w kategorii",  # an ordinal
        "1. Związek Miast Polskich\n2. Unia Metropolii Polskich",  # list numbers
        "Stowarzyszenie gmin, powiatów i województw „Droga S 11”",  # inside quotation marks
        "w Zespole Szkół Zawodowych nr 2",  # a number inside a name
        "należy do Stowarzyszenia Gmin Regionu 12; oraz",  # a number ending a name
        "współorganizatorem była Gmina Przykładowa 3099011.",  # a code ending a name
        "w dorocznej konferencji Eurocities 2022, w której",  # a year inside a name
        "o godz. 10:00",  # a time
        "w XXXV Zgromadzeniu Ogólnym",  # Roman numerals
        "przez jednego z partnerów",  # "one of": not a count
        "zorganizowano wiele konferencji",  # no number
    ],
)
def test_not_figures(text: str) -> None:
    assert quantities(text) == []


def test_a_part_of_a_count_counts_the_same_nouns() -> None:
    text = "należało do 8 organizacji, w tym 4 międzynarodowych:"
    first, second = quantities(text)
    assert (second.value, second.noun is not None and second.noun.inherited) == (Decimal(4), True)
    assert second.noun is not None and "organizacja" in second.noun.lemmas
    assert second.span.of(text) == "4 międzynarodowych"
    assert first.noun is not None and not first.noun.inherited


def test_people_are_counted_by_masculine_personal_nouns() -> None:
    officials, women = quantities("przeszkolono 62 urzędników i 40 sołtysek")
    assert officials.noun is not None and officials.noun.people
    assert women.noun is not None and not women.noun.people


def test_stated_values_of_a_quote() -> None:
    assert stated_values("139 projektów") == [Decimal(139)]
    assert stated_values("blisko 1,4 mld zł") == [Decimal(1_400_000_000)]
    assert stated_values("9 powiatów i 36 gmin") == [Decimal(9), Decimal(36)]
    assert stated_values("wiele konferencji") == []
