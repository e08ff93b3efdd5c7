"""grimp behind the model: build its graph from our file walk, adapt it to ImportGraphPort
(grimp itself is reached only through grimp_api).

grimp's Rust scanner stops at the first file it cannot parse; we report that file, leave it
out, and scan again, remembering known-bad files (by size and mtime) so warm runs skip them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any, cast

from archgraph import scanner_stderr
from archgraph.atomic import write_atomically
from archgraph.diagnostics import Diagnostic, Location, Severity
from archgraph.interrupts import Terminated
from archgraph.model.graph import ImportGraphPort, LayerRoute, LayerSpec
from archgraph.model.names import is_within
from archgraph.scan import grimp_api
from archgraph.scan.facts import extract_facts
from archgraph.scan.finder import FoundTree, ModuleSource, relative
from archgraph.scan.grimp_api import FoundPackage, ModuleNotPresent, SourceSyntaxError
from archgraph.scan.import_cache import ImportCache, ImportRow

# Not "=======" alone: reStructuredText underlines in docstrings look just like it.
_CONFLICT_MARKER = re.compile(rb"^(<<<<<<<|>>>>>>>|\|\|\|\|\|\|\|)(?: |\r?$)", re.MULTILINE)
# PEP 263: a coding declaration on line 1, or on line 2 below a blank or comment-only line.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")
# Two or more leading dots: only such relative imports can climb above the top-level package.
_CLIMBING_IMPORT = re.compile(rb"\bfrom[\s\\]*\.[\s\\]*\.")
BAD_FILES_NAME = "unparsable-files.json"
BAD_FILES_VERSION = 1


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
        version: object | None = None,
    ) -> None:
        """`modules`: the graph's modules, when the caller knows them already; `version`: the
        imports_version of an earlier graph with the same modules and imports."""
        self._graph: grimp_api.ImportGraph = graph
        self._roots = tuple(root_packages)
        self._modules = frozenset(graph.modules) if modules is None else modules
        self._imports = imports
        self._version = version if version is not None else object()
        self._internal: frozenset[str] | None = None
        self._sorted: tuple[str, ...] | None = None
        # Earlier imports_versions of the same modules -> the importers whose imports changed
        # since (see importers_changed_since); the oldest first.
        self._changes: dict[object, frozenset[str]] = {}

    @property
    def imports_version(self) -> object:
        return self._version

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

    def importers_changed_since(self, version: object) -> frozenset[str] | None:
        """The modules whose direct imports differ from those of the graph whose imports_version
        was `version` (same modules); None when this graph does not know that graph."""
        if version is self._version:
            return frozenset()
        return self._changes.get(version)

    def release(self) -> grimp_api.ImportGraph:
        """Hand grimp's graph over to a caller that will change it (the next build of the same
        tree, see GraphMemory); this object answers no more questions, loudly."""
        graph, self._graph = self._graph, cast(grimp_api.ImportGraph, _Released())
        self._imports = None
        return graph

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
        # grimp keeps the reverse index: one query is cheaper there than building it here.
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

    def shortest_chain(self, importer: str, imported: str) -> tuple[str, ...] | None:
        return self._graph.find_shortest_chain(importer=importer, imported=imported)

    def illegal_layer_routes(
        self, layers: Sequence[LayerSpec], containers: Sequence[str]
    ) -> tuple[LayerRoute, ...]:
        dependencies = self._graph.find_illegal_dependencies_for_layers(
            layers=[grimp_api.Layer(*spec.modules, independent=spec.independent) for spec in layers],
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

    def _copy(self, graph: grimp_api.ImportGraph, imports: dict[str, frozenset[str]] | None) -> GrimpGraph:
        return self.successor(graph, imports, frozenset(graph.modules))

    def successor(
        self,
        graph: grimp_api.ImportGraph,
        imports: Mapping[str, frozenset[str]] | None,
        modules: frozenset[str] | None = None,
        version: object | None = None,
        changed: frozenset[str] | None = None,
    ) -> GrimpGraph:
        """A GrimpGraph over `graph`, a changed copy or patch of this one's that holds `modules`
        (by default the same as this one): what is known of the modules carries over.

        `changed`: the importers whose imports differ from this graph's (None: unknown).
        """
        modules = self._modules if modules is None else modules
        successor = GrimpGraph(graph, self._roots, imports, modules, version)
        if modules == self._modules:
            successor._internal, successor._sorted = self._internal, self._sorted
            if version is self._version:
                successor._changes = self._changes
            elif changed is not None:
                earlier = list(self._changes.items())[1 - _CHANGES_KEPT :]
                successor._changes = {v: since | changed for v, since in earlier}
                successor._changes[self._version] = changed
        return successor

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
_CHANGES_KEPT = 8  # earlier versions a graph can tell its changed importers since


class _Released:
    """Stands for a graph handed over to a later build: any question is a bug, said plainly."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(
            "this import graph was updated in place by a later scan of the same tree "
            "(ScanMemory): use the model of the latest scan"
        )


