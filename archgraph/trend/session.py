"""What one commit's analysis leaves for the next, in one object that `trend` owns.

The scan, the model and the contracts are stateless; a trend still costs about what each commit
changed, because this session hands the scan what it already knows:
- the walk of the tree, with the stamps of the files the checkout rewrote read again, instead
  of a new walk (a new walk when the checkout added or removed a file, or when some module is
  reached through a symlink, whose target may change unseen);
- a store in memory: each unchanged file's import rows, audit scan and facts (the very same
  fact objects), and the last syntax trees, so that a changed file is re-parsed incrementally;
- the last class model and families: the class model is re-resolved only where a looked-up name
  is bound differently, and the families are analyzed again only when it changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archgraph.families.analysis import analyze as analyze_families
from archgraph.families.classify import FamiliesQuery
from archgraph.model import ArchModel
from archgraph.model.classes import ClassModelBuild, update_class_model
from archgraph.scan import ScanOptions, ScanOutcome, ScanStore, scan, walk
from archgraph.scan.finder import FindResult, refreshed, source_index
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
        return scan(root, options, self.store, found)

    def _recalled_walk(self, root: Path, options: ScanOptions) -> FindResult | None:
        """The last walk with the edited files' stamps read again; None when the tree must be
        walked again."""
        if self._walk is None or self._walk[:2] != (root, options):
            return None
        return refreshed(self._walk[2], self._edited, self._where)

    def families_of(self, model: ArchModel) -> tuple[FamilyPoint, ...]:
        """The competing families of the model's classes (analyzed again only when they changed)."""
        before = self._build.model if self._build is not None else None
        self._build = update_class_model(self._build, model.facts(), model.files)
        if self._build.model is not before:
            self._families = family_points(analyze_families(self._build.model, FamiliesQuery()))
        return self._families
