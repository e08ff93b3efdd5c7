"""Files -> facts: walk the packages, scan imports with grimp, build the ArchModel.

`scan` is a function of the tree and the options: it builds a fresh model every time. What it
reuses of earlier scans (each unchanged file's imports and facts) comes from a `ScanStore`, which
changes how much is worked out again, never what is found.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from archgraph import codes, forking
from archgraph.diagnostics import ArchgraphError, Diagnostic, Location, Severity, sorted_diagnostics
from archgraph.model import ArchModel, ModuleExpr, SourceSet
from archgraph.model.testcode import DEFAULT_RULE, TestCodeRule
from archgraph.results import ScanSummary
from archgraph.scan.facts import FactsProvider
from archgraph.scan.finder import (
    FindResult,
    ModuleSource,
    find_modules,
    locate_package,
    locate_single_module,
    module_files,
    relative,
)
from archgraph.scan.store import ScanStore

if TYPE_CHECKING:
    from archgraph.scan.audit import LazyImportKinds
    from archgraph.scan.cache_file import Stamp
    from archgraph.scan.grimp_graph import Assembler


class ScanOptions(NamedTuple):
    root_packages: tuple[str, ...]
    source_roots: tuple[str, ...] = (".", "src")
    exclude: tuple[ModuleExpr, ...] = ()
    include_external_packages: bool = False
    exclude_type_checking_imports: bool = False
    include_namespace_dirs: bool = True
    include_dynamic_imports: bool = False
    cache_dir: Path | None = None
    max_file_bytes: int = 5_000_000  # larger files: imports only (see `large_files`)
    test_code: TestCodeRule = DEFAULT_RULE  # which modules are tests (pytest's configuration)


class ScanOutcome(NamedTuple):
    model: ArchModel
    diagnostics: tuple[Diagnostic, ...]
    summary: ScanSummary
    kinds: LazyImportKinds | None = None  # the model's import kinds, read as they are asked for

    def keep_read_kinds(self) -> None:
        """Write the audit's cache with the import kinds the checks read after the scan (those
        of the imports their violations show), so that a warm run does not read those files
        again."""
        if self.kinds is not None:
            self.kinds.keep()


def walk(root: Path, options: ScanOptions) -> FindResult:
    """The modules of the root packages under `root`: their files, and what was skipped and why."""
    root = root.resolve()
    source_roots, linked_out = analysed_roots(root, options.source_roots)
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
        searched = ", ".join(str(s) for s in options.source_roots if s not in linked_out)
        links = "".join(
            f"; source root {s} is a symbolic link out of {root}, not searched" for s in linked_out
        )
        raise ArchgraphError(
            f"root package(s) not found: {', '.join(missing)} (searched source roots: "
            f"{searched} under {root}{links}); check root_packages / source_roots or pass -p"
        )
    return find_modules(
        root,
        options.root_packages,
        source_roots,
        include_namespace_dirs=options.include_namespace_dirs,
        exclude=options.exclude,
    )


def analysed_roots(root: Path, source_roots: Sequence[str]) -> tuple[list[Path], list[str]]:
    """The source roots, resolved: where packages are looked for and where links may lead; and
    those left out. A source root the configuration puts outside `root` (resolved) is trusted as
    written; one inside it that a link of the tree leads out of (`src -> /`) is left out."""
    roots, linked_out = [], []
    for source_root in source_roots:
        written = Path(os.path.normpath(root / source_root))
        resolved = written.resolve()
        if not written.is_relative_to(root) or resolved.is_relative_to(root):
            roots.append(resolved)
        else:
            linked_out.append(source_root)
    return roots, linked_out


def scan(
    root: Path,
    options: ScanOptions,
    store: ScanStore | None = None,
    found: FindResult | None = None,
    assemble: Assembler | None = None,
    *,
    keep_audit_later: bool = False,
) -> ScanOutcome:
    """Build the model of the code under `root`; never imports or executes it.

    `store`: what earlier scans kept (by default the cache folder of `options`, written back);
    `found`: the tree's walk, when the caller already has it as the tree is now (else walked);
    `assemble`: makes the import graph of the files' import rows (by default from scratch);
    `keep_audit_later`: the caller writes the audit's cache with `ScanOutcome.keep_read_kinds`
    after its checks have asked for import kinds (one write of it, not two).
    """
    # Here, not at the top: `families` reads files and facts without grimp, the audit or a
    # child (`scan_files`), and should not pay for loading them (about 15 ms of its warm run).
    from archgraph.scan.audit import audit_imports  # noqa: PLC0415
    from archgraph.scan.grimp_graph import build_grimp_graph  # noqa: PLC0415
    from archgraph.scan.prescan import AuditPrescan  # noqa: PLC0415

    root = root.resolve()
    store = store if store is not None else ScanStore.in_folder(options.cache_dir)
    found = found if found is not None else walk(root, options)
    sources = [s for tree in found.trees for s in tree.sources]
    namespace = frozenset().union(*(t.namespace_modules for t in found.trees))
    # The command line may let a child read the files for the audit while grimp scans them.
    prescan = None
    if forking.allowed():
        prescan = AuditPrescan(
            sources, {s.module for s in sources} | namespace, options.root_packages, store.audit_scans
        )
    try:
        if prescan is not None:
            prescan.start()
        graph, skipped, scan_diagnostics = build_grimp_graph(
            found.trees,
            root,
            max_file_bytes=options.max_file_bytes,
            include_external_packages=options.include_external_packages,
            exclude_type_checking_imports=options.exclude_type_checking_imports,
            store=store,
            assemble=assemble,
        )
    except BaseException:
        if prescan is not None:
            prescan.finish(cancel=True)  # no helper outlives the scan (Ctrl-C, SIGTERM, errors)
        raise
    if prescan is not None:
        prescan.finish()  # reaps the child; what it read is now in the store's audit scans
    large, large_notes = large_files(sources, options.max_file_bytes)
    analyzed = [s for s in sources if s.path not in skipped and s.path not in large]
    audit = audit_imports(
        analyzed, graph.modules, options.root_packages, root, store.audit_scans, save=not keep_audit_later
    )
    if options.include_dynamic_imports and audit.dynamic_imports:
        graph = graph.with_imports(
            (d.importer, d.imported, d.line, "importlib.import_module")
            for d in audit.dynamic_imports
        )
    files = module_files(found.trees)
    if skipped:
        files = files.without({s.module for s in sources if s.path in skipped})
    facts_files = files
    if large:
        facts_files = files.without({s.module for s in sources if s.path in large})
    model = ArchModel(
        root=root,
        root_packages=options.root_packages,
        graph=graph,
        files=files,
        namespace_modules=namespace,
        exclude_type_checking_imports=options.exclude_type_checking_imports,
        facts_provider=_facts_provider(root, facts_files, store, sources, options, namespace),
        test_code=options.test_code,
        import_kinds=audit.import_kinds,
        suppressions=audit.suppressions,
    )
    summary = ScanSummary(
        modules=len(model.internal_modules),
        imports=model.import_count,
        namespace_modules=len(namespace),
        files=len(sources) - len(skipped),
    )
    diagnostics = (*found.diagnostics, *scan_diagnostics, *large_notes, *audit.diagnostics)
    return ScanOutcome(model, sorted_diagnostics(diagnostics), summary, audit.import_kinds)


class FilesOutcome(NamedTuple):
    sources: SourceSet
    diagnostics: tuple[Diagnostic, ...]
    # Each module's file stamp as the walk saw it: a cache keyed by every file's stamp needs
    # not stat thousands of files a second time.
    stamps: Mapping[str, Stamp] = MappingProxyType({})


def scan_files(
    root: Path,
    options: ScanOptions,
    store: ScanStore | None = None,
    found: FindResult | None = None,
) -> FilesOutcome:
    """The files under `root` and their facts, without the import graph (grimp is not run):
    for commands that read only facts, such as `archgraph families`."""
    root = root.resolve()
    store = store if store is not None else ScanStore.in_folder(options.cache_dir)
    found = found if found is not None else walk(root, options)
    sources = [s for tree in found.trees for s in tree.sources]
    namespace = frozenset().union(*(t.namespace_modules for t in found.trees))
    files = module_files(found.trees)
    large, large_notes = large_files(sources, options.max_file_bytes)
    if large:
        files = files.without({s.module for s in sources if s.path in large})
    provider = _facts_provider(root, files, store, sources, options, namespace)
    source_set = SourceSet(
        root, options.root_packages, files, namespace, provider, test_code=options.test_code
    )
    stamps = {s.module: s.stamp for tree in found.trees for s in tree.sources}  # as module_files
    return FilesOutcome(source_set, sorted_diagnostics((*found.diagnostics, *large_notes)), stamps)


def large_files(
    sources: list[ModuleSource], max_file_bytes: int
) -> tuple[frozenset[str], tuple[Diagnostic, ...]]:
    """The files larger than `max_file_bytes`, and a note on each: their imports are scanned,
    but they are not parsed for facts (classes, names) nor audited, which would take
    gigabytes of memory for a generated module of some tens of megabytes."""
    large = [s for s in sources if s.stamp[0] > max_file_bytes]
    notes = tuple(
        Diagnostic(
            codes.FILE_TOO_LARGE.code,
            Severity.WARNING,
            f"file is {s.stamp[0]:,} bytes, over max_file_bytes ({max_file_bytes:,}): its"
            " imports are analyzed, its classes and names are not",
            Location(Path(s.file)),
            hint="split the file, or raise max_file_bytes in [archgraph]",
        )
        for s in large
    )
    return frozenset(s.path for s in large), notes


def _facts_provider(
    root: Path,
    files: Mapping[str, Path],
    store: ScanStore,
    sources: list[ModuleSource],
    options: ScanOptions,
    namespace: frozenset[str],
) -> FactsProvider:
    return FactsProvider(
        root,
        files,
        store,
        stamps={s.module: s.stamp for s in sources},
        context=(options, sorted(namespace)),
    )


__all__ = ["FilesOutcome", "ScanOptions", "ScanOutcome", "ScanStore", "scan", "scan_files", "walk"]
