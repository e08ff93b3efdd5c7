"""Parse files into FileFacts with tree-sitter, cached per file and in parallel.

tree-sitter reads Python 3.12-3.14 syntax (PEP 695, PEP 758) whatever Python runs archgraph;
3.11's `ast` cannot. Parsing is error tolerant: a broken file still yields what parsed.
"""

from __future__ import annotations

import functools
import itertools
import marshal
import os
import signal
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgraph.model.facts import (
    FileFacts,
)
from archgraph.scan import cache_file
from archgraph.scan.fact_rows import from_row, to_row, valid_row
from archgraph.scan.facts_cache import FACTS_VERSION, Stamp
from archgraph.scan.python_source import mentions, readable_source
from archgraph.scan.syntax import ParsedTrees

if TYPE_CHECKING:
    from archgraph.scan.store import ScanStore

MEMO_VERSION = 1  # bump when what a memoized computation returns changes
MEMO_NAME = "memo.marshal"
# Parsing a byte of source costs about as much as loading 7 bytes of the facts cache (Home
# Assistant: 44 MB parsed in 7 s of CPU; its 12 MB of cached facts load in 0.28 s).
PARSE_COST_PER_CACHED_BYTE = 8
MENTIONS_VERSION = 1
MENTIONS_NAME = "mentions.marshal"
MENTIONS_TABLES = 8
BATCH_FILES = 100
MIN_BATCH_FILES = 10
PARALLEL_THRESHOLD = 300  # below this many files, a process pool costs more than it saves


def _parse_batch(
    batch: Sequence[tuple[str, str]], chains: bool = True, trees: ParsedTrees | None = None
) -> list[tuple[str, tuple[Any, ...] | None]]:
    """Worker: parse files; results as plain tuples, which cross processes and marshal fast.
    `trees`: parse through it (in this process), incrementally where it can."""
    # Here, not at the top: a check whose contracts read no facts never loads the extractor.
    from archgraph.scan.extract import extract_row  # noqa: PLC0415

    results: list[tuple[str, tuple[Any, ...] | None]] = []
    for module, path in batch:
        try:
            source = readable_source(Path(path).read_bytes())
        except OSError:
            results.append((path, None))
            continue
        tree = trees.parse(path, source) if trees is not None else None
        results.append((path, extract_row(module, source, chains, tree)))
    return results


def _parse_batch_marshalled(batch: Sequence[tuple[str, str]], chains: bool = True) -> bytes:
    """Worker: `_parse_batch`, marshalled: rows of plain tuples cross to the main process
    several times faster than pickled ones (the main process, a parser too, unpickled them)."""
    return marshal.dumps(_parse_batch(batch, chains))


def _stamp(path: str) -> Stamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return cache_file.stamp_of(stat)