def _unknown(module: str) -> frozenset[str]:
    """grimp's answer for a module the graph does not hold."""
    raise ModuleNotPresent(f'"{module}" not present in the graph.')


@contextlib.contextmanager
def _stderr_held(hold: list[bytes]) -> Iterator[None]:
    """Capture file descriptor 2 (Rust writes panic messages there, bypassing Python).

    The caller decides afterwards whether to replay the text: a panic archgraph recovers
    from is reported as a diagnostic, not as a frightening backtrace. Only where the command
    line allows it (see archgraph.scanner_stderr): a library call leaves fd 2 alone.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr: nothing to hold
        yield
        return
    with tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            hold.append(sink.read())


def describe_unparsable(path: Path, line: int | None, text: str | None) -> tuple[int | None, str, str]:
    """A clear message (and hint) for a file the scanner rejected."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return line, f"file cannot be read: {error.strerror}", "check the file's permissions"
    if b"\x00" in data:
        nul_line = data[: data.index(b"\x00")].count(b"\n") + 1
        return nul_line, "file contains NUL bytes", "remove the NUL bytes or exclude the file"
    marker = _CONFLICT_MARKER.search(data)
    if marker:
        marker_line = data[: marker.start()].count(b"\n") + 1
        return (
            marker_line,
            "unresolved merge-conflict markers",
            "resolve the conflict; the rest of the code is analyzed meanwhile",
        )
    declared, declaration_line = declared_encoding(data)
    try:
        data.decode(declared or "utf-8")
    except LookupError:
        return (
            declaration_line,
            f"the coding declaration names an unknown encoding '{declared}'",
            "fix the '# -*- coding: ... -*-' line, or save the file as UTF-8 without it",
        )
    except UnicodeDecodeError as error:
        bad_line = data[: error.start].count(b"\n") + 1
        if declared:
            return (
                bad_line,
                f"file is not valid {declared} although its coding declaration says so",
                "fix the '# -*- coding: ... -*-' line to name the file's real encoding",
            )
        return (
            bad_line,
            "file is not valid UTF-8 and declares no encoding",
            "save it as UTF-8 or add a '# -*- coding: ... -*-' line",
        )
    snippet = f": {text.strip()[:80]}" if text and text.strip() else ""
    return line, f"syntax error{snippet}", "fix the syntax; the rest of the code is analyzed meanwhile"


def declared_encoding(data: bytes) -> tuple[str | None, int | None]:
    """The encoding a PEP 263 declaration names, and its line; (None, None) without one."""
    lines = data.split(b"\n", 2)[:2]
    for number, line in enumerate(lines, start=1):
        found = _CODING.match(line)
        if found:
            return found.group(1).decode("ascii", "replace"), number
        if not _BLANK_OR_COMMENT.match(line):
            break
    return None, None


def _named_path(message: str, paths: Iterable[Path]) -> Path | None:
    """The longest of `paths` that `message` names (scanner errors name the file in prose)."""
    named = [path for path in paths if str(path) in message]
    return max(named, key=lambda path: len(str(path)), default=None)


def _interruption_inside(panic: BaseException) -> BaseException | None:
    """Ctrl-C (or SIGTERM) while the scanner calls back into Python: the scanner unwraps the
    error and panics. The panic is then the interruption, not a scanner bug to report."""
    text = str(panic)
    if "<class 'KeyboardInterrupt'>" in text:
        return KeyboardInterrupt()
    if "Terminated'>" in text:
        return Terminated()
    return None


def _is_panic(error: BaseException) -> bool:
    """grimp's Rust scanner panics (pyo3's PanicException, a BaseException) on some inputs."""
    return type(error).__name__ == "PanicException"


