"""`civicgraph validate`: a report a person can act on, grouped per resource and traced to the source line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from civicgraph.cli import build as build_command
from civicgraph.cli.main import main
from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.rdfio import sorted_triples, write_turtle
from civicgraph.graph.subjects import DIGESTS_KEPT_AS, kept_digests
from civicgraph.shacl.scoped import keep_validation
from civicgraph.shacl.validate import Severity, validate_graph
from civicgraph.source.records import Dataset
from civicgraph.util.folders import beside
from civicgraph.util.progress import Progress

from ..conftest import BASE, DATA, ROOT

CG = "https://w3id.org/civicgraph/ontology#"
SHAPES = "https://w3id.org/civicgraph/shapes#"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civicgraph", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def _drop_english_name_of_the_voivodeship(data: Path) -> int:
    members = data / "members.yaml"
    text = members.read_text(encoding="utf-8")
    old = "  name: {pl: Województwo Wielkopolskie, en: Greater Poland Voivodeship}"
    assert text.count(old) == 1
    members.write_text(text.replace(old, "  name: {pl: Województwo Wielkopolskie}"), encoding="utf-8")
    return text[: text.index('"30":')].count("\n") + 1


def test_the_real_data_conforms_and_poznan_2023_without_warnings(dist: Path) -> None:
    result = _run("validate", "--lang", "en", "--format", "json", "--data", str(DATA))
    assert (result.returncode, json.loads(result.stdout)["violations"]) == (0, 0)
    # what the shipped report states (its edition) has no warning either, whatever else the data holds
    edition = _run("validate", "--lang", "en", "--graph", str(dist / "editions" / "3064011-2023.ttl"))
    assert (edition.returncode, edition.stdout) == (0, "The data conforms to the SHACL shapes.\n")


def test_a_warning_is_traced_to_its_source_line_in_polish(data_copy: Path) -> None:
    line = _drop_english_name_of_the_voivodeship(data_copy)
    result = _run("validate", "--data", str(data_copy))
    assert result.returncode == 0  # warnings do not make the data non-conforming
    assert result.stdout.splitlines() == [
        f"{BASE}member/30  (źródło: {data_copy / 'members.yaml'}:{line})",
        "  - ostrzeżenie: Zalecana jest także nazwa jednostki samorządu po angielsku (skos:prefLabel @en). "
        f"[właściwość: {SKOS_PREF_LABEL}]",
        "0 błędów, 1 ostrzeżeń",
    ]


def test_json_report_names_shape_path_and_source(data_copy: Path) -> None:
    line = _drop_english_name_of_the_voivodeship(data_copy)
    result = _run("validate", "--data", str(data_copy), "--format", "json", "--lang", "en")
    report = json.loads(result.stdout)
    assert report["conforms"] is True
    assert (report["violations"], report["warnings"]) == (0, 1)
    assert report["results"] == [
        {
            "focusNode": f"{BASE}member/30",
            "source": f"{data_copy / 'members.yaml'}:{line}",
            "severity": "Warning",
            "path": SKOS_PREF_LABEL,
            "sourceShape": SHAPES + "LocalGovernmentShape-prefLabelEn",
            "constraint": "http://www.w3.org/ns/shacl#QualifiedMinCountConstraintComponent",
            "value": None,
            "message": "An English name of the local government (skos:prefLabel @en) is recommended.",
        }
    ]


def _graph_without_membership_evidence(built: BuiltGraph, tmp_path: Path) -> Path:
    graph = built.graph.__class__()
    membership = URIRef(BASE + "membership/3064011/zmp")
    for triple in built.graph:
        if not (triple[0] == membership and triple[1] == URIRef(CG + "evidence")):
            graph.add(triple)
    path = tmp_path / "broken.ttl"
    # civicgraph's writer, not rdflib's: rdflib would write the decimal 139 as 139.0, a non-canonical form
    # the shapes rightly reject (FigureShape-value).
    write_turtle(sorted_triples(graph), path)
    return path


def test_a_graph_file_with_a_violation_exits_1_naming_the_shape(built: BuiltGraph, tmp_path: Path) -> None:
    broken = _graph_without_membership_evidence(built, tmp_path)
    result = _run("validate", "--graph", str(broken), "--format", "json", "--lang", "en")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    violations = [r for r in report["results"] if r["severity"] == "Violation"]  # other reports may warn
    assert [(r["focusNode"], r["sourceShape"], r["path"], r["severity"]) for r in violations] == [
        (f"{BASE}membership/3064011/zmp", SHAPES + "MembershipShape-evidence", CG + "evidence", "Violation")
    ]
    assert violations[0]["message"] == (
        "A membership must rest on at least one piece of evidence (cg:evidence, cg:Evidence)."
    )


def test_turtle_format_is_a_shacl_validation_report(built: BuiltGraph, tmp_path: Path) -> None:
    from rdflib import Graph
    from rdflib.namespace import SH

    broken = _graph_without_membership_evidence(built, tmp_path)
    result = _run("validate", "--graph", str(broken), "--format", "turtle")
    report = Graph().parse(data=result.stdout, format="turtle")
    assert [v.toPython() for v in report.objects(None, SH.conforms)] == [False]
    violations = report.subjects(SH.resultSeverity, SH.Violation)  # other reports may warn
    assert {str(report.value(r, SH.sourceShape)) for r in violations} == {SHAPES + "MembershipShape-evidence"}


def test_build_refuses_to_publish_a_violating_graph(built: BuiltGraph) -> None:
    """The library-level check the build relies on: a violation makes the report non-conforming."""
    graph = built.graph.__class__()
    for triple in built.graph:
        graph.add(triple)
    graph.remove((URIRef(BASE + "activity/3064011/2023/pkm"), URIRef(CG + "withinMembership"), None))
    report = validate_graph(graph)
    assert not report.conforms
    assert {(r.shape, r.severity) for r in report.violations} == {
        (SHAPES + "ActivityShape-withinMembership", Severity.VIOLATION)
    }


def test_unreadable_graph_file_is_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b", encoding="utf-8")
    result = _run("validate", "--graph", str(bad))
    assert result.returncode == 3
    assert result.stderr.startswith(f"Błąd: {bad}: to nie jest poprawny plik turtle:")
    assert "Traceback" not in result.stderr
    in_english = _run("validate", "--lang", "en", "--graph", str(bad))
    assert in_english.returncode == 3
    assert in_english.stderr.startswith(f"Error: {bad}: not valid turtle:")


def test_pyshacl_stopping_on_a_value_it_cannot_compare_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    """ "NaN" is not in the lexical space of xsd:decimal (XSD 1.1 part 2, 3.3.3); pyshacl stops on it against
    sh:minInclusive, the fast engine reports it (tests/test_shacl_fast.py)."""
    graph = tmp_path / "nan.ttl"
    graph.write_text(
        "@prefix cg: <https://w3id.org/civicgraph/ontology#> .\n"
        "@prefix schema: <http://schema.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/civicgraph/id/x> a cg:Figure ; schema:value "NaN"^^xsd:decimal .\n',
        encoding="utf-8",
    )
    stopped = _run("validate", "--lang", "en", "--graph", str(graph), "--engine", "pyshacl")
    assert stopped.returncode == 3
    assert stopped.stderr == (
        "Error: pyshacl stopped on a value it cannot compare (decimal.InvalidOperation), such as "
        '"NaN"^^xsd:decimal against sh:minInclusive; the default engine (--engine fast) reports such a value as a '
        "result with its focus node\n"
    )
    reported = _run("validate", "--graph", str(graph), "--format", "json")
    assert reported.returncode == 1
    found = {(r["sourceShape"], r["value"]) for r in json.loads(reported.stdout)["results"] if r["value"] == "NaN"}
    assert found == {(SHAPES + "FigureShape-value", "NaN")}


BLANK_START = """
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/civicgraph/id/report/3064011/2023/text/chars/1-5/position> a oa:TextPositionSelector ;
    oa:start [] ; oa:end "5"^^xsd:integer .
