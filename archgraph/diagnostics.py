"""Plain frozen data passed between the stages: findings, diagnostics, results, errors.

Codes are stable: AG1xx contract findings, AG2xx scan diagnostics, AG3xx configuration;
`codes.py` lists them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Protocol

from archgraph import codes
from archgraph.codes import Severity as Severity  # defined beside the codes, used from here

# Characters that would break a line of output or act on a terminal: line breaks, ANSI escape
# sequences and other C0/C1 controls, Unicode line separators and bidirectional overrides
# ("Trojan Source"). Folder names can hold any of them, and importlib loads such modules.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub's runner reads a line as a workflow command when it starts with `::` (after blanks),
# and the older `##[command]` form anywhere in a line.
_COMMAND_START = re.compile(r"\A(\s*):(?=:)")
_OLD_COMMAND = "##["


def visible(text: str) -> str:
    """`text` made safe to print as (part of) one line of a terminal or CI log.

    Control characters are written as escapes (`\\n`, `\\x1b`, `\\u202e`), so that text from
    the analysed tree (folder and file names, TOML keys and values, baseline entries) cannot
    start a line of its own; a leading `::` and any `##[` get an escaped character, so that
    no such text reads as a GitHub workflow command.
    """

    def escape(match: re.Match[str]) -> str:
        character = match.group()
        if character in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[character]
        code = ord(character)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    shown = _INVISIBLE.sub(escape, text)
    if _OLD_COMMAND in shown:
        shown = shown.replace(_OLD_COMMAND, "##\\x5b")
    return _COMMAND_START.sub(r"\1\\x3a", shown, count=1)


def visible_lines(lines: Iterable[str]) -> str:
    """Lines of text, each made `visible`, joined with newlines (no trailing one)."""
    return "\n".join(visible(line) for line in lines)


# Characters JSON may carry raw that a reader splitting lines the Unicode way takes as a line
# break: in strings, written as JSON escapes (the same text once parsed).
_JSON_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_text(data: object) -> str:
    """A JSON document as archgraph prints it: indented, keys sorted, non-ASCII text as is
    except Unicode line breaks, so that each line of the output is one line of the JSON."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).translate(_JSON_LINE_BREAKS) + "\n"


class ExitCode(IntEnum):
    """Process exit codes, as documented in the README."""

    OK = 0
    BROKEN = 1
    USAGE = 2
    INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + 2, as shells report it (see interrupts.py)
    TERMINATED = 143  # SIGTERM: 128 + 15


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


ImportSite = tuple[str, str]
"""One direct import: (importer, imported). Compliance counts these; line numbers do not matter."""


class ViolationsInTests(StrEnum):
    """Whether violations whose importer is test code fail the run (`test_violations`)."""

    FAIL = "fail"  # the default: nothing that failed before passes silently
    REPORT = "report"  # shown and counted apart, but they do not break the contract


class BaselineStatus(StrEnum):
    """Whether a violation was recorded in the baseline (`known`) or not (`new`)."""

    NEW = "new"
    KNOWN = "known"


# Violations that are not about one import path but about a structure (a cycle between packages)
# are identified by their message, which names the structure; their chain holds example imports
# that change whenever an import that sorts earlier is added.
MESSAGE_KEYED_CODES = frozenset({codes.IMPORT_CYCLE.code})


@dataclass(frozen=True, slots=True)
class ViolationKey:
    """What identifies a violation across edits (no line numbers): baselines are keyed by this."""

    contract: str
    code: str
    importer: str | None = None
    imported: str | None = None
    symbol: str | None = None
    message: str | None = None  # only for violations identified by their message

    def as_dict(self) -> dict[str, str | None]:
        """The key as written in baseline files and JSON reports."""
        return {
            "contract": self.contract,
            "code": self.code,
            "importer": self.importer,
            "imported": self.imported,
            "symbol": self.symbol,
            "message": self.message,
        }

    def sort_key(self) -> tuple[str, ...]:
        return (
            self.contract,
            self.code,
            self.importer or "",
            self.imported or "",
            self.symbol or "",
            self.message or "",
        )

    def __str__(self) -> str:
        if self.message is not None:
            return self.message
        text = f"{self.importer} -> {self.imported}"
        return f"{text} ({self.symbol})" if self.symbol else text