def climbing_imports(source: ModuleSource) -> list[tuple[int, int, int]]:
    """Relative imports in the file that go above its top-level package: (line, level, allowed).

    `from .. import x` in `pkg/a.py` climbs above `pkg`; Python raises ImportError there.
    """
    try:
        data = source.path.read_bytes()
    except OSError:
        return []
    if not _CLIMBING_IMPORT.search(data):
        return []
    # The same tree-sitter facts as everywhere else: 3.11's ast cannot read 3.12+ files.
    facts = extract_facts(source.module, data, chains=False)
    depth = source.module.count(".") + 1
    allowed = depth if source.path.name == "__init__.py" else depth - 1
    return sorted(
        (fact.line, fact.level, allowed) for fact in facts.imports if fact.level > allowed
    )


class BadFileMemory:
    """Known-unparsable files, keyed by path and (size, mtime), kept in the cache folder."""

    def __init__(self, cache_dir: Path | None) -> None:
        self._file = cache_dir / BAD_FILES_NAME if cache_dir else None
        self._entries: dict[str, dict[str, Any]] = {}
        if self._file and self._file.is_file():
            with contextlib.suppress(OSError, ValueError, TypeError):
                data = json.loads(self._file.read_text("utf-8"))
                if data.get("version") == BAD_FILES_VERSION:
                    self._entries = dict(data["files"])
        self._changed = False

    @staticmethod
    def _stamp(path: Path) -> list[float]:
        stat = path.stat()
        return [stat.st_size, stat.st_mtime]

    @property
    def has_entries(self) -> bool:
        return bool(self._entries)

    def known(self, path: Path) -> dict[str, Any] | None:
        entry = self._entries.get(str(path))
        if entry is None:
            return None
        try:
            return entry if entry["stamp"] == self._stamp(path) else None
        except OSError:
            return None

    def remember(
        self, path: Path, line: int | None, message: str, hint: str, code: str = "AG201"
    ) -> None:
        with contextlib.suppress(OSError):
            self._entries[str(path)] = {
                "stamp": self._stamp(path),
                "code": code,
                "line": line,
                "message": message,
                "hint": hint,
            }
            self._changed = True

    def keep_only(self, paths: Iterable[Path]) -> None:
        if not self._entries:
            return
        keep = {str(p) for p in paths}
        if set(self._entries) - keep:
            self._entries = {k: v for k, v in self._entries.items() if k in keep}
            self._changed = True

    def save(self) -> None:
        if not (self._file and self._changed):
            return
        payload = json.dumps(
            {"version": BAD_FILES_VERSION, "files": self._entries}, sort_keys=True, indent=1
        )
        write_atomically(self._file, payload)


def _replay(held: list[bytes]) -> None:
    """Pass on what the scanner wrote to stderr (warnings a user should still see)."""
    text = b"".join(held)
    if text:
        sys.stderr.write(text.decode("utf-8", "replace"))
        sys.stderr.flush()


