"""changes_between: what `check --watch` prints after a change, the failing violations new and
fixed since the run before, matched as baselines match them (no line numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archgraph import codes
from archgraph.diagnostics import BaselineStatus, ImportStep, Severity, Violation
from archgraph.results import ContractResult, RunResult, ScanSummary
from archgraph.usecases.live import changes_between

CODE = codes.FORBIDDEN_IMPORT.code


def violation(importer: str, imported: str, line: int, **more: Any) -> Violation:
    step = ImportStep(importer, imported, (line,))
    return Violation(CODE, "forbid", f"{importer} imports {imported}", (step,), **more)


def run(*violations: Violation) -> RunResult:
    contract = ContractResult("forbid", "Forbid", "forbidden", Severity.ERROR, tuple(violations))
    return RunResult(Path("."), (contract,), (), ScanSummary(modules=3, imports=3))


def test_a_moved_import_is_no_change_and_one_more_of_a_kind_is_new() -> None:
    before = run(violation("app.a", "app.b", 1))
    moved = run(violation("app.a", "app.b", 7))
    assert changes_between(before, moved).new == changes_between(before, moved).fixed == ()

    # The same pair from two places (an import and a chain's first step): one is new.
    twice = run(violation("app.a", "app.b", 1), violation("app.a", "app.b", 1, via=("x",)))
    changes = changes_between(before, twice)
    assert [(c, v.importer, v.imported) for c, v in changes.new] == [("forbid", "app.a", "app.b")]
    assert changes.fixed == ()


def test_fixed_ones_are_those_gone_and_known_ones_do_not_count() -> None:
    before = run(violation("app.a", "app.b", 1), violation("app.c", "app.b", 2))
    after = run(
        violation("app.c", "app.b", 2),
        violation("app.d", "app.b", 3, baseline=BaselineStatus.KNOWN),
    )
    changes = changes_between(before, after)
    assert changes.new == ()
    assert [v.importer for _c, v in changes.fixed] == ["app.a"]