class FactsProvider:
    """FactsPort implementation: the store first, then parse what is missing (in parallel)."""

    def __init__(
        self,
        root: Path,
        files: Mapping[str, Path],
        store: ScanStore,
        stamps: Mapping[str, Stamp] | None = None,
        context: tuple[Any, ...] = (),
    ) -> None:
        """`stamps`: each module's stamp, from the file walk (else each file is stat'ed);
        `context`: what else the analyzed code depends on (scan options, namespace packages)."""
        self._root = root
        self._files = files
        self._store = store
        self._cache_dir = store.folder
        self._stamps = stamps or {}
        self._context = context
        self._memory: dict[str, FileFacts] = {}
        self._digest: str | None = None
        # Whether anything asked for facts: a result that depends on them depends on more of
        # each file than its imports (see usecases/affected_record.py).
        self.consulted = False

    def _stamp_of(self, module: str, path: str) -> Stamp | None:
        stamp = self._stamps.get(module)
        return stamp if stamp is not None else _stamp(path)

    def files_digest(self) -> str:
        """A digest of every analyzed file (module, path, stamp) and the scan context."""
        if self._digest is None:
            context = repr((MEMO_VERSION, FACTS_VERSION, self._context)).encode()
            import hashlib  # noqa: PLC0415 - only runs that memoize need it

            digest = hashlib.blake2b(context, digest_size=20)
            root = str(self._root)
            for module in sorted(self._files):
                path = str(self._files[module])
                stamp = self._stamp_of(module, os.path.join(root, path))
                digest.update(f"\0{module}\0{path}\0{stamp}".encode())
            self._digest = digest.hexdigest()
        return self._digest

    def memo(
        self, key: tuple[Any, ...], compute: Callable[[], Any], valid: Callable[[Any], bool]
    ) -> Any:
        """`compute()`, or its value from an earlier run over the very same files (when `valid`
        says it has the shape `compute` gives: the cache folder may be the tree's)."""
        self.consulted = True
        if self._cache_dir is None:
            return compute()
        file = self._cache_dir / MEMO_NAME
        digest = self.files_digest()
        entries: dict[Any, Any] = {}
        stored = cache_file.load(file, MEMO_VERSION, _valid_memo)
        if stored is not None:
            entries = {k: v for k, v in stored[0].items() if v[0] == digest}
        if key in entries:
            try:
                if valid(entries[key][1]):
                    return entries[key][1]
            except Exception:
                pass
        value = compute()
        entries[key] = (digest, value)
        cache_file.store(file, MEMO_VERSION, entries)
        return value

    def mentioning(
        self, mentions: Sequence[bytes], project: Callable[[FileFacts], FileFacts], key: Hashable
    ) -> dict[str, FileFacts]:
        """See FactsPort.mentioning: one table per (key, mentions) of (stamp, projected row or
        None: no mention) by file, so that a run after an edit reads only the changed files."""
        self.consulted = True
        needles = tuple(mentions)
        if self._cache_dir is None:
            everything = self.facts(sorted(self._files), needles, chains=True)
            return {module: project(facts) for module, facts in everything.items()}
        file = self._cache_dir / MENTIONS_NAME
        stored = cache_file.load(file, (MENTIONS_VERSION, FACTS_VERSION), _valid_mentions)
        tables: dict[Any, dict[str, Any]] = stored[0] if stored is not None else {}
        table = tables.pop((key, needles), {})
        root = str(self._root)
        found: dict[str, FileFacts] = {}
        kept: dict[str, Any] = {}
        stale: list[tuple[str, str, Stamp]] = []
        for module in sorted(self._files):
            path = os.path.join(root, self._files[module])
            stamp = self._stamp_of(module, path)
            if stamp is None:
                continue
            entry = table.get(path)
            if entry is not None and entry[0] == stamp and (entry[1] is None or valid_row(entry[1])):
                kept[path] = entry
                if entry[1] is not None:
                    found[module] = from_row(entry[1])
            else:
                stale.append((module, path, stamp))
        if stale or len(kept) != len(table):
            fresh = self.facts([module for module, _path, _stamp in stale], needles, chains=True)
            for module, path, stamp in stale:
                facts = fresh.get(module)
                projected = project(facts) if facts is not None else None
                if projected is not None:
                    found[module] = projected
                kept[path] = (stamp, to_row(projected) if projected is not None else None)
            # The most recent tables last; a few are kept (one per symbol contract, say).
            tables = dict(list(tables.items())[-(MENTIONS_TABLES - 1) :])
            tables[(key, needles)] = kept
            cache_file.store(file, (MENTIONS_VERSION, FACTS_VERSION), tables)
        return dict(sorted(found.items()))

    def facts(
        self, modules: Iterable[str], mentions: Iterable[bytes] = (), chains: bool = False
    ) -> dict[str, FileFacts]:
        self.consulted = True
        needles = tuple(mentions)
        modules = list(modules)
        memory = self._memory
        if chains:
            wanted = [
                m
                for m in modules
                if m in self._files and (m not in memory or memory[m].attribute_chains is None)
            ]
        else:  # C-speed filters: all 8,800 modules of Home Assistant at every commit of a trend
            wanted = list(itertools.filterfalse(memory.__contains__, filter(self._files.__contains__, modules)))
        if wanted:
            self._load(wanted, needles, chains)
        if chains:  # not those read without chains earlier and not wanted now (no mention)
            return {m: f for m in modules if (f := memory.get(m)) and f.attribute_chains is not None}
        known = list(filter(memory.__contains__, modules))
        return dict(zip(known, map(memory.__getitem__, known), strict=True))

    def _load(self, modules: Sequence[str], needles: tuple[bytes, ...], chains: bool) -> None:
        if not self._store.facts_loaded and self._parsing_is_cheaper(modules):
            self._parse_uncached(modules, needles, chains)
            return
        cache = self._store.facts
        searched = frozenset(needles)
        root = str(self._root)
        to_parse: list[tuple[str, str]] = []
        stamps: dict[str, Stamp] = {}  # by module
        by_content = self._store.facts_by_content
        current, walked = cache.current, self._stamps
        for module in modules:
            file = self._files[module]
            known = current.get(module)
            if (
                known is not None
                and (known[0] is file or known[0] == file)
                and known[1] == walked.get(module)
                and (not chains or known[2].attribute_chains is not None)
            ):
                self._memory[module] = known[2]
                continue
            path = os.path.join(root, file)  # str paths: thousands per run
            stamp = self._stamp_of(module, path)
            if stamp is not None:
                stamps[module] = stamp
            cached = cache.get(path, stamp, chains)
            if cached is None and by_content is not None:
                cached = by_content.get(module, file, chains)
            if cached is not None:
                self._memory[module] = facts = cache.facts(path, cached)
                if stamp is not None:
                    current[module] = (file, stamp, facts)
                continue
            if stamp is None:
                continue
            if needles:
                if cache.lacks(path, stamp, searched):
                    continue
                if not _mentions(path, needles):
                    cache.put_absent(path, stamp, searched)
                    continue  # cannot import the name: no need to parse
            to_parse.append((module, path))
        rows: dict[str, tuple[Any, ...]] = {}
        for path, row in parse_in_parallel(to_parse, chains, self._store.parsed_trees):
            if row is not None:  # in no set order
                rows[path] = row
                # Made as the rows come in, while the other processes still parse: the
                # parsing then shares this work out (0.4 s of Home Assistant's cold run).
                cache.facts(path, row)
        for module, path in to_parse:  # the cache file's order stays that of the files
            if path in rows:
                cache.put(path, stamps[module], rows[path])
                self._memory[module] = facts = cache.facts(path, rows[path])
                current[module] = (self._files[module], stamps[module], facts)
                if by_content is not None:
                    by_content.put(module, self._files[module], rows[path])
        cache.save()

    def _parsing_is_cheaper(self, modules: Sequence[str]) -> bool:
        """A few files, a big cache file: parsing them costs less than loading every file's
        facts (after an edit, a symbol contract asks for its module's facts first: 0.3 s of
        loading on Home Assistant for one file)."""
        cached_bytes = self._store.facts_file_size()
        if not cached_bytes:
            return False
        root = str(self._root)
        source_bytes = 0
        for module in modules:
            stamp = self._stamp_of(module, os.path.join(root, self._files[module]))
            source_bytes += stamp[0] if stamp is not None else 0
        return source_bytes * PARSE_COST_PER_CACHED_BYTE < cached_bytes

    def _parse_uncached(self, modules: Sequence[str], needles: tuple[bytes, ...], chains: bool) -> None:
        """Parse in this process, without reading or writing the cache file."""
        root = str(self._root)
        paths = [(module, os.path.join(root, self._files[module])) for module in modules]
        if needles:
            paths = [(module, path) for module, path in paths if _mentions(path, needles)]
        by_path = dict((path, module) for module, path in paths)
        for path, row in _parse_batch(paths, chains):
            if row is not None:
                self._memory[by_path[path]] = from_row(row)