def build_grimp_graph(
    trees: Sequence[FoundTree],
    project_root: Path,
    *,
    include_external_packages: bool,
    exclude_type_checking_imports: bool,
    cache_dir: Path | None,
    remembered: GraphMemory | None = None,
    changed: frozenset[str] | None = None,
) -> tuple[GrimpGraph, frozenset[Path], tuple[Diagnostic, ...]]:
    """Scan imports with grimp's scanner; returns the graph, the files left out, and why.

    `remembered`: the memory of the last build of this tree in this process (see GraphMemory);
    `changed`: the modules whose files changed since that build, if nothing else changed.

    Only files that changed since the last run are scanned (see `import_cache`); the graph is
    then assembled in sorted order, so that every query answers the same way in every run.
    """
    packages = sorted({tree.package for tree in trees})
    kept = remembered if remembered is not None else GraphMemory.for_one_build(cache_dir)
    memory = kept.bad_files
    sources = all_sources(trees)
    all_paths = [s.path for s in sources]
    memory.keep_only(all_paths)
    skipped: dict[Path, Diagnostic] = {}

    def skip(path: Path, line: int | None, message: str, hint: str, code: str = "AG201") -> None:
        skipped[path] = Diagnostic(
            code,
            Severity.WARNING,
            f"{message}; file not analyzed",
            Location(relative(path, project_root), line),
            hint=hint,
        )

    for path in all_paths if memory.has_entries else ():
        entry = memory.known(path)
        if entry is not None:
            skip(path, entry["line"], entry["message"], entry["hint"], entry.get("code", "AG201"))

    options = (grimp_api.VERSION, packages, include_external_packages, exclude_type_checking_imports)
    cache = kept.import_cache(cache_dir, options)
    last_rows = kept.rows_before(changed, options)
    if last_rows is None:
        cache.keep_only({s.module for s in sources})
    while True:
        held: list[bytes] = []
        # Another file left out changes what the others' imports resolve to.
        since = (
            (last_rows, changed)
            if last_rows is not None and changed is not None and kept.skipped == skipped.keys()
            else None
        )
        # Only the files of `changed` differ from the last build's: the same modules, left out
        # or not, to resolve imports against.
        kept.packages_hold = kept.packages_hold and since is not None
        try:
            with _stderr_held(held) if scanner_stderr.held() else contextlib.nullcontext():
                rows = _scan_imports(
                    trees, frozenset(skipped), cache, include_external_packages,
                    exclude_type_checking_imports, kept, since,
                )
            _replay(held)
            break
        except SourceSyntaxError as error:
            bad = Path(error.filename)
            line, message, hint = describe_unparsable(bad, error.lineno, error.text)
        except UnicodeError as error:
            # "Failed to decode file F as UTF-8", "... F with encoding 'x'", "... F (unknown
            # encoding 'x')": the wording varies, the file is one of ours.
            named = _named_path(str(error), all_paths)
            if named is None:
                raise
            bad = named
            line, message, hint = describe_unparsable(bad, None, None)
        except BaseException as error:
            if not _is_panic(error):
                _replay(held)
                raise
            interruption = _interruption_inside(error)
            if interruption is not None:
                raise interruption from None
            # The scanner does not say which file made it panic; the known cause is a
            # relative import that climbs two or more levels above the top-level package.
            culprits = _panicking_files(trees, frozenset(skipped))
            if not culprits:
                _replay(held)
                raise RuntimeError(f"grimp's import scanner crashed: {error}") from None
            for path, (line, level, allowed) in culprits.items():
                message = (
                    f"relative import goes {level - allowed} levels above the top-level package"
                    " (grimp cannot scan it)"
                )
                hint = "make the import absolute, or fix the number of dots"
                skip(path, line, message, hint, code="AG202")
                memory.remember(path, line, message, hint, code="AG202")
            continue
        if bad in skipped:  # the scanner keeps failing on a file we already left out
            raise RuntimeError(f"grimp failed repeatedly on {bad}")
        skip(bad, line, message, hint)
        memory.remember(bad, line, message, hint)

    memory.save()
    cache.save()
    kept.skipped = frozenset(skipped)
    # Modules whose file we left out still exist for Python; keep them as nodes.
    modules = {s.module for s in sources} | {m for t in trees for m in t.namespace_modules}
    differ = since[1] if since is not None else None  # the only modules whose rows may differ
    graph = kept.graph(rows, modules, packages, differ)
    notes = kept.nameless_imports(rows, trees, project_root, differ)
    return graph, frozenset(skipped), (*skipped.values(), *notes)


