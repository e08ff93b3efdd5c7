"""Baselines: record today's violations so that only new ones fail the run (a migration ratchet).

A baseline file lists violations by what survives edits (contract id, code, importer, imported,
symbol; never line numbers), each with a count, so two identical violations need two entries'
worth of count. `apply_baseline` is pure; reading and writing the file are the only I/O here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from archgraph import codes
from archgraph.atomic import reason, write_atomically
from archgraph.diagnostics import (
    ArchgraphError,
    BaselineStatus,
    ContractResult,
    Diagnostic,
    RunResult,
    Severity,
    ViolationKey,
    sorted_diagnostics,
)
from archgraph.links import leaves, read_input

BASELINE_VERSION = 1
_KEY_FIELDS = ("contract", "code", "importer", "imported", "symbol", "message")
_REQUIRED_STRINGS = ("contract", "code")
_ENTRY_FIELDS = frozenset({*_KEY_FIELDS, "count"})


class BaselineError(ArchgraphError):
    """The baseline file is missing, unreadable or not a baseline (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """Known violations: each key with how many times it occurs (at least once)."""

    entries: tuple[tuple[ViolationKey, int], ...] = ()

    @staticmethod
    def of(keys: Iterable[ViolationKey]) -> Baseline:
        return Baseline.from_counts(Counter(keys))

    @staticmethod
    def from_counts(counts: Mapping[ViolationKey, int]) -> Baseline:
        entries = sorted(
            ((key, count) for key, count in counts.items() if count > 0),
            key=lambda entry: entry[0].sort_key(),
        )
        return Baseline(tuple(entries))

    @property
    def total(self) -> int:
        return sum(count for _key, count in self.entries)

    @property
    def contracts(self) -> frozenset[str]:
        """The ids of the contracts with a recorded violation."""
        return frozenset(key.contract for key, _count in self.entries)


def baseline_of(result: RunResult) -> Baseline:
    """Every violation of the run, known or new, as a baseline."""
    return Baseline.of(v.key for v in result.violations)


def apply_baseline(result: RunResult, baseline: Baseline, source: Path | None = None) -> RunResult:
    """Mark each violation known (recorded in the baseline) or new; list recorded ones now gone.

    Known violations stay in the result, so reports show them, but only new ones break a contract
    and so count for the exit code. With a count of n, the first n matching violations (in report
    order) are known and any further ones new.
    """
    remaining: Counter[ViolationKey] = Counter(dict(baseline.entries))
    contracts: list[ContractResult] = []
    for contract in result.contracts:
        marked = []
        for violation in contract.violations:
            key = violation.key
            status = BaselineStatus.KNOWN if remaining[key] > 0 else BaselineStatus.NEW
            if status is BaselineStatus.KNOWN:
                remaining[key] -= 1
            marked.append(replace(violation, baseline=status))
        fixed: list[ViolationKey] = []
        if not contract.misconfigured:  # it found nothing because it could not run: nothing fixed
            for key, count in sorted(remaining.items(), key=lambda e: e[0].sort_key()):
                if key.contract == contract.contract_id:
                    fixed += [key] * count
        contracts.append(replace(contract.exempting_known(tuple(marked)), fixed=tuple(fixed)))
    checked = {c.contract_id for c in result.contracts}
    unchecked: Counter[str] = Counter()
    for key, count in remaining.items():
        if key.contract not in checked:
            unchecked[key.contract] += count
    notes = [
        Diagnostic(
            codes.BASELINE_CONTRACT_NOT_CHECKED.code,
            Severity.INFO,
            f"the baseline records {count} violation(s) of contract '{contract_id}', "
            "which this run did not check",
            hint="if the contract was removed or renamed, rewrite the baseline with "
            "`archgraph baseline`",
        )
        for contract_id, count in sorted(unchecked.items())
        if count
    ]
    return replace(
        result,
        contracts=tuple(contracts),
        diagnostics=sorted_diagnostics((*result.diagnostics, *notes)),
        baseline=source,
    )


def failing_on_stale(result: RunResult) -> RunResult:
    """The result with stale entries (baseline entries no longer found, ignores that match
    nothing) breaking their contracts, so a fixed violation cannot come back silently."""
    return replace(
        result, contracts=tuple(replace(c, stale_fails=True) for c in result.contracts)
    )


@dataclass(frozen=True, slots=True)
class Pruned:
    """A baseline without its stale entries, and what was taken out."""

    baseline: Baseline
    removed: tuple[tuple[ViolationKey, int], ...]

def prune(baseline: Baseline, result: RunResult) -> Pruned:
    """Keep each entry only as often as it still occurs in `result` (a run without baseline);
    nothing is added, so violations that are new stay new."""
    found = Counter(v.key for v in result.violations)
    kept: dict[ViolationKey, int] = {}
    removed: list[tuple[ViolationKey, int]] = []
    for key, count in baseline.entries:
        still = min(count, found[key])
        kept[key] = still
        if still < count:
            removed.append((key, count - still))
    return Pruned(Baseline.from_counts(kept), tuple(removed))


def render_baseline(baseline: Baseline) -> str:
    """The baseline file's text: sorted JSON with a version, stable across runs."""
    entries = [{**key.as_dict(), "count": count} for key, count in baseline.entries]
    document = {"version": BASELINE_VERSION, "tool": "archgraph", "violations": entries}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def parse_baseline(text: str, source: Path) -> Baseline:
    """A baseline from its file's text; every problem is reported at once."""
    regenerate = f"fix it, or rewrite it with `archgraph baseline PATH {source.as_posix()}`"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{source.as_posix()}:{error.lineno}:{error.colno}: not a valid baseline file "
            f"(invalid JSON: {error.msg}); {regenerate}"
        ) from None
    if not isinstance(document, dict):
        raise BaselineError(
            f"{source.as_posix()}: not a baseline file (expected a JSON object with "
            f"'version' and 'violations'); {regenerate}"
        )
    version = document.get("version")
    if version != BASELINE_VERSION:
        raise BaselineError(
            f"{source.as_posix()}: unsupported baseline version {version!r} (this archgraph "
            f"reads version {BASELINE_VERSION}); {regenerate}"
        )
    raw_entries = document.get("violations")
    if not isinstance(raw_entries, list):
        raise BaselineError(
            f"{source.as_posix()}: 'violations' must be a list of entries; {regenerate}"
        )
    problems: list[str] = []
    counts: Counter[ViolationKey] = Counter()
    for index, raw in enumerate(raw_entries):
        entry = _parse_entry(raw, f"violations[{index}]", problems)
        if entry is not None:
            counts[entry[0]] += entry[1]  # repeated keys (a hand merge) add up
    if problems:
        raise BaselineError(
            f"invalid baseline file ({len(problems)} problem(s)):",
            [*(f"{source.as_posix()}: {problem}" for problem in problems), regenerate],
        )
    return Baseline.from_counts(counts)


