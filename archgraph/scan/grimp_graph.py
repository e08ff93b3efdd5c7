"""The only module that talks to grimp: build its graph from our file walk, adapt it to the model.

grimp's Rust scanner stops at the first file it cannot parse; we report that file, leave it
out, and scan again, remembering known-bad files (by size and mtime) so warm runs skip them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import deepcopy
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from archgraph import codes, scanner_stderr
from archgraph.diagnostics import Diagnostic, Location, Severity
from archgraph.model.graph import ImportGraphPort, LayerRoute, LayerSpec
from archgraph.model.names import is_within
from archgraph.scan import grimp_api
from archgraph.scan.finder import FoundTree, ModuleSource, relative
from archgraph.scan.grimp_api import FoundPackage, ModuleNotPresent, SourceSyntaxError
from archgraph.scan.import_cache import ImportCache, ImportRow
from archgraph.scan.prepared import python_text, scan_texts, setting_type_checking
from archgraph.scan.python_source import SourceTexts
from archgraph.scan.scanner_errors import (
    interruption_inside,
    is_panic,
    named_path,
    panicking_files,
    replay,
    stderr_held,
)
from archgraph.scan.unparsable import describe_unparsable

if TYPE_CHECKING:
    from archgraph.scan import ScanOptions
    from archgraph.scan.store import ScanStore


class GrimpGraph:
    """ImportGraphPort over grimp's ImportGraph.

    `imports`, when given, is every module's direct imports as the graph holds them: contracts ask
    for them tens of thousands of times, and a dict answers without crossing into Rust.
    """

    def __init__(
        self,
        graph: grimp_api.ImportGraph,
        root_packages: Sequence[str],
        imports: Mapping[str, frozenset[str]] | None = None,
        modules: frozenset[str] | None = None,
    ) -> None:
        """`modules`: the graph's modules, when the caller knows them already."""
        self._graph: grimp_api.ImportGraph = graph
        self._roots = tuple(root_packages)
        self._modules = frozenset(graph.modules) if modules is None else modules
        self._imports = imports
        self._internal: frozenset[str] | None = None
        self._sorted: tuple[str, ...] | None = None
        # Built once asked often; tuples, a third of a small frozenset's size (20 MiB of
        # frozensets at 65,000 modules), made a set per question (a few per module).
        self._importers: dict[str, tuple[str, ...]] | None = None
        self._importer_queries = 0

    @property
    def internal_modules(self) -> frozenset[str]:
        if self._internal is None:
            self._internal = frozenset(m for m in self._modules if not self.is_external(m))
        return self._internal

    @property
    def sorted_modules(self) -> tuple[str, ...]:
        if self._sorted is None:
            self._sorted = tuple(sorted(self._modules))
        return self._sorted

    @property
    def modules(self) -> frozenset[str]:
        return self._modules

    def is_external(self, module: str) -> bool:
        return not any(is_within(module, root) for root in self._roots)

    def imports_of(self, module: str) -> frozenset[str]:
        if self._imports is not None:
            return self._imports.get(module, _NONE) if module in self._modules else _unknown(module)
        return frozenset(self._graph.find_modules_directly_imported_by(module))

    def importers_of(self, module: str) -> frozenset[str]:
        # grimp keeps the reverse index: a few queries are cheaper there than building it here,
        # but a search over the whole graph (compliance counts every chain start) asks for
        # thousands of modules, and then one pass over the imports pays for itself.
        if self._importers is None and self._imports is not None:
            self._importer_queries += 1
            if self._importer_queries > _QUERIES_BEFORE_INDEX:
                reverse: dict[str, list[str]] = {}
                for importer, imported in self._imports.items():
                    for target in imported:  # each importer once: `imported` is a set
                        reverse.setdefault(target, []).append(importer)
                self._importers = {}
                while reverse:  # each list let go of as its tuple is made
                    target, found = reverse.popitem()
                    self._importers[target] = tuple(found)
        if self._importers is not None:
            if module not in self._modules:
                return _unknown(module)
            return frozenset(self._importers.get(module, ()))
        return frozenset(self._graph.find_modules_that_directly_import(module))

    def import_lines(self, importer: str, imported: str) -> tuple[int, ...]:
        details = self._graph.get_import_details(importer=importer, imported=imported)
        return tuple(sorted({d["line_number"] for d in details}))

    def count_imports(self) -> int:
        return int(self._graph.count_imports())

    def shortest_chains(
        self, importer: str, imported: str, as_packages: bool
    ) -> frozenset[tuple[str, ...]]:
        return frozenset(
            tuple(chain)
            for chain in self._graph.find_shortest_chains(
                importer=importer, imported=imported, as_packages=as_packages
            )
        )

    def illegal_layer_routes(
        self, layers: Sequence[LayerSpec], containers: Sequence[str]
    ) -> tuple[LayerRoute, ...]:
        dependencies = self._graph.find_illegal_dependencies_for_layers(
            layers=[
                grimp_api.Layer(*spec.modules, independent=spec.independent, closed=spec.closed)
                for spec in layers
            ],
            containers=set(containers) or None,
        )
        routes = []
        for dependency in dependencies:
            for route in dependency.routes:
                routes.append(
                    LayerRoute(
                        importer_layer=dependency.importer,
                        imported_layer=dependency.imported,
                        heads=tuple(sorted(route.heads)),
                        middle=tuple(route.middle),
                        tails=tuple(sorted(route.tails)),
                    )
                )
        return tuple(sorted(routes, key=lambda r: (r.importer_layer, r.imported_layer, r.heads)))

    def cycle_breakers(self, packages: Sequence[str]) -> frozenset[tuple[str, str]]:
        first, *others = packages
        return frozenset(self._graph.nominate_cycle_breakers(first, *others))

    def with_imports(self, imports: Iterable[tuple[str, str, int, str]]) -> GrimpGraph:
        """A copy with more imports: (importer, imported, line, line contents)."""
        copy = deepcopy(self._graph)
        added: dict[str, set[str]] = {}
        for importer, imported, line, contents in imports:
            copy.add_import(
                importer=importer, imported=imported, line_number=line, line_contents=contents
            )
            added.setdefault(importer, set()).add(imported)
        return self._copy(copy, self._patched(added, frozenset.union))

    def without_imports(self, imports: Iterable[tuple[str, str]]) -> ImportGraphPort:
        copy = deepcopy(self._graph)  # grimp's ImportGraph has no copy(); it supports deepcopy
        removed: dict[str, set[str]] = {}
        for importer, imported in imports:
            copy.remove_import(importer=importer, imported=imported)
            removed.setdefault(importer, set()).add(imported)
        return self._copy(copy, self._patched(removed, frozenset.difference))

    def with_rows_replaced(
        self, before: Mapping[str, tuple[ImportRow, ...]], after: Mapping[str, tuple[ImportRow, ...]]
    ) -> GrimpGraph:
        """A copy whose importers of `after` import what their rows say instead of what their
        rows of `before` said (an importer missing from `after` imports nothing now).

        The same graph as `graph_of_rows` of the changed rows, as long as no node is added or
        removed: grimp breaks ties by the order modules were added, which a copy keeps.
        """
        copy = deepcopy(self._graph)
        imports = dict(self._imports) if self._imports is not None else None
        for importer in sorted(before.keys() | after.keys()):
            for imported in {row[0] for row in before.get(importer, ()) if row[0]}:
                copy.remove_import(importer=importer, imported=imported)
            rows = after.get(importer, ())
            _add_imports(copy, importer, rows)
            if imports is not None:
                imports[importer] = frozenset(row[0] for row in rows if row[0])
        return self._copy(copy, imports)

    def _copy(self, graph: grimp_api.ImportGraph, imports: dict[str, frozenset[str]] | None) -> GrimpGraph:
        """A GrimpGraph over a changed copy of this one's graph; what is known of the modules
        carries over when they are the same."""
        modules = frozenset(graph.modules)
        copy = GrimpGraph(graph, self._roots, imports, modules)
        if modules == self._modules:
            copy._internal, copy._sorted = self._internal, self._sorted
        return copy

    def _patched(
        self,
        changes: dict[str, set[str]],
        apply: Callable[[frozenset[str], set[str]], frozenset[str]],
    ) -> dict[str, frozenset[str]] | None:
        """The `imports` mapping with `changes` applied to their importers (None without one)."""
        if self._imports is None:
            return None
        patched = dict(self._imports)
        for importer, names in changes.items():
            patched[importer] = apply(patched.get(importer, _NONE), names)
        return patched


