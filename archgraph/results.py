"""The results of a run: each contract's result with its counts (violations, governed,
respecting, violating, exempt units, compliance), and the run's result around them.

Plain frozen data built by the rules and the use cases, read by every report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple, Protocol

from archgraph import codes
from archgraph.codes import Severity as Severity  # defined beside the codes, used from here
from archgraph.diagnostics import (
    Diagnostic,
    ExitCode,
    ImportSite,
    Location,
    Violation,
    ViolationKey,
    sorted_diagnostics,
)

SITES = "import sites"
CLASSES = "classes"

COMPLIANCE = "compliance = respecting / (respecting + violating); 100% when nothing is governed"
"""The one formula every contract type follows; each type says what its units are."""


class SiteCounts(NamedTuple):
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


class Suppressed(NamedTuple):
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


class ScanSummary(NamedTuple):
    """Counts of what the scan saw."""

    modules: int
    imports: int
    namespace_modules: int = 0
    files: int = 0


class AffectedScope(NamedTuple):
    """What `check --affected REV` reported on: the modules of the files changed since REV and
    every module that imports one of them, directly or indirectly."""

    since: str
    changed_files: int  # files changed under PATH since REV, Python or not (deleted ones too)
    changed_modules: frozenset[str]
    modules: frozenset[str]  # in scope: the changed modules and their importers, transitively
    total_modules: int  # modules in the graph
    configuration_changed: bool = False  # a contract file changed: every module is in scope


class Coverage(NamedTuple):
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


class BaselineChange(NamedTuple):
    """`check --baseline-ref REV`: how today's baseline file differs from the file at REV.

    Entries are counted: a key recorded twice more than at REV is added twice. Any addition
    fails the run, so new violations cannot pass by being recorded.
    """

    ref: str
    file: str  # the baseline file, as it is named in the repository
    added: tuple[ViolationKey, ...]  # one per count, sorted
    removed: tuple[ViolationKey, ...]  # fixed since REV, one per count, sorted


class RunResult(NamedTuple):
    """Everything one `check` produced; renderers take only this."""

    root: Path
    contracts: tuple[ContractResult, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: ScanSummary
    strict: bool = False
    extras: tuple[tuple[str, object], ...] = ()
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
