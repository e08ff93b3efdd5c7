"""Use case `archgraph fix`: plan, check on the graph, rewrite, write, check again.

Nothing is written unless every rewritten file parses and the import graph with the new imports
added breaks no contract that the code keeps today and closes no import cycle. Written files are
replaced atomically, within the analysed tree only.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archgraph.diagnostics import ArchgraphError, ViolationKey
from archgraph.fix.plan import (
    Change,
    LeftAlone,
    changed_files,
    plan_module_fixes,
    plan_replacement_fixes,
    plan_symbol_fixes,
)
from archgraph.fix.rewrite import RewriteError, rewrite
from archgraph.links import read_source
from archgraph.model import ArchModel
from archgraph.rules import Contract
from archgraph.rules.forbidden import Forbidden
from archgraph.rules.layers import Layers
from archgraph.rules.protected import Protected
from archgraph.usecases.project import Progress, Project, RunOptions, quiet, require_contracts
from archgraph.usecases.scanning import build_model

MAX_SOURCE_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class FileChange:
    file: Path  # relative to the root
    before: bytes
    after: bytes
    changes: tuple[Change, ...]

    def diff(self) -> str:
        name = self.file.as_posix()
        return "".join(
            difflib.unified_diff(
                self.before.decode("utf-8", "replace").splitlines(keepends=True),
                self.after.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )


@dataclass(frozen=True, slots=True)
class FixOutcome:
    contract_id: str
    files: tuple[FileChange, ...]
    left_alone: tuple[LeftAlone, ...]
    violations_before: int
    violations_after: int | None = None  # after writing, from a fresh check
    written: bool = False
    refused: tuple[LeftAlone, ...] = field(default=())  # changes the graph check refused
    baseline_pruned: int = 0  # the contract's baseline entries the fix removed

    @property
    def fixed(self) -> int:
        return sum(len(f.changes) for f in self.files)


def fix(
    root: Path,
    contract_id: str,
    options: RunOptions = RunOptions(),
    write: bool = False,
    select: Sequence[Path] = (),
    progress: Progress = quiet,
) -> FixOutcome:
    """The rewrites that make `contract_id`'s symbol imports take the replacement's path;
    written (and checked again) with `write`."""
    project, outcome, _notes = build_model(root, options, progress)
    project = require_contracts(project)
    contract = next((c for c in project.contracts if c.id == contract_id), None)
    if contract is None:
        known = ", ".join(c.id for c in project.contracts)
        raise ArchgraphError(f"unknown contract id '{contract_id}' (contracts: {known})")
    replacements = contract.replacements if isinstance(contract, (Forbidden, Layers)) else ()
    if not isinstance(contract, Protected) and not replacements:
        raise ArchgraphError(
            f"'{contract_id}' is a {contract.kind} contract without replacements: fix rewrites the "
            "imports that break a protected contract, or a forbidden or layers contract that names "
            "`replacements = [\"old.module -> new.module\"]` (for a single-implementation "
            "contract, `fix --plan` writes a migration plan)"
        )
    model = outcome.model
    before = contract.check(model)
    if before.misconfigured:
        problems = "; ".join(d.message for d in before.diagnostics if d.is_configuration)
        raise ArchgraphError(f"'{contract_id}' cannot be checked: {problems}")
    progress("planning the rewrites")
    if isinstance(contract, Protected):
        changes, left = plan_symbol_fixes(contract, model) if contract.symbols else ([], [])
        if contract.modules:
            more, more_left = plan_module_fixes(contract, model)
            changes, left = changes + more, left + more_left
    else:
        changes, left = plan_replacement_fixes(contract, replacements, model)
    chosen = {Path(p).as_posix() for p in select}
    if chosen:
        changes = [c for c in changes if c.file.as_posix() in chosen]
    changes, refused = refuse_unsafe(model, project.contracts, changes)
    files, unparsable = _rewritten(model.root, changes)
    result = FixOutcome(
        contract_id, tuple(files), tuple(left + unparsable), len(before.violations), refused=tuple(refused)
    )
    if not write or not files:
        return result
    from archgraph.atomic import write_atomically  # noqa: PLC0415 - only when writing

    for change in files:
        write_atomically(model.root / change.file, change.after, tree=model.root)
    progress("checking again")
    _project, again, _ = build_model(root, options, progress)
    after = next(c for c in _project.contracts if c.id == contract_id).check(again.model)
    pruned = _prune_baseline(project, options, contract_id, [v.key for v in after.violations])
    return FixOutcome(
        contract_id, result.files, result.left_alone, result.violations_before, len(after.violations),
        written=True, refused=result.refused, baseline_pruned=pruned,
    )


def _prune_baseline(project: Project, options: RunOptions, contract_id: str, found: Sequence[ViolationKey]) -> int:
    """Drop the contract's baseline entries the fix removed (the configured baseline file, if
    any), so that `--fail-on-stale` keeps them from coming back; other contracts' are kept."""
    from archgraph.baseline import Baseline, read_baseline, write_baseline  # noqa: PLC0415

    if not options.use_baseline or project.settings.baseline is None:
        return 0
    file = options.baseline or project.root / project.settings.baseline
    if not file.is_file():
        return 0
    recorded = read_baseline(file, within=project.root if options.baseline is None else None)
    still = Counter(found)
    counts = {
        key: (min(count, still[key]) if key.contract == contract_id else count) for key, count in recorded.entries
    }
    removed = recorded.total - sum(counts.values())
    if removed:
        write_baseline(file, Baseline.from_counts(counts), project.root)
    return removed