class GraphMemory:
    """What one build of the import graph leaves for the next build of the same, changing tree
    in this process (`archgraph trend`): the import rows and known-unparsable files in memory
    instead of the cache folder, and the graph itself, which the next build changes in place
    where rows changed (the previous GrimpGraph is then released) instead of assembling it
    again from every row: 80 ms a commit on Home Assistant.

    The patched graph holds the same modules and imports as an assembled one; it is assembled
    again whenever the modules change, so that grimp's tie-breaking (by the order modules were
    added) is the same as in a fresh build.
    """

    def __init__(self, *, in_memory: bool = True, cache_dir: Path | None = None) -> None:
        self._in_memory = in_memory
        self.bad_files = BadFileMemory(None if in_memory else cache_dir)
        self._cache: ImportCache | None = None
        self._rows: dict[str, tuple[ImportRow, ...]] = {}
        self._nodes: frozenset[str] = frozenset()
        self._references: dict[str, int] = {}  # imported name -> number of rows naming it
        self._built: GrimpGraph | None = None
        self._imports: dict[str, frozenset[str]] = {}
        self._noted: dict[str, tuple[tuple[ImportRow, ...], list[Diagnostic]]] = {}  # by importer
        self._notes: list[Diagnostic] | None = None  # all of _noted's, in order
        self._packages: tuple[tuple[Any, ...], set[FoundPackage]] | None = None
        self.packages_hold = False  # _packages are those of the current build's modules
        self.skipped: frozenset[Path] = frozenset()  # the files the last build left out

    @staticmethod
    def for_one_build(cache_dir: Path | None) -> GraphMemory:
        """No memory: the cache folder's files, and the graph assembled from every row."""
        return GraphMemory(in_memory=False, cache_dir=cache_dir)

    def rows_before(
        self, changed: frozenset[str] | None, options: tuple[Any, ...]
    ) -> dict[str, tuple[ImportRow, ...]] | None:
        """The last build's rows, when only the files of `changed` modules changed since and
        the scan options are the same; None otherwise (every file is looked at)."""
        if changed is None or self._built is None or self._cache is None or self._cache.options != options:
            return None
        return self._rows

    def import_cache(self, cache_dir: Path | None, options: tuple[Any, ...]) -> ImportCache:
        if self._cache is None or self._cache.options != options:
            self._cache = ImportCache(None if self._in_memory else cache_dir, options)
        return self._cache

    def found_packages(self, trees: Sequence[FoundTree], skipped: frozenset[Path]) -> set[FoundPackage]:
        """The packages as grimp's scanner takes them, to resolve imported names against (the
        files' mtimes play no part there): made again only when the modules change."""
        if self.packages_hold and self._packages is not None:
            return self._packages[1]
        analyzed = tuple(
            (tree.package, tree.directory, tree.namespace_modules,
             frozenset(s.module for s in tree.sources if s.path not in skipped))
            for tree in trees
        )
        if self._packages is not None and self._packages[0] == analyzed:
            self.packages_hold = True
            return self._packages[1]
        packages = {
            grimp_api.found_package(package, str(directory), modules, namespace)
            for package, directory, namespace, modules in analyzed
        }
        if self._in_memory:
            self._packages, self.packages_hold = (analyzed, packages), True
        return packages

    def graph(
        self,
        rows: dict[str, tuple[ImportRow, ...]],
        modules: set[str],
        packages: Sequence[str],
        differ: frozenset[str] | None = None,
    ) -> GrimpGraph:
        """The graph of `rows`; `differ`: the only modules whose rows may differ from the last
        build's (None: any)."""
        graph = self._patched(rows, modules, differ) if self._in_memory else None
        if graph is None:
            references: dict[str, int] = {}
            for found in rows.values():
                for row in found:
                    references[row[0]] = references.get(row[0], 0) + 1
            nodes = frozenset((modules | set(references)) - {""})
            imports = {
                importer: frozenset(row[0] for row in found if row[0])
                for importer, found in rows.items()
            }
            graph = GrimpGraph(_assemble(rows, modules, packages), packages, imports, nodes)
            self._nodes, self._references, self._imports = nodes, references, imports
        if self._in_memory:
            self._rows, self._built = dict(rows), graph
        return graph

    def _patched(
        self, rows: dict[str, tuple[ImportRow, ...]], modules: set[str], differ: frozenset[str] | None
    ) -> GrimpGraph | None:
        """The last graph, its changed modules' imports replaced; None without a last graph or
        when the nodes would change (a file added or removed, a new or no longer imported name)."""
        if self._built is None:
            return None
        before = self._rows
        # Unchanged files give the very same row tuples (the import cache's), so `is` will do.
        if differ is not None:
            changed = [m for m in differ if before.get(m) is not rows.get(m)]
        else:
            changed = [m for m in rows if before.get(m) is not rows[m]]
            changed += [m for m in before if m not in rows]
        references = dict(self._references)
        for module in changed:
            for row in before.get(module, ()):
                references[row[0]] -= 1
            for row in rows.get(module, ()):
                references[row[0]] = references.get(row[0], 0) + 1
        named = {row[0] for module in changed for row in rows.get(module, ())}
        still_imported = {name for name in self._nodes - modules if references.get(name, 0) > 0}
        if (modules | still_imported | named) - {""} != self._nodes:
            return None
        previous = self._built
        graph = previous.release()
        imports = dict(self._imports)
        differing = set()
        for module in changed:
            before_imports = imports.pop(module, _NONE)
            for imported in before_imports:
                graph.remove_import(importer=module, imported=imported)
            if module in rows:
                _add_imports(graph, module, rows[module])
                imports[module] = frozenset(row[0] for row in rows[module] if row[0])
            if imports.get(module, _NONE) != before_imports:
                differing.add(module)
        self._references, self._imports = references, imports
        return previous.successor(
            graph,
            imports,
            version=None if differing else previous.imports_version,
            changed=frozenset(differing),
        )

    def nameless_imports(
        self,
        rows: dict[str, tuple[ImportRow, ...]],
        trees: Sequence[FoundTree],
        project_root: Path,
        differ: frozenset[str] | None = None,
    ) -> list[Diagnostic]:
        """`_nameless_imports`, looked for again only in the files whose rows changed (`differ`:
        the only modules whose rows may differ from the last call's; None: any)."""
        if not self._in_memory:
            return _nameless_imports(rows, {s.module: s.path for s in all_sources(trees)}, project_root)
        files: dict[str, Path] = {}
        if differ is None:
            gone = set(self._noted) - set(rows)
            differ = frozenset(rows)
        else:
            gone = {m for m in differ if m not in rows and m in self._noted}
        for module in gone:
            if self._noted.pop(module)[1]:
                self._notes = None
        for module in differ & rows.keys():
            found = rows[module]
            noted = self._noted.get(module)
            if noted is not None and noted[0] is found:
                continue
            notes: list[Diagnostic] = []
            if any(row[0] == "" for row in found):
                files = files or {s.module: s.path for s in all_sources(trees)}
                notes = _nameless_imports({module: found}, files, project_root)
            if notes or (noted is not None and noted[1]):
                self._notes = None
            self._noted[module] = (found, notes)
        if self._notes is None:
            self._notes = [note for module in sorted(self._noted) for note in self._noted[module][1]]
        return list(self._notes)


