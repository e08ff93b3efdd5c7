"""Files -> facts: walk the packages, scan imports with grimp, build the ArchModel."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgraph.diagnostics import ArchgraphError, Diagnostic, ScanSummary, sorted_diagnostics
from archgraph.model import ArchModel, ImportGraphPort, ModuleExpr
from archgraph.scan.audit import AuditMemory, ImportAudit, audit_imports
from archgraph.scan.facts import FactsMemory, FactsProvider
from archgraph.scan.files_only import FilesOnlyGraph
from archgraph.scan.finder import (
    FindResult,
    find_modules,
    locate_package,
    locate_single_module,
    refreshed,
    relative,
    source_index,
)
from archgraph.scan.grimp_graph import GraphMemory, build_grimp_graph, module_files


@dataclass(frozen=True, slots=True)
class ScanOptions:
    root_packages: tuple[str, ...]
    source_roots: tuple[str, ...] = (".", "src")
    exclude: tuple[ModuleExpr, ...] = ()
    include_external_packages: bool = False
    exclude_type_checking_imports: bool = False
    include_namespace_dirs: bool = True
    include_dynamic_imports: bool = False
    cache_dir: Path | None = None
    import_graph: bool = True  # False: modules and files only, for commands that read facts


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    model: ArchModel
    diagnostics: tuple[Diagnostic, ...]
    summary: ScanSummary


@dataclass
class ScanMemory:
    """What the scans of one changing tree in this process keep for the next (`archgraph trend`).

    The file facts and import rows replace the cache folder's, and the import graph is changed
    in place where files changed (see GraphMemory): the model of one scan must not be used after
    the next. An owner that knows every file it rewrites or removes starts with `edited=set()`
    and adds their absolute paths between scans; the next scan then reads their stamps again
    instead of walking the tree (it walks when an edit is not one of the files the last walk
    found, or when some module is reached through a symlink). With None (the default), every
    scan walks.
    """

    facts: FactsMemory = field(default_factory=FactsMemory)
    graph: GraphMemory = field(default_factory=GraphMemory)
    audit: AuditMemory = field(default_factory=AuditMemory)
    shared: dict[Hashable, Any] = field(default_factory=dict)  # see ArchModel.shared
    edited: set[Path] | None = None
    walk: tuple[Path, ScanOptions, FindResult, dict[str, Path]] | None = None
    _where: dict[Path, tuple[int, int]] = field(default_factory=dict)  # the walk's source_index

    def recall(self, root: Path, options: ScanOptions) -> _Recalled | None:
        """The last walk with the edited files' stamps read again, and their modules; None
        when the tree must be walked again."""
        if self.walk is None or self.edited is None or self.walk[:2] != (root, options):
            return None
        found = refreshed(self.walk[2], self.edited, self._where)
        if found is None:
            return None
        changed = frozenset(
            found.trees[t].sources[i].module for t, i in (self._where[p] for p in self.edited)
        )
        return _Recalled(found, self.walk[3], changed)

    def remember(
        self, root: Path, options: ScanOptions, found: FindResult, files: dict[str, Path], walked: bool
    ) -> None:
        self.walk = (root, options, found, files)
        if walked:  # a refreshed walk keeps every source in its place
            self._where = source_index(found)
        if self.edited is not None:
            self.edited = set()


@dataclass(frozen=True, slots=True)
class _Recalled:
    found: FindResult
    files: dict[str, Path]
    changed: frozenset[str]  # the modules whose files were edited: nothing else changed


def scan(root: Path, options: ScanOptions, memory: ScanMemory | None = None) -> ScanOutcome:
    """Build the model of the code under `root`; never imports or executes it.

    `memory`: what earlier scans of this tree, in this process, left (see ScanMemory).
    """
    root = root.resolve()
    source_roots = [(root / s).resolve() for s in options.source_roots]
    # grimp analyzes packages only: its scanner crashes on a root that is a single module file.
    modules = {
        p: single
        for p in options.root_packages
        if not locate_package(p, source_roots)
        and (single := locate_single_module(p, source_roots)) is not None
    }
    if modules:
        listed = ", ".join(relative(path, root).as_posix() for path in modules.values())
        raise ArchgraphError(
            f"root package(s) {', '.join(modules)} are single modules ({listed}), not packages;"
            " archgraph analyzes packages (directories): name the package that contains them"
        )
    missing = [p for p in options.root_packages if not locate_package(p, source_roots)]
    if missing:
        searched = ", ".join(str(s) for s in options.source_roots)
        raise ArchgraphError(
            f"root package(s) not found: {', '.join(missing)} (searched source roots: "
            f"{searched} under {root}); check root_packages / source_roots or pass -p"
        )
    remembered = memory.recall(root, options) if memory is not None else None
    changed: frozenset[str] | None = None  # None: any file may have changed
    if remembered is not None:
        found, all_files, changed = remembered.found, remembered.files, remembered.changed
    else:
        found = find_modules(
            root,
            options.root_packages,
            source_roots,
            include_namespace_dirs=options.include_namespace_dirs,
            exclude=options.exclude,
        )
        all_files = module_files(found.trees, root)
    if memory is not None:
        memory.remember(root, options, found, all_files, walked=remembered is None)
        memory.facts.scanned(changed)
    graph: ImportGraphPort
    audit = ImportAudit((), ())
    if options.import_graph:
        grimp_graph, skipped, scan_diagnostics = build_grimp_graph(
            found.trees,
            root,
            include_external_packages=options.include_external_packages,
            exclude_type_checking_imports=options.exclude_type_checking_imports,
            cache_dir=options.cache_dir,
            remembered=memory.graph if memory is not None else None,
            changed=changed,
        )
        analyzed = [s for tree in found.trees for s in tree.sources if s.path not in skipped]
        audit = audit_imports(
            analyzed,
            grimp_graph.modules,
            options.root_packages,
            root,
            options.cache_dir,
            memory=memory.audit if memory is not None else None,
            changed=changed,
        )
        if options.include_dynamic_imports and audit.dynamic_imports:
            grimp_graph = grimp_graph.with_imports(
                (d.importer, d.imported, d.line, "importlib.import_module")
                for d in audit.dynamic_imports
            )
        graph = grimp_graph
    else:
        sources = [s for tree in found.trees for s in tree.sources]
        graph = FilesOnlyGraph(
            {s.module for s in sources} | {n for t in found.trees for n in t.namespace_modules},
            options.root_packages,
        )
        skipped, scan_diagnostics = frozenset(), ()
    namespace = frozenset().union(*(t.namespace_modules for t in found.trees))
    files = all_files
    if skipped:
        files = {m: p for m, p in files.items() if root / p not in skipped}
    model = ArchModel(
        root=root,
        root_packages=options.root_packages,
        graph=graph,
        files=files,
        namespace_modules=namespace,
        exclude_type_checking_imports=options.exclude_type_checking_imports,
        facts_provider=FactsProvider(
            root,
            files,
            options.cache_dir,
            stamps={s.module: s.stamp for t in found.trees for s in t.sources},
            context=(options, sorted(namespace)),
            kept=memory.facts if memory is not None else None,
        ),
        shared=memory.shared if memory is not None else None,
    )
    summary = ScanSummary(
        modules=len(model.internal_modules),
        imports=model.import_count,
        namespace_modules=len(namespace),
        files=sum(len(t.sources) for t in found.trees) - len(skipped),
    )
    diagnostics = (*found.diagnostics, *scan_diagnostics, *audit.diagnostics)
    return ScanOutcome(model, sorted_diagnostics(diagnostics), summary)


__all__ = ["ScanMemory", "ScanOptions", "ScanOutcome", "scan"]
