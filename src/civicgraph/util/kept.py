"""One value kept for one object at a time: what a build makes once and its writers share (the graph's index,
the catalogue's plan and its keys, the editions' keys made while the graph is built).

Found by the object's identity, never by equality: two releases of equal data are still two builds, and hashing
a release's graph to compare it would cost more than what is kept. Keeping a value for a new object drops the
old one, so that a cache never keeps an earlier build's graph alive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class KeptFor(Generic[T]):
    """A value kept for one object (its owner) at a time."""

    def __init__(self) -> None:
        self._kept: tuple[object, T] | None = None

    def get(self, owner: object) -> T | None:
        """The value kept for ``owner``, if one is."""
        kept = self._kept
        return kept[1] if kept is not None and kept[0] is owner else None

    def keep(self, owner: object, value: T) -> T:
        """Keep ``value`` for ``owner`` (whatever was kept for another object is dropped), and give it back."""
        self._kept = (owner, value)
        return value

    def forget(self, owner: object) -> None:
        """Drop the value kept for ``owner``, if one is (a value kept for another object stays)."""
        if self._kept is not None and self._kept[0] is owner:
            self._kept = None

    def take(self, owner: object) -> T | None:
        """The value kept for ``owner``, no longer kept."""
        value = self.get(owner)
        self.forget(owner)
        return value

    def get_or_keep(self, owner: object, make: Callable[[], T]) -> T:
        """The value kept for ``owner``, else ``make()``'s, kept for it: what the writers of one build share."""
        value = self.get(owner)
        return value if value is not None else self.keep(owner, make())

    def take_or_make(self, owner: object, make: Callable[[], T]) -> T:
        """The value kept for ``owner``, no longer kept, else ``make()``'s, not kept: what was made ahead for one
        reader."""
        value = self.take(owner)
        return value if value is not None else make()
