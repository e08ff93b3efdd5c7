"""`archgraph baseline`: record today's violations, or prune those fixed since.

The baseline file itself (its format, matching a run against it) is `archgraph/baseline.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archgraph.diagnostics import ArchgraphError, ViolationKey
from archgraph.results import RunResult
from archgraph.usecases.check import check_project
from archgraph.usecases.project import (
    Progress,
    Project,
    RunOptions,
    load_project,
    quiet,
    require_contracts,
)

if TYPE_CHECKING:
    from archgraph.baseline import Baseline, Pruned


@dataclass(frozen=True, slots=True)
class RecordedBaseline:
    """What `archgraph baseline` wrote."""

    path: Path
    baseline: Baseline
    result: RunResult


def record_baseline(
    root: Path, file: Path | None, options: RunOptions = RunOptions(), progress: Progress = quiet
) -> RecordedBaseline:
    """`archgraph baseline`: write every current violation to FILE (default: the setting)."""
    project = load_project(root, options)
    file = _baseline_file(project, file)
    result = _unbaselined_run(project, options, progress)
    from archgraph.baseline import baseline_of, write_baseline  # noqa: PLC0415

    baseline = baseline_of(result)
    write_baseline(file, baseline, project.root)
    return RecordedBaseline(file, baseline, result)


@dataclass(frozen=True, slots=True)
class PrunedBaseline:
    """What `archgraph baseline --prune` did: `written` is False when nothing was stale."""

    path: Path
    pruned: Pruned
    written: bool


def prune_baseline(
    root: Path, file: Path | None, options: RunOptions = RunOptions(), progress: Progress = quiet
) -> PrunedBaseline:
    """`archgraph baseline --prune`: drop the entries of FILE that no longer occur; add none."""
    from archgraph.baseline import prune, read_baseline, write_baseline  # noqa: PLC0415

    project = load_project(root, options)
    named_here = file is not None  # on the command line: the user's; else the tree's setting
    file = _baseline_file(project, file)
    # Before scanning, so a broken file fails fast.
    recorded = read_baseline(file, within=None if named_here else project.root)
    pruned = prune(recorded, _unbaselined_run(project, options, progress))
    if pruned.removed:
        write_baseline(file, pruned.baseline, project.root)
    return PrunedBaseline(file, pruned, written=bool(pruned.removed))


def _baseline_file(project: Project, file: Path | None) -> Path:
    """FILE as given, else the `baseline` setting (relative to PATH)."""
    if file is not None:
        return file
    configured = project.settings.baseline
    if configured is None:
        raise ArchgraphError(
            "no baseline file: pass FILE, or set baseline = \"FILE\" in [archgraph] "
            "(relative to PATH)"
        )
    return project.root / configured


def _unbaselined_run(project: Project, options: RunOptions, progress: Progress) -> RunResult:
    """Every violation as new; refuses while a contract is misconfigured, since it would have
    found nothing (recording nothing for it, or pruning all its entries), and while an inline
    suppression is invalid (its import would be recorded)."""
    unbaselined = options._replace(use_baseline=False, fail_on_stale=False)
    result = check_project(require_contracts(project), unbaselined, progress)
    broken = [
        f"{c.contract_id}: {d.message}" for c in result.contracts for d in c.diagnostics
        if d.is_configuration
    ]
    # An invalid inline suppression suppresses nothing: its import would be recorded.
    broken += [f"{d.location}: {d.message}" for d in result.diagnostics if d.is_configuration]
    if broken:
        raise ArchgraphError(
            "not writing the baseline: fix the configuration first, or these contracts would "
            "record nothing:",
            broken,
        )
    return result


def add_to_baseline(project: Project, key: ViolationKey) -> Path:
    """Record one more occurrence of the violation `key` in the baseline the settings name
    (the file is made when missing); returns the file."""
    from archgraph.baseline import Baseline, read_baseline, write_baseline  # noqa: PLC0415

    file = _baseline_file(project, None)
    recorded = read_baseline(file, within=project.root) if file.exists() else Baseline()
    counts = dict(recorded.entries)
    counts[key] = counts.get(key, 0) + 1
    write_baseline(file, Baseline.from_counts(counts), project.root)
    return file
