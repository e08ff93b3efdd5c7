"""Compliance lies in [0, 1] by construction: violating sites are governed by definition."""

from __future__ import annotations

import pytest

from archgraph.diagnostics import ImportStep, Severity, Violation
from archgraph.results import ContractResult, SiteCounts, count_sites


def violation(*chain: tuple[str, str]) -> Violation:
    return Violation("AG101", "c", "m", tuple(ImportStep(a, b) for a, b in chain))


def test_a_violating_site_the_rule_did_not_list_is_still_governed() -> None:
    found = [violation(("a", "b")), violation(("x", "y"), ("y", "z"))]

    assert count_sites(found, governed=[("a", "b")]) == SiteCounts(2, 0)
    assert count_sites(found, governed=[("a", "b"), ("q", "r")]) == SiteCounts(3, 1)


def test_sites_count_once_however_many_violations_start_there() -> None:
    found = [violation(("a", "b")), violation(("a", "b"), ("b", "c"))]

    assert count_sites(found, governed=[("a", "b"), ("c", "d")]) == SiteCounts(2, 1)


def test_extra_violating_sites_named_by_the_rule_count() -> None:
    assert count_sites([], governed=[("a", "b"), ("c", "d")], violating=[("c", "d")]) == SiteCounts(2, 1)


def test_exempt_sites_are_neither_respecting_nor_violating() -> None:
    found = [violation(("a", "b")), violation(("x", "y"))]
    counts = count_sites(found, governed=[("a", "b"), ("c", "d"), ("x", "y")], exempt=[("x", "y")])

    assert counts == SiteCounts(governed=2, respecting=1, exempt=1)
    assert counts.violating == 1


def test_a_counted_governed_total_must_cover_the_violating_sites() -> None:
    assert count_sites([violation(("a", "b"))], governed=3, exempt=0) == SiteCounts(3, 2)
    assert count_sites([violation(("a", "b"))], governed=3, exempt=2) == SiteCounts(3, 2, 2)
    with pytest.raises(ValueError, match="2 violating units but only 1 governed"):
        count_sites([violation(("a", "b")), violation(("c", "d"))], governed=1, exempt=0)


def test_no_governed_count_means_no_compliance() -> None:
    result = ContractResult("c", "C", "layers", Severity.ERROR, ())

    assert (result.governed, result.respecting, result.compliance) == (None, None, None)
    assert (result.violating, result.exempt) == (None, None)


@pytest.mark.parametrize(("governed", "respecting"), [(2, 3), (2, -1), (None, 0)])
def test_an_impossible_count_cannot_be_built(governed: int | None, respecting: int) -> None:
    with pytest.raises(ValueError, match="respecting import sites"):
        ContractResult("c", "C", "layers", Severity.ERROR, (), governed=governed, respecting=respecting)
