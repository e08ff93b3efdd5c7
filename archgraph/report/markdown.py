"""A Markdown summary for pull-request comments and CI step summaries ($GITHUB_STEP_SUMMARY).

A table of the contracts with their compliance and baseline counts, then, for each broken
contract, its hint and its first violations linked as `file#Lline`. File paths are relative to
the working directory (run it from the checkout root), so the links resolve in the repository.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from archgraph.diagnostics import Location, Severity, Violation, visible
from archgraph.report.text import (
    baseline_change_phrase,
    coverage_phrase,
    format_percent,
    has_test_violations,
    kind_note,
    reported_only_note,
    stale_phrase,
    test_count_phrase,
    test_mark,
)
from archgraph.results import ContractResult, RunResult

VIOLATIONS_SHOWN = 10
# Enough to keep prose literal mid-line (messages never start a line here).
_SPECIAL = re.compile(r"([\\`*_\[\]<|~])")


def escape(text: str) -> str:
    """Prose as Markdown shows it literally (module names keep their underscores)."""
    return _SPECIAL.sub(r"\\\1", visible(text).replace("\\n", " "))


def code(text: str) -> str:
    """Inline code; a backtick inside is replaced, since Markdown has no escape there."""
    # Control characters (a newline would end the list item) are shown as escapes.
    return f"`{visible(text).replace('`', chr(0x2035))}`"


def render_markdown(
    result: RunResult, workspace: Path | None = None, limit: int = VIOLATIONS_SHOWN
) -> str:
    """The summary; `limit`: violations listed per broken contract."""
    broken = [c for c in result.contracts if not c.kept]
    failing = len(result.failing)
    title = (
        f"## archgraph: {len(broken)} of {len(result.contracts)} contracts broken"
        if broken
        else f"## archgraph: all {len(result.contracts)} contracts kept"
    )
    change = result.baseline_change
    if change is not None and change.added:
        title += f"; the baseline grew by {len(change.added)} entr{'y' if len(change.added) == 1 else 'ies'}"
    lines = [title, "", _context(result), ""]
    if change is not None and change.added:
        lines += [
            f"Baseline entries added since {code(change.ref)} (new violations recorded; "
            "they fail the run):",
            "",
            *(f"- {code(key.contract)}: {escape(str(key))}" for key in change.added[:limit]),
        ]
        if len(change.added) > limit:
            lines.append(f"- ... and {len(change.added) - limit} more")
        lines.append("")
    if result.contracts:
        lines += [*_table(result), ""]
    if has_test_violations(result):
        lines += [f"Violations: {test_count_phrase(result.contracts)}.", ""]
    for contract in result.contracts:
        note = reported_only_note(contract)
        if note and contract.kept:
            lines += [f"{code(contract.contract_id)}: {escape(note)}.", ""]
    for contract in broken:
        lines += _section(result, contract, workspace, limit)
    problems = [d for d in result.diagnostics if d.severity is not Severity.INFO]
    if problems:
        first = escape(problems[0].message)
        lines += [f"{len(problems)} scan diagnostic(s), e.g. {first}; see the text report.", ""]
    coverage = result.coverage
    if coverage is not None and coverage.fails:
        shown = ", ".join(code(m) for m in coverage.ungoverned_in_production[:VIOLATIONS_SHOWN])
        more = len(coverage.ungoverned_in_production) - VIOLATIONS_SHOWN
        lines += [
            f"{escape(coverage.failure or '')}: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + ".",
            "",
        ]
    verdict = "fails" if int(result.exit_code) else "passes"
    reasons = [f"{failing} contract(s) fail it"] if failing else []
    if coverage is not None and coverage.fails:
        reasons.append("require_coverage fails it")
    lines.append(
        f"Exit code {int(result.exit_code)}: the run {verdict}"
        + (f" ({'; '.join(reasons)})." if reasons else ".")
    )
    return "\n".join(lines) + "\n"


def _context(result: RunResult) -> str:
    summary = result.summary
    parts = [f"{summary.modules} modules, {summary.imports} imports"]
    if result.coverage is not None:
        parts.append(escape(coverage_phrase(result.coverage)))
    if result.baseline is not None:
        parts.append(f"baseline {code(result.baseline.as_posix())}")
    if result.baseline_change is not None:
        parts.append(escape(baseline_change_phrase(result.baseline_change)))
    if result.suppressed_count:
        parts.append(f"{result.suppressed_count} inline suppression(s)")
    scope = result.scope
    if scope is not None:
        shown = (
            f"all {scope.total_modules} modules (a contract file changed)"
            if scope.configuration_changed
            else f"{len(scope.modules)} of {scope.total_modules} modules"
        )
        parts.append(f"affected since {code(scope.since)}: {shown} in scope")
    return " · ".join(parts)


def _table(result: RunResult) -> list[str]:
    with_baseline = result.baseline is not None
    with_tests = has_test_violations(result)
    header = ["contract", "type", "status", "compliance", "violations"]
    if with_tests:
        header.append("in tests")
    if with_baseline:
        header += ["new", "known", "stale"]
    rows = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join([":--"] * 3 + ["--:"] * (len(header) - 3)) + "|",
    ]
    for contract in result.contracts:
        status = "✅ kept" if contract.kept else "❌ broken"
        if not contract.kept and contract.severity is not Severity.ERROR:
            status = f"⚠️ broken ({contract.severity.value})"
        if contract.misconfigured:
            status = "⛔ error (configuration)"
        cells = [
            f"{code(contract.contract_id)} {escape(contract.name)}",
            contract.kind,
            status,
            format_percent(contract.compliance),
            str(len(contract.violations)),
        ]
        if with_tests:
            cells.append(str(len(contract.test_violations)))
        if with_baseline:
            cells += [
                str(len(contract.new_violations)),
                str(len(contract.known_violations)),
                str(len(contract.fixed)),
            ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _section(
    result: RunResult, contract: ContractResult, workspace: Path | None, limit: int
) -> list[str]:
    lines = [f"### {escape(contract.name)} ({code(contract.contract_id)})", ""]
    if contract.severity is not Severity.ERROR:
        lines += [f"Severity {contract.severity.value}: reported, does not fail the run.", ""]
    if contract.hint:
        lines += [f"> **Hint:** {escape(contract.hint)}", ""]
    problems = [d for d in contract.diagnostics if d.severity is Severity.ERROR]
    lines += [f"- **{d.code}** {escape(d.message)}" for d in problems]
    new = contract.new_violations
    label = "new violation(s)" if result.baseline is not None else "violation(s)"
    if new:
        lines.append(f"{len(new)} {label}:")
        lines.append("")
        lines += [_violation_line(result, v, workspace) for v in new[:limit]]
        if len(new) > limit:
            lines.append(f"- … and {len(new) - limit} more (see the full report)")
    note = reported_only_note(contract)
    if note:
        lines += ["", escape(note) + "."]
    if contract.known_violations:
        lines += ["", f"{len(contract.known_violations)} known violation(s) are in the baseline."]
    if contract.out_of_scope:
        lines += ["", f"{contract.out_of_scope} violation(s) outside the affected scope."]
    if contract.fails_on_stale:
        advice = (
            f"{stale_phrase(contract)} (fail\\_on\\_stale): `archgraph baseline --prune` removes "
            "stale baseline entries; remove unused `ignore_imports` by hand."
        )
        lines += ["", advice]
        lines += [f"- {escape(str(key))}" for key in contract.fixed[:limit]]
        lines += [f"- {escape(d.message)}" for d in contract.stale_ignores[:limit]]
    return [*lines, ""]


def _violation_line(result: RunResult, violation: Violation, workspace: Path | None) -> str:
    where = _link(result, violation.location, workspace)
    if violation.chain and not violation.is_continuous:
        # A cycle between packages: one example import per hop; the message names the cycle.
        first = violation.chain[0]
        text = f"{escape(violation.message)} (e.g. {code(f'{first.importer} -> {first.imported}')})"
    elif violation.chain:
        subject = f"{code(violation.importer or '')} → {code(violation.imported or '')}"
        note = kind_note(violation.chain[0]).strip(" []")
        subject += f" (import kind: {code(note)})" if note else ""
        if violation.is_indirect:
            hops = " -> ".join([violation.chain[0].importer, *(s.imported for s in violation.chain)])
            subject += f" (through {code(hops)})"
        text = f"{subject}: {escape(violation.message)}"
    else:
        text = escape(violation.message)
    return f"- {where + ' ' if where else ''}{text}{escape(test_mark(violation))}"


def _link(result: RunResult, location: Location | None, workspace: Path | None) -> str:
    if location is None:
        return ""
    path = location.path
    if workspace is not None:
        try:
            path = (result.root / path).relative_to(workspace)
        except ValueError:  # PATH lies outside the working directory: keep it relative to PATH
            pass
    shown = path.as_posix() + (f":{location.line}" if location.line else "")
    # Percent-encoded whole: a `)`, `<`, space or newline in a directory name ended the link.
    target = quote(path.as_posix(), safe="/") + (f"#L{location.line}" if location.line else "")
    return f"[{code(shown)}]({target})"