"""


def test_a_blank_node_under_sh_less_than_is_a_result_for_the_fast_engine(tmp_path: Path) -> None:
    """SPARQL's < cannot compare a blank node: SHACL 4.5.3 makes that a result (as Apache Jena reports it)."""
    graph = tmp_path / "blank.ttl"
    graph.write_text(BLANK_START, encoding="utf-8")
    run = _run("validate", "--graph", str(graph), "--format", "json")
    assert run.returncode == 1, run.stderr
    fired = {(r["sourceShape"], r["constraint"]) for r in json.loads(run.stdout)["results"]}
    start = "https://w3id.org/civicgraph/shapes#TextPositionSelectorShape-start"
    assert (start, "http://www.w3.org/ns/shacl#LessThanConstraintComponent") in fired


def test_pyshacl_stopping_on_a_blank_node_under_sh_less_than_is_one_line_and_exit_3(tmp_path: Path) -> None:
    graph = tmp_path / "blank.ttl"
    graph.write_text(BLANK_START, encoding="utf-8")
    run = _run("validate", "--lang", "en", "--graph", str(graph), "--engine", "pyshacl")
    assert run.returncode == 3
    assert run.stderr.splitlines() == [
        "Error: pyshacl stopped: Cannot use sh:lessThan to compare a BlankNode; the default engine (--engine fast) "
        "reports such a value as a result with its focus node"
    ]
    assert "Traceback" not in run.stderr


