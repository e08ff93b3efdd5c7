"""What one commit's analysis leaves for the next, in one object that `trend` owns.

The scan, the model and the contracts are stateless; a trend still costs about what each commit
changed, because this session hands the scan what it already knows:
- the walk of the tree, with the stamps of the files the checkout rewrote read again, instead
  of a new walk (a new walk when the checkout added or removed a file, or when some module is
  reached through a symlink, whose target may change unseen);
- a store in memory: each unchanged file's import rows, audit scan and facts (the very same
  fact objects), and the last syntax trees, so that a changed file is re-parsed incrementally;
- the last import graph: while the commit adds or removes no module and no imported name, the
  next graph is a copy of it with the changed files' imports replaced, not assembled anew;
- the last class model and families: the class model is re-resolved only where a looked-up name
  is bound differently, and the families are analyzed again only when it changed.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from archgraph.families.analysis import analyze as analyze_families
from archgraph.families.classify import FamiliesQuery
from archgraph.model import SourceSet
from archgraph.model.classes import ClassModelBuild, update_class_model
from archgraph.scan import ScanOptions, ScanOutcome, ScanStore, scan, walk
from archgraph.scan.cache_file import stamp_of
from archgraph.scan.finder import FindResult, ModuleSource
from archgraph.scan.grimp_graph import GrimpGraph, graph_of_rows
from archgraph.scan.import_cache import ImportRow
from archgraph.trend.points import FamilyPoint, family_points


class TrendSession:
    """One checkout scanned commit after commit (see the module's docstring)."""

    def __init__(self) -> None:
        self.store = ScanStore.in_memory()
        self._walk: tuple[Path, ScanOptions, FindResult] | None = None
        self._where: dict[Path, tuple[int, int]] = {}  # the walk's source_index
        self._edited: set[Path] = set()
        self._build: ClassModelBuild | None = None
        self._families: tuple[FamilyPoint, ...] = ()
        self._graph: _Graph | None = None

    def edited(self, paths: Iterable[Path]) -> None:
        """The checkout rewrote or removed these files (absolute paths) since the last scan."""
        self._edited.update(paths)

    def scan(self, root: Path, options: ScanOptions) -> ScanOutcome:
        """The tree as it is now, scanned with what the earlier commits left."""
        found = self._recalled_walk(root, options)
        if found is None:
            found = walk(root, options)
            self._where = source_index(found)
        self._walk, self._edited = (root, options, found), set()
        return scan(root, options, self.store, found, self._graph_of)

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

    def families_of(
        self, sources: SourceSet, query: FamiliesQuery = FamiliesQuery()
    ) -> tuple[FamilyPoint, ...]:
        """The competing families of the files' classes (analyzed again only when they changed;
        a session serves one query)."""
        before = self._build.model if self._build is not None else None
        self._build = update_class_model(self._build, sources.facts(), sources.files)
        if self._build.model is not before:
            self._families = family_points(analyze_families(self._build.model, query))
        return self._families


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


def source_index(found: FindResult) -> dict[Path, tuple[int, int]]:
    """Where each file's source is in `found`: (tree, position), by absolute path."""
    return {s.path: (t, i) for t, tree in enumerate(found.trees) for i, s in enumerate(tree.sources)}


def refreshed(
    found: FindResult, edited: Collection[Path], where: Mapping[Path, tuple[int, int]] | None = None
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
        place = where.get(path)
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
        dataclasses.replace(tree, sources=tuple(new)) for tree, new in zip(found.trees, sources, strict=True)
    )
    return dataclasses.replace(found, trees=trees)
