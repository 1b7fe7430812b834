"""A membership's quote names its organisation, and a figure's quote prints its value: otherwise the build stops
naming both, in Polish and in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.source.reader import read_dataset
from civicgraph.util.errors import InputError

REPORT = Path("reports/3064011/2023/report.yaml")


def edit(data: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in the Poznań report; the line it starts on."""
    report = data / REPORT
    text = report.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    report.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def problems(data: Path) -> list[tuple[int | None, str, str, str | None]]:
    with pytest.raises(InputError) as raised:
        read_dataset(data)
    return [(p.line, p.field, p.message, p.polish) for p in raised.value.problems]


def test_swapped_membership_quotes_stop_the_build_naming_both(data_copy: Path) -> None:
    line = edit(
        data_copy,
        "  zmp:\n    quote: Związek Miast Polskich;\n  ump:\n    quote: Unia Metropolii Polskich;\n",
        "  zmp:\n    quote: Unia Metropolii Polskich;\n  ump:\n    quote: Związek Miast Polskich;\n",
    )
    assert problems(data_copy) == [
        (
            line + 1,
            "memberships.zmp.quote",
            "the quote 'Unia Metropolii Polskich;' does not name zmp (Związek Miast Polskich): quote the passage "
            "that prints its name, its abbreviation or a printed name recorded in its variants; it names ump "
            "(Unia Metropolii Polskich)",
            "cytat 'Unia Metropolii Polskich;' nie wymienia organizacji zmp (Związek Miast Polskich): zacytuj "
            "fragment z jej nazwą, skrótem albo nazwą zapisaną w jej wariantach; wymienia ump (Unia Metropolii "
            "Polskich)",
        ),
        (
            line + 3,
            "memberships.ump.quote",
            "the quote 'Związek Miast Polskich;' does not name ump (Unia Metropolii Polskich): quote the passage "
            "that prints its name, its abbreviation or a printed name recorded in its variants; it names zmp "
            "(Związek Miast Polskich)",
            "cytat 'Związek Miast Polskich;' nie wymienia organizacji ump (Unia Metropolii Polskich): zacytuj "
            "fragment z jej nazwą, skrótem albo nazwą zapisaną w jej wariantach; wymienia zmp (Związek Miast "
            "Polskich)",
        ),
    ]


@pytest.mark.parametrize(
    ("key", "quote"),
    [
        ("metropolia-poznan", "ze Stowarzyszeniem Metropolia Poznań"),  # a recorded variant, inflected
        ("zmp", "w Związku Miast Polskich (ZMP) Miasto"),  # the name inflected, and the abbreviation
        ("ump", "Pracowni Doskonalenia Kompetencji UMP"),  # the abbreviation alone
        ("szlak-piastowski", "Klaster Turystyczny „Szlak Piastowski w Wielkopolsce”;"),  # with quotation marks
    ],
)
def test_a_quote_naming_the_organisation_in_any_form_builds(data_copy: Path, key: str, quote: str) -> None:
    report = data_copy / REPORT
    text = report.read_text(encoding="utf-8")
    start = text.index(f"  {key}:\n    quote: ") + len(f"  {key}:\n    quote: ")
    end = text.index("\n", start)
    report.write_text(text[:start] + quote + text[end:], encoding="utf-8")
    dataset = read_dataset(data_copy)
    poznan = next(r for r in dataset.reports if (r.member, r.year) == ("3064011", 2023))
    assert [m.evidence[0].exact.replace("\u00a0", " ") for m in poznan.memberships if m.organisation == key] == [quote]


def test_a_value_its_quote_does_not_print_stops_the_build(data_copy: Path) -> None:
    line = edit(data_copy, "        value: 139\n", "        value: 140\n")
    assert problems(data_copy) == [
        (
            line,
            "activities.zit-projects.figures.projects.value",
            "140 disagrees with its quote '139 projektów', which prints 139",
            "140 nie zgadza się z cytatem '139 projektów', który podaje 139",
        )
    ]


def test_a_quote_printing_no_number_stops_the_build(data_copy: Path) -> None:
    edit(data_copy, "        quote: dwa poradniki\n", "        quote: poradniki dla miast\n")
    [(_, field, message, polish)] = problems(data_copy)
    assert field == "activities.e-delivery-guides.figures.guides.value"
    assert message == "2 is not what its quote 'poradniki dla miast' prints: it prints no number"
    assert polish == "2 to nie to, co podaje cytat 'poradniki dla miast': nie podaje on żadnej liczby"


def test_values_in_polish_notation_agree_with_their_quotes(data_copy: Path) -> None:
    dataset = read_dataset(data_copy)  # Poznań's figures: 14 025, 7233, 1,4 mld zł, 800 mln zł, 2 tys., dwa, ...
    poznan = next(r for r in dataset.reports if (r.member, r.year) == ("3064011", 2023))
    figures = [f for a in poznan.activities for f in a.figures] + list(poznan.figures)
    assert len(figures) == 15


def test_the_message_in_the_language_asked_for(data_copy: Path) -> None:
    edit(data_copy, "        value: 139\n", "        value: 140\n")
    polish = CliRunner().invoke(main, ["validate", "--data", str(data_copy)])
    english = CliRunner().invoke(main, ["validate", "--data", str(data_copy), "--lang", "en"])
    assert polish.exit_code == english.exit_code == 3
    assert polish.stderr.splitlines()[0].endswith(": 140 nie zgadza się z cytatem '139 projektów', który podaje 139")
    assert english.stderr.splitlines()[0].endswith(": 140 disagrees with its quote '139 projektów', which prints 139")