def test_build_prints_a_warning_once_and_publishes(data_copy: Path, tmp_path: Path) -> None:
    """A first build validates before it publishes; a build into the earlier release validates in another process
    while it writes the graph files, and prints the results when it has them: the same, once, either way."""
    line = _drop_english_name_of_the_voivodeship(data_copy)
    out = tmp_path / "dist"
    for _build in ("first", "into the earlier release"):
        result = _run("build", "--lang", "en", "--data", str(data_copy), "--out", str(out))
        assert result.returncode == 0
        lines = result.stderr.splitlines()
        assert lines[:3] == [
            f"{BASE}member/30  (source: {data_copy / 'members.yaml'}:{line})",
            "  - warning: An English name of the local government (skos:prefLabel @en) is recommended. "
            f"[property: {SKOS_PREF_LABEL}]",
            "0 violations, 1 warnings",
        ]
        assert f"wrote {out} (1814 triples, 1 reports, 1 SHACL warnings)" in lines[3:]
        assert result.stderr.count("member/30") == 1


def _forks_recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions ``civicgraph build`` runs in a forked process from now on."""
    forks: list[str] = []
    fork = build_command.forked

    def recorded(work: Any) -> Any:
        forks.append(work.func.__name__)
        return fork(work)

    monkeypatch.setattr(build_command, "forked", recorded)
    return forks


@pytest.mark.parametrize(
    ("alongside", "processes", "larger_than_allowed", "forked"),
    [(True, 2, 0, True), (False, 2, 0, False), (True, 1, 0, False), (True, 2, 1, False)],
)
def test_the_graph_is_validated_alongside_with_two_cores_into_an_earlier_release_up_to_a_size(
    built: BuiltGraph,
    monkeypatch: pytest.MonkeyPatch,
    alongside: bool,
    processes: int,
    larger_than_allowed: int,
    forked: bool,
) -> None:
    """Validated alongside, the validating processes copy the pages of the graph they touch: only where it pays
    (a build into an earlier release, whose graph files leave a core idle) and up to a size."""
    largest = built.size - larger_than_allowed
    forks = _forks_recorded(monkeypatch)
    monkeypatch.setattr(build_command, "workers", lambda: processes)
    monkeypatch.setattr(build_command, "VALIDATED_ALONGSIDE_UP_TO", largest)
    with build_command.validated_meanwhile(built, "fast", Progress(), alongside=alongside) as validation:
        assert forks == (["_validating"] if forked else [])
        report = validation.report()
    assert report.results == validate_graph(built).results
    assert report.conforms


@pytest.mark.parametrize(("processes", "alongside"), [(2, True), (1, True), (2, False)])
def test_the_validating_process_does_the_work_given_once_it_has_sent_its_report(
    built: BuiltGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int, alongside: bool
) -> None:
    """``then`` (VoID, for ``civicgraph build``) is done by the validating process after its report, and
    ``Validation.then`` waits for it; validated here, ``then`` is not done and ``Validation.then`` is None: the
    caller does the work."""
    monkeypatch.setattr(build_command, "workers", lambda: processes)
    done = tmp_path / "done-by"
    with build_command.validated_meanwhile(
        built, "fast", Progress(), alongside=alongside, then=lambda: done.write_text(str(os.getpid()))
    ) as validation:
        report = validation.report()
        if validation.then is not None:
            validation.then()
            assert int(done.read_text()) != os.getpid()
    assert (validation.then is not None) is (processes == 2 and alongside)
    assert done.exists() is (processes == 2 and alongside)
    assert report.results == validate_graph(built).results


def test_a_failure_of_the_work_done_after_validating_is_raised_where_it_is_waited_for(
    built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_command, "workers", lambda: 2)
    meanwhile = build_command.validated_meanwhile(built, "fast", Progress(), alongside=True, then=fails)
    with pytest.raises(OSError, match="No space left on device"), meanwhile as validation:
        assert validation.report().conforms
        assert validation.then is not None
        validation.then()


def test_a_graph_above_the_size_is_validated_alongside_once_only_where_it_changed_is_validated_again(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validated again only where it changed, the validating process builds no index of the whole graph: a graph
    above the size is validated alongside then, and before publishing while nothing fitting was kept."""
    built = build_graph(dataset, digested=True)
    out = tmp_path / "dist"
    forks = _forks_recorded(monkeypatch)
    monkeypatch.setattr(build_command, "workers", lambda: 2)
    monkeypatch.setattr(build_command, "VALIDATED_ALONGSIDE_UP_TO", built.size - 1)
    with build_command.validated_meanwhile(built, "fast", Progress(), alongside=True, since=out) as validation:
        assert forks == []  # nothing kept beside out
        whole = validation.report()
    beside(out, DIGESTS_KEPT_AS).write_bytes(kept_digests(built.digests or {}))
    keep_validation(out, whole)
    with build_command.validated_meanwhile(built, "fast", Progress(), alongside=True, since=out) as validation:
        assert forks == ["_validating"]
        assert validation.report().results == whole.results


