"""What `archgraph trend` measures at each commit: plain frozen data and the pure functions
that reduce a contract result or a families report to the few numbers a trend plots.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from archgraph import codes
from archgraph.diagnostics import Diagnostic, Severity, ViolationKey
from archgraph.families.findings import FamiliesReport
from archgraph.results import ContractResult

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """One commit of the range: full sha, committer date (ISO 8601) and subject line."""

    sha: str
    date: str
    subject: str

    @property
    def short_sha(self) -> str:
        return self.sha[:10]


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """A contract the history is judged by (from today's configuration)."""

    contract_id: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class ContractPoint:
    """One contract at one commit; every number is None when the contract is n/a there."""

    contract_id: str
    violations: int | None
    governed: int | None = None
    respecting: int | None = None
    compliance: float | None = None
    unavailable: str | None = None  # why the contract could not be judged at this commit
    # The violations' stable keys (as the baseline keys them: no line numbers), sorted.
    keys: tuple[ViolationKey, ...] = ()
    # Against the previous commit where the contract could be judged (None at the first one):
    # keys found here and not there, and keys found there and not here.
    new: tuple[ViolationKey, ...] | None = None
    fixed: tuple[ViolationKey, ...] | None = None

    @property
    def available(self) -> bool:
        return self.unavailable is None


@dataclass(frozen=True, slots=True)
class FamilyPoint:
    """One competing family at one commit (see `archgraph families`)."""

    concept: str
    implementations: int  # independent implementations: root groups that compete
    roots: int  # members with no ancestor in the family
    classes: int  # every member of the family


@dataclass(frozen=True, slots=True)
class CommitPoint:
    """Everything measured at one commit."""

    commit: CommitInfo
    modules: int | None
    contracts: tuple[ContractPoint, ...]  # in the order of Trend.contracts
    families: tuple[FamilyPoint, ...] = ()  # competing families only, sorted by concept
    scan_problems: int | None = None  # scan diagnostics at warning or error level
    unavailable: str | None = None  # why nothing could be measured at this commit
    same_as: str | None = None  # sha of the commit whose Python files (hence numbers) it shares
    # Tree entries the checkout left out ('path: why', path escaped): paths git would not
    # check out, links leading out of the checkout (see trend.entries). Counted in scan_problems.
    skipped: tuple[str, ...] = ()

    def contract(self, contract_id: str) -> ContractPoint | None:
        return next((c for c in self.contracts if c.contract_id == contract_id), None)

    def family(self, concept: str) -> FamilyPoint | None:
        return next((f for f in self.families if f.concept == concept), None)


@dataclass(frozen=True, slots=True)
class Trend:
    """Architecture metrics over a range of commits, judged by one (today's) configuration."""

    revisions: str
    contracts: tuple[ContractSpec, ...]
    points: tuple[CommitPoint, ...]  # oldest first
    config_files: tuple[str, ...] = ()  # where today's contracts come from, as shown to users
    commits_in_range: int = 0  # before sampling
    every: int = 1
    first_parent: bool = False
    families_analyzed: bool = True
    concept: str | None = None  # the class-name glob the families were limited to (--concept)

    @property
    def concepts(self) -> tuple[str, ...]:
        """Every competing family seen at any commit, sorted."""
        return tuple(sorted({f.concept for p in self.points for f in p.families}))

    @property
    def note(self) -> str:
        """What the numbers mean: old commits are judged by today's rules."""
        source = ", ".join(self.config_files) or "the current configuration"
        return f"every commit is judged by today's contracts ({source}), not by those it had"


def sample(items: Sequence[Item], every: int) -> tuple[Item, ...]:
    """Every `every`-th item from the first, and always the last one."""
    if every < 1:
        raise ValueError(f"every must be at least 1, got {every}")
    chosen = list(items[::every])
    if items and chosen[-1] is not items[-1]:
        chosen.append(items[-1])
    return tuple(chosen)


def unavailable_reason(result: ContractResult) -> str | None:
    """Why a contract cannot be judged (a pattern naming no module at this commit), or None."""
    # An ignore that matches no import at an old commit says the configuration is newer than
    # the code, not that the contract cannot be judged there: its violations still count.
    blocking = [
        d
        for d in result.diagnostics
        if d.is_configuration and d.code != codes.UNMATCHED_IGNORE.code
    ]
    if not blocking:
        return None
    return "; ".join(d.message for d in blocking)


def contract_point(result: ContractResult) -> ContractPoint:
    """The numbers a trend keeps of one contract's result."""
    reason = unavailable_reason(result)
    if reason is not None:
        return ContractPoint(result.contract_id, None, unavailable=reason)
    return ContractPoint(
        result.contract_id,
        violations=len(result.violations),
        governed=result.governed,
        respecting=result.respecting,
        compliance=result.compliance,
        keys=tuple(sorted({v.key for v in result.violations}, key=ViolationKey.sort_key)),
    )


def with_changes(points: Sequence[CommitPoint]) -> tuple[CommitPoint, ...]:
    """The points with each contract's new and fixed violations against the previous commit
    where that contract could be judged: a commit that fixes 84 violations and brings 4 new
    ones shows +4 and -84, not a net -80."""
    before: dict[str, frozenset[ViolationKey]] = {}
    changed = []
    for point in points:
        contracts = []
        for contract in point.contracts:
            if not contract.available:
                contracts.append(contract)
                continue
            keys = frozenset(contract.keys)
            previous = before.get(contract.contract_id)
            if previous is not None:
                contract = dataclasses.replace(
                    contract,
                    new=tuple(sorted(keys - previous, key=ViolationKey.sort_key)),
                    fixed=tuple(sorted(previous - keys, key=ViolationKey.sort_key)),
                )
            before[contract.contract_id] = keys
            contracts.append(contract)
        changed.append(dataclasses.replace(point, contracts=tuple(contracts)))
    return tuple(changed)


def scan_problem_count(diagnostics: Sequence[Diagnostic]) -> int:
    """Scan diagnostics worth counting: unparsable or skipped files, not informational notes."""
    return sum(1 for d in diagnostics if d.severity is not Severity.INFO)


def unavailable_point(
    commit: CommitInfo, contracts: Sequence[ContractSpec], reason: str, skipped: Sequence[str] = ()
) -> CommitPoint:
    """A commit where nothing could be measured (no root package yet, PATH absent...)."""
    return CommitPoint(
        commit=commit,
        modules=None,
        contracts=tuple(ContractPoint(c.contract_id, None, unavailable=reason) for c in contracts),
        unavailable=reason,
        skipped=tuple(skipped),
    )


def family_points(report: FamiliesReport) -> tuple[FamilyPoint, ...]:
    """The size of each competing family, by concept."""
    return tuple(
        sorted(
            (
                FamilyPoint(
                    concept=family.concept,
                    implementations=len(family.competing_groups),
                    roots=len(family.roots),
                    classes=len(family.classes),
                )
                for family in report.families
                if family.competing
            ),
            key=lambda point: point.concept,
        )
    )
