"""Each file's direct imports, as the scanner found them, cached while nothing they depend on changes.

grimp's own cache turns every import into Python objects on load and rewrites its JSON on every
run: on 9,000 files a warm build spent over a second there. This cache is one marshal file of
plain tuples, loaded in milliseconds and written only when something changed.

An import's target depends on the file and on which modules exist (`from a import b` names
module `a.b` only if there is one). So an entry holds while its file keeps its stamp (size,
mtime, ctime, inode), and when the set of modules changes, the files that may name an added or
removed module (those whose bytes contain its last name) are scanned again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from archgraph.scan import cache_file
from archgraph.scan.python_source import mentions

IMPORTS_VERSION = 1
CACHE_NAME = f"imports-v{IMPORTS_VERSION}.marshal"

# (imported module, line number, line contents, is lazy), sorted
ImportRow = tuple[str, int, str, bool]
Stamp = cache_file.Stamp


class ImportCache:
    """Import rows by module, for one set of scan options (another set starts empty)."""

    def __init__(self, cache_dir: Path | None, options: tuple[Any, ...]) -> None:
        self.file = cache_dir / CACHE_NAME if cache_dir else None
        self.options = options
        self.modules: frozenset[str] = frozenset()  # the modules the entries were resolved against
        self.entries: dict[str, tuple[str, Stamp, tuple[ImportRow, ...]]] = {}
        self.dirty = False
        # The packages last handed to grimp's scanner, and what they were made of (see
        # grimp_graph._found_packages); kept in memory only.
        self.packages: tuple[Any, Any] | None = None
        if self.file is None:
            return
        stored = cache_file.load(self.file, (IMPORTS_VERSION, options), _valid)
        if stored is not None:
            modules, entries = stored
            self.modules, self.entries = frozenset(modules), entries

    def get(self, module: str, path: str, stamp: Stamp) -> tuple[ImportRow, ...] | None:
        entry = self.entries.get(module)
        if entry is None or entry[0] != path or entry[1] != stamp:
            return None
        return entry[2]

    def resolve_against(self, modules: frozenset[str], paths: dict[str, str]) -> None:
        """Forget the entries that another set of modules could resolve differently."""
        if modules == self.modules:
            return
        changed = modules ^ self.modules
        self.modules = modules
        self.dirty = True
        if not self.entries:
            return
        needles = {name.rpartition(".")[2].encode() for name in changed}
        stale = [m for m in self.entries if m not in paths or _mentions(paths[m], needles)]
        for module in stale:
            del self.entries[module]

    def put(self, module: str, path: str, stamp: Stamp, rows: tuple[ImportRow, ...]) -> None:
        self.entries[module] = (path, stamp, rows)
        self.dirty = True

    def keep_only(self, modules: Collection[str]) -> None:
        gone = [m for m in self.entries if m not in modules]
        for module in gone:
            del self.entries[module]
        self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        if self.file is None or not self.dirty:
            return
        cache_file.store(
            self.file, (IMPORTS_VERSION, self.options), sorted(self.modules), self.entries
        )
        self.dirty = False


def _mentions(path: str, needles: Iterable[bytes]) -> bool:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return True
    return mentions(data, needles)


def _valid(payload: tuple[Any, ...]) -> bool:
    """(sorted module names, {module: (path, stamp, rows)}), every row an ImportRow."""
    if len(payload) != 2:
        return False
    modules, entries = payload
    # Types compared at C speed: a warm run checks every row (90,000 in Home Assistant).
    return (
        type(modules) is list
        and (not modules or {*map(type, modules)} == {str})
        and type(entries) is dict
        and all(
            type(module) is str
            and type(entry) is tuple
            and len(entry) == 3
            and type(entry[0]) is str
            and cache_file.is_stamp(entry[1])
            and type(entry[2]) is tuple
            and all(tuple(map(type, row)) == _ROW_TYPES for row in entry[2])
            for module, entry in entries.items()
        )
    )


_ROW_TYPES = (str, int, str, bool)