class ImportKind(StrEnum):
    """When an import statement runs: what a contract's `import_kinds` selects.

    An import under `if TYPE_CHECKING:` is `type_checking` wherever it is (it never runs); one
    inside a def or a class body at any depth is `function`; `lazy import` and `lazy from`
    (PEP 810, module level only) are `lazy`; every other one is `runtime`, including those in
    module-level `if`, `try` and `with` blocks.
    """

    RUNTIME = "runtime"
    TYPE_CHECKING = "type_checking"
    FUNCTION = "function"
    LAZY = "lazy"


@dataclass(frozen=True, slots=True, order=True)
class ImportStep:
    """One direct import in a chain, with the line numbers it appears on in the importer and
    the kind of each of those lines (`kinds[i]` is that of `lines[i]`)."""

    importer: str
    imported: str
    lines: tuple[int, ...] = ()
    # Read from the importer's file at those lines, so a step is the same import whatever its
    # kinds say: left out of comparisons, which sort and deduplicate steps by what they join.
    kinds: tuple[ImportKind, ...] = field(default=(), compare=False)

    @property
    def line_kinds(self) -> tuple[ImportKind, ...]:
        """The kind of each line, in the order of `lines`: runtime where none was read."""
        missing = len(self.lines) - len(self.kinds)
        return self.kinds + (ImportKind.RUNTIME,) * missing if missing > 0 else self.kinds

    @property
    def import_kind(self) -> ImportKind:
        """The kind of the step's first line (runtime when its lines are unknown)."""
        kinds = self.line_kinds
        return kinds[0] if kinds else ImportKind.RUNTIME

    @property
    def distinct_kinds(self) -> tuple[ImportKind, ...]:
        """The kinds of its lines, each once, in the order of the lines."""
        return tuple(dict.fromkeys(self.line_kinds))


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
    baseline: BaselineStatus | None = None  # set by apply_baseline; None when no baseline is used
    in_tests: bool = False  # the importer (or the class, for chainless findings) is test code
    # In test code, and `test_violations = "report"` keeps it from failing the contract.
    reported_only: bool = False
    # What to import instead and why, as the rule found it (an allowlist's nearest allowed
    # module: `app.ports, which imports it`).
    alternative: str | None = None

    @property
    def importer(self) -> str | None:
        return self.chain[0].importer if self.chain else None

    @property
    def imported(self) -> str | None:
        return self.chain[-1].imported if self.chain else None

    @property
    def is_indirect(self) -> bool:
        return len(self.chain) > 1

    @property
    def is_continuous(self) -> bool:
        """True when the chain is one import path (each step starts where the last one ended);
        a cycle between packages lists one example import per hop instead."""
        return bool(self.chain) and all(
            a.imported == b.importer for a, b in zip(self.chain, self.chain[1:], strict=False)
        )

    @property
    def site(self) -> ImportSite | None:
        """The first direct import of the chain: the import site this violation counts against."""
        if not self.chain:
            return None
        return (self.chain[0].importer, self.chain[0].imported)

    @property
    def is_known(self) -> bool:
        return self.baseline is BaselineStatus.KNOWN

    @property
    def key(self) -> ViolationKey:
        """Identity across edits: contract, code, endpoints and symbol, or the message of a
        violation that is not one import path (cycles, modules missing from an exhaustive layer)."""
        if not self.chain or self.code in MESSAGE_KEYED_CODES:
            return ViolationKey(self.contract, self.code, symbol=self.symbol, message=self.message)
        return ViolationKey(self.contract, self.code, self.importer, self.imported, self.symbol)

    def sort_key(self) -> tuple[object, ...]:
        """Production first: within a contract, violations in test code come last."""
        return (self.contract, self.in_tests, self.code, self.chain, self.symbol or "", self.message)


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


SITES = "import sites"
CLASSES = "classes"

COMPLIANCE = "compliance = respecting / (respecting + violating); 100% when nothing is governed"
"""The one formula every contract type follows; each type says what its units are."""


@dataclass(frozen=True, slots=True)
class SiteCounts:
    """A contract's units (import sites, or classes): governed = respecting + violating; exempt
    units (allowed importers, ignored imports, baselined violations) are in neither."""

    governed: int
    respecting: int
    exempt: int = 0

    @property
    def violating(self) -> int:
        return self.governed - self.respecting


