"""Benchmarks of the Wikidata linking code (not part of the tests): prints tables of medians.

    .venv/bin/python benchmarks/bench_wikidata.py [--repeat 5]

- scoring: ``score_candidates`` for every commune of a national-size dataset (2,477), six candidates each;
- QuickStatements: ``export_quickstatements`` for 100 / 1,000 / 2,477 members with 16 memberships each;
- apply: writing links into a members.yaml of 2,477 entries with ruamel.yaml's round trip;
- client: one request to the loopback replay server through the network path vs. from the disk cache.

Every name and QID here is synthetic (Q9999… and "Gmina Syntetyczna …"); nothing is a fact.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.wikidata_replay import replay_server  # noqa: E402

from civicgraph.source.records import (  # noqa: E402
    Dataset,
    Location,
    Member,
    Membership,
    Organisation,
    Passage,
    Report,
    Settings,
    Text,
    WikidataLink,
)
from civicgraph.wikidata.client import ClientSettings, Entity, Found, WikidataClient  # noqa: E402
from civicgraph.wikidata.link import ReviewRow, apply_review, member_target, score_candidates  # noqa: E402
from civicgraph.wikidata.quickstatements import export_quickstatements  # noqa: E402

HERE = Location(Path("synthetic"), 1)
DAY = date(2026, 11, 29)
COMMUNES = 2477


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def teryt(n: int) -> str:
    return f"02{n // 100 % 100:02d}{n % 100:02d}2"


def members(count: int, linked: bool) -> dict[str, Member]:
    result = {}
    for n in range(count):
        link = WikidataLink(f"Q9999{n:05d}", "manual", "benchmark", DAY) if linked else None
        result[teryt(n)] = Member(teryt(n), Text(f"Gmina Syntetyczna {n}"), "rural-commune", link, HERE)
    return result


def dataset(count: int) -> Dataset:
    organisations = {
        f"org-{k}": Organisation(
            f"org-{k}", Text(f"Stowarzyszenie Syntetyczne {k}"), None, (), "association", None,
            WikidataLink(f"Q99998{k:03d}", "manual", "benchmark", DAY) if k % 4 else None, HERE,
        )
        for k in range(16)
    }  # fmt: skip
    passage = Passage(0, 1, "x", "", "")
    reports = []
    for code in members(count, True):
        memberships = tuple(
            Membership(key, 2011 if i % 3 == 0 else None, None, (passage,), HERE) for i, key in enumerate(organisations)
        )
        reports.append(
            Report(
                code, 2023, Text("Raport"), None, f"https://example.org/{code}/2023", "x", "0" * 64,
                Path("source.txt"), (), memberships, (), HERE,
            )
        )  # fmt: skip
    settings = Settings("https://example.org/id/", "http://creativecommons.org/licenses/by/4.0/", HERE)
    return Dataset(settings, members(count, True), organisations, reports)


def bench_scoring(repeat: int) -> list[tuple[str, float]]:
    targets = [member_target(m) for m in members(COMMUNES, False).values()]

    def candidates(n: int) -> list[Found]:
        return [
            Found(
                Entity(f"Q99990{n:05d}{i}", {"pl": f"gmina Syntetyczna {n}"}, {"pl": "gmina wiejska w Polsce"}),
                None,
            )
            for i in range(4)
        ] + [
            Found(Entity(f"Q99991{n:05d}", {"pl": f"Syntetyczna {n}"}, {"pl": "wieś w Polsce"}), None),
            Found(Entity(f"Q99992{n:05d}", {"pl": f"gmina Syntetyczna {n} Mała"}, {"pl": "gmina"}), None),
        ]

    found = [candidates(n) for n in range(COMMUNES)]
    seconds = median_seconds(lambda: [score_candidates(t, f) for t, f in zip(targets, found, strict=True)], repeat)
    return [(f"score {COMMUNES} targets x 6 candidates", seconds)]


def bench_quickstatements(repeat: int) -> list[tuple[str, float]]:
    rows = []
    for count in (100, 1000, COMMUNES):
        data = dataset(count)
        seconds = median_seconds(lambda data=data: export_quickstatements(data, DAY), repeat)
        rows.append((f"export {count} members x 16 memberships", seconds))
    return rows


def bench_apply(repeat: int) -> list[tuple[str, float]]:
    lines = ["# synthetic members\n"]
    for n in range(COMMUNES):
        lines.append(
            f'"{teryt(n)}":\n  name: {{pl: Gmina Syntetyczna {n}}}\n  kind: rural-commune\n  wikidata: null\n\n'
        )
    text = "".join(lines)
    data = Dataset(Settings("", "", HERE), members(COMMUNES, False), {}, [])
    rows = [
        # "manual": a QID a person chose (a "teryt" row must carry the evidence `link wikidata` writes with it)
        ReviewRow("accept", "member", code, "", f"Q9999{n:05d}", "", "", "manual", "100", "", "")
        for n, code in enumerate(data.members)
    ]

    def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "members.yaml").write_text(text, encoding="utf-8")
            (Path(folder) / "organisations.yaml").write_text("{}\n", encoding="utf-8")
            apply_review(Path(folder), rows, data, "benchmark", DAY, Path("review.csv"))

    return [(f"apply {COMMUNES} accepted links (ruamel round trip)", median_seconds(run, repeat))]


def bench_client(repeat: int) -> list[tuple[str, float]]:
    with replay_server() as server, tempfile.TemporaryDirectory() as cache:
        settings = ClientSettings(
            api_url=server.api_url, sparql_url=server.sparql_url, contact="https://example.org/benchmark",
            min_interval=0.0, cache_dir=Path(cache),
        )  # fmt: skip
        # refresh=True: every call goes over HTTP (and is checked and cached); the second client only reads.
        with WikidataClient(replace(settings, refresh=True)) as network, WikidataClient(settings) as cached:
            over_http = median_seconds(lambda: network.search("Gmina Osiek"), repeat * 10)
            from_cache = median_seconds(lambda: cached.search("Gmina Osiek"), repeat * 10)
    return [
        ("one search over loopback HTTP (5 hits, checked, cached)", over_http),
        ("the same search answered from the disk cache", from_cache),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    rows = bench_scoring(repeat) + bench_quickstatements(repeat) + bench_apply(max(1, repeat // 2))
    rows += bench_client(repeat)
    width = max(len(name) for name, _ in rows)
    print(f"{'benchmark':<{width}}  median")
    print(f"{'-' * width}  ----------")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.2f} ms")


if __name__ == "__main__":
    main()
