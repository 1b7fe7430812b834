"""Stage 5 — query: SPARQL over a built graph, in-process, with parameters bound as pre-bound variables.

The query library lives in ``queries/*.rq``. Each file opens with a comment block that states, in Polish and
English, the question it answers and its parameters::

    # pl: Których krajowych organizacji członkiem jest samorząd ...?
    # en: Which national organisations is the local government ... a member of?
    # param teryt string: kod TERYT samorządu / the local government's TERYT code
    # example: teryt=3064011

A parameter is a variable of the query bound before it runs, never text pasted into the query: rdflib gets
``initBindings``; Oxigraph and remote stores get a ``VALUES`` block opening the top-level WHERE group, its terms
written by pyoxigraph's term serializer (Oxigraph's own ``substitutions``, SEP-0007, are applied after it plans
the joins, so a bound IRI did not drive the look-ups: 250 ms against 0.7 ms for one fact of the national graph).
The ways differ at the edges (rdflib pushes bindings into sub-queries), so library queries follow one rule:
every parameter is a variable the top-level ``SELECT`` projects (a ``GROUP BY`` key in an aggregate query),
bound in the top-level pattern, never assigned by ``BIND`` or ``VALUES``. Under that rule every engine gives the
same answers; ``tests/test_queries_engines.py`` proves it for every library query. In the query files the triple
patterns holding a parameter come first, and the others follow the chain of variables from them: where its
estimates tie, Oxigraph joins in the order written, and starting from the reporting member instead of every report
took a member's figures from 25 ms to 1 ms on the national graph. A query that would read the whole graph without
its parameters says so in a ``# required:`` line and is refused without them.

The default engine is Oxigraph (pyoxigraph): measured in ``benchmarks/bench_queries.py``, rdflib's engine is 51
to 630 times slower per library query on the real graph, and minutes instead of milliseconds for some queries on
a graph 50 times larger. rdflib's engine stays available (``--engine rdflib``) as the reference the equivalence
test compares against.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from xml.etree import ElementTree

import pyoxigraph as ox

from civicgraph.sparql.guard import LEXICAL_TOKENS
from civicgraph.util.iris import CGV, PREFIXES, XSD
from civicgraph.util.resources import resource_dir

if TYPE_CHECKING:
    import httpx
    from rdflib import Graph

Term = ox.NamedNode | ox.BlankNode | ox.Literal

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

DEFAULT_DATA = Path("dist") / "graph.nt"
DEFAULT_BASE = "https://w3id.org/civicgraph/id/"  # shown as id: in tables; a dataset may set another base
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


# -- errors -------------------------------------------------------------------------------------------------


class QueryError(Exception):
    """An expected failure of a query; the CLI and the endpoint turn each kind into an exit code or status."""


class QuerySyntaxError(QueryError):
    """The text is not a SPARQL query; the message names the line and column when the parser gives them."""


class UpdateRefused(QuerySyntaxError):
    """The text is a SPARQL Update: civicgraph only ever reads the graph."""


class QueryUsageError(QueryError):
    """A wrong parameter or an unknown library query."""


class QueryDataError(QueryError):
    """The graph to query is missing or unreadable."""


class QueryExecutionError(QueryError):
    """The query parsed but failed while running (e.g. a remote SERVICE or store did not answer)."""


class ResultTooLarge(QueryError):
    def __init__(self, limit: int, unit: str = "rows") -> None:
        super().__init__(f"the result has more than {limit} {unit}, the limit here; add LIMIT or narrow the query")
        self.limit = limit


class UnwritableResult(QueryError):
    """The result holds a character the chosen format cannot carry (XML 1.0 has no way to write U+0001)."""


# -- the library ------------------------------------------------------------------------------------------


def _literal_of(datatype: str, pattern: str) -> Callable[[str], Term]:
    def make(value: str) -> Term:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"{value!r} is not an xsd:{datatype}")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))

    return make


def _iri(value: str) -> Term:
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ValueError(f"{value!r} is not an absolute IRI (give the full IRI, e.g. https://w3id.org/...)")
    return ox.NamedNode(value)


# Parameter types a query header may declare, each turning the text a person types into an RDF term.
PARAMETER_TYPES: dict[str, Callable[[str], Term]] = {
    "string": ox.Literal,
    "iri": _iri,
    "gYear": _literal_of("gYear", r"-?[0-9]{4,}"),
    "integer": _literal_of("integer", r"[+-]?[0-9]+"),
    "decimal": _literal_of("decimal", r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    "date": _literal_of("date", r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}"),
}
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str

    def term(self, value: str) -> Term:
        try:
            made: Term = PARAMETER_TYPES[self.type](value)
        except ValueError as error:
            raise QueryUsageError(f"parameter {self.name}: {error}") from None
        return made


@dataclass(frozen=True)
class LibraryQuery:
    """A query file with what its header says about it."""

    name: str
    path: Path | None
    text: str
    question_pl: str = ""
    question_en: str = ""
    parameters: tuple[Parameter, ...] = ()
    examples: tuple[dict[str, str], ...] = ()
    required: tuple[str, ...] = ()  # parameters without which the query reads the whole graph

    @property
    def source(self) -> str:
        return str(self.path) if self.path is not None else self.name

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


class QueryFileError(ValueError):
    """A malformed header in a query file, located by file and line."""


_QUESTION = re.compile(r"(?P<lang>pl|en):\s*(?P<text>\S.*)")
_PARAM = re.compile(r"param\s+(?P<name>\S+)\s+(?P<type>\S+):\s*(?P<description>\S.*)")
_EXAMPLE = re.compile(r"example:\s*(?P<pairs>\S.*)")
_REQUIRED = re.compile(r"required:\s*(?P<names>\S.*)")


def parse_query_text(text: str, name: str, path: Path | None = None) -> LibraryQuery:
    """Read the header comment block (the lines starting with ``#`` at the top) of a query."""
    questions: dict[str, str] = {}
    parameters: list[Parameter] = []
    examples: list[dict[str, str]] = []
    required: list[str] = []
    where = str(path) if path is not None else name
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if question := _QUESTION.fullmatch(body):
            questions.setdefault(question["lang"], question["text"].strip())
        elif param := _PARAM.fullmatch(body):
            if not _VARIABLE_NAME.fullmatch(param["name"]) or param["type"] not in PARAMETER_TYPES:
                raise QueryFileError(
                    f"{where}:{number}: a parameter is 'param NAME TYPE: description' with TYPE one of "
                    f"{', '.join(PARAMETER_TYPES)}"
                )
            parameters.append(Parameter(param["name"], param["type"], param["description"].strip()))
        elif example := _EXAMPLE.fullmatch(body):
            examples.append(_parse_example(example["pairs"], f"{where}:{number}"))
        elif names := _REQUIRED.fullmatch(body):
            required.extend(names["names"].split())
    query = LibraryQuery(
        name,
        path,
        text,
        questions.get("pl", ""),
        questions.get("en", ""),
        tuple(parameters),
        tuple(examples),
        tuple(required),
    )
    undeclared = [key for key in required if query.parameter(key) is None]
    if undeclared:
        raise QueryFileError(f"{where}: required: {', '.join(undeclared)} not declared as param")
    for number, example_values in enumerate(query.examples, start=1):
        unknown = [key for key in example_values if query.parameter(key) is None]
        if unknown:
            raise QueryFileError(f"{where}: example {number} sets {', '.join(unknown)}, not declared as param")
    return query


def _parse_example(pairs: str, where: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs.split():
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise QueryFileError(f"{where}: an example is a list of name=value pairs, got {pair!r}")
        values[key] = value
    return values


def read_query_file(path: Path) -> LibraryQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryUsageError(f"{path}: no such query file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise QueryUsageError(f"{path}: cannot read the query file ({error})") from None
    return parse_query_text(text, path.stem, path)


def library(folder: Path | None = None) -> dict[str, LibraryQuery]:
    """The library's queries by name (file name without ``.rq``); ``queries/federated/`` is not part of it."""
    folder = folder if folder is not None else resource_dir("queries")
    return {path.stem: read_query_file(path) for path in sorted(folder.glob("*.rq"))}


def resolve_query(name_or_file: str, folder: Path | None = None) -> LibraryQuery:
    """A library query by name, or a query file (any path, ``-`` for standard input is the caller's job)."""
    path = Path(name_or_file)
    if name_or_file.endswith(".rq") or path.is_file():
        return read_query_file(path)
    queries = library(folder)
    if name_or_file not in queries:
        raise QueryUsageError(
            f"no query named {name_or_file!r} in the library (see `civicgraph query --list`), and no such file"
        )
    return queries[name_or_file]


def bind_parameters(query: LibraryQuery, values: Mapping[str, str]) -> dict[str, Term]:
    """The terms for ``name=value`` parameters, typed as the query's header declares them.

    A query without declared parameters (an ad-hoc query) takes ``<IRI>`` as an IRI and anything else as a
    plain string.
    """
    bindings: dict[str, Term] = {}
    for name, value in values.items():
        if not _VARIABLE_NAME.fullmatch(name):
            raise QueryUsageError(f"parameter {name!r}: a parameter name is a SPARQL variable name")
        if query.parameters:
            declared = query.parameter(name)
            if declared is None:
                takes = ", ".join(p.name for p in query.parameters)
                raise QueryUsageError(f"query {query.name} has no parameter {name!r}; it takes: {takes}")
            bindings[name] = declared.term(value)
        elif value.startswith("<") and value.endswith(">"):
            bindings[name] = Parameter(name, "iri", "").term(value[1:-1])
        else:
            bindings[name] = ox.Literal(value)
    return bindings


# -- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solutions:
    """A SELECT result: the projected variables, and one mapping per row of the variables it binds."""

    variables: tuple[str, ...]
    rows: tuple[dict[str, Term], ...]


@dataclass(frozen=True)
class Boolean:
    """An ASK result."""

    value: bool


@dataclass(frozen=True)
class Triples:
    """A CONSTRUCT or DESCRIBE result."""

    triples: tuple[ox.Triple, ...]


QueryResult = Solutions | Boolean | Triples


# -- engines ----------------------------------------------------------------------------------------------


class QueryEngine(Protocol):
    name: str

    def run(
        self,
        query: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        max_results: int | None = None,
        source: str = "query",
    ) -> QueryResult: ...


def rdf_format(path: Path) -> ox.RdfFormat:
    try:
        return RDF_FORMATS[path.suffix.lower()]
    except KeyError:
        raise QueryDataError(
            f"{path}: unknown RDF format; give a Turtle (.ttl), N-Triples (.nt) or JSON-LD (.jsonld) file"
        ) from None


def check_data_file(path: Path) -> ox.RdfFormat:
    """The RDF format of a graph file to query, or :class:`QueryDataError` saying why there is none."""
    if not path.is_file():
        if path == DEFAULT_DATA:
            raise QueryDataError(f"{path}: no such file; run `civicgraph build` first, or give a graph with --data")
        raise QueryDataError(f"{path}: no such file; give a Turtle, N-Triples or JSON-LD graph with --data")
    return rdf_format(path)


def load_store(path: Path) -> ox.Store:
    """An in-memory Oxigraph store holding the graph of a Turtle, N-Triples or JSON-LD file."""
    rdf = check_data_file(path)
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=rdf)
    except (SyntaxError, ValueError, OSError) as error:
        raise QueryDataError(f"{path}: cannot read the graph: {error}") from None
    return store


def load_rdflib_graph(path: Path) -> Graph:
    from rdflib import Graph

    check_data_file(path)
    graph = Graph()
    try:
        graph.parse(path, format={".ttl": "turtle", ".nt": "nt"}.get(path.suffix.lower(), "json-ld"))
    except Exception as error:  # rdflib's parsers raise many unrelated types
        raise QueryDataError(f"{path}: cannot read the graph: {error}") from None
    return graph


_OXIGRAPH_POSITION = re.compile(r"error at (?P<line>\d+):(?P<column>\d+): (?P<detail>.*)", re.DOTALL)


def _syntax_error(source: str, line: int | None, column: int | None, detail: str) -> QuerySyntaxError:
    where = f"{source}:{line}:{column}" if line is not None else source
    return QuerySyntaxError(f"{where}: SPARQL syntax error: {detail.strip()}")


def is_update(text: str) -> bool:
    """Whether the text parses as a SPARQL Update (parsed only: nothing is ever executed)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # not an update either; rdflib's parser raises several types
        return False
    return True


def _locate_syntax_error(query: str, source: str, message: str) -> QuerySyntaxError:
    """Oxigraph's message, at the line and column where the faulty construct starts.

    Oxigraph reports the furthest point its parser reached, often the end of the query; rdflib's parser names
    the start of the construct it could not read, which is where a person has to look. Oxigraph's position is
    kept when rdflib reads the query (a rule only Oxigraph checks, e.g. an unbound variable in a SELECT).
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    if is_update(query):
        return UpdateRefused(f"{source}: this is a SPARQL Update; civicgraph is read-only and runs queries only")
    found = _OXIGRAPH_POSITION.match(message)
    detail = found["detail"] if found else message
    try:
        parseQuery(query)
    except ParseBaseException as error:
        near = query.splitlines()[error.lineno - 1][error.col - 1 :].strip()[:40] if query.strip() else ""
        return _syntax_error(source, error.lineno, error.col, f"near '{near}': {detail}" if near else detail)
    except Exception:  # rdflib could not tell either
        pass
    if found is None:
        return _syntax_error(source, None, None, detail)
    return _syntax_error(source, int(found["line"]), int(found["column"]), detail)


class OxigraphEngine:
    """The default engine: pyoxigraph's in-memory store."""

    name = "oxigraph"

    def __init__(self, store: ox.Store, holder: object = None) -> None:
        self.store = store
        self.holder = holder  # what keeps a cached store from removal while the engine lives (sparql.storecache)

    @classmethod
    def from_file(cls, path: Path) -> OxigraphEngine:
        return cls(load_store(path))

    def __len__(self) -> int:
        return len(self.store)

    def run(
        self,
        query: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        max_results: int | None = None,
        source: str = "query",
    ) -> QueryResult:
        # Parameters go in as a VALUES block opening the WHERE group: Oxigraph plans its joins from there, so a
        # bound IRI drives index look-ups. Its own `substitutions` are applied after planning (a look-up of one
        # fact scanned every evidence of the national graph: 250 ms against 0.7 ms) and stay the fallback.
        substitutions: dict[ox.Variable, Term | ox.Triple] = {}
        if bindings:
            leading = with_leading_values(query, bindings)
            if leading is not None:
                query = leading
            else:
                substitutions = {ox.Variable(name): term for name, term in bindings.items()}
        try:
            answer = self.store.query(query, substitutions=substitutions or None)
            return _collect_oxigraph(answer, max_results)
        except SyntaxError as error:
            raise _locate_syntax_error(query, source, str(error)) from None
        except RuntimeError as error:
            if "does not contains variable" in str(error) or "does not contain variable" in str(error):
                raise QueryUsageError(f"{source}: a parameter must be a variable the query SELECTs ({error})") from None
            raise QueryExecutionError(f"{source}: {error}") from None
        except OSError as error:
            raise QueryExecutionError(f"{source}: {error}") from None


def _collect_oxigraph(answer: Any, max_results: int | None) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return Boolean(bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Triples(tuple(_capped(answer, max_results, "triples")))
    variables = tuple(variable.value for variable in answer.variables)
    rows: list[dict[str, Term]] = []
    for solution in _capped(answer, max_results):
        row: dict[str, Term] = {}
        for index, name in enumerate(variables):
            value = solution[index]
            if value is not None:
                row[name] = value
        rows.append(row)
    return Solutions(variables, tuple(rows))


def _capped(items: Iterable[Any], max_results: int | None, unit: str = "rows") -> Iterable[Any]:
    """The items (``unit``: rows or triples), read lazily; more than ``max_results`` of them is an error (never a
    silent truncation)."""
    for count, item in enumerate(items, start=1):
        if max_results is not None and count > max_results:
            raise ResultTooLarge(max_results, unit)
        yield item


class RdflibEngine:
    """rdflib's own SPARQL engine: slow on large graphs, kept as the reference for the equivalence test."""

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @classmethod
    def from_file(cls, path: Path) -> RdflibEngine:
        return cls(load_rdflib_graph(path))

    def run(
        self,
        query: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        max_results: int | None = None,
        source: str = "query",
    ) -> QueryResult:
        from pyparsing import ParseBaseException

        from civicgraph.graph.rdfio import to_rdflib

        init = {name: to_rdflib(term) for name, term in (bindings or {}).items()}
        try:
            # rdflib evaluates lazily: errors may come while the rows are read, so read them here.
            return self._collect(self.graph.query(query, initBindings=init), max_results)
        except ParseBaseException as error:
            raise _syntax_error(source, error.lineno, error.col, error.msg) from None
        except QueryError:
            raise
        except Exception as error:  # rdflib's evaluation raises plain exceptions of many kinds
            raise QueryExecutionError(f"{source}: {type(error).__name__}: {error}") from None

    @staticmethod
    def _collect(answer: Any, max_results: int | None) -> QueryResult:
        if answer.type == "ASK":
            return Boolean(bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            assert answer.graph is not None
            triples = [ox.Triple(*(from_rdflib(term) for term in triple)) for triple in answer.graph]
            return Triples(tuple(_capped(triples, max_results, "triples")))
        variables = tuple(str(variable) for variable in answer.vars or ())
        rows = tuple(
            {str(name): from_rdflib(value) for name, value in row.asdict().items() if value is not None}
            for row in _capped(answer, max_results)
        )
        return Solutions(variables, rows)


def from_rdflib(term: Any) -> Any:
    from civicgraph.graph.rdfio import to_oxigraph

    try:
        return to_oxigraph(term, allow_blank=True)
    except TypeError:
        raise QueryExecutionError(f"unsupported RDF term in a result: {term!r}") from None


# In a URL httpx cannot parse: what follows "scheme://user:" up to the last "@". Greedy on purpose: a password may
# hold an unescaped "@" or "/", and over-masking a broken URL costs nothing.
_TEXTUAL_PASSWORD = re.compile(r"(?P<user>^[^:/?#]+://[^:/?#@]*:)[^@]*@")


def masked_url(url: str) -> str:
    """``url`` with its password shown as ``***``: the form of an endpoint URL for every message and log line.

    The docs tell users to put a store's credentials in its URL (``http://user:password@host/...``), so nothing
    civicgraph prints may carry them back to a terminal, a CI log or a bug report.
    """
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return _TEXTUAL_PASSWORD.sub(r"\g<user>***@", url)
    if not parsed.password:
        return url  # as typed: nothing to hide
    return str(parsed.copy_with(username=parsed.username, password="***"))


def is_http_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL httpx can send a request to (an unparseable one raises httpx.InvalidURL
    only when the request is made)."""
    import httpx

    if not url.startswith(("http://", "https://")):
        return False
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    return re.fullmatch(r"[A-Za-z0-9.\-]+|[0-9A-Fa-f:.]+", parsed.host) is not None  # a name or an IP address


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, Virtuoso, QLever, ``civicgraph serve``).

    A remote store has no binding API, so parameters travel as a ``VALUES`` block opening the WHERE group (a
    trailing one, rule [28] ValuesClause, for the CONSTRUCT WHERE short form): a store then plans from the bound
    values (a trailing block made Oxigraph server take 519 s for report-diff at 110k triples). The terms in it
    are written by pyoxigraph's term serializer, so a value can never change the query's structure; under the
    library's parameter rule the block gives the same answers as pre-bound variables.
    """

    name = "remote"
    ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"

    def __init__(
        self, endpoint: str, default_graph: str | None = None, client: httpx.Client | None = None, timeout: float = 60.0
    ) -> None:
        import httpx

        self.endpoint = endpoint
        self.shown = masked_url(endpoint)  # the endpoint in messages, its password masked
        self.default_graph = default_graph
        self.client = client if client is not None else httpx.Client(timeout=timeout)

    def run(
        self,
        query: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        max_results: int | None = None,
        source: str = "query",
    ) -> QueryResult:
        import httpx

        form = {"query": bound_query_text(query, bindings) if bindings else query}
        if self.default_graph:
            form["default-graph-uri"] = self.default_graph
        try:
            response = self.client.post(self.endpoint, data=form, headers={"Accept": self.ACCEPT})
        except httpx.InvalidURL:
            raise QueryUsageError(f"{self.shown}: not an http(s) URL a request can be sent to") from None
        except httpx.HTTPError as error:
            raise QueryExecutionError(f"{self.shown}: {error}") from None
        if response.status_code == 400:
            raise QuerySyntaxError(f"{source}: {self.shown} refused the query: {response.text.strip()}")
        if response.status_code != 200:
            raise QueryExecutionError(f"{self.shown} answered {response.status_code}: {response.text.strip()[:500]}")
        return parse_response(response.content, response.headers.get("content-type", ""), max_results)


def values_clause(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (term term) }``, each piece written by pyoxigraph's N-Triples term serializer."""
    names = " ".join(str(ox.Variable(name)) for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


def bound_query_text(query: str, bindings: Mapping[str, Term]) -> str:
    """The query with its parameters in a leading VALUES block, or a trailing one where there is no WHERE group."""
    leading = with_leading_values(query, bindings)
    return leading if leading is not None else query + values_clause(bindings)


# SPARQL tokens that may hold a "{" or a keyword without being one: comments, strings, IRIs, variables, prefixed
# names. Of the rest only braces, parentheses and the query-form keywords matter.
_TOKEN = re.compile(
    r"""
      (?P<skip> """
    + LEXICAL_TOKENS
    + r"""
              | [?$][\w\u00b7]+                             # variable
              | [A-Za-z_][\w.\-]*:[\w.\-:%]*                # prefixed name (its local part may look like a keyword)
              )
    | (?P<word> [A-Za-z]+ )
    | (?P<char> [{}()] )
    | (?P<other> . )
    """,
    re.VERBOSE | re.DOTALL,
)
_QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


def where_group_start(query: str) -> int | None:
    """The offset just after the ``{`` that opens the query's top-level WHERE group, or None.

    None for the CONSTRUCT WHERE short form (its pattern is also its template, which cannot hold VALUES) and
    for text that is not a SELECT, ASK, CONSTRUCT or DESCRIBE query. The query is not checked here: the engine
    parses the result and reports any syntax error at its own position.
    """
    form: str | None = None
    depth = 0  # parentheses and braces: the WHERE group is the first "{" at depth 0 (after a CONSTRUCT template)
    template_done = False
    for match in _TOKEN.finditer(query):
        kind, text = match.lastgroup, match.group()
        if kind == "word" and depth == 0:
            word = text.upper()
            if form is None and word in _QUERY_FORMS:
                form = word
            elif form == "CONSTRUCT" and not template_done and word == "WHERE":
                return None
        elif kind == "char" and text in "({":
            if text == "{" and depth == 0 and form is not None and (form != "CONSTRUCT" or template_done):
                return match.end()
            depth += 1
        elif kind == "char":
            depth -= 1
            if depth == 0 and text == "}" and form == "CONSTRUCT":
                template_done = True
    return None


def with_leading_values(query: str, bindings: Mapping[str, Term]) -> str | None:
    """The query with ``VALUES`` binding the parameters as the first element of its WHERE group, or None.

    Joined at the start of the top-level pattern, the block means what pre-bound variables mean under the
    library's parameter rule (module docstring), and lets an engine's planner start from the bound values.
    """
    start = where_group_start(query)
    if start is None:
        return None
    return query[:start] + values_clause(bindings) + query[start:]


def parse_response(body: bytes, content_type: str, max_results: int | None = None) -> QueryResult:
    """A SPARQL endpoint's answer (JSON or XML results, or an RDF graph) as a result."""
    media = content_type.split(";")[0].strip().lower()
    results_formats = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }
    graph_formats = {
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    }
    if media in results_formats:
        return _collect_oxigraph(ox.parse_query_results(body, format=results_formats[media]), max_results)
    if media in graph_formats:
        triples = (quad.triple for quad in ox.parse(body, format=graph_formats[media]))
        return Triples(tuple(_capped(triples, max_results, "triples")))
    raise QueryExecutionError(f"the endpoint answered an unexpected content type {content_type!r}")


# -- running ----------------------------------------------------------------------------------------------


def run_query(
    query: LibraryQuery | str,
    engine: QueryEngine,
    params: Mapping[str, str] | None = None,
    max_results: int | None = None,
) -> QueryResult:
    """Run a library query (or a query text) with ``name=value`` parameters typed by its header."""
    if isinstance(query, str):
        query = parse_query_text(query, "query")
    missing = [name for name in query.required if name not in (params or {})]
    if missing:
        given = " ".join(f"--param {name}=…" for name in missing)
        raise QueryUsageError(
            f"query {query.name} needs {given}: without it, it would read every fact of the graph (minutes on a "
            "national one)"
        )
    bindings = bind_parameters(query, params or {})
    return engine.run(query.text, bindings, max_results=max_results, source=query.source)


# -- formats ----------------------------------------------------------------------------------------------


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if not isinstance(term, ox.Literal):
        raise QueryExecutionError("quoted triples are not supported in results")
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        value["datatype"] = term.datatype.value
    return value


def to_sparql_json(result: Solutions | Boolean, indent: int | None = None) -> bytes:
    """SPARQL 1.1 Query Results JSON Format."""
    document: dict[str, Any]
    if isinstance(result, Boolean):
        document = {"head": {}, "boolean": result.value}
    else:
        bindings = [{name: _json_term(term) for name, term in row.items()} for row in result.rows]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=indent).encode("utf-8") + b"\n"


# Characters XML 1.0 has no way to write, not even as a character reference (§2.2 Char): the C0 controls but tab,
# LF and CR, the surrogates, U+FFFE and U+FFFF. A literal holding one cannot be sent as SPARQL XML results at all.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def to_sparql_xml(result: Solutions | Boolean) -> bytes:
    """SPARQL Query Results XML Format (Second Edition).

    Written with ElementTree rather than pyoxigraph's serializer: both write a carriage return raw, which every XML
    parser reads back as a line feed (§2.11), and both write U+0001 raw, which no XML parser reads at all.
    """
    root = ElementTree.Element("sparql", {"xmlns": SPARQL_RESULTS_NS})
    head = ElementTree.SubElement(root, "head")
    if isinstance(result, Boolean):
        ElementTree.SubElement(root, "boolean").text = "true" if result.value else "false"
    else:
        for name in result.variables:
            ElementTree.SubElement(head, "variable", {"name": name})
        results = ElementTree.SubElement(root, "results")
        for row in result.rows:
            element = ElementTree.SubElement(results, "result")
            for name, term in row.items():
                _xml_term(ElementTree.SubElement(element, "binding", {"name": name}), term)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    # ElementTree escapes a CR in attributes but not in text. Its markup never holds one, and in UTF-8 the byte 0x0D
    # is that character alone, so every raw CR left is a value's: as &#13; it reaches the reader as a CR.
    return document.replace(b"\r", b"&#13;") + b"\n"


def _xml_term(parent: ElementTree.Element, term: Term) -> None:
    if isinstance(term, ox.NamedNode):
        ElementTree.SubElement(parent, "uri").text = term.value
    elif isinstance(term, ox.BlankNode):
        ElementTree.SubElement(parent, "bnode").text = term.value
    elif isinstance(term, ox.Literal):
        attributes = {}
        if term.language:
            attributes["{http://www.w3.org/XML/1998/namespace}lang"] = term.language
        elif term.datatype.value != XSD + "string":
            attributes["datatype"] = term.datatype.value
        ElementTree.SubElement(parent, "literal", attributes).text = _xml_text(term.value, parent.get("name", ""))
    else:
        raise QueryExecutionError("quoted triples are not supported in results")


def _xml_text(value: str, variable: str) -> str:
    """A literal's value, or :class:`UnwritableResult` naming the character XML 1.0 cannot carry (IRIs and blank
    node labels cannot hold one)."""
    found = _NOT_XML_CHAR.search(value)
    if found is not None:
        raise UnwritableResult(
            f"?{variable} holds the character U+{ord(found.group()):04X}, which XML 1.0 cannot carry; ask for the "
            "results as JSON, CSV or TSV instead"
        )
    return value


def _require_solutions(result: QueryResult, what: str) -> Solutions:
    if not isinstance(result, Solutions):
        raise QueryUsageError(
            f"{what} is a format for SELECT results; use json or xml for ASK, "
            "turtle, jsonld or ntriples for CONSTRUCT and DESCRIBE"
        )
    return result


def to_csv(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results CSV Format: plain values, CRLF line ends."""
    solutions = _require_solutions(result, "CSV")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(solutions.variables)
    for row in solutions.rows:
        writer.writerow(_csv_value(row.get(name)) for name in solutions.variables)
    return buffer.getvalue().encode("utf-8")


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def to_tsv(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results TSV Format: terms in their N-Triples form, tabs inside literals escaped."""
    solutions = _require_solutions(result, "TSV")
    lines = ["\t".join(f"?{name}" for name in solutions.variables)]
    for row in solutions.rows:
        cells = (str(row[name]).replace("\t", "\\t") if name in row else "" for name in solutions.variables)
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def sorted_result_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def to_rdf(result: QueryResult, rdf: ox.RdfFormat) -> bytes:
    """A CONSTRUCT or DESCRIBE result as Turtle, JSON-LD or N-Triples, triples in a stable order."""
    if not isinstance(result, Triples):
        raise QueryUsageError("turtle, jsonld and ntriples are formats for CONSTRUCT and DESCRIBE results")
    return serialize_triples(result.triples, rdf)


def serialize_triples(
    triples: Iterable[ox.Triple], rdf: ox.RdfFormat, extra_prefixes: dict[str, str] | None = None
) -> bytes:
    from civicgraph.graph.rdfio import used_prefixes  # rdflib: only for graph results

    ordered = sorted_result_triples(triples)
    prefixes = used_prefixes(ordered, extra_prefixes) if rdf == ox.RdfFormat.TURTLE else None
    data = ox.serialize(ordered, format=rdf, prefixes=prefixes)
    assert data is not None  # without an output file, serialize returns the bytes
    return data


@dataclass(frozen=True)
class ResultFormat:
    """A way of writing results: its name on the command line, its media type, and which results it takes."""

    name: str
    media_type: str
    kinds: frozenset[type]
    writer: Callable[[Any], bytes] = field(compare=False)

    def accepts(self, result: QueryResult) -> bool:
        return type(result) in self.kinds


_SOLUTIONS = frozenset({Solutions})
_TABULAR = frozenset({Solutions, Boolean})
_GRAPH = frozenset({Triples})
FORMATS: dict[str, ResultFormat] = {
    format.name: format
    for format in (
        ResultFormat("json", "application/sparql-results+json", _TABULAR, lambda r: to_sparql_json(r, 2)),
        ResultFormat("xml", "application/sparql-results+xml", _TABULAR, to_sparql_xml),
        ResultFormat("csv", "text/csv; charset=utf-8", _SOLUTIONS, to_csv),
        ResultFormat("tsv", "text/tab-separated-values; charset=utf-8", _SOLUTIONS, to_tsv),
        ResultFormat("turtle", "text/turtle; charset=utf-8", _GRAPH, lambda r: to_rdf(r, ox.RdfFormat.TURTLE)),
        ResultFormat("jsonld", "application/ld+json", _GRAPH, lambda r: to_rdf(r, ox.RdfFormat.JSON_LD)),
        ResultFormat("ntriples", "application/n-triples", _GRAPH, lambda r: to_rdf(r, ox.RdfFormat.N_TRIPLES)),
    )
}


def display_prefixes() -> list[tuple[str, str]]:
    """Prefixes for showing IRIs to people: civicgraph's namespaces, and one per concept scheme."""
    schemes = (
        "hedge",
        "activity-type",
        "role",
        "organisation-type",
        "local-government-kind",
        "unit",
        "match-method",
        "recordable-field",
    )
    prefixes = {**{k: v for k, v in PREFIXES.items() if k != "cgv"}, **{s: f"{CGV}{s}/" for s in schemes}}
    prefixes["id"] = DEFAULT_BASE
    return sorted(prefixes.items(), key=lambda item: -len(item[1]))


def compact(term: Term, prefixes: Sequence[tuple[str, str]]) -> str:
    """A term as a person reads it: ``hedge:nearly``, ``id:member/3064011``, ``1400000000``, ``Poznań@pl``.

    Not Turtle: a local name may contain ``/``; the table is for people, the other formats are for programs.
    """
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in prefixes:
            local = term.value[len(namespace) :]
            if term.value.startswith(namespace) and local and "#" not in local:
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = str(term.value).replace("\n", " ")
    return f"{text}@{term.language}" if term.language else text


def to_table(result: QueryResult) -> str:
    """Aligned columns for a terminal; for SELECT and ASK results."""
    if isinstance(result, Boolean):
        return ("true" if result.value else "false") + "\n"
    solutions = _require_solutions(result, "table")
    prefixes = display_prefixes()
    header = list(solutions.variables)
    cells = [[compact(row[name], prefixes) if name in row else "" for name in header] for row in solutions.rows]
    widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(header)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells)
    noun = "row" if len(cells) == 1 else "rows"
    return "\n".join(lines) + f"\n({len(cells)} {noun})\n"


# -- comparing results --------------------------------------------------------------------------------------

_NUMERIC = {
    XSD + name
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
    )
}


def canonical_term(term: Term | ox.Triple) -> str:
    """A term's N-Triples form; numbers by value, so that ``2.0`` and ``2`` (both xsd:decimal) compare equal."""
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        from decimal import Decimal, InvalidOperation

        try:
            number = Decimal(term.value)
        except InvalidOperation:
            return str(term)
        text = format(number.normalize(), "f")
        return f"{text}^^{term.datatype.value.removeprefix(XSD)}"
    return str(term)


def canonical(result: QueryResult) -> Any:
    """An order-insensitive, engine-neutral form of a result, for comparing engines and stores."""
    if isinstance(result, Boolean):
        return result.value
    if isinstance(result, Triples):
        return sorted(
            (canonical_term(t.subject), canonical_term(t.predicate), canonical_term(t.object)) for t in result.triples
        )
    return (
        tuple(result.variables),
        sorted(tuple(sorted((name, canonical_term(term)) for name, term in row.items())) for row in result.rows),
    )
