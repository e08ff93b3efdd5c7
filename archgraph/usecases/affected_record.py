"""`check --affected REV` without checking the whole tree again: the result of the last full run,
kept in the cache folder with what it was computed from, reused while that still holds.

A full `--affected` run records (`affected-v1.marshal`):
- what the verdicts depend on besides the files: archgraph's and grimp's code (each source
  file's stamp), the configuration and options as read, the HEAD commit;
- how the working tree differed from HEAD then: each changed, new or ignored file under the
  analyzed folders, with its stamp (or its absence);
- each module file's signature (scan/file_signature.py: a digest of what the check reads of
  it), the graph's modules and who imports whom, and the contract results before any baseline.

The next `--affected` run asks git how the tree differs from HEAD now (git compares the files
in C, with its index's stat cache) and reuses the result when the HEAD commit is the same, no
file came or went in the root packages' folders (nothing reads the files elsewhere; the
configuration is compared by its content), and every file there that differs from the recorded
tree (changed since the run, or changed back) has the same signature now: the graph and every
verdict are then the same.
Anything else (another commit checked out, a file added, deleted, renamed or turned into a
link, an edit of imports, a changed configuration, a file that cannot be read the way the scan
reads it, a record missing, corrupt or made by other code) runs the full check, which records
again. A result that read more of the files than their imports (facts for symbols or classes),
a walk through links, files git does not see (another repository inside, outside the
repository), `exclude_type_checking_imports`, or contract types from plugins are not recorded.

The record is untrusted input like every cache (scan/cache_file.py): a missing, corrupt,
foreign or oversized file is a miss, and it only counts for the files it was made on: it names
the stamps (with inode and change time, which no checkout or archive reproduces) of the
configuration files and of the root packages' folders.
"""

from __future__ import annotations

import array
import bisect
import dataclasses
import enum
import hashlib
import itertools
import operator
import os
import sys
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from archgraph.affected import IndexedFiles
from archgraph.codes import Severity
from archgraph.diagnostics import (
    BaselineStatus,
    Diagnostic,
    ImportKind,
    ImportStep,
    Location,
    Violation,
    ViolationKey,
)
from archgraph.results import ContractResult, Coverage, RunResult, ScanSummary, Suppressed
from archgraph.scan import ScanOptions, ScanOutcome, ScanStore, analysed_roots, cache_file
from archgraph.scan.changes import WorktreeView
from archgraph.scan.file_signature import Signature
from archgraph.scan.finder import FindResult, locate_package
from archgraph.usecases.project import Project, RunOptions

RECORD_VERSION = 1
RECORD_NAME = f"affected-v{RECORD_VERSION}.marshal"

Stamp = cache_file.Stamp


class Unrecordable(Exception):
    """The run's result cannot be recorded faithfully (and is not)."""


# --- what the verdicts depend on besides the analyzed files ---------------------------------


def code_stamps() -> list[tuple[str, Stamp | None]]:
    """The stamps of archgraph's own source files and of the libraries whose reading of the
    files a record relies on: an upgrade or an edit of any makes every record stale."""
    import importlib.util  # noqa: PLC0415

    here = Path(__file__).resolve().parent.parent
    found: list[tuple[str, Stamp | None]] = []
    for folder, folders, names in os.walk(here):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                found.append((os.path.join(folder, name), _stamp(os.path.join(folder, name))))
    # A library's folder changes when an upgrade replaces its files.
    for library in ("grimp", "tree_sitter", "tree_sitter_python", "networkx"):
        try:
            spec = importlib.util.find_spec(library)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        found.append((library, _stamp(origin) if origin else None))
        if origin:
            found.append((library + "/", _stamp(os.path.dirname(origin))))
    return found


def fingerprint(*parts: object) -> str:
    """A digest of everything else a result depends on (reprs of plain frozen data)."""
    text = repr((RECORD_VERSION, sys.version, code_stamps(), parts))
    return hashlib.blake2b(text.encode("utf-8", "backslashreplace"), digest_size=20).hexdigest()


def anchors(paths: Iterable[Path]) -> list[tuple[str, Stamp | None]]:
    """The stamps of files and folders of this machine's tree (configuration files, root
    packages' folders): a record brought from elsewhere (committed, unpacked) cannot name them."""
    return [(str(path), _stamp(str(path))) for path in sorted(set(paths))]


