"""The Wikidata client against a real HTTP server on loopback: etiquette, retries, refusals, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from civicgraph.wikidata.client import (
    ClientSettings,
    OfflineMiss,
    WikidataClient,
    WikidataError,
    identifier_query,
    parse_json,
    user_agent,
)

from ..wikidata_replay import ReplayServer, Reply

OSIEK_COMMUNES = ["Q999999901", "Q999999902", "Q999999903", "Q999999904"]


class Waits:
    """Records the waits the client asks for instead of sleeping (real waits are seconds long)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def client(replay: ReplayServer, tmp_path: Path, waits: Waits | None = None, **settings: object) -> WikidataClient:
    options: dict[str, object] = {
        "api_url": replay.api_url,
        "sparql_url": replay.sparql_url,
        "contact": "https://example.org/civicgraph-tests",
        "min_interval": 0.0,
        "cache_dir": tmp_path / "cache",
        "max_attempts": 3,
        "backoff": 0.5,
        "max_wait": 10.0,
    }
    options.update(settings)
    return WikidataClient(ClientSettings(**options), sleep=waits or Waits())  # type: ignore[arg-type]


# -- what the recorded answers give --------------------------------------------------------------------------


def test_teryt_3064011_finds_poznan_q268(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata:
        assert wikidata.items_with_identifier("P1653", "3064011") == ["Q268"]
        poznan = wikidata.entities(["Q268"], identifier_properties=("P1653",))["Q268"]
    assert poznan.labels["pl"] == "Poznań"
    assert poznan.identifiers == {"P1653": ("3064011",)}


def test_search_returns_the_namesake_communes_in_order(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata:
        hits = wikidata.search("Gmina Osiek")
    assert [h.qid for h in hits] == [*OSIEK_COMMUNES, "Q999999905"]
    assert {h.label for h in hits[:4]} == {"gmina Osiek"}


def test_an_unknown_name_gives_no_hits(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata:
        assert wikidata.search("Stowarzyszenie Gmin Fikcyjnych") == []


# -- etiquette ---------------------------------------------------------------------------------------------


def test_requests_carry_user_agent_with_contact_maxlag_and_json(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata:
        wikidata.search("Gmina Osiek")
        wikidata.items_with_identifier("P1653", "3064011")
    api, sparql = replay.received
    assert api.headers["user-agent"].startswith("civicgraph/")
    assert "(https://example.org/civicgraph-tests)" in api.headers["user-agent"]
    assert " httpx/" in api.headers["user-agent"]
    assert api.params["maxlag"] == "5"
    assert api.params["format"] == "json"
    assert sparql.headers["accept"] == "application/sparql-results+json"


def test_a_contact_is_required_for_the_network(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path, contact=None) as wikidata, pytest.raises(WikidataError, match="--contact"):
        wikidata.search("Gmina Osiek")
    assert replay.received == []


def test_a_contact_that_would_break_the_header_is_refused() -> None:
    with pytest.raises(WikidataError, match="not an email address or an http"):
        user_agent("me@example.org\r\nX-Injected: 1")
    assert user_agent("ops@example.org").split(" (")[1].startswith("ops@example.org)")


def test_requests_are_spaced_by_the_minimum_interval(replay: ReplayServer, tmp_path: Path) -> None:
    waits = Waits()
    # A clock that never moves: every request after the first must wait the whole interval.
    with WikidataClient(
        ClientSettings(
            api_url=replay.api_url, sparql_url=replay.sparql_url, contact="ops@example.org",
            min_interval=1.5, cache_dir=tmp_path / "cache",
        ),
        sleep=waits,
        clock=lambda: 100.0,
    ) as wikidata:  # fmt: skip
        wikidata.search("Gmina Osiek")
        wikidata.search("Osiek")
        wikidata.search("Gmina Osiek")  # cached: no request, no wait
    assert waits.seconds == [1.5]
    assert len(replay.received) == 2


# -- retries -----------------------------------------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_says_then_succeeds(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply(429, b"Too many requests", {"Retry-After": "7"}))
    waits = Waits()
    with client(replay, tmp_path, waits) as wikidata:
        assert wikidata.items_with_identifier("P1653", "3064011") == ["Q268"]
    assert waits.seconds == [7.0]
    assert len(replay.received) == 2


def test_503_with_maxlag_body_waits_for_retry_after_then_succeeds(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply.file("hostile/maxlag.json", 503, **{"Retry-After": "5", "X-Database-Lag": "7"}))
    waits = Waits()
    with client(replay, tmp_path, waits) as wikidata:
        assert [h.qid for h in wikidata.search("Gmina Osiek")][:4] == OSIEK_COMMUNES
    assert waits.seconds == [5.0]


def test_maxlag_error_with_http_200_is_retried_too(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply.file("hostile/maxlag.json", 200, **{"Retry-After": "5"}))
    waits = Waits()
    with client(replay, tmp_path, waits) as wikidata:
        assert wikidata.search("Stowarzyszenie Gmin Fikcyjnych") == []
    assert waits.seconds == [5.0]


def test_without_retry_after_the_wait_doubles(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply(503, b"busy"), Reply(503, b"busy"))
    waits = Waits()
    with client(replay, tmp_path, waits) as wikidata:
        assert wikidata.search("Stowarzyszenie Gmin Fikcyjnych") == []
    assert waits.seconds == [0.5, 1.0]


def test_persistent_maxlag_gives_up_with_the_reason(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(*[Reply.file("hostile/maxlag.json", 503, **{"Retry-After": "1"})] * 3)
    with client(replay, tmp_path) as wikidata, pytest.raises(WikidataError) as caught:
        wikidata.search("Gmina Osiek")
    assert "gave up after 3 attempts" in str(caught.value)
    assert "maxlag: Waiting for db1234: 7 seconds lagged." in str(caught.value)
    assert len(replay.received) == 3


def test_a_retry_after_longer_than_allowed_stops_at_once(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply(429, b"", {"Retry-After": "3600"}))
    with client(replay, tmp_path) as wikidata, pytest.raises(WikidataError, match="asks to wait 3600 s"):
        wikidata.search("Gmina Osiek")
    assert len(replay.received) == 1


def test_a_timeout_is_retried_then_reported(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply(200, b"{}", delay=1.0), Reply(200, b"{}", delay=1.0))
    with (
        client(replay, tmp_path, timeout=0.2, max_attempts=2) as wikidata,
        pytest.raises(WikidataError, match=r"gave up after 2 attempts; last: no complete answer within 0.2 s"),
    ):
        wikidata.search("Gmina Osiek")


def test_an_answer_trickling_a_byte_at_a_time_is_given_up_on_after_the_timeout(
    replay: ReplayServer, tmp_path: Path
) -> None:
    """Every socket read is quick (0.1 s), so a per-read timeout of 1 s never fires; the answer as a whole would
    take 30 s: the deadline is for the whole request."""
    body = b'{"search": []}' + b" " * 286
    replay.script(*[Reply(200, body, {"Content-Type": "application/json"}, trickle=0.1)] * 2)
    with (
        client(replay, tmp_path, timeout=1.0, max_attempts=2) as wikidata,
        pytest.raises(WikidataError, match=r"gave up after 2 attempts; last: no complete answer within 1 s$"),
    ):
        wikidata.search("Gmina Osiek")


def test_a_body_that_says_gzip_and_is_not_is_refused(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply(200, b'{"search": []}', {"Content-Type": "application/json", "Content-Encoding": "gzip"}))
    with (
        client(replay, tmp_path) as wikidata,
        pytest.raises(WikidataError, match=r"^wbsearchentities search='Gmina Osiek': the answer cannot be decoded"),
    ):
        wikidata.search("Gmina Osiek")


@pytest.mark.parametrize("value", ["²", "1.5", "-3", "soon", "١٢"])  # superscript two, Arabic-Indic digits
def test_a_retry_after_that_is_not_ascii_digits_is_ignored(replay: ReplayServer, tmp_path: Path, value: str) -> None:
    """``"²".isdigit()`` is true and ``float("²")`` fails: such a header once ended a run with exit 3."""
    waits = Waits()
    replay.script(Reply(429, b"", {"Retry-After": value}))
    with client(replay, tmp_path, waits) as wikidata:
        assert wikidata.search("Gmina Osiek") != []
    assert waits.seconds == [0.5]  # the client's own backoff, not the header


# -- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(200, b'{"search": [{"id": "Q1"'), "not valid JSON"),
        (Reply(200, b"<html>Wikimedia Error</html>"), "not valid JSON"),
        (Reply(200, b'{"search": [], "search": []}'), "duplicate key 'search'"),
        (Reply(200, b'{"search": [], "success": NaN}'), "NaN is not JSON"),
        (Reply.file("hostile/truncated.json"), "not valid JSON"),
        (Reply.file("hostile/search-property-id.json"), "'P1653' is not a Wikidata item identifier"),
        (Reply.file("hostile/search-not-a-list.json"), "no list under 'search'"),
        (Reply(200, b'{"error": {"code": "badvalue", "info": "Unrecognized value"}}'), "refused the request"),
        (Reply(404, b"not here"), "HTTP 404"),
    ],
    ids=[
        "cut-off", "html", "duplicate-key", "nan", "truncated-file", "property-id", "not-a-list", "api-error", "404",
    ],
)  # fmt: skip
def test_unusable_search_answers_are_refused_without_retry(
    replay: ReplayServer, tmp_path: Path, reply: Reply, message: str
) -> None:
    replay.script(reply)
    with client(replay, tmp_path) as wikidata, pytest.raises(WikidataError, match=message):
        wikidata.search("Gmina Osiek")
    assert len(replay.received) == 1
    assert not list((tmp_path / "cache").glob("*.json")), "a refused answer must not be cached"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("hostile/sparql-not-entity.json", "'http://example.org/entity/Q268' is not a Wikidata entity IRI"),
        ("hostile/sparql-literal-item.json", "'Q268' is not a Wikidata entity IRI"),
    ],
)
def test_sparql_answers_outside_wikidata_are_refused(
    replay: ReplayServer, tmp_path: Path, file: str, message: str
) -> None:
    replay.script(Reply.file(file))
    with client(replay, tmp_path) as wikidata, pytest.raises(WikidataError, match=message):
        wikidata.items_with_identifier("P1653", "3064011")


def test_entities_that_were_not_asked_for_are_refused(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply.file("hostile/wbgetentities-unrequested.json"))
    with client(replay, tmp_path) as wikidata, pytest.raises(WikidataError, match="not one of the requested"):
        wikidata.entities(["Q268"])


def test_a_huge_body_announced_by_content_length_is_refused(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply(200, b" " * 200_000))
    with client(replay, tmp_path, max_bytes=65_536) as wikidata, pytest.raises(WikidataError) as caught:
        wikidata.search("Gmina Osiek")
    assert "the answer is 200000 bytes, more than the 65536 allowed" in str(caught.value)


def test_a_huge_body_without_length_is_cut_off(replay: ReplayServer, tmp_path: Path) -> None:
    replay.script(Reply(200, b'{"search": [' + b'{"id": "Q1"},' * 100_000, length=False))
    with client(replay, tmp_path, max_bytes=65_536) as wikidata, pytest.raises(WikidataError) as caught:
        wikidata.search("Gmina Osiek")
    assert "larger than the 65536 bytes allowed" in str(caught.value)


def test_strict_json_rejects_invalid_utf8() -> None:
    with pytest.raises(WikidataError, match="not valid JSON"):
        parse_json(b'{"label": "Pozna\xf1"}', "test")


# -- the cache ---------------------------------------------------------------------------------------------


def test_a_second_run_is_served_from_the_cache(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata:
        first = wikidata.search("Gmina Osiek")
    with client(replay, tmp_path, offline=True) as wikidata:
        again = wikidata.search("Gmina Osiek")
    assert again == first
    assert len(replay.received) == 1


def test_offline_names_the_missing_request(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path, offline=True) as wikidata, pytest.raises(OfflineMiss) as caught:
        wikidata.search("Gmina Osiek")
    message = str(caught.value)
    assert message.startswith("offline: no cached answer for wbsearchentities search='Gmina Osiek'")
    assert str(tmp_path / "cache") in message
    assert replay.received == []


def test_refresh_asks_again(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata:
        wikidata.search("Gmina Osiek")
    with client(replay, tmp_path, refresh=True) as wikidata:
        wikidata.search("Gmina Osiek")
    assert len(replay.received) == 2


def test_a_tampered_cache_entry_is_checked_like_an_answer(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata:
        wikidata.search("Gmina Osiek")
    (cached,) = (tmp_path / "cache").glob("*.json")
    cached.write_text(cached.read_text(encoding="utf-8").replace('"Q999999901"', '"L1"', 1), encoding="utf-8")
    with (
        client(replay, tmp_path, offline=True) as wikidata,
        pytest.raises(WikidataError, match="'L1' is not"),
    ):
        wikidata.search("Gmina Osiek")


# -- the SPARQL text -------------------------------------------------------------------------------------


def test_identifier_query_binds_the_value_as_a_literal_whatever_it_holds() -> None:
    hostile = '3064011" } UNION { ?item ?p ?o'
    parsed = prepareQuery(identifier_query("P1653", hostile))
    bgp = parsed.algebra["p"]["p"]["p"]["p"]["p"]  # Slice > Distinct > Project > OrderBy > BGP
    assert bgp.name == "BGP"
    (triple,) = bgp["triples"]
    assert triple[1] == URIRef("http://www.wikidata.org/prop/direct/P1653")
    assert triple[2] == Literal(hostile)


def test_a_property_that_is_not_p_digits_is_refused(replay: ReplayServer, tmp_path: Path) -> None:
    with client(replay, tmp_path) as wikidata, pytest.raises(WikidataError, match="not a Wikidata property"):
        wikidata.items_with_identifier("wdt:P1653", "3064011")
    assert replay.received == []
