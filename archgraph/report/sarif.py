"""SARIF 2.1.0: one rule per contract (`ruleId` = contract id), one result per violation.

Diagnostics at warning or error level are results too, under rules named by their code (AG201...)
whose title, help and default level come from `codes.py`; info diagnostics are tool
notifications. URIs are relative to PATH (`uriBaseId` PROJECTROOT).
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import quote

from archgraph import codes
from archgraph.diagnostics import (
    BaselineStatus,
    Diagnostic,
    ExitCode,
    Location,
    Severity,
    Violation,
    json_text,
)
from archgraph.report.text import kind_note
from archgraph.results import ContractResult, RunResult

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
ROOT_BASE_ID = "PROJECTROOT"
INFORMATION_URI = "https://pypi.org/project/archgraph/"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# SARIF's words for our baseline states: a known violation is "unchanged" since the baseline.
_BASELINE_STATES = {BaselineStatus.NEW: "new", BaselineStatus.KNOWN: "unchanged"}


def render_sarif(result: RunResult) -> str:
    return json_text(sarif_log(result))


def sarif_log(result: RunResult) -> dict[str, Any]:
    """The whole SARIF log as plain data."""
    rules = [_contract_rule(contract) for contract in result.contracts]
    results: list[dict[str, Any]] = []
    for index, contract in enumerate(result.contracts):
        seen: dict[str, int] = {}
        for violation in contract.violations:
            results.append(_violation_result(violation, contract, index, result, seen))
    reported = [
        (diagnostic, contract)
        for contract in result.contracts
        for diagnostic in contract.diagnostics
        if diagnostic.severity is not Severity.INFO
    ] + [(d, None) for d in result.diagnostics if d.severity is not Severity.INFO]
    reported_codes = sorted({diagnostic.code for diagnostic, _contract in reported})
    rule_index = {code: len(rules) + offset for offset, code in enumerate(reported_codes)}
    rules += [_diagnostic_rule(code) for code in reported_codes]
    results += [
        _diagnostic_result(diagnostic, contract, rule_index[diagnostic.code])
        for diagnostic, contract in reported
    ]
    notifications = [
        _notification(diagnostic, contract)
        for contract in [*result.contracts, None]
        for diagnostic in (contract.diagnostics if contract else result.diagnostics)
        if diagnostic.severity is Severity.INFO
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": result.exit_code is not ExitCode.USAGE,
        "exitCode": int(result.exit_code),
    }
    coverage = result.coverage
    if coverage is not None and coverage.failure:
        notifications.append(
            {
                "level": "error",
                "message": {"text": f"{coverage.failure}: {coverage.listed(20)}; the run fails"},
            }
        )
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "archgraph",
                "version": _archgraph_version(),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {ROOT_BASE_ID: {"uri": result.root.as_uri().rstrip("/") + "/"}},
        "invocations": [invocation],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    properties: dict[str, Any] = {
        "violations": len(result.violations),
        "violations_in_production": sum(len(c.production_violations) for c in result.contracts),
        "violations_in_tests": sum(len(c.test_violations) for c in result.contracts),
        "reported_only": sum(len(c.reported_only) for c in result.contracts),
    }
    if coverage is not None:
        properties["ungoverned_modules"] = list(coverage.ungoverned)
        properties["ungoverned_in_tests"] = len(coverage.ungoverned_in_tests)
    if result.baseline is not None:
        properties["baseline"] = result.baseline.as_posix()
    run["properties"] = properties
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _contract_rule(contract: ContractResult) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "type": contract.kind,
        "status": contract.status,
        "governed": contract.governed,
        "respecting": contract.respecting,
        "violating": contract.violating,
        "exempt": contract.exempt,
        "unit": contract.unit,
        "compliance_formula": contract.formula,
        "compliance": contract.compliance,
        "violations": len(contract.violations),
        "violations_in_production": len(contract.production_violations),
        "violations_in_tests": len(contract.test_violations),
        "reported_only": len(contract.reported_only),
    }
    rule: dict[str, Any] = {
        "id": contract.contract_id,
        "name": contract.name,
        "shortDescription": {"text": contract.name},
        "fullDescription": {"text": f"archgraph {contract.kind} contract '{contract.name}'"},
        "defaultConfiguration": {"level": _LEVELS[contract.severity]},
        "properties": {key: value for key, value in properties.items() if value is not None},
    }
    if contract.hint:
        # Code scanning shows a rule's help beside each of its alerts.
        rule["help"] = {"text": contract.hint, "markdown": contract.hint}
    return rule


def _diagnostic_rule(code: str) -> dict[str, Any]:
    entry = codes.lookup(code)
    if entry is None:  # a code of a contract type from a plugin: only its family is known
        family = codes.FAMILIES.get(code[:3], "diagnostic")
        return {"id": code, "name": code, "shortDescription": {"text": f"archgraph {family} {code}"}}
    return {
        "id": code,
        "name": entry.rule_name,
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": entry.help},
        # Code scanning shows a rule's help beside each of its alerts.
        "help": {"text": entry.help, "markdown": entry.help},
        "defaultConfiguration": {"level": _LEVELS[entry.severity]},
    }


def _violation_result(
    violation: Violation,
    contract: ContractResult,
    rule_index: int,
    result: RunResult,
    seen: dict[str, int],
) -> dict[str, Any]:
    sarif_result: dict[str, Any] = {
        "ruleId": contract.contract_id,
        "ruleIndex": rule_index,
        # A violation in test code that `test_violations = "report"` keeps from failing
        # the run is a note, so that a code-scanning gate does not fail on it either.
        "level": "note" if violation.reported_only else _LEVELS[contract.severity],
        "kind": "fail",
        "message": {"text": violation_text(violation)},
        "partialFingerprints": {"archgraphViolation/v1": _fingerprint(violation, seen)},
        "properties": {
            "code": violation.code,
            "importer": violation.importer,
            "imported": violation.imported,
            "in_tests": violation.in_tests,
            "reported_only": violation.reported_only,
            "importKind": violation.chain[0].import_kind.value if violation.chain else None,
            "chain": [
                {
                    "importer": s.importer,
                    "imported": s.imported,
                    "lines": list(s.lines),
                    "importKinds": [kind.value for kind in s.line_kinds],
                }
                for s in violation.chain
            ],
        },
    }
    location = _location(violation.location, violation.importer)
    if location:
        sarif_result["locations"] = [location]
    if violation.baseline is not None and result.baseline is not None:
        sarif_result["baselineState"] = _BASELINE_STATES[violation.baseline]
    return sarif_result


def violation_text(violation: Violation) -> str:
    """One line: what imports what, the contract's message, and the chain when indirect."""
    if not violation.chain:
        return violation.message
    hops = "; ".join(f"{s.importer} -> {s.imported}" for s in violation.chain)
    if not violation.is_continuous:
        return f"{violation.message} (imports: {hops})"
    subject = f"{violation.importer} -> {violation.imported}"
    if violation.symbol:
        subject = f"{violation.importer} imports {violation.symbol}"
    text = f"{subject}{kind_note(violation.chain[0])}: {violation.message}"
    if violation.is_indirect:
        text += f" (through {hops})"
    return text