def refuse_unsafe(
    model: ArchModel, contracts: Sequence[Contract], changes: Sequence[Change]
) -> tuple[list[Change], list[LeftAlone]]:
    """The changes whose new imports close no cycle and break no other contract, on the graph
    with the new imports added (checked before anything is written)."""
    refused: list[LeftAlone] = []
    safe: list[Change] = []
    for change in changes:
        new = change.edit.new_module
        cycle = sorted(model.graph.shortest_chains(new, change.importer, False))
        if new != change.importer and cycle and new not in model.imports_of(change.importer):
            chain = " -> ".join((change.importer, *cycle[0]))
            refused.append(_refusal(model, change, f"would close an import cycle: {chain}"))
        else:
            safe.append(change)
    if not safe:
        return safe, refused
    graph_contracts = [c for c in contracts if not isinstance(c, Protected) or c.modules]
    known = {v.key for c in graph_contracts for v in c.check(model).violations}
    added = [(c.importer, c.edit.new_module, c.edit.line) for c in safe if c.edit.new_module != c.importer]
    edited = model.with_imports(added)
    new_keys: set[ViolationKey] = set()
    for contract in graph_contracts:
        new_keys |= {v.key for v in contract.check(edited).violations} - known
    if not new_keys:
        return safe, refused
    involved = {(k.importer, k.imported) for k in new_keys}
    kept = []
    for change in safe:
        if (change.importer, change.edit.new_module) in involved or any(k.importer == change.importer for k in new_keys):
            names = ", ".join(sorted(str(k) for k in new_keys if k.importer == change.importer) or sorted(map(str, new_keys))[:1])
            refused.append(_refusal(model, change, f"would break another contract: {names}"))
        else:
            kept.append(change)
    return kept, refused


def _refusal(model: ArchModel, change: Change, reason: str) -> LeftAlone:
    return LeftAlone(change.importer, change.file, change.edit.line, change.symbol, reason)


def _rewritten(root: Path, changes: Sequence[Change]) -> tuple[list[FileChange], list[LeftAlone]]:
    """Each file's new source; a file that cannot be read or parsed is left alone whole."""
    files = []
    left = []
    for file, found in changed_files(changes).items():
        source = read_source(root / file, MAX_SOURCE_BYTES)
        try:
            if source is None:
                raise RewriteError("cannot be read as a regular file")
            after = rewrite(source, [c.edit for c in found])
        except RewriteError as error:
            left += [LeftAlone(c.importer, c.file, c.edit.line, c.symbol, f"file {error}") for c in found]
            continue
        files.append(FileChange(file, source, after, tuple(found)))
    return files, left


def migration_plan(
    root: Path, contract_id: str, options: RunOptions = RunOptions(), progress: Progress = quiet
) -> str:
    """`fix --plan`: the markdown migration plan of a single-implementation contract."""
    from archgraph.audit.usecase import audit_analysis  # noqa: PLC0415
    from archgraph.fix.migration import render_plan  # noqa: PLC0415
    from archgraph.rules.single_implementation import SingleImplementation  # noqa: PLC0415
    from archgraph.usecases.project import load_project  # noqa: PLC0415

    project = require_contracts(load_project(root, options))
    contract = next((c for c in project.contracts if c.id == contract_id), None)
    if not isinstance(contract, SingleImplementation):
        kind = "unknown" if contract is None else f"a {contract.kind}"
        raise ArchgraphError(f"--plan needs a single-implementation contract; '{contract_id}' is {kind} contract")
    audit = audit_analysis(root, options, progress, contract.concept).audit
    card = next((c for c in audit.scorecards if c.contract_id == contract_id), None)
    if card is None:
        raise ArchgraphError(f"'{contract_id}': its concept has no scorecard (is the canonical class defined?)")
    return render_plan(card)
