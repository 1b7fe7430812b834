"""Which linked-data views (the pages of periods and concepts) show what they showed in the release being replaced,
given how the graph changed (:func:`civicgraph.publish.site.generic.view_keys`). The change is given here as the
graph files' writer notes it (:class:`civicgraph.publish.release.GraphChange`); the builds that find it and take
the pages are tested in test_reuse.py."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from civicgraph.graph.build import BuiltGraph
from civicgraph.publish.release import GraphChange, Release
from civicgraph.publish.reuse import key_of
from civicgraph.publish.site.generic import view_keys
from civicgraph.publish.site.model import SiteModel
from civicgraph.source.records import Dataset

BASE, VOCAB = "https://w3id.org/civicgraph/id/", "https://w3id.org/civicgraph/vocab/"
PERIOD = f"{BASE}period/2023"
HEDGES = f"{VOCAB}hedge"
MORE_THAN, NEARLY = f"{HEDGES}/more-than", f"{HEDGES}/nearly"
VIEWS = (PERIOD, HEDGES, MORE_THAN, NEARLY)
EARLIER = {iri: f"earlier key of {iri}" for iri in VIEWS}
# a figure's IRI: what counts is what its triples refer to, given with it
FIGURE = f"{BASE}activity/3064011/2023/figure"


@pytest.fixture
def model(dataset: Dataset, built: BuiltGraph) -> SiteModel:
    return SiteModel(Release(dataset, built, built.plain))


def shown_as_before(model: SiteModel, change: GraphChange) -> set[str]:
    """The views given the key noted for them in the earlier release."""
    keys = view_keys(model, [model.pages[iri] for iri in VIEWS], change, EARLIER)
    assert set(keys) == set(VIEWS)
    fresh = {iri for iri in VIEWS if keys[iri] == key_of("view", change.digests_key, iri)}
    assert fresh | {iri for iri in VIEWS if keys[iri] == EARLIER[iri]} == set(VIEWS)
    return set(VIEWS) - fresh


def change(subjects: Iterable[str], referred: Iterable[str] = (), added: Iterable[str] = ()) -> GraphChange:
    return GraphChange(
        predicates=frozenset(),
        subjects=frozenset(subjects),
        added=frozenset(added),
        referred=frozenset(referred),
        digests_key="digests of the graph now",
    )


def test_every_view_is_shown_as_before_when_no_subject_changed(model: SiteModel) -> None:
    assert shown_as_before(model, change(())) == set(VIEWS)


def test_a_view_linked_to_by_a_changed_subject_is_not(model: SiteModel) -> None:
    """A changed figure that is (or was) hedged "more than" changes the list of links to "more than"."""
    assert shown_as_before(model, change({FIGURE}, referred={MORE_THAN})) == {PERIOD, HEDGES, NEARLY}


def test_a_view_whose_section_changed_is_not(model: SiteModel) -> None:
    """The beginning of 2023 is a section of 2023's page (its IRI says so, and 2023's resource links to it)."""
    assert shown_as_before(model, change({f"{PERIOD}/beginning"})) == {HEDGES, MORE_THAN, NEARLY}


def test_a_view_linking_to_a_changed_subject_is_not(model: SiteModel) -> None:
    """Each hedge is in the scheme of hedges and shows it by its label: the scheme changed, every hedge's view and
    the scheme's own are made anew."""
    assert shown_as_before(model, change({HEDGES})) == {PERIOD}


def test_no_view_is_when_a_resource_may_be_shown_on_another_page(model: SiteModel) -> None:
    """A new page whose section was there before (on a page of its own), or a section whose page's resource is
    missing: where such a resource is shown changed, and so may the pages linking to it."""
    assert shown_as_before(model, change({PERIOD}, added={PERIOD})) == set()
    model.orphans.append(f"{BASE}report/3064011/2022/link")
    assert shown_as_before(model, change(())) == set()


def test_no_view_is_when_the_change_is_not_known(model: SiteModel) -> None:
    unknown = GraphChange(digests_key="digests of the graph now")
    assert shown_as_before(model, unknown) == set()


def test_no_view_is_keyed_when_the_build_made_no_digests(model: SiteModel) -> None:
    assert view_keys(model, [model.pages[iri] for iri in VIEWS], GraphChange(), EARLIER) == {}
