"""The facts of a draft, each with the passage it rests on and a note for the reviewer."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from ..language.text import Span


class Sureness(Enum):
    """How sure the drafter is of a fact; the reviewer looks at ``check`` first."""

    SURE = "sure"
    LIKELY = "likely"
    CHECK = "check"


@dataclass(frozen=True)
class Note:
    """How a fact was found, and how sure the drafter is: the YAML comment next to the fact."""

    sureness: Sureness
    how: str

    def __str__(self) -> str:
        return f"{self.sureness.value}: {self.how}"


@dataclass(frozen=True)
class ProposedOrganisation:
    """An organisation the text names that ``organisations.yaml`` does not have yet."""

    key: str
    name: str  # in the nominative, as the drafter could restore it
    printed: str  # as the text prints it
    type: str | None  # from its head noun, when the organisation-type vocabulary has it
    note: Note


@dataclass(frozen=True)
class PrintedVariant:
    """A recorded organisation printed under a name ``organisations.yaml`` does not record yet."""

    key: str
    name: str
    quote: Span
    note: Note


@dataclass(frozen=True)
class Membership:
    key: str
    quote: Span
    note: Note


@dataclass(frozen=True)
class Figure:
    key: str
    value: Decimal
    hedge: str
    unit: str | None
    currency: str | None
    quote: Span
    note: Note
    label: str


@dataclass(frozen=True)
class Participant:
    member: str
    role: str
    quote: Span
    note: Note


@dataclass
class Activity:
    key: str
    membership: str
    types: list[str]
    title: str
    quote: Span
    note: Note
    period: int | None = None
    figures: list[Figure] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)


@dataclass
class Draft:
    member: str
    year: int
    text: str
    memberships: list[Membership] = field(default_factory=list)
    proposed: list[ProposedOrganisation] = field(default_factory=list)
    variants: list[PrintedVariant] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)  # the report's own figures (e.g. the stated count)
    activities: list[Activity] = field(default_factory=list)
    count_note: str | None = None  # what the text says about how many organisations, against the list found
    left: list[str] = field(default_factory=list)  # organisations named as left: not drafted as memberships
