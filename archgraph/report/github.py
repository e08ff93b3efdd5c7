"""GitHub Actions workflow commands: one annotation per new violation and per diagnostic.

`::error file=F,line=L,title=T::message`, escaped as GitHub's runner expects: in the message `%`,
CR and LF; in properties also `:` and `,`. Other control characters and line separators are
written as escapes (`\\u2028`), as in every line-oriented output. Known (baselined) violations get no annotation, since
GitHub shows only the first few per step and new ones must not be crowded out; one notice counts
them instead.
"""

from __future__ import annotations

from pathlib import Path

from archgraph import codes
from archgraph.diagnostics import Diagnostic, Location, Severity, visible
from archgraph.report.sarif import violation_text
from archgraph.report.text import (
    coverage_phrase,
    has_test_violations,
    test_count_phrase,
    test_mark,
)
from archgraph.results import ContractResult, RunResult

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message part of a workflow command: GitHub's escapes, then other control
    characters and line separators (a folder name can hold them) made visible."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A property value (file, title...) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(
    command: str, message: str, properties: dict[str, str | int | None] | None = None
) -> str:
    shown = [
        f"{name}={escape_property(str(value))}"
        for name, value in (properties or {}).items()
        if value is not None
    ]
    return f"::{command}{' ' + ','.join(shown) if shown else ''}::{escape_data(message)}"


def render_github(result: RunResult, workspace: Path | None = None) -> str:
    """Annotations; `workspace`: the directory file paths are made relative to (GitHub resolves
    them against the checkout, normally the working directory); by default relative to PATH."""
    lines: list[str] = []
    known = 0
    for contract in result.contracts:
        command = _COMMANDS[contract.severity]
        for violation in contract.new_violations:
            # In test code and reported only (`test_violations = "report"`): a notice.
            lines.append(
                workflow_command(
                    "notice" if violation.reported_only else command,
                    violation_text(violation)
                    + test_mark(violation)
                    + (f"\nhint: {contract.hint}" if contract.hint else ""),
                    _place(result, violation.location, workspace)
                    | {
                        "title": f"archgraph {contract.contract_id} ({violation.code})"
                        + (" (test code)" if violation.in_tests else "")
                    },
                )
            )
        known += len(contract.known_violations)
        if contract.fixed:
            lines.append(
                workflow_command(
                    "error" if contract.fails_on_stale else "notice",
                    f"{len(contract.fixed)} baseline entr{'y' if len(contract.fixed) == 1 else 'ies'}"
                    f" of {contract.contract_id} no longer occur (fixed): prune them with "
                    "`archgraph baseline --prune`"
                    + (" (fail_on_stale fails the run)" if contract.fails_on_stale else ""),
                    {"title": f"archgraph {contract.contract_id} (stale baseline)"},
                )
            )
        lines += [_diagnostic_command(result, d, contract, workspace) for d in contract.diagnostics]
    lines += [_diagnostic_command(result, d, None, workspace) for d in result.diagnostics]
    lines += _baseline_added(result, workspace)
    if known:
        lines.append(
            workflow_command(
                "notice",
                f"{known} known violation(s) recorded in the baseline are not annotated",
                {"title": "archgraph baseline"},
            )
        )
    coverage = result.coverage
    if coverage is not None and coverage.failure:
        lines.append(
            workflow_command(
                "error",
                f"{coverage.failure}: {coverage.listed(20)}",
                {"title": "archgraph require_coverage"},
            )
        )
    kept = sum(1 for c in result.contracts if c.kept)
    in_error = sum(1 for c in result.contracts if c.misconfigured)
    errors = f", {in_error} in error (configuration)" if in_error else ""
    split = f": {test_count_phrase(result.contracts)}" if has_test_violations(result) else ""
    covered = f"; {coverage_phrase(coverage)}" if coverage is not None else ""
    lines.append(
        f"archgraph: {kept} kept, {len(result.contracts) - kept - in_error} broken{errors} "
        f"({len(result.violations)} violations{split}){covered}; exit code {int(result.exit_code)}"
    )
    return "\n".join(lines) + "\n"


def _baseline_added(result: RunResult, workspace: Path | None) -> list[str]:
    """`check --baseline-ref REV`: an error at the baseline file for each entry added since."""
    change = result.baseline_change
    if change is None:
        return []
    place = _place(result, Location(Path(change.file)), workspace)
    title = f"archgraph baseline ({codes.BASELINE_ENTRIES_ADDED.code})"
    return [
        workflow_command(
            "error",
            f"baseline entry added since {change.ref}: {key.contract}: {key}",
            place | {"title": title},
        )
        for key in change.added
    ]


def _diagnostic_command(
    result: RunResult, diagnostic: Diagnostic, contract: ContractResult | None, workspace: Path | None
) -> str:
    title = f"archgraph {diagnostic.code}"
    if contract is not None:
        title = f"archgraph {contract.contract_id} ({diagnostic.code})"
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    return workflow_command(
        _COMMANDS[diagnostic.severity],
        message,
        _place(result, diagnostic.location, workspace) | {"title": title},
    )


def _place(
    result: RunResult, location: Location | None, workspace: Path | None
) -> dict[str, str | int | None]:
    if location is None:
        return {}
    path = location.path
    if workspace is not None:
        absolute = result.root / path
        try:
            path = absolute.relative_to(workspace)
        except ValueError:  # PATH lies outside the workspace: GitHub cannot place it anyway
            path = absolute
    return {"file": path.as_posix(), "line": location.line, "col": location.column}
