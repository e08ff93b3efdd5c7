"""Baselines: keyed without line numbers, counted, applied as a pure function, strict to read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archgraph.baseline import (
    Baseline,
    BaselineError,
    apply_baseline,
    baseline_of,
    parse_baseline,
    read_baseline,
    render_baseline,
    write_baseline,
)
from archgraph.diagnostics import (
    BaselineStatus,
    ExitCode,
    ImportStep,
    Severity,
    Violation,
    ViolationKey,
)
from archgraph.results import ContractResult, RunResult, ScanSummary
from archgraph.usecases.check import run
from archgraph.usecases.project import RunOptions
from tests.shop import write_shop


@pytest.fixture(scope="module")
def shop_result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return run(write_shop(tmp_path_factory.mktemp("shop")), RunOptions(use_cache=False))


def one_contract(*violations: Violation) -> RunResult:
    contract = ContractResult.of(_Identity(), violations)
    return RunResult(Path("."), (contract,), (), ScanSummary(0, 0))


class _Identity:
    id = "layers"
    name = "Layers"
    kind = "layers"
    severity = Severity.ERROR


def layer_violation(importer: str, imported: str, line: int) -> Violation:
    return Violation(
        "AG101", "layers", "up", (ImportStep(importer, imported, (line,)),)
    )


def test_a_run_against_its_own_baseline_has_only_known_violations(shop_result: RunResult) -> None:
    assert shop_result.exit_code is ExitCode.BROKEN

    applied = apply_baseline(shop_result, baseline_of(shop_result), Path("b.json"))

    assert applied.exit_code is ExitCode.OK
    assert all(c.kept for c in applied.contracts)
    assert {v.baseline for v in applied.violations} == {BaselineStatus.KNOWN}
    assert len(applied.violations) == len(shop_result.violations)
    # Known violations are exempt: their sites leave the violating count for the exempt one.
    for before, after in zip(shop_result.contracts, applied.contracts, strict=True):
        assert before.governed is not None and after.governed is not None
        known_sites = {v.site for v in before.violations if v.site is not None}
        assert after.respecting == before.respecting
        assert after.exempt == (before.exempt or 0) + len(known_sites)
        assert after.governed == before.governed - len(known_sites)
        assert (after.compliance or 0) >= (before.compliance or 0)


def test_line_numbers_do_not_matter_but_counts_do() -> None:
    recorded = baseline_of(one_contract(layer_violation("a.x", "a.y", 3)))
    moved_and_repeated = one_contract(
        layer_violation("a.x", "a.y", 40),
        layer_violation("a.x", "a.y", 40)._replace(message="up (second route)"),
    )

    applied = apply_baseline(moved_and_repeated, recorded)

    (contract,) = applied.contracts
    assert [v.baseline for v in contract.violations] == [BaselineStatus.KNOWN, BaselineStatus.NEW]
    assert applied.exit_code is ExitCode.BROKEN
    assert baseline_of(moved_and_repeated).entries == (
        (ViolationKey("layers", "AG101", "a.x", "a.y"), 2),
    )


def test_recorded_violations_that_are_gone_are_reported_fixed() -> None:
    recorded = Baseline.of(
        [ViolationKey("layers", "AG101", "a.x", "a.y"), ViolationKey("layers", "AG101", "a.p", "a.q")]
    )

    applied = apply_baseline(one_contract(layer_violation("a.x", "a.y", 3)), recorded)

    (contract,) = applied.contracts
    assert contract.fixed == (ViolationKey("layers", "AG101", "a.p", "a.q"),)
    assert contract.kept


def test_entries_of_contracts_the_run_did_not_check_become_a_note() -> None:
    recorded = Baseline.of([ViolationKey("gone", "AG110", "a.x", "a.y")] * 2)

    applied = apply_baseline(one_contract(), recorded)

    (note,) = applied.diagnostics
    assert (note.code, note.severity) == ("AG321", Severity.INFO)
    assert "2 violation(s) of contract 'gone'" in note.message
    assert applied.exit_code is ExitCode.OK


def test_cycles_are_identified_by_their_message_not_their_example_imports() -> None:
    cycle = Violation(
        "AG140",
        "no-cycles",
        "import cycle in app: app.a -> app.b -> app.a",
        (ImportStep("app.a.one", "app.b.x"), ImportStep("app.b.y", "app.a.two")),
    )
    recorded = baseline_of(one_contract(cycle))
    # A new import that sorts first becomes the cycle's example: still the same cycle.
    other_example = cycle._replace(chain=(ImportStep("app.a.aaa", "app.b.x"), *cycle.chain[1:]))

    applied = apply_baseline(one_contract(other_example), recorded)

    assert applied.violations[0].baseline is BaselineStatus.KNOWN


def test_the_file_round_trips_sorted_and_versioned(tmp_path: Path, shop_result: RunResult) -> None:
    baseline = baseline_of(shop_result)
    path = tmp_path / "deep" / "baseline.json"

    write_baseline(path, baseline)

    assert read_baseline(path) == baseline
    document = json.loads(path.read_text())
    assert document["version"] == 1
    assert document["violations"] == sorted(
        document["violations"],
        key=lambda e: [e[k] or "" for k in ("contract", "code", "importer", "imported", "symbol", "message")],
    )
    assert all("line" not in entry for entry in document["violations"])
    assert render_baseline(baseline) == path.read_text()  # stable: rewriting changes nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"version": 1, "violations": [', r"b\.json:1:\d+: not a valid baseline file \(invalid JSON"),
        ("", r"b\.json:1:1: not a valid baseline file"),
        ("[]", "not a baseline file"),
        ('{"version": 7, "violations": []}', "unsupported baseline version 7"),
        ('{"version": 1}', "'violations' must be a list"),
        (
            '{"version": 1, "violations": [{"contract": "c", "code": "AG1", "importer": "a",'
            ' "imported": "b", "count": 0, "lines": [3]}, 5]}',
            r"(?s)3 problem\(s\).*violations\[0\]\.lines: unknown key.*"
            r"violations\[0\]\.count: expected a positive integer.*violations\[1\]: expected an object",
        ),
        (
            '{"version": 1, "violations": [{"contract": "c", "code": "AG1", "importer": "a"}]}',
            r"violations\[0\]: needs 'importer' and 'imported', or a 'message'",
        ),
    ],
)
def test_a_broken_file_is_rejected_with_where_and_what(text: str, expected: str) -> None:
    with pytest.raises(BaselineError, match=expected) as raised:
        parse_baseline(text, Path("b.json"))
    assert "archgraph baseline" in str(raised.value)  # says how to regenerate it


def test_repeated_entries_in_a_hand_merged_file_add_up() -> None:
    entry = {"contract": "c", "code": "AG101", "importer": "a", "imported": "b"}
    text = json.dumps({"version": 1, "violations": [entry, {**entry, "count": 2}]})

    assert parse_baseline(text, Path("b.json")).entries == (
        (ViolationKey("c", "AG101", "a", "b"), 3),
    )


def test_a_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="baseline file not found: .*archgraph baseline"):
        read_baseline(tmp_path / "nope.json")
