"""KeptFor: one value for one object at a time, found by identity."""

from __future__ import annotations

from civicgraph.util.kept import KeptFor


def test_a_value_is_found_by_its_owners_identity_not_equality() -> None:
    kept: KeptFor[str] = KeptFor()
    owner, equal = [1, 2], [1, 2]
    assert kept.keep(owner, "index") == "index"
    assert kept.get(owner) == "index"
    assert kept.get(equal) is None  # equal, but another object: another build's graph


def test_keeping_for_another_owner_drops_the_first_and_forgetting_another_drops_nothing() -> None:
    kept: KeptFor[str] = KeptFor()
    first, second = object(), object()
    kept.keep(first, "old")
    kept.keep(second, "new")
    assert (kept.get(first), kept.get(second)) == (None, "new")
    kept.forget(first)
    assert kept.get(second) == "new"
    kept.forget(second)
    assert kept.get(second) is None


def test_get_or_keep_makes_the_value_once_per_owner() -> None:
    kept: KeptFor[str] = KeptFor()
    owner, other = object(), object()
    made: list[str] = []

    def make(value: str) -> str:
        made.append(value)
        return value

    assert kept.get_or_keep(owner, lambda: make("plan")) == "plan"
    assert kept.get_or_keep(owner, lambda: make("again")) == "plan"  # kept: not made again
    assert kept.get_or_keep(other, lambda: make("other")) == "other"  # another release: made, and kept instead
    assert made == ["plan", "other"] and kept.get(owner) is None


def test_take_or_make_gives_what_was_made_ahead_once_and_then_makes_without_keeping() -> None:
    kept: KeptFor[str] = KeptFor()
    owner = object()
    kept.keep(owner, "made ahead")
    assert kept.take_or_make(owner, lambda: "made now") == "made ahead"
    assert kept.take_or_make(owner, lambda: "made now") == "made now"
    assert kept.get(owner) is None  # what was made now is not kept


def test_taking_gives_the_value_once() -> None:
    kept: KeptFor[str] = KeptFor()
    owner = object()
    kept.keep(owner, "model")
    assert kept.take(object()) is None and kept.get(owner) == "model"  # another owner takes nothing
    assert kept.take(owner) == "model"
    assert kept.take(owner) is None
