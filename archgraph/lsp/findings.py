"""What the language server shows, as plain data: each import site of one file that breaks a
contract, and each problem of the configuration at its line. server.py turns them into the
protocol's diagnostics; nothing here knows the protocol."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import BaselineStatus, ConfigError, Severity, Violation, ViolationKey
from archgraph.results import ContractResult
from archgraph.usecases.live import LiveResult


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnostic for one line of one file (lines count from 1)."""

    line: int
    severity: Severity
    code: str  # the contract's id, or the diagnostic code of a configuration problem
    message: str
    importer: str | None = None  # the chain's ends, for "show the chain"
    imported: str | None = None
    key: ViolationKey | None = None  # for "add to baseline"

    def sort_key(self) -> tuple[object, ...]:
        return (self.line, self.code, self.message)


def file_findings(live: LiveResult, path: Path) -> list[Finding]:
    """Each import site of the file at `path` (absolute) that is a step of a violation's chain,
    once per violation, at the lines of the import, and each violation without a chain located
    in the file (a module outside every layer, a competing implementation); violations a
    baseline knows are left out. Diagnostics of the run located in the file come too (a file
    that does not parse, a suppression without a reason)."""
    module = module_of(live, path)
    if module is None:
        return []
    file = live.model.files[module]
    found: dict[tuple[object, ...], Finding] = {}
    for contract in live.result.contracts:
        for violation in contract.violations:
            if violation.baseline is BaselineStatus.KNOWN:
                continue
            where = violation.location
            if not violation.chain and where is not None and where.path == file:
                finding = _finding(contract, violation, where.line or 1)
                found.setdefault(finding.sort_key(), finding)
            for step in violation.chain:
                if step.importer != module:
                    continue
                for line in step.lines or (1,):
                    finding = _finding(contract, violation, line)
                    found.setdefault(finding.sort_key(), finding)
    for diagnostic in (*live.result.diagnostics, *(d for c in live.result.contracts for d in c.diagnostics)):
        where = diagnostic.location
        if where is not None and where.path == file:
            text = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
            finding = Finding(where.line or 1, diagnostic.severity, diagnostic.code, text)
            found.setdefault(finding.sort_key(), finding)
    return sorted(found.values(), key=Finding.sort_key)


def module_of(live: LiveResult, path: Path) -> str | None:
    """The module whose file is at `path` (absolute), if it is one of the model's."""
    try:
        relative = path.resolve().relative_to(live.model.root)
    except ValueError:
        return None
    for module, file in live.model.files.items():
        if file == relative:
            return module
    return None


def _finding(contract: ContractResult, violation: Violation, line: int) -> Finding:
    text = f"{contract.name}: {violation.message}"
    if violation.is_indirect:
        ends = [violation.chain[0].importer, *(step.imported for step in violation.chain)]
        text += "\nchain: " + " -> ".join(ends)
    if contract.hint:
        text += f"\nhint: {contract.hint}"
    severity = Severity.INFO if violation.reported_only else contract.severity
    return Finding(
        line,
        severity,
        contract.contract_id,
        text,
        violation.importer,
        violation.imported,
        violation.key,
    )


def configuration_findings(errors: Iterable[ConfigError], root: Path) -> dict[Path, list[Finding]]:
    """Each configuration problem at its line of its file (absolute paths), by file."""
    by_file: dict[Path, list[Finding]] = {}
    for error in errors:
        file = error.file if error.file.is_absolute() else root / error.file
        message = f"{error.key}: {error.message}" if error.key else error.message
        if error.suggestion:
            message += f" (did you mean '{error.suggestion}'?)"
        by_file.setdefault(file.resolve(), []).append(
            Finding(error.line or 1, Severity.ERROR, "configuration", message)
        )
    return {file: sorted(found, key=Finding.sort_key) for file, found in by_file.items()}
