"""One tree scanned again and again in one process, each scan costing about what changed since
the last: what `archgraph trend` (commit after commit), the language server and `check --watch`
(edit after edit) share.

`WarmScan` hands the stateless `scan` what it already knows:
- the walk of the tree, with the stamps of the files said to be edited read again, instead of a
  new walk (a new walk when a file was added or removed, or when some module is reached through
  a symlink, whose target may change unseen);
- a store in memory: each unchanged file's import rows, audit scan and facts (the very same
  fact objects), and the last syntax trees, so that a changed file is re-parsed incrementally;
- the last import graph: while no module and no imported name is added or removed, the next
  graph is a copy of it with the changed files' imports replaced, not assembled anew.

`texts` (an editor's unsaved buffers) stand for the files' contents in the import graph: their
imports are scanned from the text, not from the disk. Facts and the audit still read the disk.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from archgraph.scan import ScanOptions, ScanOutcome, ScanStore, scan, walk
from archgraph.scan.cache_file import stamp_of
from archgraph.scan.finder import FindResult, ModuleSource
from archgraph.scan.grimp_api import SourceSyntaxError
from archgraph.scan.grimp_graph import GrimpGraph, graph_of_rows
from archgraph.scan.import_cache import ImportRow
from archgraph.scan.prepared import TextScanner


class WarmScan:
    """A tree scanned many times in this process (see the module's docstring)."""

    def __init__(self) -> None:
        self.store = ScanStore.in_memory()
        self._walk: tuple[Path, ScanOptions, FindResult] | None = None
        self._where: dict[str, tuple[int, int]] = {}  # the walk's source_index
        self._edited: set[Path] = set()
        self._walk_again = False
        self._graph: _Graph | None = None
        self._last: _Last | None = None
        self._texts_folder: tempfile.TemporaryDirectory[str] | None = None
        self._scanner: tuple[FindResult, TextScanner] | None = None
        # The rows of each text last scanned, by path: while a text does not parse (an edit
        # half typed), its last rows that did stand for it.
        self._text_rows: dict[Path, tuple[str, bytes, tuple[ImportRow, ...]]] = {}

    def edited(self, paths: Iterable[Path]) -> None:
        """These files (absolute paths) were rewritten or removed since the last scan."""
        self._edited.update(paths)

    def forget_walk(self) -> None:
        """Files may have been added or removed: the next scan walks the tree again."""
        self._walk_again = True

    def scan(
        self, root: Path, options: ScanOptions, texts: Mapping[Path, bytes] | None = None
    ) -> ScanOutcome:
        """The tree as it is now, scanned with what the earlier scans left; `texts`: contents
        that stand for their files' (absolute paths), such as an editor's unsaved buffers."""
        found = None if self._walk_again else self._recalled_walk(root, options)
        if found is None:
            found = walk(root, options)
            self._where = source_index(found)
        self._walk, self._edited, self._walk_again = (root, options, found), set(), False
        replaced = self._rows_of_texts(found, options, texts or {})
        last = self._last
        if last is not None and last.found is found and not options.include_dynamic_imports:
            outcome = self._texts_only(last, replaced)
        else:
            files: list[tuple[dict[str, tuple[ImportRow, ...]], set[str], tuple[str, ...]]] = []

            def assemble(
                rows: Mapping[str, tuple[ImportRow, ...]], modules: set[str], packages: Sequence[str]
            ) -> GrimpGraph:
                files.append((dict(rows), modules, tuple(packages)))
                return self._graph_of({**rows, **replaced} if replaced else rows, modules, packages)

            outcome = scan(root, options, self.store, found, assemble)
            rows, modules, packages = files[-1]
            last = _Last(found, rows, modules, packages, replaced, outcome)
        self._last = dataclasses.replace(last, replaced=replaced, outcome=outcome)
        return outcome

    def _texts_only(self, last: _Last, replaced: dict[str, tuple[ImportRow, ...]]) -> ScanOutcome:
        """The outcome when no file changed on disk since the last scan, only texts: the last
        one itself when the texts' imports are those of the last scan, else the last model
        over a graph with the texts' rows, the same that a scan would make (every file's rows,
        audit and facts are those of the last scan, read from the same disk)."""
        if replaced.keys() == last.replaced.keys() and all(
            rows is last.replaced[m] for m, rows in replaced.items()
        ):
            return last.outcome
        graph = self._graph_of({**last.rows, **replaced}, last.modules, last.packages)
        model = last.outcome.model.with_graph(graph)
        summary = last.outcome.summary._replace(imports=model.import_count)
        return ScanOutcome(model, last.outcome.diagnostics, summary)

    def _rows_of_texts(
        self, found: FindResult, options: ScanOptions, texts: Mapping[Path, bytes]
    ) -> dict[str, tuple[ImportRow, ...]]:
        """The import rows of each text of a file of the tree, by module."""
        modules = {s.path: s.module for tree in found.trees for s in tree.sources}
        rows: dict[str, tuple[ImportRow, ...]] = {}
        for path, text in sorted(texts.items()):
            module = modules.get(str(path))
            if module is None:
                continue
            last = self._text_rows.get(path)
            if last is not None and last[:2] == (module, text):
                rows[module] = last[2]
                continue
            try:
                scanned = self._text_scanner(found).scan(
                    {str(path): text}, options.include_external_packages, options.exclude_type_checking_imports
                )
            except (SourceSyntaxError, UnicodeError):
                if last is not None and last[0] == module:
                    rows[module] = last[2]
                continue  # never parsed: the file's own rows stand
            found_rows = scanned.get(module, ())
            # The same rows as the last text's (an edit that changes no import): the very same
            # tuple, so that the graph and the verdicts built on it are reused.
            rows[module] = last[2] if last is not None and last[2] == found_rows else found_rows
            self._text_rows[path] = (module, text, rows[module])
        return rows

    def _text_scanner(self, found: FindResult) -> TextScanner:
        """The scanner of texts for this walk, in a folder of this object's (removed with it)."""
        if self._texts_folder is None:
            self._texts_folder = tempfile.TemporaryDirectory(prefix="archgraph-texts-")
        if self._scanner is None or self._scanner[0] is not found:
            folder = Path(self._texts_folder.name)
            self._scanner = (found, TextScanner(found.trees, frozenset(), folder))
        return self._scanner[1]

    def _graph_of(
        self, rows: Mapping[str, tuple[ImportRow, ...]], modules: set[str], packages: Sequence[str]
    ) -> GrimpGraph:
        """The graph of `rows`: the last one with the changed importers' rows replaced when the
        nodes are the same (unchanged files give the very same row tuples, so `is` will do),
        else assembled anew, so that grimp breaks ties as in a fresh build."""
        nodes = _nodes(rows, modules)
        last = self._graph
        if last is not None and (last.nodes, last.packages) == (nodes, tuple(packages)):
            before = last.rows
            changed = [m for m in rows if before.get(m) is not rows[m]]
            changed += [m for m in before if m not in rows]
            if not changed:
                return last.graph
            graph = last.graph.with_rows_replaced(
                {m: before[m] for m in changed if m in before},
                {m: rows[m] for m in changed if m in rows},
            )
        else:
            graph = graph_of_rows(rows, modules, packages)
        self._graph = _Graph(dict(rows), nodes, tuple(packages), graph)
        return graph

    def _recalled_walk(self, root: Path, options: ScanOptions) -> FindResult | None:
        """The last walk with the edited files' stamps read again; None when the tree must be
        walked again."""
        if self._walk is None or self._walk[:2] != (root, options):
            return None
        return refreshed(self._walk[2], self._edited, self._where)


@dataclasses.dataclass(frozen=True, slots=True)
class _Last:
    """The last scan: its walk, each file's rows as read from the disk, the modules and
    packages its graph was made of, the texts' rows, and its outcome."""

    found: FindResult
    rows: dict[str, tuple[ImportRow, ...]]
    modules: set[str]
    packages: tuple[str, ...]
    replaced: dict[str, tuple[ImportRow, ...]]
    outcome: ScanOutcome


class _Graph:
    """The last import graph made, and what it was made of."""

    def __init__(
        self,
        rows: dict[str, tuple[ImportRow, ...]],
        nodes: frozenset[str],
        packages: tuple[str, ...],
        graph: GrimpGraph,
    ) -> None:
        self.rows, self.nodes, self.packages, self.graph = rows, nodes, packages, graph


def _nodes(rows: Mapping[str, tuple[ImportRow, ...]], modules: set[str]) -> frozenset[str]:
    """The graph's modules: those walked and those imported ('' is no module, see the scan)."""
    return frozenset((modules | {row[0] for found in rows.values() for row in found}) - {""})


def source_index(found: FindResult) -> dict[str, tuple[int, int]]:
    """Where each file's source is in `found`: (tree, position), by absolute path."""
    return {s.path: (t, i) for t, tree in enumerate(found.trees) for i, s in enumerate(tree.sources)}


def refreshed(
    found: FindResult, edited: Collection[Path], where: Mapping[str, tuple[int, int]] | None = None
) -> FindResult | None:
    """`found` after the files `edited` (absolute paths) changed content only, their stamps read
    again; None when an edit is not one of its files (added, removed, a link, unreadable now),
    or when some file is reached through a link (an edit can change it unseen), for then only a
    new walk can tell what the tree holds. `where`: its `source_index`."""
    if not edited:
        return found
    if found.through_links:
        return None
    where = where if where is not None else source_index(found)
    sources = [list(tree.sources) for tree in found.trees]
    for path in edited:
        place = where.get(str(path))
        if place is None or path.is_symlink() or not os.access(path, os.R_OK):
            return None
        try:
            status = path.stat()
        except OSError:
            return None
        tree, index = place
        old = sources[tree][index]
        sources[tree][index] = ModuleSource(
            old.module, old.path, status.st_mtime, stamp_of(status), old.file
        )
    trees = tuple(
        tree._replace(sources=tuple(new)) for tree, new in zip(found.trees, sources, strict=True)
    )
    return found._replace(trees=trees)
