"""The human-readable report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from archgraph import codes
from archgraph.diagnostics import (
    Diagnostic,
    ImportKind,
    ImportStep,
    Severity,
    Violation,
    ViolationKey,
    visible,
)
from archgraph.results import AffectedScope, BaselineChange, ContractResult, Coverage, RunResult

MAX_VIOLATIONS_SHOWN = 200

def render_text(result: RunResult) -> str:
    summary = result.summary
    count = summary.namespace_modules
    namespace = f" ({count} in namespace directories)" if count else ""
    lines = [
        f"archgraph: {summary.modules} modules{namespace}, {summary.imports} imports, "
        f"{len(result.contracts)} contracts",
        "",
    ]
    if result.baseline is not None:
        lines += [f"Baseline: {result.baseline.as_posix()}", ""]
    if result.baseline_change is not None:
        lines += [*baseline_change_lines(result.baseline_change), ""]
    if result.scope is not None:
        lines += [scope_line(result.scope), ""]
    for contract in result.contracts:
        lines += _contract_lines(
            contract, baseline=result.baseline is not None, suppressed=result.show_suppressed
        )
    shown, folded = fold_repeated_infos(result.diagnostics)
    if shown:
        lines.append(f"Diagnostics ({len(shown)}):")
        lines += [f"  {line}" for d in shown for line in diagnostic_lines(d)]
    lines += [f"  {line}" for line in folded]
    if shown or folded:
        lines.append("")
    if result.contracts:
        lines += [*summary_table(result), ""]
    lines += coverage_lines(result.coverage)
    kept = sum(1 for c in result.contracts if c.kept)
    in_error = sum(1 for c in result.contracts if c.misconfigured)
    broken = len(result.contracts) - kept - in_error
    violations = sum(len(c.violations) for c in result.contracts)
    closing = f"Contracts: {kept} kept, {broken} broken"
    if in_error:
        closing += f", {in_error} in error (configuration)"
    closing += f" ({violations} violations"
    if has_test_violations(result):
        closing += f"; {test_count_phrase(result.contracts)}"
    if result.baseline is not None:
        new = sum(len(c.new_violations) for c in result.contracts)
        stale = sum(len(c.fixed) for c in result.contracts)
        closing += f": {new} new, {violations - new} known; {stale} stale baseline entries"
    if result.scope is not None:
        closing += f"; {sum(c.out_of_scope for c in result.contracts)} outside the affected scope"
    if result.suppressed_count:
        closing += f"; {result.suppressed_count} inline suppression(s)"
    if result.baseline_change is not None:
        closing += f"; {baseline_change_phrase(result.baseline_change)}"
    lines.append(closing + ").")
    return "".join(visible(line) + "\n" for line in lines)


def baseline_change_phrase(change: BaselineChange) -> str:
    """`baseline: -85 fixed, +1 added` (since REV)."""
    return f"baseline: -{len(change.removed)} fixed, +{len(change.added)} added since {change.ref}"


def baseline_change_lines(change: BaselineChange) -> list[str]:
    """`check --baseline-ref REV`: the counts, and each entry added to the file since REV,
    which fails the run."""
    phrase = baseline_change_phrase(change)
    lines = [f"{phrase[:1].upper()}{phrase[1:]} ({change.file})"]
    if change.added:
        lines.append(
            f"  {len(change.added)} entr{'y was' if len(change.added) == 1 else 'ies were'} "
            "added: new violations recorded instead of fixed (this fails the run):"
        )
        lines += [f"    + {key.contract}: {key}" for key in change.added]
    return lines


UNGOVERNED_SHOWN = 20


def coverage_phrase(coverage: Coverage) -> str:
    """`2 of 14 modules governed by no contract (1 of them test code)`."""
    tests = len(coverage.ungoverned_in_tests)
    return (
        f"{len(coverage.ungoverned)} of {coverage.modules} modules governed by no contract"
        + (f" ({tests} of them test code)" if tests else "")
    )


def coverage_lines(coverage: Coverage | None) -> list[str]:
    """How many modules no contract governs; the production ones listed when
    `require_coverage` fails the run because of them (the JSON report lists them all)."""
    if coverage is None:
        return []
    lines = [f"Coverage: {coverage_phrase(coverage)}."]
    if coverage.failure:
        lines.append(f"{coverage.failure}: the run fails:")
        production = coverage.ungoverned_in_production
        lines += [f"  {module}" for module in production[:UNGOVERNED_SHOWN]]
        if len(production) > UNGOVERNED_SHOWN:
            lines.append(f"  ... and {len(production) - UNGOVERNED_SHOWN} more (use --format json for all)")
    return [*lines, ""]


def has_test_violations(result: RunResult) -> bool:
    return any(c.test_violations for c in result.contracts)


def test_count_phrase(contracts: Sequence[ContractResult]) -> str:
    """`3 in production, 2 in test code, 2 of them reported only`: production first."""
    tests = sum(len(c.test_violations) for c in contracts)
    production = sum(len(c.production_violations) for c in contracts)
    reported = sum(len(c.reported_only) for c in contracts)
    phrase = f"{production} in production, {tests} in test code"
    return phrase + (f", {reported} of them reported only" if reported else "")


def reported_only_note(contract: ContractResult) -> str | None:
    """Why a contract with violations in test code is kept (or not failed by them)."""
    count = len(contract.reported_only)
    if not count:
        return None
    verdict = "kept with notes" if contract.kept else "these do not break it"
    return (
        f"{count} violation(s) in test code reported only (test_violations = \"report\"): "
        f"{verdict}"
    )


def test_mark(violation: Violation) -> str:
    """` (test code)` after a violation in test code; ` (test code, reported only)` when
    `test_violations = "report"` keeps it from failing."""
    if violation.reported_only:
        return " (test code, reported only)"
    return " (test code)" if violation.in_tests else ""


def stale_phrase(contract: ContractResult) -> str:
    """`2 stale entries break this contract`: baseline entries no longer found plus unused ignores."""
    count = contract.stale_count
    return f"{count} stale entr{'y breaks' if count == 1 else 'ies break'} this contract"


def scope_line(scope: AffectedScope) -> str:
    """How much of the project `check --affected` reported on, and why."""
    changed = (
        f"Affected since {scope.since}: {scope.changed_files} changed file(s), "
        f"{len(scope.changed_modules)} changed module(s); "
    )
    if scope.configuration_changed:
        return changed + f"a contract file changed, so all {scope.total_modules} modules are in scope"
    return changed + (
        f"{len(scope.modules)} of {scope.total_modules} modules in scope "
        "(the changed modules and every module importing them)"
    )


def contract_lines(contract: ContractResult) -> list[str]:
    """One contract's part of the report: status line, violations, diagnostics."""
    return [visible(line) for line in _contract_lines(contract)]


