"""Imports grimp leaves out without a word: of modules that do not exist, climbing one level above
the top-level package, and dynamic ones (`importlib.import_module("pkg.x")`).

Every file's bytes are searched first (cheap); only files that may hold such an import are
parsed, with the same tree-sitter facts as everywhere else, which give the exact lines.
`audit_imports` then judges every file with the graph's modules.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from archgraph import codes
from archgraph.diagnostics import Diagnostic, ImportKind, Location, Severity
from archgraph.model.graph import ImportKindsByLine
from archgraph.model.names import is_within
from archgraph.model.suppressions import SuppressionComment
from archgraph.scan import cache_file
from archgraph.scan.file_scan import (
    BLANKS_IN_NAME,
    FileScan,
    dynamic_imports,
    read_whole,
    resolve_relative,
)
from archgraph.scan.finder import ModuleSource, relative
from archgraph.scan.python_source import SourceTexts
from archgraph.scan.syntax import TYPE_CHECKING_CONDITIONS, LazyTree, parse

if TYPE_CHECKING:
    from archgraph.scan.import_blocks import AuditRow, FileKinds

AUDIT_CACHE_VERSION = 7  # 2: each entry holds the file's import kinds; 3: and its suppressions;
# 4: the climb level (most dots of a relative import), not a yes or no; 5: the kinds or None
# (not read yet: they are read when asked for, see LazyImportKinds); 6: the names dynamic
# imports may name, and the calls confirmed by a parse or None (not parsed yet); 7: the kinds
# of the lines asked one by one, or None
AUDIT_CACHE_NAME = f"import-audit-v{AUDIT_CACHE_VERSION}.marshal"

_EXTENSION_SUFFIXES = (".so", ".pyd")


def _read_by_audit(name: str) -> bool:
    """The names the audit reads besides import lines, in Python's form: the dynamic import
    calls (`import_module`, `__import__`, `importlib`) and TYPE_CHECKING guards. A file that
    writes one with characters NFKC changes (`ｉmport_module`) is read as Python reads it."""
    return "import" in name or name in _GUARD_NAMES


_GUARD_NAMES = frozenset(name for guard in TYPE_CHECKING_CONDITIONS for name in guard.split("."))


class DynamicImport(NamedTuple):
    """`importlib.import_module("pkg.x")` (or `__import__`) with a literal, internal name."""

    importer: str
    imported: str
    line: int


class AuditScans:
    """FileScans by path, valid while the file's stamp is unchanged (see cache_file.Stamp), with
    the import rows of files that had to be parsed (suspect ones), so each is parsed once."""

    def __init__(
        self, cache_dir: Path | None, *, keeps_findings: bool = False, texts: SourceTexts | None = None
    ) -> None:
        """`keeps_findings`: keep each file's findings for the next audit in this process (a
        store that outlives one scan, see ScanStore.in_memory); `texts`: the texts as Python
        reads them already worked out in this scan (the store's)."""
        self.file = cache_dir / AUDIT_CACHE_NAME if cache_dir else None
        self.texts = texts if texts is not None else SourceTexts()
        self.keeps_findings = keeps_findings
        # path -> [stamp, climb, dynamic names, targets, imports, kinds or None, suppressions,
        #          dynamic calls or None]
        self.entries: dict[str, list[Any]] = {}
        self.last_tree: tuple[str, Any] = ("", None)  # the last file scanned, if it was parsed
        # Each file's findings, while the file and what it is judged against (the modules, the
        # files) are unchanged: a process that audits one changing tree again and again judges
        # only its changed files. Kept in memory only.
        self.judged_against: tuple[frozenset[str], frozenset[str], tuple[str, ...], Path] | None = None
        self.findings: dict[str, tuple[cache_file.Stamp, list[Diagnostic], list[DynamicImport]]] = {}
        self.auditor: _Auditor | None = None  # the one that judged them
        self.dirty = False
        stored = cache_file.load(self.file, AUDIT_CACHE_VERSION, valid_scans)
        if stored is not None:
            self.entries = stored[0]

    def entry(self, source: ModuleSource) -> list[Any] | None:
        """The file's entry, if it is for this version of the file (else None)."""
        entry = self.entries.get(source.path)
        return entry if entry is not None and tuple(entry[0]) == source.stamp else None

    def fresh(self, source: ModuleSource) -> bool:
        """Whether the entry for this file version is there (a warm run reads nothing)."""
        return self.entry(source) is not None

    def scan(self, source: ModuleSource) -> tuple[FileScan, bytes | None] | None:
        """The file's scan (and its bytes, when they had to be read); None if unreadable."""
        entry = self.entry(source)
        if entry is not None:
            return FileScan(entry[1], entry[2], entry[3], entry[6]), None
        data = self.read_text(source)
        if data is None:
            return None
        tree = LazyTree(data)
        found = FileScan.of(data, source, tree)
        # The audit asks for this file's import rows right after, if at all: parse once.
        self.last_tree = (source.path, tree.tree)
        self.entries[source.path] = [
            source.stamp, found.climb, found.dynamic_names, found.targets, None, None,
            found.suppressions, None, None,
        ]
        self.dirty = True
        return found, data

    def imports(self, source: ModuleSource, data: bytes | None) -> tuple[AuditRow, ...] | None:
        """The file's import statements, read the first time they are needed: from the bytes
        where they tell them for sure (`audit_import_rows`), else parsed (tree-sitter facts)."""
        entry = self.entries[source.path]
        if entry[4] is None:
            data = data if data is not None else self.read_text(source)
            if data is None:
                return None
            # Here, not at the top: a warm run reads no file, and needs none of its patterns.
            from archgraph.scan.import_blocks import audit_import_rows  # noqa: PLC0415

            rows = audit_import_rows(data)
            if rows is None:
                from archgraph.scan.extract import extract_imports  # noqa: PLC0415 - rarely

                rows = [
                    (f.line, f.level, f.module, f.is_from, f.in_try)
                    for f in extract_imports(data, self._tree(source.path, data))
                ]
            entry[4] = tuple(rows)
            self.dirty = True
        return tuple(tuple(row) for row in entry[4])

    def dynamic(self, source: ModuleSource, data: bytes | None) -> tuple[tuple[int, str], ...]:
        """(line, name) of the file's dynamic import calls with a literal name, parsed (with
        its import rows, if it was parsed for them) the first time they are needed."""
        entry = self.entries[source.path]
        if entry[7] is None:
            data = data if data is not None else self.read_text(source)
            if data is None:
                return ()
            entry[7] = tuple(dynamic_imports(data, self._tree(source.path, data)))
            self.dirty = True
        return tuple(tuple(pair) for pair in entry[7])

    def read_text(self, source: ModuleSource) -> bytes | None:
        """The file's text as the audit reads it (see `_read_by_audit`); None if it cannot be
        read."""
        try:
            data = read_whole(source.path, source.stamp[0])
        except OSError:
            return None
        return self.texts.readable(source.path, source.stamp, data, _read_by_audit)

    def _tree(self, path: str, data: bytes) -> Any:
        """The file's syntax tree: the one parsed last, if it is this file's (parse once)."""
        parsed_path, tree = self.last_tree
        if parsed_path != path or tree is None:
            tree = parse(data)
            self.last_tree = (path, tree)
        return tree

    def save(self, keep: Collection[str]) -> None:
        if self.file is None:
            return
        kept = set(keep)  # a set: `in` a list of 16,000 paths, 16,000 times, took 1.3 s
        if set(self.entries) - kept:
            self.entries = {k: v for k, v in self.entries.items() if k in kept}
            self.dirty = True
        if self.dirty:
            cache_file.store(self.file, AUDIT_CACHE_VERSION, self.entries)


def valid_scans(payload: tuple[Any, ...]) -> bool:
    """({path: [stamp, climb level, dynamic names, targets, import rows or None,
    (line, import kind) pairs or None, (line, comment, on an import) suppressions,
    dynamic (line, name) pairs or None, (line, import kind) pairs of lines asked or None]},)"""
    if len(payload) != 1 or type(payload[0]) is not dict:
        return False
    # Types compared at C speed where it counts: a warm run checks every file's entry.
    return all(
        type(path) is str
        and type(entry) is list
        and len(entry) == 9
        and cache_file.is_stamp(entry[0])
        and type(entry[1]) is int
        and type(entry[2]) is tuple
        and (not entry[2] or {*map(type, entry[2])} == _STR)
        and type(entry[3]) is tuple
        and (not entry[3] or {*map(type, entry[3])} == _STR)
        and (entry[4] is None or (type(entry[4]) is tuple and all(_is_row(row) for row in entry[4])))
        and (entry[5] is None or type(entry[5]) is tuple)
        and all(tuple(map(type, pair)) == _PAIR_TYPES and pair[1] in _KINDS for pair in entry[5] or ())
        and type(entry[6]) is tuple
        and all(tuple(map(type, row)) == _SUPPRESSION_TYPES for row in entry[6])
        and (entry[7] is None or type(entry[7]) is tuple)
        and all(tuple(map(type, pair)) == _PAIR_TYPES for pair in entry[7] or ())
        and (entry[8] is None or type(entry[8]) is tuple)
        and all(tuple(map(type, pair)) == _PAIR_TYPES and pair[1] in _KINDS for pair in entry[8] or ())
        for path, entry in payload[0].items()
    )


_PAIR_TYPES = (int, str)
_SUPPRESSION_TYPES = (int, str, bool)
_KIND_OF = {kind.value: kind for kind in ImportKind}
_KINDS = frozenset(_KIND_OF)
_STR = {str}


def _is_row(row: object) -> bool:
    """An AuditRow: (line, level, module, is_from, in_try)."""
    return (
        type(row) is tuple
        and len(row) == 5
        and type(row[0]) is int
        and type(row[1]) is int
        and type(row[2]) is str
        and type(row[3]) is bool
        and type(row[4]) is bool
    )


class ImportAudit(NamedTuple):
    diagnostics: tuple[Diagnostic, ...]
    dynamic_imports: tuple[DynamicImport, ...]
    # by module, the line of each import statement that is not a runtime one, and its kind
    import_kinds: LazyImportKinds
    # by module, its `# archgraph: ignore[...]` comments
    suppressions: Mapping[str, tuple[SuppressionComment, ...]] = MappingProxyType({})


class UnknownNames:
    """Which import targets name an internal module that is not among `modules`, each name
    judged once (Home Assistant's 90,000 import targets are 6,000 names)."""

    def __init__(self, modules: frozenset[str], roots: Sequence[str]) -> None:
        self.modules = modules
        self.roots = tuple(roots)
        self.known: dict[str, bool] = {}

    def any_in(self, names: Iterable[str]) -> bool:
        known = self.known
        for name in names:
            unknown = known.get(name)
            if unknown is None:
                unknown = known[name] = name not in self.modules and any(
                    is_within(name, root) for root in self.roots
                )
            if unknown:
                return True
        return False


class _Auditor:
    def __init__(
        self,
        sources: Sequence[ModuleSource],
        modules: Collection[str],
        root_packages: Sequence[str],
        project_root: Path,
    ) -> None:
        self.modules = frozenset(modules)
        self._sources = sources
        self.roots = tuple(root_packages)
        self.unknown = UnknownNames(self.modules, self.roots)
        self.project_root = project_root
        self.diagnostics: list[Diagnostic] = []
        self.dynamic: list[DynamicImport] = []

    @functools.cached_property
    def directories(self) -> dict[str, Path]:
        """Each package's directory: made when a name is not a module of the graph (rare; a
        path object a file cost 10 ms on Home Assistant's 8,800 files)."""
        directories: dict[str, Path] = {}
        for source in self._sources:
            if source.is_package:
                directories[source.module] = Path(source.path).parent
            else:
                directories.setdefault(source.module.rpartition(".")[0], Path(source.path).parent)
        return directories

    def internal(self, name: str) -> bool:
        return any(is_within(name, root) for root in self.roots)

    def internal_names(self, names: Iterable[str]) -> frozenset[str]:
        """The names that are modules of the graph (a dynamic import of one is reported)."""
        return frozenset(name for name in names if name in self.modules and self.internal(name))

    def exists(self, name: str) -> bool:
        """In the graph, or on disk though left out of it (excluded, a skipped namespace
        directory, an unreadable file), or inside an extension module (`x.cpython-311-...so`,
        which may register submodules of its own): Python imports those."""
        if name in self.modules:
            return True
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            directory = self.directories.get(".".join(parts[:cut]))
            if directory is None:
                continue
            rest = parts[cut:]
            for index, part in enumerate(rest):
                if _is_extension_module(directory, part):
                    return True
                if (directory / part).is_dir():
                    directory = directory / part
                    continue
                return index == len(rest) - 1 and (directory / f"{part}.py").exists()
            return True
        return False

    def note(
        self,
        code: str,
        severity: Severity,
        message: str,
        source: ModuleSource,
        line: int,
        hint: str | None,
    ) -> None:
        self.diagnostics.append(
            Diagnostic(
                code,
                severity,
                message,
                Location(relative(Path(source.path), self.project_root), line),
                hint=hint,
            )
        )

    def quiet_files(self, sources: Sequence[ModuleSource], scans: AuditScans) -> frozenset[str]:
        """The files whose scan (already in `scans`, for their version) leaves `audit` nothing
        to report: no relative import that climbs too high, no dynamic import of a module of
        the graph, no import target that names a missing internal module. Told apart from
        the entries in bulk: each distinct target judged once, each file's targets compared
        with the unknown ones at C speed (Home Assistant: 8,800 files, 90,000 targets; one by
        one, a tenth of a cold check's audit)."""
        fresh = [(source, entry) for source in sources if (entry := scans.entry(source)) is not None]
        names: set[str] = set().union(*(entry[3] for _source, entry in fresh))
        unknown = {name for name in names if self.unknown.any_in((name,))}
        return frozenset(
            source.path
            for source, entry in fresh
            if not self.may_report(source, entry[1], entry[2], not unknown.isdisjoint(entry[3]))
        )

    def may_report(
        self, source: ModuleSource, climb: int, dynamic_names: Collection[str], names_missing: bool
    ) -> bool:
        """Whether a file's scan leaves `audit` something to look into: a relative import that
        climbs above the top-level package, a dynamic import of a module of the graph, or
        (`names_missing`, as the caller tells it) an import target naming a missing internal
        module."""
        # Most files climb nowhere and name no dynamic import: those two are looked at only then.
        return (
            names_missing
            or (climb > 0 and climb > climb_allowed(source))
            or (bool(dynamic_names) and bool(self.internal_names(dynamic_names)))
        )

    def audit(self, source: ModuleSource, scans: AuditScans) -> None:
        scanned = scans.scan(source)
        if scanned is None:
            return
        found, data = scanned
        if not self.may_report(source, found.climb, found.dynamic_names, self.unknown.any_in(found.targets)):
            return
        is_package = source.is_package
        allowed = climb_allowed(source)
        dynamic = self.internal_names(found.dynamic_names)
        imports = scans.imports(source, data)
        if imports is None:
            return
        for line, level, module, is_from, in_try in imports:
            if level > allowed:
                if level == allowed + 1:  # two or more levels: grimp fails, AG202 already
                    self.note(
                        codes.RELATIVE_IMPORT_ABOVE_TOP.code,
                        Severity.WARNING,
                        "relative import goes 1 level above the top-level package; import ignored",
                        source,
                        line,
                        "make the import absolute, or fix the number of dots",
                    )
                continue
            module = _dotted(module)
            target = self.resolve(source.module, is_package, level, module)
            if not self.internal(target) or in_try:
                continue  # an import inside `try:` is optional on purpose
            names = [target] if is_from else [module]
            for name in names:
                if not self.exists(name):
                    self.note(
                        codes.MISSING_MODULE_IMPORT.code,
                        Severity.WARNING,
                        f"import of {name}: no such module; Python would raise ImportError",
                        source,
                        line,
                        "fix the module name, or add the module",
                    )
        if dynamic:
            for line, name in scans.dynamic(source, data):
                if name in dynamic:
                    self.dynamic.append(DynamicImport(source.module, name, line))
                    self.note(
                        codes.DYNAMIC_IMPORT.code,
                        Severity.INFO,
                        f"dynamic import of {name} (importlib); not an import of the graph"
                        " unless include_dynamic_imports = true",
                        source,
                        line,
                        None,
                    )

    resolve = staticmethod(resolve_relative)


def climb_allowed(source: ModuleSource) -> int:
    """The most dots a relative import in this file may have: more climb above the top-level
    package (a file with no more needs no parse for that)."""
    return source.module.count(".") + (1 if source.is_package else 0)


def _dotted(name: str) -> str:
    """The name an import statement spells: without the blanks and line continuations that
    may sit between its tokens (`app.core.\\` + newline + `util` is `app.core.util`)."""
    return BLANKS_IN_NAME.sub("", name)


def _is_extension_module(directory: Path, name: str) -> bool:
    return any(path.name.endswith(_EXTENSION_SUFFIXES) for path in directory.glob(f"{name}.*"))


def audit_imports(
    sources: Sequence[ModuleSource],
    modules: Collection[str],
    root_packages: Sequence[str],
    project_root: Path,
    scans: AuditScans,
    *,
    save: bool = True,
) -> ImportAudit:
    """Report imports of missing modules (AG211), one-level climbing relative imports (AG202)
    and dynamic imports (AG210) in the files that were analyzed.

    `save`: write the audit's cache now; else the caller has the import kinds keep it once
    it has asked for them (`LazyImportKinds.keep`), and the cache is written once, not twice.

    `scans`: each file's byte scan known so far (a store's), used while the file is unchanged.
    """
    if not scans.keeps_findings:  # one run: nothing to reuse, nothing worth keeping
        auditor = _Auditor(sources, modules, root_packages, project_root)
        quiet = auditor.quiet_files(sources, scans)
        for source in sources:
            if source.path not in quiet:
                auditor.audit(source, scans)
        if save:
            scans.save([s.path for s in sources])
        ordered = sorted(set(auditor.dynamic), key=lambda d: (d.importer, d.line, d.imported))
        return ImportAudit(
            tuple(auditor.diagnostics), tuple(ordered), LazyImportKinds(sources, scans), _suppressions(sources, scans)
        )
    context = (frozenset(modules), frozenset(s.path for s in sources), tuple(root_packages), project_root)
    if scans.judged_against != context or scans.auditor is None:
        auditor = _Auditor(sources, modules, root_packages, project_root)
        scans.judged_against, scans.auditor, scans.findings = context, auditor, {}
    auditor, findings = scans.auditor, scans.findings
    diagnostics: list[Diagnostic] = []
    dynamic: list[DynamicImport] = []
    for source in sources:
        judged = findings.get(source.path)
        if judged is None or judged[0] != source.stamp:
            auditor.diagnostics, auditor.dynamic = [], []
            auditor.audit(source, scans)
            judged = findings[source.path] = (source.stamp, auditor.diagnostics, auditor.dynamic)
        diagnostics += judged[1]
        dynamic += judged[2]
    if save:
        scans.save([s.path for s in sources])
    ordered = sorted(set(dynamic), key=lambda d: (d.importer, d.line, d.imported))
    return ImportAudit(
        tuple(diagnostics), tuple(ordered), LazyImportKinds(sources, scans), _suppressions(sources, scans)
    )


class LazyImportKinds(ImportKindsByLine):
    """By module, the import statements of its file that are not runtime ones (their kind), read
    as they are asked for, then kept.

    Telling an indented import's kind may take a parse of the file, and most checks need the
    kinds of only the few imports their violations show: reading every file's kinds up front
    cost a cold check of sympy 40% more time. A violation's line asks for that line's kind
    (`kind`): the file is read, and only that line worked out (see `FileKinds`). A contract
    with `import_kinds` asks for every module's (iterating the mapping reads them all). Kinds
    already in the audit's cache entry are used, and kinds read are put there (the whole
    file's, or the lines asked), for the file version they were read from.
    """

    def __init__(self, sources: Sequence[ModuleSource], scans: AuditScans) -> None:
        self._paths = [source.path for source in sources]
        self._sources = {source.module: source for source in sources}
        self._scans = scans
        self._known: dict[str, dict[int, ImportKind]] = {}  # whole files read
        self._asked: dict[str, dict[int, ImportKind]] = {}  # lines asked one by one
        # The files read for lines asked, the latest last: a few kept, not every one (SymPy's
        # check asks about 1,000 files; keeping them all took 6 MiB more at its peak).
        self._files: dict[str, FileKinds | None] = {}

    @property
    def read_modules(self) -> frozenset[str]:
        """The modules whose kinds something asked for, whole or line by line."""
        return frozenset(self._known) | frozenset(self._asked)

    def read_asked_files(self) -> None:
        """Read the whole kinds of each file that lines were asked of (`check --affected`
        records a file's kinds whole, to compare an edited version with)."""
        for module in sorted(self._asked):
            self.get(module)

    def keep(self) -> None:
        """Write the audit's cache, with the kinds read since the scan, for the next run (if
        anything changed since it was last written)."""
        self._scans.save(self._paths)

    def kind(self, module: str, line: int) -> ImportKind:
        whole = self._known.get(module)
        if whole is not None:
            return whole.get(line, ImportKind.RUNTIME)
        asked = self._asked.setdefault(module, {})
        kind = asked.get(line)
        if kind is None:
            kind = asked[line] = self._line_kind(module, line)
        return kind

    def __getitem__(self, module: str) -> Mapping[int, ImportKind]:
        kinds = self._known.get(module)
        if kinds is None:
            kinds = self._known[module] = self._read(module)
        if not kinds:  # like a dict of the modules with a non-runtime import
            raise KeyError(module)
        return kinds

    def __iter__(self) -> Iterator[str]:
        return iter([module for module in sorted(self._sources) if module in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, module: object) -> bool:
        if not isinstance(module, str):
            return False
        try:
            self[module]
        except KeyError:
            return False
        return True

    def _read(self, module: str) -> dict[int, ImportKind]:
        source = self._sources.get(module)
        if source is None:
            return {}
        entry = self._scans.entry(source)
        if entry is not None and entry[5] is not None:
            return {line: _KIND_OF[kind] for line, kind in entry[5]}
        file = self._file(source)
        if file is None:
            return {}
        pairs = tuple(file.every())
        if entry is not None:
            entry[5] = pairs
            self._scans.dirty = True
        return {line: _KIND_OF[kind] for line, kind in pairs}

    def _line_kind(self, module: str, line: int) -> ImportKind:
        source = self._sources.get(module)
        if source is None:
            return ImportKind.RUNTIME
        entry = self._scans.entry(source)
        if entry is not None:
            if entry[5] is not None:
                known = dict(entry[5]).get(line)
                return ImportKind.RUNTIME if known is None else _KIND_OF[known]
            for asked, kind in entry[8] or ():
                if asked == line:
                    return _KIND_OF[kind]
        file = self._file(source)
        if file is None:
            return ImportKind.RUNTIME
        kind = file.kind(line)
        if entry is not None:
            entry[8] = (*(entry[8] or ()), (line, kind.value))
            self._scans.dirty = True
        return kind

    def _file(self, source: ModuleSource) -> FileKinds | None:
        """The file's kinds, read once; None when it cannot be read as the scan read it."""
        if source.module in self._files:
            file = self._files[source.module] = self._files.pop(source.module)
            return file
        file = None
        # The walk vetted the file (a link to it stays within the roots); one changed since,
        # or swapped for another, is not the version whose import lines the graph holds.
        try:
            unchanged = cache_file.stamp_of(os.stat(source.path)) == source.stamp
        except OSError:
            unchanged = False
        data = self._scans.read_text(source) if unchanged else None
        if data is not None:
            from archgraph.scan.import_blocks import FileKinds  # noqa: PLC0415 - files read only

            file = FileKinds(data)
        self._files[source.module] = file
        if len(self._files) > _FILES_KEPT:
            del self._files[next(iter(self._files))]
        return file


_FILES_KEPT = 32


def _suppressions(
    sources: Sequence[ModuleSource], scans: AuditScans
) -> dict[str, tuple[SuppressionComment, ...]]:
    """By module, the `# archgraph: ignore[...]` comments of its file."""
    found: dict[str, tuple[SuppressionComment, ...]] = {}
    entries = scans.entries
    for source in sources:
        entry = entries.get(source.path)
        if entry is not None and entry[6]:
            found[source.module] = tuple(
                SuppressionComment(source.module, Path(source.file), line, text, on_import)
                for line, text, on_import in entry[6]
            )
    return found
