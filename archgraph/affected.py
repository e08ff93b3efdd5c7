"""`check --affected REV`: keep only the violations the changes since REV can have caused.

A violation is in scope when one of its chain's importers is a changed module or imports one,
directly or indirectly: only such modules can gain (or lose) an illegal import through the
change. The graph and every contract are still evaluated whole; this only filters the result.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from archgraph.diagnostics import Violation
from archgraph.model import ArchModel
from archgraph.results import AffectedScope, ContractResult, RunResult


def affected_scope(
    model: ArchModel,
    since: str,
    changed: Iterable[Path],
    configuration_files: Iterable[Path] = (),
) -> AffectedScope:
    """The scope of the changed files (absolute paths): their modules and all their importers.

    A changed configuration file puts every module in scope, since any verdict may change.
    """
    root = model.root
    changed = list(changed)
    under_root = [path for path in changed if path.is_relative_to(root)]
    # Relative paths, as the model keeps them: a few changed files against thousands of modules.
    # A changed path may be a link to a folder (every module under it changed), or the target
    # of a module that is a link (resolved paths compared).
    relative = {path.relative_to(root) for path in under_root}
    targets = {os.path.realpath(path) for path in changed}
    # Only a folder (or a link to one) has modules under it: most changes are files.
    folders = {path for path in relative if (root / path).is_dir()}
    real = _RealPaths(root)
    changed_modules = frozenset(
        m
        for m, path in model.files.items()
        if path in relative
        or (folders and any(parent in folders for parent in path.parents))
        or real.of(path) in targets
    )
    configuration = {path.resolve() for path in configuration_files}
    configuration_changed = any(path in configuration for path in under_root)
    modules = model.modules if configuration_changed else upstream(model, changed_modules)
    return AffectedScope(
        since=since,
        changed_files=len(under_root),
        changed_modules=changed_modules,
        modules=frozenset(modules),
        total_modules=len(model.internal_modules),
        configuration_changed=configuration_changed,
    )


class IndexedFiles(ABC):
    """A graph known by its files without a model (a recorded run, see
    usecases/affected_record.py), in a tree whose module files are neither links nor in linked
    folders: a module's real path is its path under the resolved root."""

    root: Path  # resolved
    total_modules: int  # the analyzed code's modules in the graph

    @property
    @abstractmethod
    def modules(self) -> frozenset[str]: ...

    @abstractmethod
    def module_of_file(self, path: str) -> str | None:
        """The module of a root-relative POSIX path (None: no module's file in the model)."""

    @abstractmethod
    def modules_under(self, folders: Collection[str]) -> Iterable[str]:
        """The modules whose files lie under one of the root-relative folders."""

    @abstractmethod
    def files_of(self, modules: Collection[str]) -> Iterable[Path]:
        """The root-relative files of these modules."""

    @abstractmethod
    def upstream(self, modules: Collection[str]) -> frozenset[str]:
        """The modules and every module that imports one, directly or indirectly."""


def indexed_scope(
    graph: IndexedFiles,
    since: str,
    changed: Iterable[Path],
    configuration_files: Iterable[Path] = (),
) -> AffectedScope:
    """`affected_scope` of a graph known by its files: the same scope, found by looking the
    changed paths up instead of comparing every module's file with them."""
    root = graph.root
    changed = list(changed)
    under_root = [path for path in changed if path.is_relative_to(root)]
    relative = {path.relative_to(root).as_posix() for path in under_root}
    # A changed path that is a link names the module file it leads to (as `_RealPaths`).
    prefix = str(root) + os.sep
    targets = {os.path.realpath(path) for path in changed}
    led_to = {Path(t).relative_to(root).as_posix() for t in targets if t.startswith(prefix)}
    changed_modules = {m for path in relative | led_to if (m := graph.module_of_file(path))}
    folders = {path for path in relative if (root / path).is_dir()}
    if folders:
        changed_modules.update(graph.modules_under(folders))
    configuration = {path.resolve() for path in configuration_files}
    configuration_changed = any(path in configuration for path in under_root)
    modules = graph.modules if configuration_changed else graph.upstream(changed_modules)
    return AffectedScope(
        since=since,
        changed_files=len(under_root),
        changed_modules=frozenset(changed_modules),
        modules=frozenset(modules),
        total_modules=graph.total_modules,
        configuration_changed=configuration_changed,
    )


class _Importers(Protocol):
    def importers_of(self, module: str) -> Iterable[str]: ...


class _RealPaths:
    """`os.path.realpath(root / path)` of module files, each folder resolved once: realpath
    looks at every component of every path (4,000 modules 8 folders deep: 0.5 s), and a file
    that is no link resolves to its resolved folder joined with its name."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.folders: dict[str, str] = {}

    def of(self, path: Path) -> str:
        folder, name = os.path.split(str(path))
        resolved = self.folders.get(folder)
        if resolved is None:
            resolved = self.folders[folder] = os.path.realpath(os.path.join(self.root, folder))
        full = os.path.join(self.root, folder, name)
        return os.path.realpath(full) if os.path.islink(full) else os.path.join(resolved, name)


def upstream(model: _Importers, modules: Iterable[str]) -> frozenset[str]:
    """The modules and every module that imports one of them, directly or indirectly."""
    found = set(modules)
    pending = list(found)
    while pending:
        for importer in model.importers_of(pending.pop()):
            if importer not in found:
                found.add(importer)
                pending.append(importer)
    return frozenset(found)


def restrict(
    result: RunResult, scope: AffectedScope, files: ArchModel | IndexedFiles
) -> RunResult:
    """The result with only the violations in scope; the others are counted, not listed.
    `files`: the model's files (or a recorded graph's)."""
    in_scope_files: set[Path] = set()
    known: list[bool] = []

    def in_scope(violation: Violation) -> bool:
        if violation.chain:
            return any(step.importer in scope.modules for step in violation.chain)
        if violation.location is None:  # about no module (nothing to attribute): always shown
            return True
        if not known:  # only chainless findings need them: thousands of paths otherwise
            in_scope_files.update(_files_of(files, scope.modules))
            known.append(True)
        return violation.location.path in in_scope_files

    contracts: list[ContractResult] = []
    for contract in result.contracts:
        kept = tuple(v for v in contract.violations if in_scope(v))
        contracts.append(
            replace(
                contract,
                violations=kept,
                out_of_scope=len(contract.violations) - len(kept),
            )
        )
    return result._replace(contracts=tuple(contracts), scope=scope)


def _files_of(files: ArchModel | IndexedFiles, modules: frozenset[str]) -> Iterable[Path]:
    if isinstance(files, IndexedFiles):
        return files.files_of(modules)
    return (files.files[m] for m in modules if m in files.files)
