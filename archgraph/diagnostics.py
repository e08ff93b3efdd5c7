"""Plain frozen data passed between the stages: findings, diagnostics, results, errors.

Codes are stable: AG1xx contract findings, AG2xx scan diagnostics, AG3xx configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ExitCode(IntEnum):
    """Process exit codes, as documented in the README."""

    OK = 0
    BROKEN = 1
    USAGE = 2


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a file; `path` is relative to the analyzed project root where possible."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path.as_posix()
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True, slots=True, order=True)
class ImportStep:
    """One direct import in a chain, with the line numbers it appears on in the importer."""

    importer: str
    imported: str
    lines: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. Data, not prose: renderers build their own layout from `chain`."""

    code: str
    contract: str
    message: str
    chain: tuple[ImportStep, ...] = ()
    location: Location | None = None
    symbol: str | None = None
    alias: str | None = None
    via: tuple[str, ...] = ()

    @property
    def importer(self) -> str | None:
        return self.chain[0].importer if self.chain else None

    @property
    def imported(self) -> str | None:
        return self.chain[-1].imported if self.chain else None

    @property
    def is_indirect(self) -> bool:
        return len(self.chain) > 1

    def sort_key(self) -> tuple[object, ...]:
        return (self.contract, self.code, self.chain, self.symbol or "", self.message)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something the user should know that is not a contract violation."""

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    hint: str | None = None

    @property
    def is_configuration(self) -> bool:
        """Configuration problems turn the exit code into USAGE, whatever else happened."""
        return self.code.startswith("AG3") and self.severity is Severity.ERROR

    def sort_key(self) -> tuple[object, ...]:
        location = self.location
        return (
            location.path.as_posix() if location else "",
            (location.line or 0) if location else 0,
            self.code,
            self.message,
        )


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(set(diagnostics), key=Diagnostic.sort_key))


@dataclass(frozen=True, slots=True)
class ContractResult:
    """The outcome of one contract's check."""

    contract_id: str
    name: str
    kind: str
    severity: Severity
    violations: tuple[Violation, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    governed: int | None = None  # import sites the contract rules on, when the rule counts them

    @classmethod
    def of(
        cls,
        contract: ContractIdentity,
        violations: Iterable[Violation] = (),
        diagnostics: Iterable[Diagnostic] = (),
        governed: int | None = None,
    ) -> ContractResult:
        """Build a result with violations and diagnostics in a stable order."""
        return cls(
            contract_id=contract.id,
            name=contract.name,
            kind=contract.kind,
            severity=contract.severity,
            violations=tuple(sorted(set(violations), key=Violation.sort_key)),
            diagnostics=sorted_diagnostics(diagnostics),
            governed=governed,
        )

    @property
    def misconfigured(self) -> bool:
        return any(d.is_configuration for d in self.diagnostics)

    @property
    def kept(self) -> bool:
        return not self.violations and not any(
            d.severity is Severity.ERROR for d in self.diagnostics
        )

    @property
    def status(self) -> str:
        return "kept" if self.kept else "broken"

    @property
    def compliance(self) -> float | None:
        """Share of governed import sites that respect the contract (1.0 when none governed)."""
        if self.governed is None:
            return None
        if self.governed == 0:
            return 1.0
        return max(0.0, (self.governed - len(self.violations)) / self.governed)


class ContractIdentity:
    """What a result needs to know about its contract (a Protocol in spirit)."""

    id: str
    name: str
    kind: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """Counts of what the scan saw."""

    modules: int
    imports: int
    namespace_modules: int = 0
    files: int = 0


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything one `check` produced; renderers take only this."""

    root: Path
    contracts: tuple[ContractResult, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: ScanSummary
    strict: bool = False
    extras: tuple[tuple[str, object], ...] = field(default=())

    @property
    def broken(self) -> tuple[ContractResult, ...]:
        return tuple(c for c in self.contracts if not c.kept)

    @property
    def failing(self) -> tuple[ContractResult, ...]:
        """Broken contracts whose severity makes the run fail."""
        return tuple(c for c in self.broken if c.severity is Severity.ERROR)

    @property
    def exit_code(self) -> ExitCode:
        if any(c.misconfigured for c in self.contracts):
            return ExitCode.USAGE
        if self.strict and any(d.severity is not Severity.INFO for d in self.diagnostics):
            return ExitCode.USAGE
        return ExitCode.BROKEN if self.failing else ExitCode.OK


class ArchgraphError(Exception):
    """An expected failure with a message written for users (exit code 2)."""


@dataclass(frozen=True, slots=True)
class ConfigError:
    """One problem in a configuration file, with where it is and what was probably meant."""

    file: Path
    key: str
    message: str
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.file.as_posix()
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ConfigurationError(ArchgraphError):
    """Raised with every problem found in the configuration, reported at once."""

    def __init__(self, errors: Iterable[ConfigError]) -> None:
        self.errors = tuple(errors)
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"invalid configuration ({len(self.errors)} problem(s)):\n{lines}")