_NONE: frozenset[str] = frozenset()
_QUERIES_BEFORE_INDEX = 512
_NAMELESS = frozenset({""})  # grimp's name for a relative import above the top package


def _unknown(module: str) -> frozenset[str]:
    """grimp's answer for a module the graph does not hold."""
    raise ModuleNotPresent(f'"{module}" not present in the graph.')


def build_grimp_graph(
    trees: Sequence[FoundTree],
    project_root: Path,
    *,
    include_external_packages: bool,
    exclude_type_checking_imports: bool,
    store: ScanStore,
    assemble: Assembler | None = None,
    max_file_bytes: int | None = None,
) -> tuple[GrimpGraph, frozenset[str], tuple[Diagnostic, ...]]:
    """Scan imports with grimp's scanner; returns the graph, the files left out, and why.

    Only files whose rows the store does not hold are scanned (see `import_cache`); the graph
    is then made of the rows by `assemble` (by default `graph_of_rows`, in sorted order, so
    that every query answers the same way in every run).

    Files are scanned as they are: grimp's scanner decodes the encodings coding declarations
    name and reads names as Python does (NFKC). When it fails on a file Python reads otherwise
    (an encoding it does not know: cp437, mac_roman, utf-7), every such file is scanned again
    from its text as Python reads it; so is the package beside a module file of its name,
    which grimp would not read. Working out every file's text before the scan read all of them
    once more (Home Assistant: 0.15 s of a 1.7 s check) to find none in six real projects.
    """
    packages = sorted({tree.package for tree in trees})
    memory = store.bad_files
    sources = all_sources(trees)
    all_paths = [s.path for s in sources]
    memory.keep_only(all_paths)
    skipped: dict[str, Diagnostic] = {}

    def skip(
        path: str,
        line: int | None,
        message: str,
        hint: str,
        code: str = codes.UNPARSABLE_FILE.code,
    ) -> None:
        skipped[path] = Diagnostic(
            code,
            Severity.WARNING,
            f"{message}; file not analyzed",
            Location(relative(Path(path), project_root), line),
            hint=hint,
        )

    for path in all_paths if memory.has_entries else ():
        entry = memory.known(path)
        if entry is not None:
            skip(
                path,
                entry["line"],
                entry["message"],
                entry["hint"],
                entry.get("code", codes.UNPARSABLE_FILE.code),
            )

    # A module that sets TYPE_CHECKING itself may run its `if TYPE_CHECKING:` imports: kept.
    own_flag = setting_type_checking(sources) if exclude_type_checking_imports else {}
    options = _import_options(packages, include_external_packages, exclude_type_checking_imports)
    cache = store.imports(options)
    cache.keep_only({s.module for s in sources})
    # The files to scan from their text as Python reads it (see above).
    from_text: set[str] = {p for tree in trees for p in tree.shadowing}

    def read_from_text(bad: str) -> bool:
        """Whether the file the scanner failed on is one Python reads otherwise, not yet read
        from its text. If so, so are all such files from now on: every file to scan is looked
        at once, and the next scan is the last, however many of them a tree holds."""
        source = next((s for s in sources if s.path == bad), None) if bad not in from_text else None
        if source is None or python_text(source, store.texts) is None:
            return False
        from_text.update(
            s.path
            for s in sources
            if cache.get(s.module, s.path, s.stamp) is None and python_text(s, store.texts) is not None
        )
        return True

    while True:
        held: list[bytes] = []
        try:
            rows = _scan_imports(
                trees, frozenset(skipped), cache, include_external_packages,
                exclude_type_checking_imports, max_file_bytes, frozenset(own_flag), store.texts,
                frozenset(from_text), held if scanner_stderr.held() else None,
            )
            replay(held)
            break
        except SourceSyntaxError as error:
            bad = os.path.normpath(error.filename)
            if read_from_text(bad):
                continue
            line, message, hint = describe_unparsable(Path(bad), error.lineno, error.text)
        except UnicodeError as error:
            # "Failed to decode file F as UTF-8", "... F with encoding 'x'", "... F (unknown
            # encoding 'x')": the wording varies, the file is one of ours.
            named = named_path(str(error), all_paths)
            if named is None:
                raise
            bad = named
            if read_from_text(bad):
                continue
            line, message, hint = describe_unparsable(Path(bad), None, None)
        except BaseException as error:
            if not is_panic(error):
                replay(held)
                raise
            interruption = interruption_inside(error)
            if interruption is not None:
                raise interruption from None
            # The scanner does not say which file made it panic; the known cause is a
            # relative import that climbs two or more levels above the top-level package.
            culprits = panicking_files(trees, frozenset(skipped))
            if not culprits:
                replay(held)
                raise RuntimeError(f"grimp's import scanner crashed: {error}") from None
            for path, (line, level, allowed) in culprits.items():
                message = (
                    f"relative import goes {level - allowed} levels above the top-level package"
                    " (grimp cannot scan it)"
                )
                hint = "make the import absolute, or fix the number of dots"
                skip(path, line, message, hint, code=codes.RELATIVE_IMPORT_ABOVE_TOP.code)
                memory.remember(
                    path, line, message, hint, code=codes.RELATIVE_IMPORT_ABOVE_TOP.code
                )
            continue
        if bad in skipped:  # the scanner keeps failing on a file we already left out
            raise RuntimeError(f"grimp failed repeatedly on {bad}")
        skip(bad, line, message, hint)
        memory.remember(bad, line, message, hint)

    memory.save()
    cache.save()
    if not store.keeps_imports:
        # Written: a store of one scan has no later use for the rows, and each would be kept
        # twice (in the cache's entries and in the graph) for the rest of the run.
        store.forget_imports()
        del cache
    # Modules whose file we left out still exist for Python; keep them as nodes.
    modules = {s.module for s in sources} | {m for t in trees for m in t.namespace_modules}
    graph = (assemble or graph_of_rows)(rows, modules, packages)
    notes = _nameless_imports(rows, sources, project_root)
    notes += [
        Diagnostic(
            codes.TYPE_CHECKING_ASSIGNED.code,
            Severity.WARNING,
            "the module sets TYPE_CHECKING itself, so its `if TYPE_CHECKING:` imports may run;"
            " they are kept although exclude_type_checking_imports = true",
            Location(relative(Path(path), project_root), line),
            hint="import TYPE_CHECKING from typing",
        )
        for path, line in sorted(own_flag.items())
        if path not in skipped
    ]
    return graph, frozenset(skipped), (*skipped.values(), *notes)


