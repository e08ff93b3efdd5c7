"""JUnit XML: one testcase per contract, so CI test dashboards show architecture contracts.

A contract that fails the run is a <failure> listing its (new) violations; a misconfigured one is
an <error>. Known (baselined) violations and those of contracts whose severity does not fail the
run are listed in <system-out>, so the testcase status always agrees with the exit code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from archgraph.diagnostics import Diagnostic, Severity, Violation, visible
from archgraph.report.text import (
    coverage_phrase,
    diagnostic_lines,
    format_percent,
    reported_only_note,
    stale_phrase,
    test_mark,
    violation_lines,
)
from archgraph.results import ContractResult, Coverage, RunResult

# Characters XML 1.0 cannot carry at all, even escaped (control characters, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """The text with characters XML 1.0 forbids written as `\\xNN`; ElementTree escapes the rest."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def render_junit(result: RunResult) -> str:
    cases = [_contract_case(contract) for contract in result.contracts]
    scan_case = _scan_case(result)
    if scan_case is not None:
        cases.append(scan_case)
    if result.coverage is not None and result.coverage.ungoverned:
        cases.append(_coverage_case(result.coverage))
    failures = sum(1 for case in cases if case.find("failure") is not None)
    errors = sum(1 for case in cases if case.find("error") is not None)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors)}
    suites = ET.Element("testsuites", {"name": "archgraph", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "archgraph", **counts, "skipped": "0"})
    properties = ET.SubElement(suite, "properties")
    _property(properties, "root", result.root.as_posix())
    _property(properties, "exit_code", str(int(result.exit_code)))
    if result.baseline is not None:
        _property(properties, "baseline", result.baseline.as_posix())
    _property(properties, "violations", str(len(result.violations)))
    in_tests = sum(len(c.test_violations) for c in result.contracts)
    _property(properties, "violations_in_production", str(len(result.violations) - in_tests))
    _property(properties, "violations_in_tests", str(in_tests))
    if result.coverage is not None:
        _property(properties, "ungoverned_modules", str(len(result.coverage.ungoverned)))
    suite.extend(cases)
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _property(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "property", {"name": name, "value": xml_safe(value)})


def _contract_case(contract: ContractResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": xml_safe(f"archgraph.{contract.kind}"),
            "name": xml_safe(f"{contract.name} [{contract.contract_id}]"),
        },
    )
    new, known = contract.failing_violations, contract.known_violations
    if contract.misconfigured:
        problems = [d for d in contract.diagnostics if d.is_configuration]
        _child(
            case,
            "error",
            f"contract {contract.contract_id} is misconfigured: {problems[0].message}",
            problems[0].code,
            _diagnostics_text(contract.diagnostics),
        )
    elif contract.fails_on_stale and not new and contract.severity is Severity.ERROR:
        stale = [f"- stale baseline entry: {key}" for key in contract.fixed]
        stale += [f"- {d.message}" for d in contract.stale_ignores]
        _child(
            case,
            "failure",
            f"{stale_phrase(contract)} (fail_on_stale)",
            contract.stale_ignores[0].code if contract.stale_ignores else "stale",
            "".join(line + "\n" for line in stale),
        )
    elif not contract.kept and contract.severity is Severity.ERROR:
        _child(
            case,
            "failure",
            f"{len(new)} violation(s) of {contract.contract_id} ({contract.kind})"
            + _tests_part(new)
            + (
                f"; {len(contract.reported_only)} more in test code reported only"
                if contract.reported_only
                else ""
            ),
            new[0].code if new else _first_error_code(contract.diagnostics, "AG1"),
            _violations_text(new, contract.hint) + _diagnostics_text(contract.diagnostics),
        )
    summary = (
        f"{contract.kind} contract {contract.contract_id}: {contract.status}, "
        f"severity {contract.severity.value}, compliance {format_percent(contract.compliance)} "
        f"({_count(contract.respecting)} of {_count(contract.governed)} {contract.unit} respect it, "
        f"{_count(contract.violating)} violate it, {_count(contract.exempt)} exempt)"
    )
    if contract.test_violations:
        summary += (
            f"; {len(contract.violations)} violation(s): {len(contract.production_violations)} "
            f"in production, {len(contract.test_violations)} in test code"
        )
    out = [summary]
    note = reported_only_note(contract)
    if note:
        out += [note + ":", _violations_text(contract.reported_only)]
    if not contract.kept and contract.severity is not Severity.ERROR:
        out += [f"broken, but severity {contract.severity.value} does not fail the run:"]
        out += [_violations_text(new, contract.hint)]
    if known:
        out += [f"{len(known)} known violation(s), recorded in the baseline:", _violations_text(known)]
    if contract.fixed:
        out += [f"{len(contract.fixed)} fixed since the baseline:"]
        out += [f"- {key}" for key in contract.fixed]
    ET.SubElement(case, "system-out").text = xml_safe("\n".join(line for line in out if line))
    return case


def _scan_case(result: RunResult) -> ET.Element | None:
    """The scan's own diagnostics: an <error> only when --strict makes them fail the run."""
    if not result.diagnostics:
        return None
    case = ET.Element("testcase", {"classname": "archgraph.scan", "name": "scan diagnostics"})
    serious = [d for d in result.diagnostics if d.severity is not Severity.INFO]
    text = _diagnostics_text(result.diagnostics)
    if result.strict and serious:
        _child(case, "error", f"{len(serious)} scan problem(s) (--strict)", serious[0].code, text)
    else:
        ET.SubElement(case, "system-out").text = xml_safe(text)
    return case


def _coverage_case(coverage: Coverage) -> ET.Element:
    """The modules no contract governs: a <failure> when `require_coverage` fails the run."""
    case = ET.Element("testcase", {"classname": "archgraph.coverage", "name": "coverage"})
    tests = set(coverage.ungoverned_in_tests)
    text = "".join(
        visible(f"{m}{'  (test code)' if m in tests else ''}") + "\n" for m in coverage.ungoverned
    )
    if coverage.failure:
        _child(case, "failure", coverage.failure, "require_coverage", text)
    else:
        ET.SubElement(case, "system-out").text = xml_safe(
            f"{coverage_phrase(coverage)}:\n{text}"
        )
    return case


def _child(case: ET.Element, tag: str, message: str, kind: str, text: str) -> None:
    element = ET.SubElement(case, tag, {"message": xml_safe(message), "type": xml_safe(kind)})
    element.text = xml_safe(text)


def _tests_part(violations: tuple[Violation, ...]) -> str:
    """`, 2 in test code` when some of the violations are."""
    count = sum(1 for v in violations if v.in_tests)
    return f", {count} in test code" if count else ""


def _violations_text(violations: tuple[Violation, ...], hint: str | None = None) -> str:
    """Each violation's lines (marked when in test code), then the contract's hint under it."""
    advice = [f"    hint: {hint}"] if hint else []
    return "".join(
        visible(line) + "\n" for v in violations for line in [*_marked_lines(v), *advice]
    )


def _marked_lines(violation: Violation) -> list[str]:
    lines = violation_lines(violation)
    return [lines[0] + test_mark(violation), *lines[1:]]


def _diagnostics_text(diagnostics: tuple[Diagnostic, ...]) -> str:
    return "".join(visible(line) + "\n" for d in diagnostics for line in diagnostic_lines(d))


def _first_error_code(diagnostics: tuple[Diagnostic, ...], default: str) -> str:
    return next((d.code for d in diagnostics if d.severity is Severity.ERROR), default)


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)
