"""What the drafter is given: the recorded organisations and local governments, and the vocabularies whose
Polish labels name units, activity types and organisation types."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from ..language.lemmas import lemmas, readings
from ..language.names import NameIndex
from ..language.text import tokens
from ..util.resources import vocabularies_file

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


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
    (``civicgraph validate`` checks the files)."""
    registry = Registry()
    for key, entry in _mapping(organisations_file).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), dict):
            continue
        name = entry["name"]
        variants = tuple(str(v["name"]) for v in entry.get("variants") or [] if isinstance(v, dict) and v.get("name"))
        registry.organisations[str(key)] = Organisation(
            str(key), str(name.get("pl")), name.get("en"), entry.get("abbreviation"), variants
        )
    for teryt, entry in _mapping(members_file).items():
        if isinstance(entry, dict) and isinstance(entry.get("name"), dict):
            registry.members[str(teryt)] = Member(str(teryt), str(entry["name"].get("pl")), str(entry.get("kind")))
    return registry


def _mapping(file: Path) -> dict[Any, Any]:
    if not file.exists():
        return {}
    loaded = yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader)
    return loaded if isinstance(loaded, dict) else {}


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