def _contract_lines(
    contract: ContractResult, baseline: bool = False, suppressed: bool = False
) -> list[str]:
    status = {"kept": "KEPT  ", "broken": "BROKEN", "error": "ERROR "}[contract.status]
    label = f"{status}  {contract.name}  [{contract.kind}, id={contract.contract_id}"
    if contract.severity.value != "error":
        label += f", severity={contract.severity.value}"
    lines = [label + "]"]
    if baseline:
        lines += _baseline_lines(contract)
    else:
        lines += _listed(
            f"{len(contract.violations)} violation(s){_in_tests(contract.violations)}:",
            contract.violations,
            hint=contract.hint,
        )
    note = reported_only_note(contract)
    if note:
        lines.append(f"  {note}")
    if contract.out_of_scope:
        lines.append(f"  ({contract.out_of_scope} violation(s) outside the affected scope not shown)")
    lines += suppressed_lines(contract, listed=suppressed)
    for diagnostic in contract.diagnostics:
        lines += ["  " + line for line in diagnostic_lines(diagnostic)]
    if contract.fails_on_stale:
        lines.append(f"  {stale_phrase(contract)} (fail_on_stale): prune them, so that a fixed "
                     "violation cannot come back unnoticed")
    lines.append("")
    return lines


def suppressed_lines(contract: ContractResult, listed: bool) -> list[str]:
    """How many inline suppressions keep violations out of the contract; with `listed`
    (`--show-suppressed`), each one: where, which imports, and why."""
    count = len(contract.suppressed)
    if not count:
        return []
    title = f"{count} inline suppression(s) keep imports out of it"
    if not listed:
        return [f"  {title} (--show-suppressed lists them)"]
    lines = [f"  {title}:"]
    for suppressed in contract.suppressed:
        sites = ", ".join(f"{a} -> {b}" for a, b in suppressed.sites)
        lines += [f"    {suppressed.location}: {sites}", f"      reason: {suppressed.reason}"]
    return lines


