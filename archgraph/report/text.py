"""The human-readable report."""

from __future__ import annotations

from archgraph.diagnostics import ContractResult, Diagnostic, ImportStep, RunResult, Violation

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
    for contract in result.contracts:
        lines += _contract_lines(contract)
    if result.diagnostics:
        lines.append(f"Diagnostics ({len(result.diagnostics)}):")
        lines += [f"  {line}" for d in result.diagnostics for line in diagnostic_lines(d)]
        lines.append("")
    kept = sum(1 for c in result.contracts if c.kept)
    broken = len(result.contracts) - kept
    violations = sum(len(c.violations) for c in result.contracts)
    lines.append(f"Contracts: {kept} kept, {broken} broken ({violations} violations).")
    return "\n".join(lines) + "\n"


def contract_lines(contract: ContractResult) -> list[str]:
    """One contract's part of the report: status line, violations, diagnostics."""
    return _contract_lines(contract)


def _contract_lines(contract: ContractResult) -> list[str]:
    status = "KEPT  " if contract.kept else "BROKEN"
    label = f"{status}  {contract.name}  [{contract.kind}, id={contract.contract_id}"
    if contract.severity.value != "error":
        label += f", severity={contract.severity.value}"
    lines = [label + "]"]
    if contract.violations:
        lines.append(f"  {len(contract.violations)} violation(s):")
    for violation in contract.violations[:MAX_VIOLATIONS_SHOWN]:
        lines += ["    " + line for line in violation_lines(violation)]
    hidden = len(contract.violations) - MAX_VIOLATIONS_SHOWN
    if hidden > 0:
        lines.append(f"    ... and {hidden} more (use --format json for all)")
    for diagnostic in contract.diagnostics:
        lines += ["  " + line for line in diagnostic_lines(diagnostic)]
    lines.append("")
    return lines


def violation_lines(violation: Violation) -> list[str]:
    """`importer -> imported`, where, and for chains each hop with its line."""
    if not violation.chain:
        where = f"{violation.location}: " if violation.location else ""
        return [f"- {where}{violation.message}"]
    head = f"- {violation.importer} -> {violation.imported}"
    if violation.symbol:
        head = f"- {violation.importer} imports {violation.symbol}"
        if violation.alias:
            head += f" as {violation.alias}"
        if violation.via:
            head += f" (via {' -> '.join(violation.via)})"
    continuous = all(a.imported == b.importer for a, b in zip(violation.chain, violation.chain[1:]))
    if violation.is_indirect:
        head += f" (indirect, {len(violation.chain)} imports)" if continuous else ""
        head = head if continuous else f"- {violation.message}"
    lines = [head]
    if violation.is_indirect:
        for step in violation.chain:
            lines.append(f"    {step.importer} -> {step.imported}  (line {_lines(step.lines)})")
    elif violation.location:
        lines.append(f"    {violation.location}")
    return lines


def diagnostic_lines(diagnostic: Diagnostic) -> list[str]:
    where = f"{diagnostic.location}: " if diagnostic.location else ""
    lines = [f"{where}{diagnostic.severity.value} {diagnostic.code}: {diagnostic.message}"]
    if diagnostic.hint:
        lines.append(f"    hint: {diagnostic.hint}")
    return lines


def _lines(numbers: tuple[int, ...]) -> str:
    return ", ".join(map(str, numbers)) if numbers else "?"


def why_lines(importer: str, imported: str, chains: list[tuple[ImportStep, ...]]) -> list[str]:
    if not chains:
        return [f"{importer} does not import {imported}, directly or indirectly."]
    lines = [f"{len(chains)} shortest chain(s) from {importer} to {imported}:"]
    for number, chain in enumerate(chains, start=1):
        lines.append(f"{number}. " + " -> ".join([chain[0].importer, *(s.imported for s in chain)]))
        lines += [f"     {s.importer} -> {s.imported}  (line {_lines(s.lines)})" for s in chain]
    return lines
