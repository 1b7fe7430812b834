"""The whole draft of one report text."""

from __future__ import annotations

from ..language.names import NameIndex
from .activities import find_activities
from .memberships import activity_memberships, count_note, find_memberships
from .model import Draft
from .registry import Registry


def draft(text: str, member: str, year: int, registry: Registry) -> Draft:
    """Memberships, figures, activities and participants of ``text``, each with its quote and note."""
    found = find_memberships(text, registry.organisation_index(), set(registry.organisations))
    # Paragraphs may name a proposed organisation too ("W ramach członkostwa w Celowym Związku Gmin …").
    forms = [form for o in registry.organisations.values() for form in o.forms()]
    forms += [(p.key, p.name, "name") for p in found.proposed] + [(p.key, p.printed, "printed") for p in found.proposed]
    index = NameIndex(forms)
    activities, loose, openers = find_activities(
        text, year, registry.members.get(member), index, registry.member_index(), found
    )
    activity_memberships(text, index, found, openers)
    return Draft(
        member=member,
        year=year,
        text=text,
        memberships=found.memberships,
        proposed=found.proposed,
        variants=found.variants,
        figures=loose,
        activities=activities,
        count_note=count_note(found),
        left=sorted(set(found.left)),
    )