def count_sites(
    violations: Iterable[Violation],
    governed: Iterable[ImportSite] | int | None,
    violating: Iterable[ImportSite] = (),
    exempt: Iterable[ImportSite] | int = (),
) -> SiteCounts | None:
    """Count a contract's governed, respecting and exempt units.

    `governed`: the import sites the contract rules on (or, as an `int`, the units counted,
    classes for single-implementation); `violating`: sites that break it beyond the first import
    of each violation's chain; `exempt`: sites (or units) the contract leaves out: they are in
    neither the respecting nor the violating count, whatever the rule listed them as.
    A violating site is governed by definition, so `0 <= respecting <= governed` holds by
    construction. A rule that counts units (`int`) reports violations without a site, each one
    violating unit, and counts exempt units apart from `governed`.
    """
    if governed is None:
        return None
    findings = list(violations)
    if isinstance(governed, int):
        if not isinstance(exempt, int):
            raise TypeError("a rule that counts units counts its exempt units too")
        violating_sites = {v.site for v in findings if v.site is not None} | set(violating)
        violating_count = len(violating_sites) + sum(1 for v in findings if v.site is None)
        if violating_count > governed:
            raise ValueError(f"{violating_count} violating units but only {governed} governed")
        return SiteCounts(governed, governed - violating_count, exempt)
    if isinstance(exempt, int):
        raise TypeError("a rule that lists its import sites lists its exempt sites too")
    left_out = exempt if isinstance(exempt, set | frozenset) else set(exempt)
    violating_sites = ({v.site for v in findings if v.site is not None} | set(violating)) - left_out
    # Counted without copying the governed sites: thousands for a layers contract, at every
    # commit of a trend.
    governed_sites = governed if isinstance(governed, set | frozenset) else set(governed)
    total = len(governed_sites - left_out if left_out else governed_sites)
    total += len(violating_sites - governed_sites)
    return SiteCounts(total, total - len(violating_sites), len(left_out))


@dataclass(frozen=True, slots=True)
class Suppressed:
    """An inline suppression (`# archgraph: ignore[ID] -- reason`) that kept import sites out
    of a contract, and so kept violations out of its result."""

    location: Location
    reason: str
    sites: tuple[ImportSite, ...]


# Entries to prune: ignores that match nothing or change nothing, suppressions that suppress
# nothing. `--fail-on-stale` fails on each of them.
STALE_CODES = frozenset(
    {codes.UNMATCHED_IGNORE.code, codes.IRRELEVANT_IGNORE.code, codes.UNUSED_SUPPRESSION.code}
)