def _mentions(path: str, needles: tuple[bytes, ...]) -> bool:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return False
    return mentions(data, needles)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops the run and reports it once
    (otherwise every worker prints its own KeyboardInterrupt traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def parse_in_parallel(
    files: Sequence[tuple[str, str]], chains: bool = True, trees: ParsedTrees | None = None
) -> Iterator[tuple[str, tuple[Any, ...] | None]]:
    """Parse (module, path) pairs, with a process per core once there are enough files
    (`trees`: see ParsedTrees; used for a few files).

    The results come in no set order, as batches finish. This process is one of the parsers:
    it would otherwise only wait, and what it parses itself needs no transfer. It takes its
    batches from the end of the list, and keeps four batches submitted to each worker meanwhile
    (the one it parses and three waiting), so that none of them waits either; the batches
    shrink towards the middle, so that no parser is left with a long one when the others are
    done (that waited 0.1 s on HA).
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_THRESHOLD or workers < 2:
        # A few files, in this process: `trees` keeps their trees for their next version
        # (not those of a whole tree's first parse: they would only take memory).
        yield from _parse_batch(files, chains, trees if len(files) < PARALLEL_THRESHOLD else None)
        return
    # Small batches: file sizes vary a lot, and with a few big batches one worker may still be
    # parsing the last one while the others sit idle (9 batches of 1100 files on Home Assistant).
    # Smaller still towards the end, where each parser's last batch decides when all are done.
    # Batches submitted to the workers and not yet taken back, the running ones included. With
    # two a worker, one ran and one waited: while this process parsed a batch of big files and
    # made facts of the rows that came back, the worker ran dry (it used 2.5 s of CPU to this
    # process's 3.4 s on Home Assistant). Four: the parsing phase 3.2-3.3 s -> 2.9-3.0 s there,
    # Django 0.46 s -> 0.39 s; eight measured no better.
    ahead = 4 * (workers - 1)
    front, back = 0, len(files)

    def take(from_front: bool) -> Sequence[tuple[str, str]]:
        nonlocal front, back
        size = max(MIN_BATCH_FILES, min(BATCH_FILES, (back - front) // (workers * 4)))
        if from_front:
            start, front = front, min(front + size, back)
            return files[start:front]
        end, back = back, max(back - size, front)
        return files[back:end]

    # Imported here: a warm run parses nothing, and multiprocessing costs 10 ms to import.
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait  # noqa: PLC0415

    parse = functools.partial(_parse_batch, chains=chains)
    parse_elsewhere = functools.partial(_parse_batch_marshalled, chains=chains)
    pending: set[Future[bytes]] = set()
    with ProcessPoolExecutor(max_workers=workers - 1, initializer=_ignore_interrupts) as pool:
        while front < back or pending:
            while front < back and len(pending) < ahead:
                pending.add(pool.submit(parse_elsewhere, take(from_front=True)))
            if front < back:
                yield from parse(take(from_front=False))
                done = {future for future in pending if future.done()}
            else:
                done, _running = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                yield from marshal.loads(future.result())


def _valid_memo(payload: tuple[Any, ...]) -> bool:
    """({key: (files digest, value)},); each value is checked by its user (see `memo`)."""
    return len(payload) == 1 and type(payload[0]) is dict and all(
        type(entry) is tuple and len(entry) == 2 and type(entry[0]) is str
        for entry in payload[0].values()
    )


def _valid_mentions(payload: tuple[Any, ...]) -> bool:
    """({(key, needles): {path: (stamp, projected row or None)}},); rows are checked when read."""
    return len(payload) == 1 and type(payload[0]) is dict and all(
        type(table) is dict
        and all(
            type(path) is str and type(entry) is tuple and len(entry) == 2
            and cache_file.is_stamp(entry[0]) and (entry[1] is None or type(entry[1]) is tuple)
            for path, entry in table.items()
        )
        for table in payload[0].values()
    )