def _listed(
    title: str, violations: tuple[Violation, ...], brief: bool = False, hint: str | None = None
) -> list[str]:
    """A titled list of violations (none: no lines), cut after MAX_VIOLATIONS_SHOWN; the
    contract's hint under each one shown in full."""
    if not violations:
        return []
    lines = [f"  {title}"]
    for violation in violations[:MAX_VIOLATIONS_SHOWN]:
        shown = violation_lines(violation)
        shown[0] += test_mark(violation)
        if brief:  # one line each: where it is, not how the chain runs
            where = f"  ({violation.location})" if violation.location and violation.chain else ""
            shown = [shown[0] + where]
        elif hint:
            shown.append(f"    hint: {hint}")
        lines += ["    " + line for line in shown]
    hidden = len(violations) - MAX_VIOLATIONS_SHOWN
    if hidden > 0:
        lines.append(f"    ... and {hidden} more (use --format json for all)")
    return lines


def _in_tests(violations: Sequence[Violation]) -> str:
    """`, 2 in test code` when some of them are (listed after the production ones)."""
    count = sum(1 for v in violations if v.in_tests)
    return f", {count} in test code" if count else ""


def _baseline_lines(contract: ContractResult) -> list[str]:
    """New violations in full; known ones one line each; stale entries so the baseline shrinks."""
    new, known = contract.new_violations, contract.known_violations
    lines = [f"  baseline: {len(new)} new, {len(known)} known, {len(contract.fixed)} stale"]
    lines += _listed(f"{len(new)} new violation(s){_in_tests(new)}:", new, hint=contract.hint)
    lines += _listed(
        f"{len(known)} known violation(s){_in_tests(known)}, recorded in the baseline:",
        known,
        brief=True,
    )
    if contract.fixed:
        lines.append(
            f"  {len(contract.fixed)} stale baseline entr{'y' if len(contract.fixed) == 1 else 'ies'}"
            " (fixed: recorded, no longer found; prune with `archgraph baseline --prune`):"
        )
        lines += [f"    - {key}" for key in contract.fixed[:MAX_VIOLATIONS_SHOWN]]
        hidden = len(contract.fixed) - MAX_VIOLATIONS_SHOWN
        if hidden > 0:
            lines.append(f"    ... and {hidden} more (use --format json for all)")
    return lines


def format_percent(share: float | None) -> str:
    """`90.9%`, rounded down so that anything short of full compliance never reads 100.0%."""
    if share is None:
        return "-"
    return f"{math.floor(share * 1000) / 10:.1f}%"