@dataclass(frozen=True, slots=True)
class ContractResult:
    """The outcome of one contract's check."""

    contract_id: str
    name: str
    kind: str
    severity: Severity
    violations: tuple[Violation, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    governed: int | None = None  # units the contract rules on (respecting + violating)
    respecting: int | None = None  # governed units that no violation starts from
    exempt: int | None = None  # units left out of both: allowed importers, ignores, baseline
    unit: str = SITES  # what the counts count: import sites, or classes (single-implementation)
    formula: str | None = None  # the contract type's compliance formula, in words
    fixed: tuple[ViolationKey, ...] = ()  # in the baseline but no longer found (one per count)
    hint: str | None = None  # the contract's advice, shown under each of its violations
    stale_fails: bool = False  # fail_on_stale: stale baseline entries and unused ignores break it
    out_of_scope: int = 0  # violations left out by `check --affected` (outside the scope)
    suppressed: tuple[Suppressed, ...] = ()  # inline suppressions that kept violations out

    def __post_init__(self) -> None:
        if self.respecting is not None and not (
            self.governed is not None and 0 <= self.respecting <= self.governed
        ):
            raise ValueError(
                f"respecting import sites ({self.respecting}) must lie within 0..governed "
                f"({self.governed})"
            )

    @classmethod
    def of(
        cls,
        contract: ContractIdentity,
        violations: Iterable[Violation] = (),
        diagnostics: Iterable[Diagnostic] = (),
        governed: Iterable[ImportSite] | int | None = None,
        violating: Iterable[ImportSite] = (),
        exempt: Iterable[ImportSite] | int = (),
        unit: str = SITES,
    ) -> ContractResult:
        """Build a result with violations and diagnostics in a stable order.

        `governed`: the import sites the contract rules on (see README, "Compliance"), or a
        count of units (classes); `violating`: sites that break it beyond the first import of
        each violation; `exempt`: sites (or units) out of both counts; `unit`: what is counted.
        """
        ordered = tuple(sorted(set(violations), key=Violation.sort_key))
        if isinstance(governed, int) and exempt == ():
            exempt = 0
        counts = count_sites(ordered, governed, violating, exempt)
        return cls(
            contract_id=contract.id,
            name=contract.name,
            kind=contract.kind,
            severity=contract.severity,
            violations=ordered,
            diagnostics=sorted_diagnostics(diagnostics),
            governed=counts.governed if counts else None,
            respecting=counts.respecting if counts else None,
            exempt=counts.exempt if counts else None,
            unit=unit,
            # getattr: identities written before contracts had hints or formulas still work
            hint=getattr(contract, "hint", None),
            formula=getattr(contract, "compliance_formula", None) or None,
        )

    def exempting_known(self, violations: tuple[Violation, ...]) -> ContractResult:
        """This result with `violations` (marked by a baseline): the units only known
        violations count against move from violating to exempt."""
        if self.governed is None or self.respecting is None:
            return replace(self, violations=violations)
        if self.unit == CLASSES:
            baselined = sum(1 for v in violations if v.is_known and v.site is None)
        else:
            new_sites = {v.site for v in violations if not v.is_known}
            baselined = len({v.site for v in violations if v.is_known and v.site is not None} - new_sites)
        return replace(
            self,
            violations=violations,
            governed=self.governed - baselined,
            exempt=(self.exempt or 0) + baselined,
        )

    @property
    def misconfigured(self) -> bool:
        return any(d.is_configuration for d in self.diagnostics)

    @property
    def new_violations(self) -> tuple[Violation, ...]:
        """Violations that fail the contract: all of them, unless a baseline records some."""
        return tuple(v for v in self.violations if not v.is_known)

    @property
    def known_violations(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.is_known)

    @property
    def failing_violations(self) -> tuple[Violation, ...]:
        """New violations that break the contract: those in test code only when they fail
        (`test_violations = "fail"`, or a contract that governs tests explicitly)."""
        return tuple(v for v in self.new_violations if not v.reported_only)

    @property
    def reported_only(self) -> tuple[Violation, ...]:
        """New violations in test code that `test_violations = "report"` keeps from failing."""
        return tuple(v for v in self.new_violations if v.reported_only)

    @property
    def production_violations(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if not v.in_tests)

    @property
    def test_violations(self) -> tuple[Violation, ...]:
        """Violations whose importer is test code (tests/ folders, test_*.py, conftest.py...)."""
        return tuple(v for v in self.violations if v.in_tests)

    @property
    def stale_ignores(self) -> tuple[Diagnostic, ...]:
        """`ignore_imports` entries that match no import any more (AG311) or change nothing
        (AG342), and inline suppressions that suppress nothing (AG341): stale, like a
        baseline entry no longer found."""
        return tuple(d for d in self.diagnostics if d.code in STALE_CODES)

    @property
    def stale_count(self) -> int:
        """Baseline entries no longer found plus stale ignores and suppressions: entries to prune."""
        return len(self.fixed) + len(self.stale_ignores)

    @property
    def fails_on_stale(self) -> bool:
        return self.stale_fails and self.stale_count > 0

    @property
    def kept(self) -> bool:
        return (
            not self.failing_violations
            and not any(d.severity is Severity.ERROR for d in self.diagnostics)
            and not self.fails_on_stale
        )

    @property
    def status(self) -> str:
        """`error` when the contract could not be checked as configured (a module it names
        does not exist, ...), else `kept` or `broken`."""
        if self.misconfigured:
            return "error"
        return "kept" if self.kept else "broken"

    @property
    def violating(self) -> int | None:
        """Governed units that break the contract: governed = respecting + violating."""
        if self.governed is None or self.respecting is None:
            return None
        return self.governed - self.respecting

    @property
    def compliance(self) -> float | None:
        """respecting / (respecting + violating), over the governed units (exempt ones are in
        neither); 1.0 when none is governed."""
        if self.governed is None or self.respecting is None:
            return None
        if self.governed == 0:
            return 1.0
        return self.respecting / self.governed


class ContractIdentity(Protocol):
    """What a result needs to know about its contract."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def hint(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """Counts of what the scan saw."""

    modules: int
    imports: int
    namespace_modules: int = 0
    files: int = 0


@dataclass(frozen=True, slots=True)
class AffectedScope:
    """What `check --affected REV` reported on: the modules of the files changed since REV and
    every module that imports one of them, directly or indirectly."""

    since: str
    changed_files: int  # files changed under PATH since REV, Python or not (deleted ones too)
    changed_modules: frozenset[str]
    modules: frozenset[str]  # in scope: the changed modules and their importers, transitively
    total_modules: int  # modules in the graph
    configuration_changed: bool = False  # a contract file changed: every module is in scope


@dataclass(frozen=True, slots=True)
class Coverage:
    """The analyzed modules no contract governs (see `archgraph.rules.coverage`)."""

    modules: int  # the modules counted: the analyzed code's, namespace directories left out
    ungoverned: tuple[str, ...]  # sorted
    ungoverned_in_tests: tuple[str, ...] = ()  # those of them that are test code
    required: bool = False  # `require_coverage`: an ungoverned production module fails the run

    @property
    def ungoverned_in_production(self) -> tuple[str, ...]:
        tests = set(self.ungoverned_in_tests)
        return tuple(m for m in self.ungoverned if m not in tests)

    @property
    def fails(self) -> bool:
        return self.required and bool(self.ungoverned_in_production)

    @property
    def failure(self) -> str | None:
        """Why `require_coverage` fails the run, or None."""
        if not self.fails:
            return None
        return (
            f"require_coverage: {len(self.ungoverned_in_production)} production module(s) "
            "governed by no contract"
        )

    def listed(self, limit: int) -> str:
        """The first ungoverned production modules, comma-separated."""
        shown = self.ungoverned_in_production[:limit]
        more = len(self.ungoverned_in_production) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True, slots=True)
class BaselineChange:
    """`check --baseline-ref REV`: how today's baseline file differs from the file at REV.

    Entries are counted: a key recorded twice more than at REV is added twice. Any addition
    fails the run, so new violations cannot pass by being recorded.
    """

    ref: str
    file: str  # the baseline file, as it is named in the repository
    added: tuple[ViolationKey, ...]  # one per count, sorted
    removed: tuple[ViolationKey, ...]  # fixed since REV, one per count, sorted


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything one `check` produced; renderers take only this."""

    root: Path
    contracts: tuple[ContractResult, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: ScanSummary
    strict: bool = False
    extras: tuple[tuple[str, object], ...] = field(default=())
    baseline: Path | None = None  # the baseline file applied, if any
    scope: AffectedScope | None = None  # `check --affected`: only violations in it are reported
    coverage: Coverage | None = None  # None when only some contracts were checked (--contract)
    show_suppressed: bool = False  # `check --show-suppressed`: list the inline suppressions
    baseline_change: BaselineChange | None = None  # `check --baseline-ref REV`

    @property
    def suppressed_count(self) -> int:
        return sum(len(c.suppressed) for c in self.contracts)

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(v for c in self.contracts for v in c.violations)

    @property
    def broken(self) -> tuple[ContractResult, ...]:
        return tuple(c for c in self.contracts if not c.kept)

    @property
    def failing(self) -> tuple[ContractResult, ...]:
        """Broken contracts whose severity makes the run fail."""
        return tuple(c for c in self.broken if c.severity is Severity.ERROR)

    @property
    def exit_code(self) -> ExitCode:
        if any(c.misconfigured for c in self.contracts) or any(
            d.is_configuration for d in self.diagnostics
        ):
            return ExitCode.USAGE
        if self.strict and any(d.severity is not Severity.INFO for d in self.diagnostics):
            return ExitCode.USAGE
        grew = self.baseline_change is not None and bool(self.baseline_change.added)
        coverage_fails = self.coverage is not None and self.coverage.fails
        return ExitCode.BROKEN if self.failing or grew or coverage_fails else ExitCode.OK


class ArchgraphError(Exception):
    """An expected failure with a message written for users (exit code 2).

    `message` is one line and `details` more lines under it; the text is made `visible` when
    shown, since messages quote names and values from the analysed tree.
    """

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = tuple(details)

    def __str__(self) -> str:
        message = str(self.args[0]) if self.args else ""
        return visible_lines([message, *(f"  {detail}" for detail in self.details)])


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
        super().__init__(
            f"invalid configuration ({len(self.errors)} problem(s)):",
            [str(error) for error in self.errors],
        )
