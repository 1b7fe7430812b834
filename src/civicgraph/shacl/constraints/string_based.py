"""String-based constraint components (SHACL 4.4): sh:minLength, sh:pattern, sh:languageIn, sh:uniqueLang."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib.namespace import SH

from civicgraph.graph.terms import Blank, Lit, Term
from civicgraph.shacl.index import Values
from civicgraph.shacl.shapes import NO_RESULTS, Check, Constraint, Run, Shape, Test


def string_of(term: Term) -> str:
    """SPARQL's str(): an IRI, or a literal's lexical form."""
    return term.lexical if isinstance(term, Lit) else term


@dataclass
class MinLengthConstraint(Constraint):
    minimum: int
    component = SH.MinLengthConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        minimum = self.minimum
        if minimum == 0:
            return lambda _value: True
        return lambda value: type(value) is not Blank and len(string_of(value)) >= minimum  # a blank node has no string


@dataclass
class PatternConstraint(Constraint):
    pattern: re.Pattern[str]  # an XPath regular expression translated to Python's (civicgraph.shacl.regex)
    component = SH.PatternConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        search = self.pattern.search
        return lambda value: type(value) is not Blank and search(string_of(value)) is not None


@dataclass
class LanguageInConstraint(Constraint):
    ranges: frozenset[str]  # lower case
    component = SH.LanguageInConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        ranges = self.ranges
        wildcard = "*" in ranges
        prefixes = tuple(f"{language_range}-" for language_range in ranges)

        def allowed(value: Term) -> bool:
            # SPARQL's langMatches (RFC 4647 basic filtering): the tag is a range, or begins with one and a "-".
            if type(value) is not Lit or not value.language:
                return False
            tag = value.language.lower()
            return wildcard or tag in ranges or tag.startswith(prefixes)

        return allowed


@dataclass
class UniqueLangConstraint(Constraint):
    component = SH.UniqueLangConstraintComponent

    def check(self, run: Run, shape: Shape) -> Check:
        def repeated_languages(_focus: Term, values: Values) -> Sequence[Term | None]:
            if len(values) < 2:
                return NO_RESULTS
            seen: set[str] = set()
            repeated: set[str] = set()
            for value in values:
                if type(value) is Lit and value.language:
                    tag = value.language.lower()
                    (repeated if tag in seen else seen).add(tag)
            return (None,) * len(repeated)  # one result per repeated language, without sh:value

        return repeated_languages