def summary_table(result: RunResult) -> list[str]:
    """One row per contract: id, type, status, governed (= respecting + violating) and exempt
    units, violations (those in test code, when any; new/known/fixed with a baseline) and
    compliance; under it, the formula."""
    with_baseline = result.baseline is not None
    with_tests = has_test_violations(result)
    header = ["contract", "type", "status", "governed", "respecting", "violating", "exempt", "violations"]
    if with_tests:
        header.append("in tests")
    if with_baseline:
        header += ["new", "known", "stale"]
    header.append("compliance")
    rows = [header]
    for contract in result.contracts:
        row = [
            contract.contract_id,
            contract.kind,
            contract.status,
            "-" if contract.governed is None else str(contract.governed),
            "-" if contract.respecting is None else str(contract.respecting),
            "-" if contract.violating is None else str(contract.violating),
            "-" if contract.exempt is None else str(contract.exempt),
            str(len(contract.violations)),
        ]
        if with_tests:
            row.append(str(len(contract.test_violations)))
        if with_baseline:
            row += [
                str(len(contract.new_violations)),
                str(len(contract.known_violations)),
                str(len(contract.fixed)),
            ]
        row.append(format_percent(contract.compliance))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    text_columns = 3  # id, type and status read left to right; numbers line up on the right

    def line(row: list[str]) -> str:
        cells = [
            cell.ljust(width) if index < text_columns else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  " + "  ".join(cells).rstrip()

    legend = [
        "  compliance = respecting / (respecting + violating); exempt units (allowed, ignored, "
        "baselined) count in neither"
    ]
    return ["Summary:"] + [line(row) for row in rows] + legend


def violation_lines(violation: Violation) -> list[str]:
    """`importer -> imported`, where, and for chains each hop with its line."""
    if not violation.chain:
        where = f"{violation.location}: " if violation.location else ""
        return [f"- {where}{violation.message}"]
    if violation.symbol:
        return symbol_violation_lines(violation)
    head = f"- {violation.importer} -> {violation.imported}"
    if violation.is_indirect:
        # The rule's own sentence leads: a chain or a cycle reads differently, the hops follow.
        head = f"- {violation.message} ({len(violation.chain)} imports)"
    lines = [head]
    if not violation.is_indirect and violation.code == codes.CLOSED_LAYER_SKIPPED.code:
        lines.append(f"    {violation.message}")  # which closed layer the import skips
    if violation.is_indirect:
        for step in violation.chain:
            where = _step_location(violation, step)
            lines.append(f"    {step.importer} -> {step.imported}  ({where}){kind_note(step)}")
    elif violation.location:
        lines.append(f"    {violation.location}{kind_note(violation.chain[0])}")
    if violation.alternative:
        lines.append(f"    nearest allowed: {violation.alternative}")
    return lines


def kind_note(step: ImportStep) -> str:
    """` [type_checking]`: the kinds of the step's lines, each once, unless all are runtime
    imports (the common case, left unmarked)."""
    kinds = step.distinct_kinds
    if not kinds or kinds == (ImportKind.RUNTIME,):
        return ""
    return f" [{', '.join(kind.value for kind in kinds)}]"


def _step_location(violation: Violation, step: ImportStep) -> str:
    if violation.location and step is violation.chain[0]:
        return f"{violation.location.path.as_posix()}:{_lines(step.lines)}"
    return f"line {_lines(step.lines)}"


def symbol_violation_lines(violation: Violation) -> list[str]:
    """`importer imports Symbol as Alias (via x.y)`, then where the import statement is."""
    head = f"- {violation.importer} imports {violation.symbol}"
    if violation.alias == "*":
        head += " by a star import"
    elif violation.alias:
        head += f" as {violation.alias}"
    if violation.via:
        head += f" (via {' -> '.join(violation.via)})"
    lines = [head]
    if violation.location:
        lines.append(f"    {violation.location}{kind_note(violation.chain[0])}")
    if violation.alias and "." in violation.alias:
        # Reached by attribute access (`m.Name`): the message says where it is used.
        lines.append(f"    {violation.message}")
    return lines


MAX_INFOS_PER_CODE = 3


def fold_repeated_infos(diagnostics: Sequence[Diagnostic]) -> tuple[list[Diagnostic], list[str]]:
    """Warnings and errors in full; an info code seen more than a few times becomes one line."""
    by_code: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.severity is Severity.INFO:
            by_code.setdefault(diagnostic.code, []).append(diagnostic)
    crowded = {code for code, found in by_code.items() if len(found) > MAX_INFOS_PER_CODE}
    shown = [d for d in diagnostics if d.code not in crowded or d.severity is not Severity.INFO]
    folded = [
        f"info {code}: {len(by_code[code])} like '{by_code[code][0].message}'"
        " (all of them: --format json)"
        for code in sorted(crowded)
    ]
    return shown, folded


def diagnostic_lines(diagnostic: Diagnostic) -> list[str]:
    where = f"{diagnostic.location}: " if diagnostic.location else ""
    lines = [f"{where}{diagnostic.severity.value} {diagnostic.code}: {diagnostic.message}"]
    if diagnostic.hint:
        lines.append(f"    hint: {diagnostic.hint}")
    return lines


def _lines(numbers: tuple[int, ...]) -> str:
    return ", ".join(map(str, numbers)) if numbers else "?"


def recorded_line(path: Path, violations: int, contracts: int, entries: int) -> str:
    """What `archgraph baseline` wrote to the baseline file."""
    return visible(
        f"archgraph: recorded {violations} violation(s) of {contracts} contract(s) "
        f"in {path} ({entries} entries)"
    )


def pruned_lines(
    path: Path, removed: Sequence[tuple[ViolationKey, int]], remaining: int
) -> list[str]:
    """What `archgraph baseline --prune` removed from the baseline file."""
    if not removed:
        return [visible(f"archgraph: nothing to prune in {path}; {remaining} violation(s) recorded")]
    total = sum(count for _key, count in removed)
    entries = f"{total} stale entr{'y' if total == 1 else 'ies'}"
    lines = [f"archgraph: pruned {entries} from {path}; {remaining} violation(s) remain recorded"]
    for key, count in removed:
        times = f" (x{count})" if count > 1 else ""
        lines.append(f"  - {key.contract} {key.code}: {key}{times}")
    return [visible(line) for line in lines]


def why_lines(importer: str, imported: str, chains: list[tuple[ImportStep, ...]]) -> list[str]:
    if not chains:
        return [visible(f"{importer} does not import {imported}, directly or indirectly.")]
    lines = [f"{len(chains)} shortest chain(s) from {importer} to {imported}:"]
    for number, chain in enumerate(chains, start=1):
        lines.append(f"{number}. " + " -> ".join([chain[0].importer, *(s.imported for s in chain)]))
        lines += [
            f"     {s.importer} -> {s.imported}  (line {_lines(s.lines)}){kind_note(s)}" for s in chain
        ]
    return [visible(line) for line in lines]
