"""The synthetic national dataset: TERYT-shaped, deterministic, and accepted by the real loader, builder and shapes.

Expected values come from the TERYT (TERC) code structure — 2-digit voivodeships 02..32 (even), 4-digit counties
(land counties 01.., cities with county rights 61..), 7-digit communes ending in the kind digit 1 urban, 2 rural,
3 urban-rural — and from the register's totals (16 voivodeships, 314 + 66 counties, 2,477 communes), from
docs/MODEL.md (hedges "blisko"/"ponad"/"około") and from the way Polish reports print numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from civicgraph.cli.main import main
from civicgraph.graph.build import build_graph
from civicgraph.shacl.validate import validate_graph
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset, Figure
from civicgraph.source.synthetic import national_register

VOIVODESHIP_CODES = {f"{n:02d}" for n in range(2, 33, 2)}
KIND_DIGITS = {"urban-commune": "1", "rural-commune": "2", "urban-rural-commune": "3", "city-with-county-rights": "1"}
HEDGE_WORDS = {"blisko": "nearly", "ponad": "more-than", "około": "about"}


def synth(out: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["synth", "--out", str(out), *args])
    assert result.exit_code == 0, result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 members over three years: small enough for pyshacl, large enough to hold every kind of fact."""
    out = tmp_path_factory.mktemp("synth") / "small"
    synth(out, "--members", "12", "--years", "2021,2022,2023", "--seed", "7")
    return out


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """300 members over two years, read by the real loader (every quote located exactly once)."""
    out = tmp_path_factory.mktemp("synth") / "medium"
    synth(out, "--members", "300", "--years", "2022,2023", "--seed", "3")
    return read_dataset(out)


# -- TERYT structure of the national register ------------------------------------------------------------------


def test_register_has_the_national_numbers_of_local_governments() -> None:
    register = national_register(seed=1)
    kinds = Counter(m.kind for m in register)
    assert kinds["voivodeship"] == 16
    assert kinds["county"] + kinds["city-with-county-rights"] == 380  # 314 land counties + 66 cities
    assert kinds["city-with-county-rights"] == 66
    communes = kinds["urban-commune"] + kinds["urban-rural-commune"] + kinds["rural-commune"]
    assert communes + kinds["city-with-county-rights"] == 2477
    assert len({m.teryt for m in register}) == len(register) == 16 + 314 + 2477


def test_teryt_codes_have_the_length_and_kind_digit_of_their_kind() -> None:
    register = national_register(seed=1)
    assert {m.teryt for m in register if m.kind == "voivodeship"} == VOIVODESHIP_CODES
    for member in register:
        if member.kind == "voivodeship":
            assert len(member.teryt) == 2
        elif member.kind == "county":
            assert re.fullmatch(r"[0-9]{4}", member.teryt) and 1 <= int(member.teryt[2:]) < 61
        else:
            assert re.fullmatch(r"[0-9]{7}", member.teryt), member
            assert member.teryt[-1] == KIND_DIGITS[member.kind], member
        assert member.teryt[:2] in VOIVODESHIP_CODES


def test_cities_with_county_rights_are_commune_01_of_a_county_numbered_from_61() -> None:
    cities = [m for m in national_register(seed=1) if m.kind == "city-with-county-rights"]
    assert all(int(c.teryt[2:4]) >= 61 and c.teryt[4:] == "011" for c in cities)


def test_every_commune_lies_in_a_county_of_the_register() -> None:
    register = national_register(seed=1)
    counties = {m.teryt for m in register if m.kind == "county"}
    for commune in (m for m in register if m.kind in ("urban-commune", "rural-commune", "urban-rural-commune")):
        assert commune.teryt[:4] in counties, commune


# -- the command and determinism -------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_folders_and_another_seed_does_not(tmp_path: Path) -> None:
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        synth(tmp_path / name, "--members", "25", "--years", "2022,2023", "--seed", seed)
    first, second, other = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert first == second
    assert first["members.yaml"] != other["members.yaml"]


def test_counts_are_as_requested(medium: Dataset) -> None:
    assert len(medium.members) == 300
    assert len(medium.reports) == 300 * 2
    assert Counter(r.year for r in medium.reports) == {2022: 300, 2023: 300}
    assert {r.member for r in medium.reports} == set(medium.members)


def test_names_say_the_data_is_synthetic_and_nothing_is_claimed(medium: Dataset) -> None:
    assert all("Syntetyczn" in m.name.pl and "Synthetic" in (m.name.en or "") for m in medium.members.values())
    assert all("Syntetyczn" in o.name.pl for o in medium.organisations.values())
    assert all(o.krs is None and o.wikidata is None for o in medium.organisations.values())
    assert all(m.wikidata is None for m in medium.members.values())
    assert not medium.settings.base_iri.startswith("https://w3id.org/civicgraph/")