def _stamp(path: str) -> Stamp | None:
    try:
        return cache_file.stamp_of(os.lstat(path))
    except OSError:
        return None


# --- the record --------------------------------------------------------------------------------

# Positions are stored as arrays of 4-byte integers (read back in no time, unlike 65,000 tuples).
_POSITIONS = "i"
# A byte of flags (has one; has the parts parsed when needed; has the kinds), three 16-byte digests.
_SIGNATURE_BYTES = 49


@dataclasses.dataclass(frozen=True, slots=True)
class Record:
    """What a full `--affected` run leaves for the next one (see the module's docstring)."""

    fingerprint: str
    head: str
    anchors: list[tuple[str, Stamp | None]]
    top: str  # the repository's working tree
    root: str  # the analyzed tree (resolved)
    outside_head: dict[str, Stamp | None]  # repository-relative: each file that differed from HEAD
    modules: str  # the graph's modules, sorted, each ended by a NUL (one string loads at once)
    internal: int  # how many of them are the analyzed code's
    importer_starts: bytes  # positions: module i's importers are importers[starts[i]:starts[i+1]]
    importers: bytes  # positions of modules
    # the root-relative POSIX path of each module file the walk found, each between NULs
    files: str
    file_modules: bytes  # positions: each file's module
    # by file: its tree's position + 1 when the model has it (0: a file the scan left out)
    file_trees: bytes
    # by module: the tree's position + 1 whose scanner resolves names against it (else 0)
    member_of: bytes
    trees: list[tuple[str, str, tuple[str, ...]]]  # package, folder, namespace modules
    signatures: bytes  # by file, see _SIGNATURE_BYTES (flags 0: none)
    result: Any  # the encoded RunResult, before any baseline

    def payload(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))

    def signature(self, file: int) -> Signature | None:
        chunk = self.signatures[file * _SIGNATURE_BYTES : (file + 1) * _SIGNATURE_BYTES]
        if len(chunk) != _SIGNATURE_BYTES or not chunk[0] & 1:
            return None
        return (
            chunk[1:17],
            chunk[17:33] if chunk[0] & 2 else None,
            chunk[33:49] if chunk[0] & 4 else None,
        )


def packed_signature(signature: Signature | None) -> bytes:
    if signature is None:
        return bytes(_SIGNATURE_BYTES)
    flags = 1 | (2 if signature[1] is not None else 0) | (4 if signature[2] is not None else 0)
    return bytes([flags]) + signature[0] + (signature[1] or bytes(16)) + (signature[2] or bytes(16))


def positions(values: Iterable[int]) -> bytes:
    return array.array(_POSITIONS, values).tobytes()


def unpacked(data: bytes) -> array.array[int]:
    found = array.array(_POSITIONS)
    found.frombytes(data)
    return found


def load_record(folder: Path | None) -> Record | None:
    if folder is None or array.array(_POSITIONS).itemsize != 4:
        return None
    stored = cache_file.load(folder / RECORD_NAME, RECORD_VERSION, _valid)
    return Record(*stored) if stored is not None else None


def save_record(folder: Path | None, record: Record) -> None:
    if folder is not None and array.array(_POSITIONS).itemsize == 4:
        cache_file.store(folder / RECORD_NAME, RECORD_VERSION, *record.payload())


def _valid(payload: tuple[Any, ...]) -> bool:
    """The shape of a Record, sizes included; a position out of range fails where it is
    used (the run then checks the tree instead)."""
    if len(payload) != len(dataclasses.fields(Record)):
        return False
    (fp, head, anchor, top, root, outside, modules, internal, starts, importers, files,
     file_modules, file_trees, member_of, trees, signatures, _result) = payload
    return (
        type(fp) is str and type(head) is str and type(top) is str and type(root) is str
        and type(anchor) is list
        and all(type(a) is tuple and len(a) == 2 and type(a[0]) is str for a in anchor)
        and type(outside) is dict
        and all(type(k) is str and (v is None or cache_file.is_stamp(v)) for k, v in outside.items())
        and type(modules) is str and type(internal) is int
        and type(starts) is bytes and len(starts) == 4 * (modules.count("\0") + 1)
        and type(importers) is bytes and len(importers) % 4 == 0
        and type(files) is str and files.startswith("\0") and files.endswith("\0")
        and type(file_modules) is bytes and len(file_modules) == 4 * (files.count("\0") - 1)
        and type(file_trees) is bytes and len(file_trees) == files.count("\0") - 1
        and type(member_of) is bytes and len(member_of) == modules.count("\0")
        and type(trees) is list and len(trees) < 255
        and all(
            type(t) is tuple and len(t) == 3 and type(t[0]) is str and type(t[1]) is str
            and cache_file.is_str_tuple(t[2])
            for t in trees
        )
        and type(signatures) is bytes and len(signatures) == _SIGNATURE_BYTES * len(file_trees)
    )