def _fingerprint(violation: Violation, seen: dict[str, int]) -> str:
    """Stable across edits that move lines (the baseline key), distinct for repeated keys."""
    identity = "\x1f".join(violation.key.sort_key())
    seen[identity] = seen.get(identity, 0) + 1
    text = f"{identity}\x1f{seen[identity]}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _diagnostic_result(
    diagnostic: Diagnostic, contract: ContractResult | None, rule_index: int
) -> dict[str, Any]:
    text = diagnostic.message + (f" (hint: {diagnostic.hint})" if diagnostic.hint else "")
    sarif_result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[diagnostic.severity],
        "message": {"text": text},
    }
    if contract is not None:
        sarif_result["properties"] = {"contract": contract.contract_id}
    location = _location(diagnostic.location, None)
    if location:
        sarif_result["locations"] = [location]
    return sarif_result


def _notification(diagnostic: Diagnostic, contract: ContractResult | None) -> dict[str, Any]:
    text = diagnostic.message + (f" (hint: {diagnostic.hint})" if diagnostic.hint else "")
    notification: dict[str, Any] = {
        "level": _LEVELS[diagnostic.severity],
        "message": {"text": text},
        "descriptor": {"id": diagnostic.code},
    }
    if contract is not None:
        notification["properties"] = {"contract": contract.contract_id}
    location = _location(diagnostic.location, None)
    if location:
        notification["locations"] = [location]
    return notification


def _location(location: Location | None, module: str | None) -> dict[str, Any] | None:
    sarif_location: dict[str, Any] = {}
    if location is not None:
        physical: dict[str, Any] = {
            "artifactLocation": {
                "uri": quote(location.path.as_posix(), safe="/"),
                "uriBaseId": ROOT_BASE_ID,
            }
        }
        if location.line is not None and location.line >= 1:
            region: dict[str, Any] = {"startLine": location.line}
            if location.column is not None and location.column >= 1:
                region["startColumn"] = location.column
            physical["region"] = region
        sarif_location["physicalLocation"] = physical
    if module is not None:
        sarif_location["logicalLocations"] = [{"fullyQualifiedName": module, "kind": "module"}]
    return sarif_location or None


def _archgraph_version() -> str:
    try:
        return version("archgraph")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"
