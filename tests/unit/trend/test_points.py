"""The pure parts of `archgraph trend`: sampling and what a contract result reduces to."""

from __future__ import annotations

import pytest

from archgraph.diagnostics import ContractResult, Diagnostic, ImportStep, Severity, Violation
from archgraph.trend.points import ContractPoint, contract_point, sample


def test_sample_takes_every_nth_from_the_first_and_always_the_last() -> None:
    assert sample(range(7), 1) == tuple(range(7))
    assert sample(range(7), 3) == (0, 3, 6)
    assert sample(range(8), 3) == (0, 3, 6, 7)
    assert sample(range(3), 10) == (0, 2)
    assert sample([], 2) == ()
    with pytest.raises(ValueError):
        sample(range(3), 0)


def result(*diagnostics: Diagnostic, violations: int = 0) -> ContractResult:
    found = [
        Violation("AG101", "layers", "up", (ImportStep(f"pkg.low{i}", "pkg.high"),))
        for i in range(violations)
    ]
    return ContractResult(
        "layers", "Layers", "layers", Severity.ERROR, tuple(found), tuple(diagnostics),
        governed=4 if violations else 0, respecting=4 - violations if violations else 0,
    )


def test_a_contract_naming_a_missing_module_is_not_available() -> None:
    missing = Diagnostic("AG310", Severity.ERROR, "layers: 'pkg.new' matches no module in the graph")
    assert contract_point(result(missing)) == ContractPoint(
        "layers", None, unavailable="layers: 'pkg.new' matches no module in the graph"
    )


def test_an_ignore_matching_nothing_at_an_old_commit_still_counts_the_violations() -> None:
    stale = Diagnostic("AG311", Severity.ERROR, "ignore_imports entry 'a -> b' matches no import")
    assert contract_point(result(stale, violations=1)) == ContractPoint(
        "layers", violations=1, governed=4, respecting=3, compliance=0.75
    )


def test_nothing_governed_is_full_compliance() -> None:
    assert contract_point(result()) == ContractPoint("layers", 0, 0, 0, 1.0)