# --- the recorded graph: what the scope of a change needs --------------------------------------


_LOOKUPS_BEFORE_INDEX = 16


class RecordedGraph(IndexedFiles):
    """The recorded graph's modules and importers, and its files (see affected.IndexedFiles)."""

    def __init__(self, record: Record) -> None:
        self.root = Path(record.root)
        self.total_modules = record.internal
        self._record = record
        self.names = record.modules.split("\0")[:-1]
        self._starts = unpacked(record.importer_starts)
        self._importers = unpacked(record.importers)
        self._file_modules = unpacked(record.file_modules)
        self._by_file: dict[str, int] | None = None
        self._by_name: dict[str, int] | None = None
        self._lookups = 0

    @property
    def modules(self) -> frozenset[str]:
        return frozenset(self.names)

    def consistent(self) -> bool:
        """Every position within its array (a damaged record is a miss, not an error later)."""
        count, starts, record = len(self.names), self._starts, self._record
        trees = len(record.trees)
        return (
            len(starts) == count + 1
            and starts[0] == 0
            and starts[-1] == len(self._importers)
            and all(map(operator.le, starts, itertools.islice(starts, 1, None)))
            and all(0 <= min(a, default=0) and max(a, default=-1) < count
                    for a in (self._importers, self._file_modules))
            and max(record.file_trees, default=0) <= trees
            and max(record.member_of, default=0) <= trees
        )

    def module_of_file(self, path: str) -> str | None:
        file = self.position_of(path)
        if file is None or not self._record.file_trees[file]:
            return None
        return self.names[self._file_modules[file]]

    def position_of(self, path: str) -> int | None:
        """A file's position: looked for in the list the first times (a change is a few
        files), by a dict made once when many are asked for."""
        self._lookups += 1
        if self._by_file is None and self._lookups > _LOOKUPS_BEFORE_INDEX:
            self._by_file = {p: i for i, p in enumerate(self._files())}
        if self._by_file is not None:
            return self._by_file.get(path)
        files = self._record.files
        at = files.find(f"\0{path}\0")
        return None if at < 0 or "\0" in path else files.count("\0", 0, at)

    def _files(self) -> list[str]:
        return self._record.files.split("\0")[1:-1]

    def modules_under(self, folders: Collection[str]) -> Iterator[str]:
        trees = self._record.file_trees
        for file, path in enumerate(self._files()):
            if trees[file] and any(str(parent) in folders for parent in PurePosixPath(path).parents):
                yield self.names[self._file_modules[file]]

    def files_of(self, modules: Collection[str]) -> Iterator[Path]:
        trees, names = self._record.file_trees, self.names
        for file, path in enumerate(self._files()):
            if trees[file] and names[self._file_modules[file]] in modules:
                yield Path(path)

    def upstream(self, modules: Collection[str]) -> frozenset[str]:
        """The modules and every module importing one, directly or indirectly."""
        names = self.names
        if len(modules) > 32 and self._by_name is None:
            self._by_name = {name: i for i, name in enumerate(names)}
        if self._by_name is not None:
            pending = [self._by_name[m] for m in modules if m in self._by_name]
        else:
            pending = [bisect.bisect_left(names, m) for m in modules]
            pending = [i for i, m in zip(pending, modules, strict=True) if i < len(names) and names[i] == m]
        seen = bytearray(len(names))
        for i in pending:
            seen[i] = 1
        starts, importers = self._starts, self._importers
        while pending:
            i = pending.pop()
            for j in importers[starts[i] : starts[i + 1]]:
                if not seen[j]:
                    seen[j] = 1
                    pending.append(j)
        return frozenset(itertools.compress(names, seen))


# --- the result, as plain data ---------------------------------------------------------------

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        RunResult, ContractResult, Violation, ImportStep, Location, Diagnostic, ScanSummary,
        Coverage, Suppressed, ViolationKey,
    )
}


