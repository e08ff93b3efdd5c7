"""The audit's figure follows its formula: property tests against a brute-force oracle."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from archgraph.audit.scorecards import (
    Audit,
    ConceptClasses,
    ConceptSource,
    Scorecard,
    Site,
    Standing,
    scorecard,
)
from archgraph.diagnostics import Location
from archgraph.model.classes import ClassInfo

CLASSES = {
    "app.core.Canonical": Standing.CANONICAL,
    "app.core.Sub": Standing.CANONICAL,
    "app.other.Rival": Standing.COMPETING,
    "app.legacy.Old": Standing.COMPETING,
    "app.tests.Double": Standing.EXEMPT,
}
INFOS = {
    q: ClassInfo(q, q.rpartition(".")[2], q.rpartition(".")[0], Path(q.replace(".", "/") + ".py"), 1, ())
    for q in CLASSES
}
IMPORTERS = ("app.api.a", "app.api.b", "app.services.c", "app.allowed.d", "app.tests.test_e", "app.legacy")


def concept(protected: bool) -> ConceptClasses:
    return ConceptClasses(
        concept="Thing",
        source=ConceptSource.PROTECTED if protected else ConceptSource.FAMILY,
        contract_id="c" if protected else None,
        canonical="app.core.Canonical",
        standing=CLASSES,
        allowed_importer=(lambda m: m.startswith("app.allowed")) if protected else None,
    )


def site(importer: str, obtains: str, line: int) -> Site:
    return Site(importer, Location(Path(importer.replace(".", "/") + ".py"), line), obtains,
                in_tests=importer.startswith("app.tests"))


sites_strategy = st.lists(
    st.tuples(st.sampled_from(IMPORTERS), st.sampled_from(sorted(CLASSES)), st.integers(1, 50)),
    max_size=25,
)


def card_of(raw: list[tuple[str, str, int]], protected: bool) -> Scorecard:
    by_class: dict[str, list[Site]] = {}
    for importer, obtains, line in raw:
        by_class.setdefault(obtains, []).append(site(importer, obtains, line))
    return scorecard(concept(protected), INFOS, by_class, {})


def oracle(raw: list[tuple[str, str, int]], protected: bool) -> float | None:
    """The formula, written out independently: canonical / (canonical + bypassing)."""
    canonical = bypassing = 0
    for importer, obtains, _line in raw:
        if importer.startswith("app.tests") or CLASSES[obtains] is Standing.EXEMPT:
            continue
        if importer in {q.rpartition(".")[0] for q in CLASSES}:
            continue  # a module defining one of the concept's classes
        good = CLASSES[obtains] is Standing.CANONICAL
        if protected:
            good = good and importer.startswith("app.allowed")
        canonical += good
        bypassing += not good
    return canonical / (canonical + bypassing) if canonical + bypassing else None


@given(sites_strategy, st.booleans())
def test_the_figure_is_the_formula(raw: list[tuple[str, str, int]], protected: bool) -> None:
    assert card_of(raw, protected).compliance == oracle(raw, protected)


@given(sites_strategy, st.booleans(), st.data())
def test_removing_or_rerouting_a_bypassing_site_never_lowers_it(
    raw: list[tuple[str, str, int]], protected: bool, data: st.DataObject
) -> None:
    card = card_of(raw, protected)
    if not card.bypassing:
        return
    gone = data.draw(st.sampled_from(card.bypassing))
    index = next(
        i for i, (imp, obt, line) in enumerate(raw)
        if (imp, obt, line) == (gone.importer, gone.obtains, gone.location.line if gone.location else 0)
    )
    removed = raw[:index] + raw[index + 1:]
    rerouted = [*removed, ("app.allowed.d", "app.core.Canonical", 99)]
    before = card.compliance or 0.0
    assert (card_of(removed, protected).compliance or 1.0) >= before
    assert (card_of(rerouted, protected).compliance or 0.0) >= before


@given(sites_strategy, st.booleans())
def test_adding_a_bypassing_site_never_raises_it(raw: list[tuple[str, str, int]], protected: bool) -> None:
    before = card_of(raw, protected).compliance
    after = card_of([*raw, ("app.api.a", "app.other.Rival", 77)], protected).compliance
    assert after is not None and (before is None or after <= before)


@given(st.lists(sites_strategy, min_size=1, max_size=4))
def test_the_overall_figure_is_the_same_sum_over_every_concept(raws: list[list[tuple[str, str, int]]]) -> None:
    cards = tuple(card_of(raw, False) for raw in raws)
    audit = Audit("/r", ("app",), cards, 0, 0)
    canonical = sum(c.canonical_sites for c in cards)
    counted = sum(c.counted_sites for c in cards)
    assert audit.compliance == (canonical / counted if counted else None)
