"""Baselines: record today's violations so that only new ones fail the run (a migration ratchet).

A baseline file lists violations by what survives edits (contract id, code, importer, imported,
symbol; never line numbers), each with a count, so two identical violations need two entries'
worth of count. `apply_baseline` is pure; reading and writing the file are the only I/O here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
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
    Diagnostic,
    Severity,
    ViolationKey,
    sorted_diagnostics,
)
from archgraph.links import leaves, read_input
from archgraph.results import BaselineChange, ContractResult, RunResult

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
            marked.append(violation._replace(baseline=status))
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
    return result._replace(
        contracts=tuple(contracts),
        diagnostics=sorted_diagnostics((*result.diagnostics, *notes)),
        baseline=source,
    )


def failing_on_stale(result: RunResult) -> RunResult:
    """The result with stale entries (baseline entries no longer found, ignores that match
    nothing) breaking their contracts, so a fixed violation cannot come back silently."""
    return result._replace(
        contracts=tuple(replace(c, stale_fails=True) for c in result.contracts)
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


# Variables that would point git at another repository, index or working tree than the one
# holding the baseline file.
_REDIRECTING_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REGULAR_MODES = (b"100644", b"100755")
MAX_BASELINE_BYTES = 64 * 1024 * 1024  # a baseline at REV larger than this is refused, not read


def baseline_at(path: Path, ref: str) -> tuple[Baseline, bool]:
    """The baseline file `path` as recorded in git revision `ref` of the repository holding it,
    and whether it existed there (a file that did not is an empty baseline: every entry of
    today's file was added since).

    Reads git's object database only (`rev-parse`, `ls-tree`, `cat-file`): the working tree,
    the index and the branches are untouched. The history is untrusted input: the revision
    may not start like an option, the entry must be a regular file (a link at REV is refused,
    never followed), its size is bounded, and its bytes are taken raw (no filters run).
    """
    if not ref or ref.startswith("-") or "\0" in ref:
        raise BaselineError(f"--baseline-ref: {ref!r} is not a git revision")
    folder = path.absolute().parent
    if not folder.is_dir():
        raise BaselineError(f"--baseline-ref: the folder of {path.as_posix()} does not exist")
    shown = f"{ref}:{path.name}"
    commit = _git_output(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    commit_id = commit.decode("ascii", "replace").strip()
    if not _OBJECT_ID.fullmatch(commit_id):
        raise BaselineError(f"--baseline-ref: {ref!r} names no commit")
    # -z: the name is NUL-terminated and never quoted; a path relative to `folder`.
    listing = _git_output(folder, "ls-tree", "-z", commit_id, "--", path.name)
    entries = [entry for entry in listing.split(b"\0") if entry]
    if not entries:
        return Baseline(), False
    header, _tab, _name = entries[0].partition(b"\t")
    mode, kind, object_id = [*header.split(b" "), b"", b"", b""][:3]
    if kind != b"blob" or mode not in _REGULAR_MODES:
        raise BaselineError(
            f"--baseline-ref: {shown} is not a regular file at {ref} (mode {mode.decode('ascii', 'replace')}); not read"
        )
    oid = object_id.decode("ascii", "replace")
    if not _OBJECT_ID.fullmatch(oid):
        raise BaselineError(f"--baseline-ref: git listed no object for {shown}")
    size = int(_git_output(folder, "cat-file", "-s", oid).strip() or b"0")
    if size > MAX_BASELINE_BYTES:
        raise BaselineError(
            f"--baseline-ref: {shown} is {size:,} bytes, over {MAX_BASELINE_BYTES:,}; not read"
        )
    data = _git_output(folder, "cat-file", "blob", oid)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BaselineError(f"--baseline-ref: {shown} is not UTF-8 text: {error}") from None
    return parse_baseline(text, Path(shown)), True


def baseline_change(before: Baseline, after: Baseline, ref: str, file: str) -> BaselineChange:
    """What `after` records that `before` did not (added) and the other way round (removed),
    counted: each key once per count."""
    old, new = Counter(dict(before.entries)), Counter(dict(after.entries))

    def listed(counts: Counter[ViolationKey]) -> tuple[ViolationKey, ...]:
        ordered = sorted(counts.items(), key=lambda entry: entry[0].sort_key())
        return tuple(key for key, count in ordered for _ in range(count))

    return BaselineChange(ref, file, added=listed(new - old), removed=listed(old - new))


def _git_output(folder: Path, *arguments: str) -> bytes:
    environment = {k: v for k, v in os.environ.items() if k not in _REDIRECTING_VARIABLES}
    try:
        completed = subprocess.run(
            ["git", "-C", str(folder), *arguments],
            env=environment,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise BaselineError("--baseline-ref needs git, which was not found on PATH") from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[0] if detail else f"exit code {completed.returncode}"
        if arguments[0] == "rev-parse":
            reason = detail[0] if detail else "no such revision"
        raise BaselineError(f"--baseline-ref: `git {arguments[0]}` failed in {folder}: {reason}")
    return completed.stdout
