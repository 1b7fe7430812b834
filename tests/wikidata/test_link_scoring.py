"""Candidate scoring is a pure function: identifiers prove, labels suggest, namesakes stay ambiguous."""

from __future__ import annotations

from pathlib import Path

from civicgraph.source.records import Location, Member, NameVariant, Organisation, Passage, Text
from civicgraph.wikidata.client import Entity, Found, Identifier
from civicgraph.wikidata.link import (
    AMBIGUOUS_CEILING,
    IDENTIFIER_NAME_DIFFERS,
    IDENTIFIER_SCORE,
    LABEL_CEILING,
    member_target,
    normalise,
    organisation_target,
    score_candidates,
)

HERE = Location(Path("members.yaml"), 1)
PRINTED = Passage(874, 910, "ze Stowarzyszeniem Metropolia Poznań", "", "")
POZNAN = Member("3064011", Text("Miasto Poznań", "City of Poznań"), "city-with-county-rights", None, HERE)
OSIEK = Member("3099022", Text("Gmina Osiek"), "rural-commune", None, HERE)
TERYT = Identifier("P1653", "3064011", "teryt")


def entity(qid: str, label: str, description: str = "", teryt: str | None = None, alias: str | None = None) -> Entity:
    return Entity(
        qid,
        labels={"pl": label},
        descriptions={"pl": description} if description else {},
        aliases={"pl": (alias,)} if alias else {},
        identifiers={"P1653": (teryt,)} if teryt else {},
    )


def test_a_matching_teryt_proves_the_link() -> None:
    (scored,) = score_candidates(member_target(POZNAN), [Found(entity("Q268", "Poznań", teryt="3064011"), TERYT)])
    assert (scored.qid, scored.method, scored.score) == ("Q268", "teryt", IDENTIFIER_SCORE)
    assert scored.reasons == ("P1653 (TERYT) = 3064011",)


def test_a_matching_teryt_under_another_name_is_not_proof_and_says_so() -> None:
    """`civicgraph synth` gives invented names real-looking codes: "Gmina Syntetyczna 3064011" holds Poznań's."""
    invented = Member("3064011", Text("Gmina Syntetyczna 3064011"), "rural-commune", None, HERE)
    poznan = entity("Q268", "Poznań", "miasto na prawach powiatu", teryt="3064011")
    (scored,) = score_candidates(member_target(invented), [Found(poznan, TERYT)])
    assert (scored.qid, scored.method, scored.score) == ("Q268", "teryt", IDENTIFIER_NAME_DIFFERS)
    assert scored.score < LABEL_CEILING
    assert scored.reasons == (
        "P1653 (TERYT) = 3064011",
        "but neither its label 'Poznań' nor an alias equals our name 'Gmina Syntetyczna 3064011': is it the same unit?",
    )


def test_a_matching_teryt_with_a_matching_alias_proves_the_link() -> None:
    renamed = entity("Q268", "Poznań (miasto)", teryt="3064011", alias="Miasto Poznań")
    (scored,) = score_candidates(member_target(POZNAN), [Found(renamed, TERYT)])
    assert (scored.method, scored.score, scored.reasons) == ("teryt", IDENTIFIER_SCORE, ("P1653 (TERYT) = 3064011",))


def test_a_different_teryt_rules_a_namesake_out_whatever_its_label() -> None:
    found = [Found(entity("Q999999901", "gmina Osiek", "gmina wiejska w Polsce", teryt="1234567"), None)]
    (scored,) = score_candidates(member_target(OSIEK), found)
    assert scored.score == 0
    assert "is 1234567, ours is 3099022" in scored.reasons[0]


def test_four_namesake_communes_are_all_capped_as_ambiguous() -> None:
    communes = [Found(entity(f"Q99999990{i}", "gmina Osiek", "gmina wiejska w Polsce"), None) for i in range(1, 5)]
    scored = score_candidates(member_target(OSIEK), communes)
    assert [s.score for s in scored] == [AMBIGUOUS_CEILING] * 4
    assert all("ambiguous: 4 items score the same" in s.reasons[-1] for s in scored)


