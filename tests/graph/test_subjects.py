"""The subjects' digests kept beside a release, and the subjects two graphs' digests tell apart
(``civicgraph.graph.subjects``)."""

from __future__ import annotations

import pytest

from civicgraph.graph.subjects import differing_subjects, kept_digests, read_kept_digests

SUBJECTS = [f"https://example.org/s/{number:03}" for number in range(100)]


def digests_with(changed: dict[str, bytes] | None = None, subjects: list[str] = SUBJECTS) -> dict[str, bytes]:
    """Each subject's 16-byte digest: its number, unless ``changed`` gives another."""
    made = {subject: place.to_bytes(16, "big") for place, subject in enumerate(subjects)}
    made.update(changed or {})
    return made


def test_the_kept_digests_read_back_as_they_were() -> None:
    digests = digests_with()
    assert read_kept_digests(kept_digests(digests)) == digests
    assert read_kept_digests(b"no digests here") is None


@pytest.mark.parametrize("places", [[0], [57], [99], [0, 1, 98, 99], list(range(100))])
def test_the_same_subjects_differ_where_their_digests_do(places: list[int]) -> None:
    before = digests_with()
    now = digests_with({SUBJECTS[place]: b"x" * 16 for place in places})
    difference = differing_subjects(kept_digests(before), kept_digests(now), now)
    assert difference is not None
    assert (difference.changed, difference.dropped) == ({SUBJECTS[p] for p in places}, {SUBJECTS[p] for p in places})
    assert difference.earlier == SUBJECTS


def test_a_subject_added_and_one_gone_are_told_apart() -> None:
    before = digests_with()
    subjects = [*SUBJECTS[:10], *SUBJECTS[11:], "https://example.org/s/new"]
    now = digests_with({SUBJECTS[20]: b"y" * 16}, subjects=subjects)
    # the numbers after the one gone moved up by one: their digests differ too
    moved = {subject for place, subject in enumerate(subjects) if place >= 10}
    difference = differing_subjects(kept_digests(before), kept_digests(now), now)
    assert difference is not None
    # of the earlier subjects, those that moved (not the new one) and the one gone
    assert difference.changed == moved and difference.dropped == (moved - {subjects[-1]}) | {SUBJECTS[10]}
    assert difference.earlier == SUBJECTS
    assert differing_subjects(b"not kept digests", kept_digests(now), now) is None


def test_unchanged_digests_differ_nowhere() -> None:
    digests = digests_with()
    difference = differing_subjects(kept_digests(digests), kept_digests(digests), digests)
    assert difference is not None and (difference.changed, difference.dropped) == (set(), set())
