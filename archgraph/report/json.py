"""The machine-readable report: stable keys, sorted, `file` relative to PATH with `/`."""

from __future__ import annotations

from typing import Any

from archgraph.diagnostics import Diagnostic, Violation, json_text
from archgraph.results import AffectedScope, BaselineChange, ContractResult, Coverage, RunResult

JSON_VERSION = 1


def render_json(result: RunResult) -> str:
    return json_text(run_to_dict(result))


def run_to_dict(result: RunResult) -> dict[str, Any]:
    summary = result.summary
    return {
        "version": JSON_VERSION,
        "contracts": [contract_to_dict(c, result.baseline is not None) for c in result.contracts],
        "diagnostics": [diagnostic_to_dict(d) for d in result.diagnostics],
        "summary": {
            "modules": summary.modules,
            "namespace_modules": summary.namespace_modules,
            "imports": summary.imports,
            "files": summary.files,
            "kept": sum(1 for c in result.contracts if c.kept),
            "broken": sum(1 for c in result.contracts if c.status == "broken"),
            "error": sum(1 for c in result.contracts if c.status == "error"),
            "violations": sum(len(c.violations) for c in result.contracts),
            "violations_in_production": sum(len(c.production_violations) for c in result.contracts),
            "violations_in_tests": sum(len(c.test_violations) for c in result.contracts),
            "reported_only": sum(len(c.reported_only) for c in result.contracts),
            "suppressed": result.suppressed_count,
            "exit_code": int(result.exit_code),
            **_coverage_counts(result.coverage),
        },
        "baseline": _run_baseline(result),
        "affected": _affected(result.scope),
        "baseline_change": _baseline_change(result.baseline_change),
        # None when only some contracts were checked (`--contract`).
        "ungoverned_modules": list(result.coverage.ungoverned) if result.coverage else None,
    }


def _coverage_counts(coverage: Coverage | None) -> dict[str, Any]:
    """The summary's coverage numbers (None when only some contracts were checked)."""
    if coverage is None:
        return {"ungoverned": None, "ungoverned_in_tests": None, "coverage_failure": None}
    return {
        "ungoverned": len(coverage.ungoverned),
        "ungoverned_in_tests": len(coverage.ungoverned_in_tests),
        "coverage_failure": coverage.failure,
    }


def _baseline_change(change: BaselineChange | None) -> dict[str, Any] | None:
    """`check --baseline-ref REV`: entries added to the baseline file since REV (they fail the
    run) and removed since; None without --baseline-ref."""
    if change is None:
        return None
    return {
        "ref": change.ref,
        "file": change.file,
        "added": [key.as_dict() for key in change.added],
        "removed": [key.as_dict() for key in change.removed],
    }


def _affected(scope: AffectedScope | None) -> dict[str, Any] | None:
    """What `check --affected REV` reported on; None for a full run."""
    if scope is None:
        return None
    return {
        "since": scope.since,
        "changed_files": scope.changed_files,
        "changed_modules": sorted(scope.changed_modules),
        "modules_in_scope": len(scope.modules),
        "total_modules": scope.total_modules,
        "configuration_changed": scope.configuration_changed,
    }


def _run_baseline(result: RunResult) -> dict[str, Any] | None:
    """Totals over all contracts when a baseline was applied; None otherwise."""
    if result.baseline is None:
        return None
    return {
        "file": result.baseline.as_posix(),
        "new": sum(len(c.new_violations) for c in result.contracts),
        "known": sum(len(c.known_violations) for c in result.contracts),
        "fixed": sum(len(c.fixed) for c in result.contracts),
        "fail_on_stale": any(c.stale_fails for c in result.contracts),
    }


def _contract_baseline(contract: ContractResult, applied: bool) -> dict[str, int] | None:
    if not applied:
        return None
    return {
        "new": len(contract.new_violations),
        "known": len(contract.known_violations),
        "fixed": len(contract.fixed),
    }


def contract_to_dict(contract: ContractResult, baseline: bool = False) -> dict[str, Any]:
    return {
        "id": contract.contract_id,
        "name": contract.name,
        "type": contract.kind,
        "status": contract.status,
        "severity": contract.severity.value,
        "governed": contract.governed,
        "respecting": contract.respecting,
        "violating": contract.violating,
        "exempt": contract.exempt,
        "unit": contract.unit,
        "compliance_formula": contract.formula,
        "compliance": contract.compliance,
        "hint": contract.hint,
        "violations": [violation_to_dict(v, contract.hint) for v in contract.violations],
        "counts": violation_counts(contract),
        "baseline": _contract_baseline(contract, baseline),
        "fixed": [key.as_dict() for key in contract.fixed],
        "out_of_scope": contract.out_of_scope,
        "suppressed_count": len(contract.suppressed),
        "suppressed": [
            {
                "file": s.location.path.as_posix(),
                "line": s.location.line,
                "reason": s.reason,
                "imports": [{"importer": a, "imported": b} for a, b in s.sites],
            }
            for s in contract.suppressed
        ],
        "diagnostics": [diagnostic_to_dict(d) for d in contract.diagnostics],
    }


def violation_counts(contract: ContractResult) -> dict[str, int]:
    """Violations in all, in production, in test code, and those in test code that
    `test_violations = "report"` keeps from failing."""
    return {
        "violations": len(contract.violations),
        "in_production": len(contract.production_violations),
        "in_tests": len(contract.test_violations),
        "reported_only": len(contract.reported_only),
    }


def violation_to_dict(violation: Violation, hint: str | None = None) -> dict[str, Any]:
    """One violation; `hint` is its contract's advice (repeated so each entry stands alone)."""
    location = violation.location
    return {
        "hint": hint,
        "code": violation.code,
        "message": violation.message,
        "importer": violation.importer,
        "imported": violation.imported,
        "file": location.path.as_posix() if location else None,
        "line": location.line if location else None,
        "import_kind": violation.chain[0].import_kind.value if violation.chain else None,
        "baseline": violation.baseline.value if violation.baseline else None,
        "in_tests": violation.in_tests,
        "reported_only": violation.reported_only,
        "chain": [
            {
                "importer": step.importer,
                "imported": step.imported,
                "line": step.lines[0] if step.lines else None,
                "lines": list(step.lines),
                "import_kind": step.import_kind.value,
                "import_kinds": [kind.value for kind in step.line_kinds],
            }
            for step in violation.chain
        ],
        "symbol": violation.symbol,
        "alias": violation.alias,
        "via": list(violation.via),
        "alternative": violation.alternative,
    }


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    location = diagnostic.location
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "file": location.path.as_posix() if location else None,
        "line": location.line if location else None,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }
