"""What one commit's analysis leaves for the next, in one object that `trend` owns.

The scan, the model and the contracts are stateless; a trend still costs about what each commit
changed, because this session hands the scan what it already knows (a `WarmScan`: the walk,
with the stamps of the files the checkout rewrote read again; a store in memory; the last
import graph, see archgraph/scan/warm.py), and keeps the last class model and families: the
class model is re-resolved only where a looked-up name is bound differently, and the families
are analyzed again only when it changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archgraph.families.analysis import analyze as analyze_families
from archgraph.families.classify import FamiliesQuery
from archgraph.model import SourceSet
from archgraph.model.classes import ClassModelBuild, update_class_model
from archgraph.scan import ScanOptions, ScanOutcome, ScanStore
from archgraph.scan.warm import WarmScan
from archgraph.trend.points import FamilyPoint, family_points


class TrendSession:
    """One checkout scanned commit after commit (see the module's docstring)."""

    def __init__(self) -> None:
        self._warm = WarmScan()
        self._build: ClassModelBuild | None = None
        self._families: tuple[FamilyPoint, ...] = ()

    @property
    def store(self) -> ScanStore:
        return self._warm.store

    def edited(self, paths: Iterable[Path]) -> None:
        """The checkout rewrote or removed these files (absolute paths) since the last scan."""
        self._warm.edited(paths)

    def scan(self, root: Path, options: ScanOptions) -> ScanOutcome:
        """The tree as it is now, scanned with what the earlier commits left."""
        return self._warm.scan(root, options)

    def families_of(
        self, sources: SourceSet, query: FamiliesQuery = FamiliesQuery()
    ) -> tuple[FamilyPoint, ...]:
        """The competing families of the files' classes (analyzed again only when they changed;
        a session serves one query)."""
        before = self._build.model if self._build is not None else None
        self._build = update_class_model(self._build, sources.facts(), sources.files)
        if self._build.model is not before:
            tests = sources.test_modules
            # As `archgraph families` analyzes them: test doubles apart from production's classes.
            model = self._build.model if query.include_tests else self._build.production(tests)
            self._families = family_points(analyze_families(model, query, tests))
        return self._families