def _import_options(
    packages: Sequence[str], include_external_packages: bool, exclude_type_checking_imports: bool
) -> tuple[object, ...]:
    """What the import rows depend on besides each file: the key of the store's rows."""
    return (grimp_api.VERSION, list(packages), include_external_packages, exclude_type_checking_imports)


def import_options(trees: Sequence[FoundTree], options: ScanOptions) -> tuple[object, ...]:
    """The key of the import rows a scan of `trees` with `options` keeps in the store."""
    return _import_options(
        sorted({tree.package for tree in trees}),
        options.include_external_packages,
        options.exclude_type_checking_imports,
    )


# `TYPE_CHECKING = ...` (annotated or not) or `... as TYPE_CHECKING`, anywhere in the file: then
# the name is not typing's constant False.
Assembler = Callable[[Mapping[str, tuple[ImportRow, ...]], set[str], Sequence[str]], "GrimpGraph"]
"""Makes the graph of every module's import rows: `graph_of_rows`, or one that reuses an earlier
graph of the same modules (`archgraph trend`, see trend/session.py)."""


def graph_of_rows(
    rows: Mapping[str, tuple[ImportRow, ...]], modules: set[str], packages: Sequence[str]
) -> GrimpGraph:
    """The graph of every module's import rows (`modules`: those the walk found)."""
    first = itemgetter(0)
    # At C speed: every import of the project, at every scan.
    imports = {importer: frozenset(map(first, found)) - _NAMELESS for importer, found in rows.items()}
    nodes = frozenset(modules.union(*imports.values()))
    return GrimpGraph(_assemble(rows, modules, packages), packages, imports, nodes)


