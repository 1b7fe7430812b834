"""The build's triples: Oxigraph terms in the canonical order of the files, each once, with the prefixes they use.

The reference for the order is its definition in civicgraph.graph.rdfio (by subject, rdf:type first, then predicate and
object), applied by ``sorted_triples`` to the rdflib graph of the same triples.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from civicgraph.cli.main import main
from civicgraph.graph.build import (
    Block,
    BuiltGraph,
    Run,
    _Builder,
    _prepared,
    build_graph,
    grouped_by_subject,
    ntriples_form,
    subject_digest,
)
from civicgraph.graph.rdfio import sorted_triples, used_prefixes, used_prefixes_of_plain
from civicgraph.graph.terms import Blank, Lit, PlainTriple, oxigraph_triples, plain_triples
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> BuiltGraph:
    """Ten synthetic members over two years: memberships told by several reports, shared periods and evidence."""
    out = tmp_path_factory.mktemp("synth") / "data"
    result = CliRunner().invoke(main, ["synth", "--out", str(out), "--members", "10", "--years", "2022,2023"])
    assert result.exit_code == 0, result.output
    return build_graph(read_dataset(out))


@pytest.mark.parametrize("fixture", ["built", "synthetic"])
def test_triples_are_the_graphs_in_canonical_order(fixture: str, request: pytest.FixtureRequest) -> None:
    graph: BuiltGraph = request.getfixturevalue(fixture)
    assert graph.triples == sorted_triples(graph.graph)


def test_each_triple_is_there_once(synthetic: BuiltGraph) -> None:
    # The builder adds some triples many times (a year's interval for every activity of that year).
    assert len({str(triple) for triple in synthetic.triples}) == len(synthetic.triples)


def test_a_subjects_types_come_first(built: BuiltGraph) -> None:
    by_subject: dict[str, list[str]] = {}
    for triple in built.triples:
        by_subject.setdefault(str(triple.subject), []).append(triple.predicate.value)
    for predicates in by_subject.values():
        types = predicates.count(RDF_TYPE)
        assert predicates[:types] == [RDF_TYPE] * types
        assert predicates[types:] == sorted(predicates[types:])


def test_the_vocabularies_are_part_of_the_graph(built: BuiltGraph, dataset: Dataset) -> None:
    hedge = "https://w3id.org/civicgraph/vocab/hedge/nearly"
    without = build_graph(dataset, vocabularies="none")
    assert any(t.subject.value == hedge for t in built.triples)
    assert not any(t.subject.value == hedge for t in without.triples)


@pytest.mark.parametrize("fixture", ["built", "synthetic"])
def test_the_prefixes_are_those_the_triples_use(fixture: str, request: pytest.FixtureRequest) -> None:
    graph: BuiltGraph = request.getfixturevalue(fixture)
    assert graph.prefixes == used_prefixes(graph.triples)
    assert used_prefixes_of_plain(graph.plain) == graph.prefixes


def test_the_prefixes_of_plain_triples_are_those_turtle_writes() -> None:
    """A prefix per namespace of what Turtle writes: subjects, predicates but rdf:type, objects, datatypes shown
    (not xsd:string, not a language-tagged literal's); never of a blank node's label."""
    skos, dct, xsd = (
        "http://www.w3.org/2004/02/skos/core#",
        "http://purl.org/dc/terms/",
        "http://www.w3.org/2001/XMLSchema#",
    )
    organization = "http://www.w3.org/ns/org#Organization"
    triples: list[PlainTriple] = [
        (Blank("b0"), f"{skos}prefLabel", Lit("nazwa", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", "pl")),
        (organization, RDF_TYPE, f"{skos}Concept"),
        (organization, f"{dct}title", Lit("x", XSD_STRING, None)),
        (organization, f"{dct}date", Lit("2023", f"{xsd}gYear", None)),
    ]
    assert used_prefixes_of_plain(triples) == {
        "dct": "http://purl.org/dc/terms/",
        "org": "http://www.w3.org/ns/org#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
    assert used_prefixes_of_plain(triples[2:3]) == {"dct": dct, "org": "http://www.w3.org/ns/org#"}


def test_without_vocabularies_no_concept_scheme_prefix_but_those_used(dataset: Dataset) -> None:
    bare = build_graph(dataset, vocabularies="none")
    assert bare.prefixes == used_prefixes(bare.triples)
    assert "skos" in bare.prefixes  # labels
    assert "hedge" in bare.prefixes  # figures' hedges are concepts


def test_publishing_never_makes_the_rdflib_graph(dataset: Dataset, tmp_path: Path) -> None:
    fresh = build_graph(dataset)
    publish(dataset, fresh, tmp_path / "dist")
    assert "graph" not in vars(fresh)  # the cached property was never computed


@pytest.mark.parametrize(
    "literal",
    [
        ox.Literal("plain"),
        ox.Literal("Związek Miast Polskich", language="pl"),
        ox.Literal("47740", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ox.Literal('the "ZIT" project'),
        ox.Literal("a\\b"),
        ox.Literal("line one\nline two\r\n", language="en"),
        ox.Literal("tab\tform\x0cbell\x07del\x7f"),
        ox.Literal("„cytat” – zł, 2023 r."),
        ox.Literal("non\ufffecharacters\uffff"),
    ],
)
def test_the_order_key_of_a_literal_is_its_ntriples_form_as_oxigraph_writes_it(literal: ox.Literal) -> None:
    """The build sorts a subject's objects by this key without asking Oxigraph for it: it must be Oxigraph's text,
    or graph.nt and graph.ttl would come out in another order (the canonical order of civicgraph.graph.rdfio)."""
    plain = Lit(literal.value, literal.datatype.value, literal.language)
    assert ntriples_form(plain) == str(literal)


def test_the_plain_triples_are_the_oxigraph_triples(synthetic: BuiltGraph) -> None:
    assert synthetic.plain == list(plain_triples(synthetic.triples))
    assert all(subject is sys.intern(subject) for subject, _predicate, _object in synthetic.plain)
    assert all(predicate is sys.intern(predicate) for _subject, predicate, _object in synthetic.plain)
    assert all(obj is sys.intern(obj) for _subject, _predicate, obj in synthetic.plain if isinstance(obj, str))


@given(text=st.text(), language=st.sampled_from([None, "pl", "en"]))
def test_any_text_gets_oxigraphs_ntriples_form(text: str, language: str | None) -> None:
    literal = ox.Literal(text, language=language) if language else ox.Literal(text)
    assert ntriples_form(Lit(literal.value, literal.datatype.value, literal.language)) == str(literal)


def _lines(triples: list[ox.Triple]) -> list[bytes]:
    """Each triple's N-Triples line, as Oxigraph writes it, in the given order."""
    serialized = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert serialized is not None
    return serialized.splitlines()


def test_the_ntriples_order_is_the_byte_order_of_the_lines(synthetic: BuiltGraph) -> None:
    lines = _lines(list(oxigraph_triples(synthetic.plain_in_lines)))
    assert lines == sorted(_lines(synthetic.triples))
    # The two orders differ (a subject's children come first, and rdf:type sits among the predicates):
    assert lines != _lines(synthetic.triples)


# Subjects that extend another with a character sorting before ">" ("/", "-", ".", a digit) or after it, and
# predicates on both sides of rdf:type: what makes the N-Triples order differ from the canonical one.
_ENDINGS = st.text(alphabet="/-.0>aZ~ą", max_size=4).map(lambda text: text.replace(">", "%3E"))
_PREDICATES = [
    RDF_TYPE,
    "http://purl.org/dc/terms/title",  # before rdf:type
    "http://schema.org/name",  # before rdf:type
    "http://www.w3.org/2004/02/skos/core#prefLabel",  # after rdf:type
    "https://w3id.org/civicgraph/ontology#note",
]
_PREDICATE_EXTENDED = "http://schema.org/name/part"  # extends schema:name with "/", which sorts before ">"


@given(endings=st.lists(_ENDINGS, min_size=1, max_size=12), extended=st.booleans())
def test_the_ntriples_order_holds_for_any_subjects_and_predicates(
    dataset: Dataset, endings: list[str], extended: bool
) -> None:
    builder = _Builder(dataset)
    predicates = [*_PREDICATES, _PREDICATE_EXTENDED] if extended else _PREDICATES
    for number, ending in enumerate(endings):
        subject = f"https://example.org/x{ending}"
        for predicate in predicates:
            obj = "https://example.org/Thing" if predicate == RDF_TYPE else Lit(f"v{number}", XSD_STRING, None)
            builder.add(subject, predicate, obj)
            builder.add(subject, predicate, Lit(f"v{number}", RDF_LANG_STRING, "pl") if predicate != RDF_TYPE else obj)
    triples = list(oxigraph_triples(builder.sorted_triples()))
    assert _lines(list(oxigraph_triples(builder.plain_in_lines))) == sorted(_lines(triples))


# The blocks' subjects: under "https://example.org/a0/" and ".../b0/" for the first block (two runs), and so on.
_IN_A_RUN = st.text(alphabet="/-0a~", max_size=3)
# The other subjects: they may sort into a run, be one of its subjects, or begin one ("…/a0" is extended by "…/a0/").
_AROUND_RUNS = st.sampled_from(["a0", "a0/", "a0/a", "a0-", "b0", "b0/0", "a1", "a1/", "a", "b", "c", ""])


def _add_triples(builder: _Builder, subject: str, number: int) -> None:
    """A type and literals of predicates on both sides of rdf:type, one of them the same for every subject."""
    builder.add(subject, RDF_TYPE, "https://example.org/Thing")
    builder.add(subject, "http://schema.org/name", Lit("same", XSD_STRING, None))
    builder.add(subject, "http://www.w3.org/2004/02/skos/core#prefLabel", Lit(f"v{number}", RDF_LANG_STRING, "pl"))


@given(
    blocks=st.lists(st.lists(_IN_A_RUN, min_size=1, max_size=4, unique=True), min_size=1, max_size=3),
    others=st.lists(_AROUND_RUNS, max_size=5, unique=True),
)
def test_runs_placed_whole_or_subject_by_subject_give_the_order_of_the_subjects_placed_alone(
    dataset: Dataset, blocks: list[list[str]], others: list[str]
) -> None:
    """A run is placed whole unless another subject sorts into it or it extends one held back for the line order;
    whichever way, every subject's triples are there once, in both orders, with their digests."""
    builder = _Builder(dataset)
    for number, endings in enumerate(blocks):
        made = _Builder(dataset)
        for ending in endings:
            for prefix in (f"https://example.org/a{number}/", f"https://example.org/b{number}/"):
                _add_triples(made, prefix + ending, number)
        prepared, predicates, _written = _prepared(made.subjects, True)
        runs = []
        for prefix in ("a", "b"):
            subjects = sorted(one for one in prepared if one[0].startswith(f"https://example.org/{prefix}"))
            run = Run.of(subjects)
            assert run.subjects() == subjects  # taken apart, a run gives back its subjects as prepared
            runs.append(run)
        builder.take(Block(runs, [], [], {}, frozenset(predicates), frozenset()))
    for number, ending in enumerate(others):
        _add_triples(builder, "https://example.org/" + ending, 100 + number)
    expected = {(s, key[1], obj) for s, objects in builder.subjects.items() for key, obj in objects.items()}
    expected.update(triple for block in builder.blocks for run in block.runs for triple in run.triples)
    digests: dict[str, bytes] = {}

    triples = builder.sorted_triples(digests)

    def key(triple: PlainTriple) -> tuple[bool, str, str]:
        return (triple[1] != RDF_TYPE, triple[1], ntriples_form(triple[2]))

    assert triples == sorted(expected, key=lambda triple: (triple[0], key(triple)))
    assert _lines(list(oxigraph_triples(builder.plain_in_lines))) == sorted(_lines(list(oxigraph_triples(triples))))
    subjects = sorted({triple[0] for triple in expected})
    assert list(digests) == subjects
    assert digests == {s: subject_digest(sorted(key(t) for t in expected if t[0] == s)) for s in subjects}


def test_grouped_by_subject_is_the_order_of_the_terms_as_oxigraph_prints_them() -> None:
    """The pages of the ontology, the vocabularies and the shapes list triples in this order: sorting the plain
    terms must give what sorting Oxigraph's triples by their printed forms gave."""
    vocabulary = "https://w3id.org/civicgraph/vocab/hedge"
    label = "http://www.w3.org/2004/02/skos/core#prefLabel"
    triples = [
        ox.Triple(ox.NamedNode(vocabulary), ox.NamedNode(label), ox.Literal("dopowiedzenie", language="pl")),
        ox.Triple(ox.NamedNode(vocabulary), ox.NamedNode(RDF_TYPE), ox.NamedNode("https://example.org/Scheme")),
        # "<…/hedge/nearly>" sorts before "<…/hedge>" ("/" before ">"), though "…/hedge" sorts first alone
        ox.Triple(ox.NamedNode(f"{vocabulary}/nearly"), ox.NamedNode(label), ox.Literal("prawie", language="pl")),
        ox.Triple(ox.NamedNode(f"{vocabulary}/nearly"), ox.NamedNode(label), ox.Literal('"nearly"', language="en")),
    ]
    printed = sorted(
        triples, key=lambda t: (str(t.subject), t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object))
    )
    assert grouped_by_subject(plain_triples(triples)) == list(plain_triples(printed))
    assert [s for s, _p, _o in grouped_by_subject(plain_triples(triples))][::2] == [f"{vocabulary}/nearly", vocabulary]
