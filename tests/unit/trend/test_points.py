"""The pure parts of `archgraph trend`: sampling and what a contract result reduces to."""

from __future__ import annotations

import pytest

from archgraph.diagnostics import Diagnostic, ImportStep, Severity, Violation, ViolationKey
from archgraph.results import ContractResult
from archgraph.trend.points import (
    CommitInfo,
    CommitPoint,
    ContractPoint,
    contract_point,
    sample,
    with_changes,
)


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
        "layers", violations=1, governed=4, respecting=3, compliance=0.75,
        keys=(ViolationKey("layers", "AG101", "pkg.low0", "pkg.high"),),
    )


def test_nothing_governed_is_full_compliance() -> None:
    assert contract_point(result()) == ContractPoint("layers", 0, 0, 0, 1.0)


def key(importer: str) -> ViolationKey:
    return ViolationKey("layers", "AG101", importer, "pkg.high")


def commit(index: int, contract: ContractPoint) -> CommitPoint:
    return CommitPoint(CommitInfo(f"{index:040d}", "2024-01-01", f"commit {index}"), 3, (contract,))


def test_new_and_fixed_compare_with_the_last_commit_where_the_contract_was_judged() -> None:
    points = with_changes(
        [
            commit(0, ContractPoint("layers", 2, keys=(key("a"), key("b")))),
            commit(1, ContractPoint("layers", None, unavailable="gone")),
            commit(2, ContractPoint("layers", 2, keys=(key("b"), key("c")))),
            commit(3, ContractPoint("layers", 2, keys=(key("b"), key("c")))),
        ]
    )
    changes = [(p.contracts[0].new, p.contracts[0].fixed) for p in points]
    assert changes == [
        (None, None),  # nothing to compare with
        (None, None),  # not judged
        ((key("c"),), (key("a"),)),  # against commit 0: one new, one fixed, net 0
        ((), ()),
    ]
