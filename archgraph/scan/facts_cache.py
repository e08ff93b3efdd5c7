"""Each file's parsed facts kept between runs: by path while the file's stamp holds
(`FactsCache`, the cache folder), or by file content (`FactsByContent`, `archgraph trend`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from archgraph.model.facts import FileFacts
from archgraph.scan import cache_file
from archgraph.scan.fact_rows import from_row, valid_row

# 4: a first-line import after a UTF-8 byte order mark is no longer lost
# 5: attribute chains are extracted on demand (None in a row that has none)
# 6: `lazy import` and `lazy from` statements (PEP 810) are imports too
FACTS_VERSION = 6
CONTENT_FACTS_VERSION = 1
CACHE_NAME = f"facts-v{FACTS_VERSION}.marshal"

Stamp = cache_file.Stamp
CHAINS_FIELD = 5  # where a row keeps `attribute_chains`


class FactsCache:
    """Fact rows by absolute path, valid while its stamp is unchanged. One versioned file.

    It also remembers which searched names a file does not contain, so a warm run that asks
    for the same names reads none of the files that cannot import them.
    marshal of plain tuples loads several times faster than pickled dataclasses; the file is
    replaced atomically, so concurrent runs at worst redo each other's parsing.
    """

    def __init__(self, cache_dir: Path | None) -> None:
        self.file = cache_dir / CACHE_NAME if cache_dir else None
        self.entries: dict[str, tuple[Stamp, tuple[Any, ...]]] = {}
        self.absent: dict[str, tuple[Stamp, frozenset[bytes]]] = {}
        # The facts made of each entry's row, by path: every caller of one file version gets
        # the very same object (a class model built again compares them by identity first).
        self._objects: dict[str, tuple[tuple[Any, ...], FileFacts]] = {}
        # The facts last handed out for each module, with its file (as the walk reports it) and
        # stamp: a scan of the same tree finds an unchanged module's facts without a path join.
        self.current: dict[str, tuple[Path, Stamp, FileFacts]] = {}
        self.dirty = False
        stored = cache_file.load(self.file, FACTS_VERSION, _valid)
        if stored is not None:
            self.entries, self.absent = stored
        self._checked: set[str] = set()  # paths whose stored row has the right shape

    def get(self, path: str, stamp: Stamp | None, chains: bool = False) -> tuple[Any, ...] | None:
        """The file's row while unchanged; with `chains`, only a row that has them. A stored row
        of the wrong shape (the cache folder may be the tree's) is dropped, as a miss."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != stamp:
            return None
        if path not in self._checked:
            if not valid_row(entry[1]):
                del self.entries[path]
                return None
            self._checked.add(path)
        if chains and entry[1][CHAINS_FIELD] is None:
            return None
        return entry[1]

    def facts(self, path: str, row: tuple[Any, ...]) -> FileFacts:
        """The facts of one of this cache's rows for `path`."""
        made = self._objects.get(path)
        if made is not None and made[0] is row:
            return made[1]
        facts = from_row(row)
        self._objects[path] = (row, facts)
        return facts

    def put(self, path: str, stamp: Stamp, row: tuple[Any, ...]) -> None:
        self.entries[path] = (stamp, row)
        self._checked.add(path)
        self.dirty = True

    def lacks(self, path: str, stamp: Stamp, needles: frozenset[bytes]) -> bool:
        """The file, unchanged, was read before and contains none of the needles."""
        entry = self.absent.get(path)
        return entry is not None and entry[0] == stamp and needles <= entry[1]

    def put_absent(self, path: str, stamp: Stamp, needles: frozenset[bytes]) -> None:
        entry = self.absent.get(path)
        known = entry[1] if entry is not None and entry[0] == stamp else frozenset()
        self.absent[path] = (stamp, known | needles)
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            cache_file.store(self.file, FACTS_VERSION, self.entries, self.absent)
            self.dirty = False


class FactsByContent:
    """Fact rows by module and file content: a file's facts follow from its bytes and its module
    name alone, so they hold wherever and whenever those bytes are found again. `archgraph
    trend` names a file's content by git's object id; its next run over the same history then
    parses only the files no earlier run saw (Home Assistant: 3.3 s of a first commit).

    One versioned file; what a run looked up or added is kept, and earlier entries after them
    while there is room (see `save`).
    """

    def __init__(self, file: Path | None, content_of: Callable[[Path], str | None]) -> None:
        """`content_of`: the content id of a file, by its path relative to the analyzed root."""
        self.file = file
        self._content_of = content_of
        stored = cache_file.load(file, (CONTENT_FACTS_VERSION, FACTS_VERSION), _valid_by_content)
        self._stored: dict[tuple[str, str], tuple[Any, ...]] = stored[0] if stored is not None else {}
        self._used: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._added = False

    def get(self, module: str, file: Path, chains: bool) -> tuple[Any, ...] | None:
        content = self._content_of(file)
        if content is None:
            return None
        key = (module, content)
        row = self._used.get(key)
        if row is None:
            row = self._stored.get(key)
            if row is None or not valid_row(row):  # the folder may be the tree's: checked once
                return None
        if chains and row[CHAINS_FIELD] is None:
            return None
        self._used[key] = row
        return row

    def put(self, module: str, file: Path, row: tuple[Any, ...]) -> None:
        content = self._content_of(file)
        if content is not None:
            self._used[(module, content)] = row
            self._added = True

    def save(self, capacity: int) -> None:
        """Write what this run used or added, then earlier entries while the file holds fewer
        than `capacity` (a run over a few commits does not drop what a longer one found)."""
        if not self._added and len(self._used) >= min(len(self._stored), capacity):
            return  # nothing new, and nothing that would be dropped
        kept = dict(self._used)
        for key, row in self._stored.items():
            if len(kept) >= capacity:
                break
            kept.setdefault(key, row)
        cache_file.store(self.file, (CONTENT_FACTS_VERSION, FACTS_VERSION), kept)


def _valid(payload: tuple[Any, ...]) -> bool:
    """({path: (stamp, row)}, {path: (stamp, frozenset of searched names)}); rows are checked
    when first read (see FactsCache.get)."""
    if len(payload) != 2 or type(payload[0]) is not dict or type(payload[1]) is not dict:
        return False
    entries, absent = payload
    return all(
        type(path) is str and type(entry) is tuple and len(entry) == 2
        and cache_file.is_stamp(entry[0]) and type(entry[1]) is tuple and len(entry[1]) == 8
        for path, entry in entries.items()
    ) and all(
        type(path) is str and type(entry) is tuple and len(entry) == 2
        and cache_file.is_stamp(entry[0]) and type(entry[1]) is frozenset
        and all(type(needle) is bytes for needle in entry[1])
        for path, entry in absent.items()
    )


def _valid_by_content(payload: tuple[Any, ...]) -> bool:
    """({(module, content id): row},); rows are checked when first read."""
    return len(payload) == 1 and type(payload[0]) is dict and all(
        type(key) is tuple and len(key) == 2 and type(key[0]) is str and type(key[1]) is str
        and type(row) is tuple
        for key, row in payload[0].items()
    )