@pytest.mark.parametrize("processes", [2, 1])
def test_build_refuses_a_graph_that_violates_the_shapes_and_leaves_the_release(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    """The graph is validated in a forked process (with one core, before publishing): a violation found there
    ends the build with exit 1, the report and one line, and the earlier release stays as it was."""
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(out)]).exit_code == 0
    earlier = _release_and_what_lies_beside(out)
    activity, within = BASE + "activity/3064011/2023/pkm", CG + "withinMembership"

    def without_its_membership(dataset: Dataset, **options: Any) -> BuiltGraph:
        built = build_graph(dataset, **options)
        kept = [triple for triple in built.plain if triple[:2] != (activity, within)]
        assert len(kept) == len(built.plain) - 1
        in_lines = [triple for triple in built.plain_in_lines if triple[:2] != (activity, within)]
        return BuiltGraph(kept, built.sources, built.prefixes, in_lines, built.digests)

    monkeypatch.setattr(build_command, "build_graph", without_its_membership)
    monkeypatch.setattr(build_command, "workers", lambda: processes)
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data_copy), "--out", str(out)])
    assert result.exit_code == 1
    report = data_copy / "reports/3064011/2023/report.yaml"
    line = report.read_text(encoding="utf-8").splitlines().index("  pkm:") + 1  # the activity's key
    assert result.stderr.splitlines() == [
        f"{activity}  (source: {report}:{line})",
        "  - violation: An activity must belong to exactly one membership (cg:withinMembership, org:Membership). "
        f"[property: {within}]",
        "1 violations, 0 warnings",
        f"Error: the graph violates the shapes (1 violations); {out} was left untouched",
    ]
    assert _release_and_what_lies_beside(out) == earlier  # no staging folder left either


def _release_and_what_lies_beside(out: Path) -> dict[Path, bytes]:
    """Every file of the release and beside it (the lock, what the build keeps for the next one), but the data."""
    beside = [p for p in out.parent.iterdir() if p.name != "data"]
    assert {p.name for p in beside} >= {"dist", ".dist.lock", ".dist.reuse.json"}
    return {p: p.read_bytes() for top in beside for p in [top, *top.rglob("*")] if p.is_file()}