def _found_packages(
    trees: Sequence[FoundTree], skipped: frozenset[str], cache: ImportCache
) -> set[FoundPackage]:
    """The packages as grimp's scanner takes them, to resolve imported names against; made
    again only when the modules change (the cache keeps the last ones)."""
    key = tuple(
        (tree.package, tree.directory, tree.namespace_modules,
         frozenset(s.module for s in tree.sources if s.path not in skipped))
        for tree in trees
    )
    if cache.packages is None or cache.packages[0] != key:
        made = {
            grimp_api.found_package(package, str(directory), modules, namespace)
            for package, directory, namespace, modules in key
        }
        cache.packages = (key, made)
    return cache.packages[1]


def _scan_imports(
    trees: Sequence[FoundTree],
    skipped: frozenset[str],
    cache: ImportCache,
    include_external_packages: bool,
    exclude_type_checking_imports: bool,
    max_file_bytes: int | None = None,
    own_flag: frozenset[str] = frozenset(),
    texts: SourceTexts | None = None,
    from_text: frozenset[str] = frozenset(),
    held: list[bytes] | None = None,
) -> dict[str, tuple[ImportRow, ...]]:
    """Import rows of every file not skipped: from the cache, or from grimp's scanner. The
    files of `from_text` are scanned from their text as Python reads it, except those over
    `max_file_bytes`. `own_flag`: files whose TYPE_CHECKING imports are kept whatever
    `exclude_type_checking_imports` says. `held`: where the scanner's stderr goes while it
    runs (see scanner_errors.stderr_held), if it is held."""
    sources = [s for s in all_sources(trees) if s.path not in skipped]
    paths = {s.module: s.path for s in sources}
    namespace = {m for tree in trees for m in tree.namespace_modules}
    cache.resolve_against(frozenset(paths) | namespace, paths)
    rows: dict[str, tuple[ImportRow, ...]] = {}
    missing: list[ModuleSource] = []
    for source in sources:
        cached = cache.get(source.module, source.path, source.stamp)
        if cached is None:
            missing.append(source)
        else:
            rows[source.module] = cached
    if not missing:
        return rows
    known = texts if texts is not None else SourceTexts()
    texts_of = {
        s.path: text
        for s in missing
        if s.path in from_text
        and (max_file_bytes is None or s.stamp[0] <= max_file_bytes)
        and (text := python_text(s, known)) is not None
    }
    scanned: dict[str, tuple[ImportRow, ...]] = {}
    groups = [(False, missing)]
    if exclude_type_checking_imports:
        groups = [
            (True, [s for s in missing if s.path not in own_flag]),
            (False, [s for s in missing if s.path in own_flag]),
        ]
    with stderr_held(held) if held is not None else contextlib.nullcontext():
        for excluding, group in groups:
            plain = [(s.module, s.mtime) for s in group if s.path not in texts_of]
            if plain:
                scanned |= grimp_api.scan_for_imports(
                    module_files=plain,
                    found_packages=_found_packages(trees, skipped, cache),
                    include_external_packages=include_external_packages,
                    exclude_type_checking_imports=excluding,
                )
            prepared = {s.path: texts_of[s.path] for s in group if s.path in texts_of}
            if prepared:
                scanned |= scan_texts(trees, skipped, prepared, include_external_packages, excluding)
    for source in missing:
        found = scanned.get(source.module, ())
        rows[source.module] = found
        cache.put(source.module, source.path, source.stamp, found)
    return rows