def _scan_imports(
    trees: Sequence[FoundTree],
    skipped: frozenset[Path],
    cache: ImportCache,
    include_external_packages: bool,
    exclude_type_checking_imports: bool,
    memory: GraphMemory,
    since: tuple[dict[str, tuple[ImportRow, ...]], frozenset[str]] | None = None,
) -> dict[str, tuple[ImportRow, ...]]:
    """Import rows of every file not skipped: from the cache, or from grimp's scanner.

    `since`: the last build's rows and the only modules whose files changed since (the same
    files otherwise): then only those are looked at.
    """
    rows: dict[str, tuple[ImportRow, ...]]
    if since is not None:
        rows, changed = dict(since[0]), since[1]
        sources = [s for s in all_sources(trees) if s.module in changed]
        for source in sources:
            if source.path in skipped:
                rows.pop(source.module, None)
        sources = [s for s in sources if s.path not in skipped]
    else:
        sources = [s for s in all_sources(trees) if s.path not in skipped]
        paths = {s.module: str(s.path) for s in sources}
        namespace = {m for tree in trees for m in tree.namespace_modules}
        cache.resolve_against(frozenset(paths) | namespace, paths)
        rows = {}
    missing: list[ModuleSource] = []
    for source in sources:
        cached = cache.get(source.module, str(source.path), source.stamp)
        if cached is None:
            missing.append(source)
        else:
            rows[source.module] = cached
    if not missing:
        return rows
    scanned = grimp_api.scan_for_imports(
        module_files=[(s.module, s.mtime) for s in missing],
        found_packages=memory.found_packages(trees, skipped),
        include_external_packages=include_external_packages,
        exclude_type_checking_imports=exclude_type_checking_imports,
    )
    for source in missing:
        found = scanned.get(source.module, ())
        rows[source.module] = found
        cache.put(source.module, str(source.path), source.stamp, found)
    return rows


def _assemble(
    rows: dict[str, tuple[ImportRow, ...]], modules: set[str], packages: Sequence[str]
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


def _panicking_files(
    trees: Sequence[FoundTree], skipped: frozenset[Path]
) -> dict[Path, tuple[int, int, int]]:
    """Files with a relative import that climbs more than one level above the top package."""
    found = {}
    for source in all_sources(trees):
        if source.path in skipped:
            continue
        climbing = [c for c in climbing_imports(source) if c[1] > c[2] + 1]
        if climbing:
            found[source.path] = climbing[0]
    return found


def _nameless_imports(
    rows: dict[str, tuple[ImportRow, ...]], files: Mapping[str, Path], project_root: Path
) -> list[Diagnostic]:
    """grimp resolves a relative import one level above the top package to a module named ''."""
    notes = []
    for importer in sorted(rows):
        path = files.get(importer)
        for imported, line, _contents, _lazy in rows[importer]:
            if imported == "":
                notes.append(
                    Diagnostic(
                        "AG202",
                        Severity.WARNING,
                        "relative import goes 1 level above the top-level package; import ignored",
                        Location(relative(path, project_root), line) if path else None,
                        hint="make the import absolute, or fix the number of dots",
                    )
                )
    return notes


def module_files(trees: Sequence[FoundTree], root: Path) -> dict[str, Path]:
    return {s.module: relative(s.path, root) for tree in trees for s in tree.sources}


def all_sources(trees: Sequence[FoundTree]) -> list[ModuleSource]:
    return [s for tree in trees for s in tree.sources]