def _field_names(cls: type) -> tuple[str, ...]:
    """The fields of a recorded class (a dataclass or a named tuple), in `__init__` order."""
    named = getattr(cls, "_fields", None)
    return named if named is not None else tuple(f.name for f in dataclasses.fields(cls))


# The fields of each class: all passed to `__init__` in this order (none is keyword-only, which
# the record's own check of what it wrote makes sure of, see `recordable`).
_FIELDS = {cls: _field_names(cls) for cls in _CLASSES.values()}
_ENUMS: dict[str, type[enum.Enum]] = {
    cls.__name__: cls for cls in (Severity, ImportKind, BaselineStatus)
}


def encode(value: object) -> object:
    """`value` as marshal's plain data: containers as lists, each recorded class and enum tagged."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is tuple:
        return [encode(item) for item in value]
    if isinstance(value, enum.Enum) and type(value).__name__ in _ENUMS:
        return ("E", type(value).__name__, value.value)
    if isinstance(value, Path):
        return ("P", str(value))
    name = type(value).__name__
    if _CLASSES.get(name) is type(value):
        return ("D", name, *(encode(getattr(value, field)) for field in _FIELDS[type(value)]))
    raise Unrecordable(f"{type(value).__name__} is not recorded")


def decode(value: object) -> Any:
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return tuple(decode(item) for item in value)
    if type(value) is not tuple or not value or type(value[0]) is not str:
        raise ValueError("not an encoded value")
    tag = value[0]
    if tag == "E" and len(value) == 3:
        return _ENUMS[value[1]](value[2])
    if tag == "P" and len(value) == 2 and type(value[1]) is str:
        return Path(value[1])
    if tag == "D" and len(value) >= 2:
        cls = _CLASSES[value[1]]
        if len(_FIELDS[cls]) != len(value) - 2:
            raise ValueError("fields differ")
        return cls(*map(decode, value[2:]))  # every field is an init field, in order
    raise ValueError("not an encoded value")


def recordable(result: RunResult) -> Any:
    """The result encoded, when decoding gives it back exactly; else Unrecordable."""
    if result.extras or result.scope is not None or result.baseline is not None:
        raise Unrecordable("the result carries more than contract results")
    encoded = encode(result)
    try:
        same = repr(decode(encoded)) == repr(result)
    except (TypeError, ValueError, KeyError):
        same = False
    if not same:
        raise Unrecordable("the result does not survive recording")
    return encoded


# --- which files differ from the recorded tree --------------------------------------------------


def differing_files(
    record: Record, view: WorktreeView, cache: Path | None, folders: Sequence[Path]
) -> list[str] | None:
    """The repository-relative files under `folders` (the root packages', where the scan
    looks) whose content may differ from the recorded run's (each an existing regular file
    then and now), or None when a file there came, went or is of another kind, the commit is
    another one, or the record is about another repository. What lies elsewhere is read by
    nothing the record holds: the configuration is compared apart (see `fingerprint`)."""
    if view.head != record.head or str(view.top) != record.top:
        return None
    excluded = _relative_folder(cache, view.top)
    scanned = [_relative_folder(folder, view.top) for folder in folders]
    if not scanned or any(folder is None for folder in scanned):
        return None
    prefixes = tuple("" if f == "." else f"{f}/" for f in scanned if f is not None)
    now = {
        name for name in (*view.changed, *view.untracked)
        if name.startswith(prefixes)
        and (excluded is None or not (name == excluded or name.startswith(excluded + "/")))
    }
    then = {name: stamp for name, stamp in record.outside_head.items() if name.startswith(prefixes)}
    differing = []
    for name in sorted(now | then.keys()):
        current = _stamp(os.path.join(view.top, name))
        if name in then:
            recorded = then[name]
            if recorded is None or current is None:
                if recorded != current:
                    return None  # came or went since
                continue
            if current == recorded:
                continue  # untouched since the run
        elif name in view.untracked or current is None:
            return None  # a new file, or one deleted since
        # Changed since the run (or back to HEAD's content): the same kind of file?
        if not _regular(os.path.join(view.top, name)):
            return None
        differing.append(name)
    return differing


def _relative_folder(folder: Path | None, top: Path) -> str | None:
    if folder is None:
        return None
    name = os.path.relpath(os.path.realpath(folder), top)
    return None if name == ".." or name.startswith("../") else name


def _regular(path: str) -> bool:
    import stat  # noqa: PLC0415

    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def outside_head_stamps(view: WorktreeView, cache: Path | None) -> dict[str, Stamp | None]:
    """Each file that differs from HEAD now, with its stamp (None: absent)."""
    excluded = _relative_folder(cache, view.top)
    return {
        name: _stamp(os.path.join(view.top, name))
        for name in sorted({*view.changed, *view.untracked})
        if excluded is None or not (name == excluded or name.startswith(excluded + "/"))
    }


# --- recording a full run, reusing it -----------------------------------------------------------


def analysis_fingerprint(project: Project, options: RunOptions, scan_options: ScanOptions) -> str | None:
    """What the result depends on besides the files, or None when it depends on code a record
    cannot follow (contract types from plugins)."""
    contracts = project.contracts
    if any(not type(c).__module__.startswith("archgraph.") for c in contracts):
        return None
    contents = []
    for file in project.config.files:
        try:
            contents.append((str(file), hashlib.blake2b(file.read_bytes()).hexdigest()))
        except OSError:
            return None
    chosen = (
        options.packages, options.contract_ids, options.strict, options.show_suppressed,
        options.from_importlinter, options.config_files,
    )
    return fingerprint(
        str(project.root), contents, project.config.source_format, repr(project.config.settings),
        repr(contracts), repr(scan_options), chosen,
        [str(folder) for folder in folders_of(project.root, scan_options)],
    )


def folders_of(root: Path, scan_options: ScanOptions) -> list[Path]:
    """The folders of the root packages: where the analyzed files are."""
    source_roots, _linked_out = analysed_roots(root, scan_options.source_roots)
    return [d for p in scan_options.root_packages for d in locate_package(p, source_roots)]


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    """A record made on this tree with the same code and configuration: its result holds if
    the files still say what they said (see `holds`)."""

    record: Record
    graph: RecordedGraph
    result: RunResult

    def holds(
        self,
        view: WorktreeView,
        root: Path,
        scan_options: ScanOptions,
        folder: Path,
        scanned: Sequence[Path],
    ) -> bool:
        """Whether the tree as git sees it now gives the recorded result (`folder`: the cache
        folder; `scanned`: the root packages' folders)."""
        try:
            differing = differing_files(self.record, view, folder, scanned)
            return differing is not None and _same_signatures(
                self.record, self.graph, view, root, differing, scan_options
            )
        except Exception:  # a record that cannot be read as recorded: check the tree instead
            return False


def candidate(folder: Path, root: Path, fingerprint_now: str) -> Candidate | None:
    """The record in `folder`, when it was made on this tree (`root`) by the same code with
    the same configuration; read while git looks at the tree (see scan.changes.PendingChanges)."""
    record = load_record(folder)
    if record is None or record.fingerprint != fingerprint_now or record.root != str(root):
        return None
    if any(_stamp(path) != stamp for path, stamp in record.anchors):
        return None
    try:
        graph = RecordedGraph(record)
        result = decode(record.result)
        if not isinstance(result, RunResult) or not graph.consistent():
            return None
        from archgraph.scan import file_signature  # noqa: F401, PLC0415 - read the next file
    except Exception:
        return None
    return Candidate(record, graph, result)


def _same_signatures(
    record: Record,
    graph: RecordedGraph,
    view: WorktreeView,
    root: Path,
    differing: Sequence[str],
    scan_options: ScanOptions,
) -> bool:
    from archgraph.scan.file_signature import current_signature  # noqa: PLC0415
    from archgraph.scan.finder import ModuleSource  # noqa: PLC0415

    file_modules = unpacked(record.file_modules)
    for name in differing:
        path = Path(view.top, name)
        relative = os.path.relpath(path, root)
        file = graph.position_of(relative)
        if file is None:
            # No module's file (data, a file the walk leaves out): the walk looks at the
            # names and kinds of files only, and those are the same, so nothing reads it.
            continue
        recorded = record.signature(file)
        tree = record.file_trees[file] - 1
        if recorded is None or tree < 0:
            return False
        module = graph.names[file_modules[file]]
        package, directory, namespace = record.trees[tree]
        status = os.lstat(path)
        stamp = cache_file.stamp_of(status)
        if stamp[0] > scan_options.max_file_bytes:
            return False
        source = ModuleSource(module, str(path), status.st_mtime, stamp, relative)

        def resolvable(words: set[str], package: str = package, tree: int = tree) -> list[str]:
            return _named_by(graph.names, record.member_of, package, tree + 1, words)

        current = current_signature(
            source, package, directory, resolvable, namespace,
            scan_options.include_external_packages, recorded,
        )
        if current != recorded:
            return False
    return True


def _named_by(
    names: Sequence[str], member_of: bytes, package: str, member: int, words: set[str]
) -> list[str]:
    """The modules of the tree (`member`: its position + 1 in `member_of`, by module) that a
    file with these words can name: those whose every part is one of them, found down the
    sorted `names` part by part."""
    found: list[str] = []

    def has(name: str) -> int | None:
        i = bisect.bisect_left(names, name)
        return i if i < len(names) and names[i] == name else None

    def below(name: str) -> bool:
        i = bisect.bisect_left(names, name + ".")
        return i < len(names) and names[i].startswith(name + ".")

    if not words.issuperset(package.split(".")):
        return found
    pending = [package]
    while pending:
        name = pending.pop()
        at = has(name)
        if at is not None and member_of[at] == member:
            found.append(name)
        if below(name):
            pending.extend(f"{name}.{word}" for word in words)
    return found


def make_record(
    folder: Path | None,
    root: Path,
    fingerprint_now: str,
    view: WorktreeView,
    scan_options: ScanOptions,
    found: FindResult,
    outcome: ScanOutcome,
    store: ScanStore,
    result: RunResult,
    anchored: Sequence[Path],
) -> None:
    """Record the run (see the module's docstring), when it can be reused faithfully."""
    from archgraph.scan.changes import tracked_files  # noqa: PLC0415
    from archgraph.scan.file_signature import recorded_signatures  # noqa: PLC0415
    from archgraph.scan.grimp_graph import import_options  # noqa: PLC0415

    if folder is None or found.through_links or scan_options.exclude_type_checking_imports:
        return
    if len(found.trees) >= 255:
        return
    model = outcome.model
    provider = model.facts_provider
    if provider is None or getattr(provider, "consulted", True):
        return  # the verdicts read more of the files than their imports
    try:
        encoded = recordable(result)
    except Unrecordable:
        return
    sources = [s for tree in found.trees for s in tree.sources]
    top = view.top
    outside = outside_head_stamps(view, folder)
    tracked = tracked_files(top)
    prefix = os.path.join(str(top), "")
    for source in sources:
        path = source.path  # absolute, under the resolved root, reached through no link
        if os.path.isabs(source.file) or not path.startswith(prefix):
            return  # a file outside the repository or the tree
        name = path[len(prefix) :]
        if name not in tracked and name not in outside:
            return  # a file git does not see (in another repository inside this one...)
        if name in outside:  # as the scan saw it: an edit since is an edit after the record
            outside[name] = source.stamp
    modules = sorted(model.modules)
    position = {m: i for i, m in enumerate(modules)}
    starts, importers = [0], []
    for module in modules:
        importers.extend(sorted(position[m] for m in model.importers_of(module)))
        starts.append(len(importers))
    kinds = outcome.kinds
    if kinds is not None:
        kinds.read_asked_files()  # a file's kinds are recorded whole, see file_signature
    signatures = recorded_signatures(
        sources,
        store.imports(import_options(found.trees, scan_options)).entries,
        store.audit_scans.entries,
        kinds.read_modules if kinds is not None else frozenset(),
    )
    member_of = bytearray(len(modules))
    files, file_modules, file_trees, packed = [], [], bytearray(), []
    for index, tree in enumerate(found.trees):
        for source in tree.sources:
            in_model = source.module in model.files
            files.append(source.file.replace(os.sep, "/"))
            file_modules.append(position[source.module])
            file_trees.append(index + 1 if in_model else 0)
            if in_model:
                member_of[position[source.module]] = index + 1
            packed.append(packed_signature(signatures.get(source.module) if in_model else None))
    trees = [(t.package, str(t.directory), tuple(sorted(t.namespace_modules))) for t in found.trees]
    record = Record(
        fingerprint_now, view.head, anchors(anchored), str(top), str(root), outside,
        "".join(f"{m}\0" for m in modules), len(model.internal_modules), positions(starts),
        positions(importers), "\0" + "".join(f"{f}\0" for f in files),
        positions(file_modules), bytes(file_trees), bytes(member_of), trees, b"".join(packed),
        encoded,
    )
    save_record(folder, record)