def test_refuses_to_write_over_a_folder_that_is_not_synthetic(tmp_path: Path, data_copy: Path) -> None:
    before = tree(data_copy)
    result = CliRunner().invoke(main, ["synth", "--out", str(data_copy), "--members", "3"])
    assert result.exit_code == 2
    assert "is not empty and holds no earlier synthetic data folder (no SYNTHETIC.md)" in result.output
    assert tree(data_copy) == before


def test_replaces_an_earlier_synthetic_folder_only_with_force(tmp_path: Path) -> None:
    synth(tmp_path / "s", "--members", "4")
    before = tree(tmp_path / "s")
    refused = CliRunner().invoke(main, ["synth", "--out", str(tmp_path / "s"), "--members", "5"])
    assert refused.exit_code == 2
    assert refused.stderr == f"Error: {tmp_path / 's'} holds an earlier synthetic dataset; add --force to replace it\n"
    assert tree(tmp_path / "s") == before
    assert len(read_dataset(tmp_path / "s").members) == 4
    synth(tmp_path / "s", "--members", "5", "--force")
    assert len(read_dataset(tmp_path / "s").members) == 5


def test_more_members_than_the_country_has_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", "--out", str(tmp_path / "x"), "--members", "2808"])
    assert result.exit_code == 2
    # 2,807 local governments: 16 voivodeships, 314 land counties and 2,477 communes (the 66 cities with county
    # rights among them); click.IntRange words the refusal.
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--members': 2808 is not in the range 1<=x<=2807."
    )
    assert not (tmp_path / "x").exists()


# -- content drawn like Poznań's ---------------------------------------------------------------------------------


def figures_of(dataset: Dataset) -> list[Figure]:
    found: list[Figure] = []
    for report in dataset.reports:
        found.extend(report.figures)
        for activity in report.activities:
            found.extend(activity.figures)
    return found


def printed_amount(words: str) -> Decimal:
    """The value of an amount printed the Polish way: "blisko 1,4 mld zł", "ponad 2 tys. uczestników", "14 025"."""
    text = " ".join(words.split())
    match = re.search(r"([0-9][0-9 ]*(?:,[0-9]+)?)\s*(mld|mln|tys\.)?", text)
    assert match, words
    number = Decimal(match.group(1).replace(" ", "").replace(",", "."))
    return number * {"mld": 10**9, "mln": 10**6, "tys.": 1000, None: 1}[match.group(2)]


def test_each_printed_figure_says_the_value_and_hedge_it_records(medium: Dataset) -> None:
    multiples = {"dwukrotnie": 2, "trzykrotnie": 3, "czterokrotnie": 4, "pięciokrotnie": 5}
    for figure in figures_of(medium):
        printed = figure.evidence.exact
        first = printed.split()[0]
        assert figure.hedge == HEDGE_WORDS.get(first, "exact"), printed
        multiple = next((v for word, v in multiples.items() if word in printed), None)
        assert figure.value == (multiple if multiple is not None else printed_amount(printed)), printed
        assert (figure.currency == "PLN") == printed.endswith("zł"), printed


def test_the_mix_holds_every_hedge_money_with_grosze_participants_and_sub_activities(medium: Dataset) -> None:
    figures = figures_of(medium)
    assert {f.hedge for f in figures} == {"exact", "nearly", "more-than", "about"}
    assert any(f.currency and f.value != f.value.to_integral_value() for f in figures)  # grosze: Decimal, not float
    activities = [a for r in medium.reports for a in r.activities]
    assert any(a.participants and a.participants[0].member for a in activities)
    assert any(p.organisation for a in activities for p in a.participants)
    assert any(a.part_of for a in activities)
    assert {a.period is None for a in activities} == {True, False}  # some periods are not stated
    assert any(m.start is not None for r in medium.reports for m in r.memberships)


def test_memberships_come_and_go_only_when_a_report_says_so(medium: Dataset) -> None:
    by_year = {(r.member, r.year): {m.organisation: m for m in r.memberships} for r in medium.reports}
    for teryt in medium.members:
        before, after = by_year[(teryt, 2022)], by_year[(teryt, 2023)]
        for key in set(after) - set(before):
            assert after[key].start == 2023, (teryt, key)  # joined in 2023, and the 2023 report says so
        for key in set(before) - set(after):
            end = before[key].end
            assert end is not None and getattr(end, "year", end) == 2022, (teryt, key)  # left, said in 2022


# -- through the real pipeline -----------------------------------------------------------------------------------


def test_small_dataset_loads_builds_and_conforms_to_the_shapes(small: Path) -> None:
    dataset = read_dataset(small)
    assert len(dataset.reports) == 12 * 3
    built = build_graph(dataset)
    base = dataset.settings.base_iri
    some = dataset.reports[0]
    assert (URIRef(f"{base}report/{some.member}/{some.year}"), None, None) in built.graph
    report = validate_graph(built.graph, built.sources)
    assert report.violations == []