def _parse_entry(raw: Any, where: str, problems: list[str]) -> tuple[ViolationKey, int] | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected an object, got {type(raw).__name__}")
        return None
    found = len(problems)
    for unknown in sorted(set(raw) - _ENTRY_FIELDS):
        problems.append(f"{where}.{unknown}: unknown key")
    for name in _KEY_FIELDS:
        value = raw.get(name)
        if name in _REQUIRED_STRINGS and not (isinstance(value, str) and value):
            problems.append(f"{where}.{name}: expected a non-empty string, got {value!r}")
        elif value is not None and not isinstance(value, str):
            problems.append(f"{where}.{name}: expected a string or null, got {value!r}")
    count = raw.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        problems.append(f"{where}.count: expected a positive integer, got {count!r}")
    if len(problems) > found:
        return None
    key = ViolationKey(
        contract=raw["contract"],
        code=raw["code"],
        importer=raw.get("importer"),
        imported=raw.get("imported"),
        symbol=raw.get("symbol"),
        message=raw.get("message"),
    )
    if key.message is None and (key.importer is None or key.imported is None):
        problems.append(f"{where}: needs 'importer' and 'imported', or a 'message'")
        return None
    return key, count


def read_baseline(path: Path, within: Path | None = None) -> Baseline:
    """The baseline in `path`; `within`: the project, when the tree names the file (the
    `baseline` setting): a link out of it is refused, never read."""
    if within is not None and leaves(path, within):
        raise BaselineError(
            f"the baseline file {path.as_posix()} is a link that leads out of the project "
            "(or into a hidden folder); not read"
        )
    try:
        text = read_input(path)
    except FileNotFoundError:
        raise BaselineError(
            f"baseline file not found: {path.as_posix()}; create it with "
            f"`archgraph baseline PATH {path.as_posix()}`"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"cannot read the baseline file {path.as_posix()}: {error}") from None
    return parse_baseline(text, path)


def write_baseline(path: Path, baseline: Baseline, tree: Path | None = None) -> None:
    """Write atomically, so a run reading the baseline meanwhile never sees half a file;
    `tree`: the analysed project, whose links are not written through out of it."""
    try:
        write_atomically(path, render_baseline(baseline), tree=tree)
    except OSError as error:
        raise BaselineError(
            f"cannot write the baseline file {path.as_posix()}: {reason(error)}"
        ) from None