def test_one_exact_label_of_the_right_type_scores_high_but_never_proves() -> None:
    (scored,) = score_candidates(
        member_target(OSIEK), [Found(entity("Q999999901", "gmina Osiek", "gmina w Polsce"), None)]
    )
    # exact label (60) + fitting description (30), within the ceiling for labels
    assert (scored.method, scored.score) == ("label", 90)
    assert scored.score <= LABEL_CEILING < IDENTIFIER_SCORE


def test_a_village_of_the_same_name_scores_low() -> None:
    (scored,) = score_candidates(member_target(OSIEK), [Found(entity("Q999999906", "Osiek", "wieś w Polsce"), None)])
    assert scored.score == 20  # exact bare name (60) − contradicting description (40)
    assert "description says 'wieś': another kind of thing" in scored.reasons


def test_a_longer_name_stays_below_exact_namesakes() -> None:
    found = [
        Found(entity("Q999999901", "gmina Osiek", "gmina w Polsce"), None),
        Found(entity("Q999999905", "gmina Osiek Mały", "gmina w Polsce"), None),
    ]
    scored = score_candidates(member_target(OSIEK), found)
    assert [(s.qid, s.score) for s in scored] == [("Q999999901", 90), ("Q999999905", 40)]


def test_organisation_names_match_through_quotes_case_and_aliases() -> None:
    forum = Organisation(
        "forum-rewitalizacji",
        Text("Stowarzyszenie „Forum Rewitalizacji”"),
        None,
        (),
        "association",
        None,
        None,
        HERE,
    )
    found = [Found(entity("Q999999921", "Stowarzyszenie Forum Rewitalizacji", "stowarzyszenie w Polsce"), None)]
    (scored,) = score_candidates(organisation_target(forum, None), found)
    assert scored.score == 90
    metropolia = Organisation(
        "metropolia-poznan", Text("Metropolia Poznań"), None,
        (NameVariant("Stowarzyszenie Metropolia Poznań", "3064011", 2023, PRINTED, HERE),),
        "association", None, None, HERE,
    )  # fmt: skip
    found = [Found(entity("Q999999922", "Metropolia", "association", alias="Stowarzyszenie Metropolia Poznań"), None)]
    (scored,) = score_candidates(organisation_target(metropolia, None), found)
    assert scored.score == 80  # alias (50) + "association" (30)


def test_krs_is_looked_up_only_when_its_property_is_given() -> None:
    foundation = Organisation("f", Text("Fundacja X"), None, (), "foundation", "0000999999", None, HERE)
    assert organisation_target(foundation, None).identifiers == ()
    assert organisation_target(foundation, "P999999999").identifiers == (Identifier("P999999999", "0000999999", "krs"),)


def test_search_terms_of_a_city_include_its_bare_name() -> None:
    assert member_target(POZNAN).search_names == ("Miasto Poznań", "Poznań")
    assert member_target(OSIEK).search_names == ("Gmina Osiek", "Osiek")


def test_normalise_ignores_typographic_quotes_case_and_spacing() -> None:
    assert normalise("Klaster Turystyczny „Szlak  Piastowski”") == "klaster turystyczny szlak piastowski"


def test_a_town_and_commune_is_searched_by_its_bare_name_too() -> None:
    """Wikidata labels "Miasto i Gmina Osiek" as "Osiek"; stripping "Miasto" alone left "i Gmina Osiek"."""
    both = Member("3099023", Text("Miasto i Gmina Osiek"), "urban-rural-commune", None, HERE)
    assert member_target(both).search_names == ("Miasto i Gmina Osiek", "Osiek")
    assert member_target(OSIEK).search_names == ("Gmina Osiek", "Osiek")
    assert member_target(POZNAN).search_names == ("Miasto Poznań", "Poznań")
