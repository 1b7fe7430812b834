"""Readable JSON-LD: the graph compacted against civicgraph's published context (``ontology/context.jsonld``).

General JSON-LD libraries compact to a flat list, and PyLD's RDF conversion grows quadratically with the graph;
this writer does the compaction the context needs (prefixes, terms typed ``@id`` or with a datatype, language
maps) in one linear pass over the sorted triples, and nests a node inside the one node that refers to it when
its IRI extends that node's IRI (a figure inside its activity, selectors inside their evidence). The result is a
JSON object built in memory and dumped with sorted keys: the same graph always gives the same bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .resources import resource_dir

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

JsonValue = Any


def context_file() -> Path:
    return resource_dir("ontology") / "context.jsonld"


@cache
def published_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(context_file().read_text(encoding="utf-8"))["@context"]
    return context


class _Context:
    """The parts of the published context the compaction needs, resolved to full IRIs."""

    def __init__(self, context: dict[str, Any], base: str) -> None:
        self.base = base
        self.prefixes = sorted(
            (
                (name, value)
                for name, value in context.items()
                if isinstance(value, str) and not name.startswith("@") and value.endswith(("/", "#"))
            ),
            key=lambda item: -len(item[1]),
        )
        # predicate IRI -> (term, "@id" | datatype IRI | "@language" | None)
        self.terms: dict[str, tuple[str, str | None]] = {}
        for name, definition in context.items():
            if name.startswith("@") or (isinstance(definition, str) and definition.startswith("@")):
                continue
            if isinstance(definition, str):
                if not definition.endswith(("/", "#")):
                    self.terms[self.expand(definition)] = (name, None)
                continue
            kind = definition.get("@type")
            if definition.get("@container") == "@language":
                kind = "@language"
            elif kind is not None and kind != "@id":
                kind = self.expand(kind)
            self.terms[self.expand(definition["@id"])] = (name, kind)

    def expand(self, value: str) -> str:
        prefix, _, local = value.partition(":")
        for name, namespace in self.prefixes:
            if name == prefix:
                return namespace + local
        return value

    def compact_vocab(self, iri: str) -> str:
        for name, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{name}:{iri[len(namespace) :]}"
        return iri

    def compact_id(self, iri: str) -> str:
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return iri[len(self.base) :]
        return self.compact_vocab(iri)


@cache
def _context_for(base: str) -> _Context:
    """Resolved once per base: the site compacts hundreds of small documents against the same context."""
    return _Context(published_context(), base)


def _matches(kind: str | None, value: ox.NamedNode | ox.Literal) -> bool:
    if kind == "@id":
        return isinstance(value, ox.NamedNode)
    if kind == "@language":
        return isinstance(value, ox.Literal) and value.language is not None
    if not isinstance(value, ox.Literal) or value.language is not None:
        return False
    if kind is None:
        return value.datatype.value == XSD_STRING
    return value.datatype.value == kind


def compact_document(triples: list[ox.Triple], base: str, context_iri: str = "context.jsonld") -> dict[str, Any]:
    """The JSON-LD document for ``triples`` (sorted as :func:`civicgraph.rdfio.sorted_triples` sorts them)."""
    context = _context_for(base)
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    referrers: dict[str, set[str]] = defaultdict(set)
    for triple in triples:
        assert isinstance(triple.subject, ox.NamedNode)
        subject = triple.subject.value
        by_subject[subject].append(triple)
        if isinstance(triple.object, ox.NamedNode) and triple.predicate.value != RDF_TYPE:
            referrers[triple.object.value].add(subject)

    def nested_in(subject: str) -> str | None:
        parents = referrers.get(subject, set())
        if len(parents) == 1:
            parent = next(iter(parents))
            if subject.startswith(parent + "/") and parent in by_subject:
                return parent
        return None

    embedded = {subject for subject in by_subject if nested_in(subject) is not None}

    def node(subject: str) -> dict[str, Any]:
        result: dict[str, Any] = {"id": context.compact_id(subject)}
        grouped: dict[str, list[ox.NamedNode | ox.Literal]] = defaultdict(list)
        for triple in by_subject[subject]:
            assert isinstance(triple.object, ox.NamedNode | ox.Literal)
            grouped[triple.predicate.value].append(triple.object)
        for predicate, values in grouped.items():
            if predicate == RDF_TYPE:
                types = sorted(context.compact_vocab(v.value) for v in values)
                result["type"] = types[0] if len(types) == 1 else types
                continue
            key, value = property_entry(predicate, values)
            result[key] = value
        return result

    def object_value(value: ox.NamedNode | ox.Literal, kind: str | None) -> JsonValue:
        if isinstance(value, ox.NamedNode):
            if value.value in embedded and nested_in(value.value) is not None:
                return node(value.value)
            iri = context.compact_id(value.value)
            return iri if kind == "@id" else {"id": iri}
        if kind is not None or (value.language is None and value.datatype.value == XSD_STRING):
            return value.value
        if value.language is not None:
            return {"@value": value.value, "@language": value.language}
        return {"@value": value.value, "@type": context.compact_vocab(value.datatype.value)}

    def property_entry(predicate: str, values: list[ox.NamedNode | ox.Literal]) -> tuple[str, JsonValue]:
        term = context.terms.get(predicate)
        if term is not None and all(_matches(term[1], v) for v in values):
            name, kind = term
            if kind == "@language":
                by_language: dict[str, list[str]] = defaultdict(list)
                for value in values:
                    assert isinstance(value, ox.Literal) and value.language is not None
                    by_language[value.language].append(value.value)
                return name, {
                    lang: texts[0] if len(texts) == 1 else sorted(texts) for lang, texts in sorted(by_language.items())
                }
            return name, _single(sorted((object_value(v, kind) for v in values), key=_json_key))
        key = context.compact_vocab(predicate)
        return key, _single(sorted((object_value(v, None) for v in values), key=_json_key))

    graph = [node(subject) for subject in sorted(by_subject) if subject not in embedded]
    return {"@context": [context_iri, {"@base": base}], "@graph": graph}


def _single(values: list[JsonValue]) -> JsonValue:
    return values[0] if len(values) == 1 else values


def _json_key(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def write_jsonld(triples: list[ox.Triple], path: Path, base: str, inline_context: bool = True) -> None:
    """Write the compacted document; with ``inline_context`` the context is embedded so the file stands alone."""
    document = compact_document(triples, base)
    if inline_context:
        document["@context"] = [published_context(), {"@base": base}]
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