def _assemble(
    rows: Mapping[str, tuple[ImportRow, ...]], modules: set[str], packages: Sequence[str]
) -> grimp_api.ImportGraph:
    """grimp's graph, modules and imports added in sorted order.

    grimp breaks ties in its queries (which route of a layer violation is shown) by the order
    modules were added; its own build adds them as its parallel scan finishes them, differently
    in every run. Imports of '' (grimp's name for a relative import one level above the top
    package) are left out; `_nameless_imports` reports them.
    """
    graph = grimp_api.ImportGraph()
    targets = {row[0] for found in rows.values() for row in found}
    roots = tuple(packages)
    add_module = graph.add_module
    for module in sorted((modules | targets) - {""}):
        squashed = module not in modules and not any(is_within(module, r) for r in roots)
        add_module(module, is_squashed=squashed)
    for importer in sorted(rows):
        _add_imports(graph, importer, rows[importer])
    return graph


def _add_imports(graph: grimp_api.ImportGraph, importer: str, rows: tuple[ImportRow, ...]) -> None:
    add_import = graph.add_import
    for imported, line, contents, lazy in rows:
        if imported:
            add_import(
                importer=importer,
                imported=imported,
                line_number=line,
                line_contents=contents,
                is_lazy=lazy,
            )


def _nameless_imports(
    rows: Mapping[str, tuple[ImportRow, ...]], sources: Sequence[ModuleSource], project_root: Path
) -> list[Diagnostic]:
    """grimp resolves a relative import one level above the top package to a module named ''."""
    # Rows are sorted by the imported name, and '' sorts first: one look a module.
    nameless = sorted(m for m, found in rows.items() if found and not found[0][0])
    if not nameless:
        return []
    files = {s.module: s.path for s in sources}
    notes = []
    for importer in nameless:
        path = files.get(importer)
        for imported, line, _contents, _lazy in rows[importer]:
            if imported == "":
                notes.append(
                    Diagnostic(
                        codes.RELATIVE_IMPORT_ABOVE_TOP.code,
                        Severity.WARNING,
                        "relative import goes 1 level above the top-level package; import ignored",
                        Location(relative(Path(path), project_root), line) if path else None,
                        hint="make the import absolute, or fix the number of dots",
                    )
                )
    return notes


def all_sources(trees: Sequence[FoundTree]) -> list[ModuleSource]:
    return [s for tree in trees for s in tree.sources]
