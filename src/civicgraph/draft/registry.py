"""What the drafter is given: the recorded organisations and local governments, and the vocabularies whose
Polish labels name units, activity types and organisation types."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import yaml

from ..language.lemmas import lemmas, readings
from ..language.names import NameIndex
from ..language.text import tokens
from ..source.reader import composed
from ..util.errors import InputError, Problem
from ..util.resources import vocabularies_file

_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    english: str | None = None
    abbreviation: str | None = None
    variants: tuple[str, ...] = ()

    def forms(self) -> list[tuple[str, str, str]]:
        found = [(self.key, self.name, "name")]
        if self.english and self.english != self.name:
            found.append((self.key, self.english, "english"))
        if self.abbreviation:
            found.append((self.key, self.abbreviation, "abbreviation"))
        found += [(self.key, variant, "variant") for variant in self.variants]
        return found


@dataclass(frozen=True)
class Member:
    teryt: str
    name: str
    kind: str


@dataclass
class Registry:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)

    def organisation_index(self) -> NameIndex:
        return NameIndex(form for o in self.organisations.values() for form in o.forms())

    def member_index(self) -> NameIndex:
        return NameIndex((m.teryt, m.name, "name") for m in self.members.values())


def read_registry(organisations_file: Path, members_file: Path) -> Registry:
    """The organisations and members of a data folder, read leniently: the drafter needs names, not checks
    (``civicgraph validate`` checks the files). A file that cannot be read as YAML stops the draft with
    :class:`InputError`, its problems located as ``build`` and ``validate`` locate them."""
    organisations, members = _parsed(organisations_file, members_file)
    registry = Registry()
    for key, entry in _entries(organisations):
        name = _field(entry, "name")
        polish = _text(name, "pl")
        if polish is None:  # no name to find in a text
            continue
        variants = tuple(v for v in (_text(item, "name") for item in _items(_field(entry, "variants"))) if v)
        registry.organisations[key] = Organisation(
            key, polish, _text(name, "en"), _text(entry, "abbreviation"), variants
        )
    for teryt, entry in _entries(members):
        polish = _text(_field(entry, "name"), "pl")
        if polish is not None:
            registry.members[teryt] = Member(teryt, polish, _text(entry, "kind") or "")
    return registry


def _parsed(*files: Path) -> list[yaml.Node | None]:
    """Each file composed into YAML nodes by the source reader, which reads only regular files inside the
    file's folder and locates what is wrong with one (not UTF-8, malformed YAML) by line. A missing or empty
    file is no entries yet, as when drafting into a new data folder; the problems of the others are raised
    together."""
    nodes: list[yaml.Node | None] = []
    problems: list[Problem] = []
    for file in files:
        if not file.exists():
            nodes.append(None)
            continue
        node, found = composed(file)
        nodes.append(node)
        problems += found
    if problems:
        raise InputError(problems)
    return nodes


def _entries(node: yaml.Node | None) -> Iterator[tuple[str, yaml.MappingNode]]:
    """The entries of a top-level mapping keyed as typed (``"0201011"`` keeps its zero); others are skipped."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.MappingNode):
            yield str(key.value), value


def _field(node: yaml.Node | None, name: str) -> yaml.Node | None:
    """The value of the field ``name`` of a mapping node; None when there is none (the first, if typed twice)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)


def _text(node: yaml.Node | None, name: str) -> str | None:
    """The text of the field ``name`` as typed; None when it is missing, null or not a single value."""
    value = _field(node, name)
    if not isinstance(value, yaml.ScalarNode) or value.tag == _NULL:
        return None
    return str(value.value)


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


# -- vocabularies ---------------------------------------------------------------------------------------------

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_CGV = "https://w3id.org/civicgraph/vocab/"


@dataclass(frozen=True)
class Concept:
    scheme: str
    notation: str
    label: str  # Polish prefLabel
    nouns: frozenset[str]  # lemmas of the nouns of the label


@cache
def concepts(scheme: str) -> tuple[Concept, ...]:
    """The concepts of one scheme of ontology/vocabularies.ttl with their Polish labels."""
    quads = list(ox.parse(path=str(vocabularies_file()), format=ox.RdfFormat.TURTLE))
    values: dict[tuple[ox.NamedNode | ox.BlankNode, str], list[ox.Literal | ox.NamedNode]] = {}
    for quad in quads:
        values.setdefault((quad.subject, quad.predicate.value), []).append(quad.object)
    found = []
    for (subject, predicate), objects in values.items():
        if predicate != _SKOS + "inScheme" or objects[0].value != _CGV + scheme:
            continue
        notation = values[(subject, _SKOS + "notation")][0].value
        labels = [o for o in values.get((subject, _SKOS + "prefLabel"), []) if getattr(o, "language", None) == "pl"]
        label = labels[0].value if labels else notation
        found.append(Concept(scheme, notation, label, _noun_lemmas(label)))
    return tuple(sorted(found, key=lambda c: c.notation))


def _noun_lemmas(label: str) -> frozenset[str]:
    nouns: set[str] = set()
    for token in tokens(label):
        if token.is_word:
            nouns |= {r.lemma.casefold() for r in readings(token.text) if r.is_noun}
    return frozenset(nouns) or lemmas(label)
