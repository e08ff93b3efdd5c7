"""What a scan reuses of earlier scans: each file's import rows, parsed facts and audit scan, and
the files known to be unparsable, each valid while its file is unchanged.

A scan takes a store and reads and adds what it needs; the store does not change what the scan
finds, only how much of it is worked out again. Two kinds:
- `ScanStore.in_folder(DIR)`: the cache folder, read on first use and written back by the scan
  (`archgraph check`, one store per run); `in_folder(None)` keeps nothing between runs.
- `ScanStore.in_memory()`: nothing read or written on disk, for a caller that scans one changing
  tree many times in one process and hands the same store to every scan (`archgraph trend`):
  unchanged files then give the very same fact objects, and changed files are re-parsed
  incrementally from their last syntax tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgraph.scan.facts_cache import CACHE_NAME as FACTS_CACHE_NAME
from archgraph.scan.facts_cache import FactsByContent, FactsCache
from archgraph.scan.import_cache import ImportCache
from archgraph.scan.python_source import SourceTexts
from archgraph.scan.syntax import ParsedTrees
from archgraph.scan.unparsable import BadFileMemory

if TYPE_CHECKING:
    from archgraph.scan.audit import AuditScans


class ScanStore:
    """Per-file results kept between scans, in a cache folder or in this process's memory."""

    def __init__(
        self, folder: Path | None, *, outlives_scans: bool = False, keeps_imports: bool = False
    ) -> None:
        """`folder`: the cache folder (None: nothing read or written on disk); `outlives_scans`:
        the same store is handed to many scans in this process, so it also keeps what only such
        a process can reuse (syntax trees, each file's audit findings); `keeps_imports`: the
        import rows stay after the scan wrote them (which a store of one scan otherwise lets
        go of), for a caller that reads them once the scan is done."""
        self.folder = folder
        self.outlives_scans = outlives_scans
        self.keeps_imports = keeps_imports or outlives_scans
        self._bad_files: BadFileMemory | None = None
        self._imports: ImportCache | None = None
        self._audit: AuditScans | None = None
        self._facts: FactsCache | None = None
        # The syntax trees of files parsed one by one, so their next version parses
        # incrementally (in memory only: a cold scan's trees would only take memory).
        self.parsed_trees = ParsedTrees() if outlives_scans else None
        self.facts_by_content: FactsByContent | None = None  # set by an owner that names contents
        self.texts = SourceTexts()  # the texts as Python reads them of the files read

    @classmethod
    def in_folder(cls, folder: Path | None, *, keeps_imports: bool = False) -> ScanStore:
        return cls(folder, keeps_imports=keeps_imports)

    @classmethod
    def in_memory(cls) -> ScanStore:
        return cls(None, outlives_scans=True)

    @property
    def bad_files(self) -> BadFileMemory:
        if self._bad_files is None:
            self._bad_files = BadFileMemory(self.folder)
        return self._bad_files

    def imports(self, options: tuple[Any, ...]) -> ImportCache:
        """The import rows scanned with these options (rows of other options are dropped)."""
        if self._imports is None or self._imports.options != options:
            self._imports = ImportCache(self.folder, options)
        return self._imports

    def forget_imports(self) -> None:
        """Drop the import rows held (a later `imports` reads them from the folder again)."""
        self._imports = None

    @property
    def audit_scans(self) -> AuditScans:
        if self._audit is None:
            from archgraph.scan.audit import AuditScans  # noqa: PLC0415 - scan_files needs none

            self._audit = AuditScans(self.folder, keeps_findings=self.outlives_scans, texts=self.texts)
        return self._audit

    @property
    def facts_loaded(self) -> bool:
        return self._facts is not None

    @property
    def facts(self) -> FactsCache:
        if self._facts is None:
            self._facts = FactsCache(self.folder)
        return self._facts

    def facts_file_size(self) -> int:
        """The size of the facts cache file not yet loaded (0 when there is none)."""
        if self.folder is None or self._facts is not None:
            return 0
        try:
            return (self.folder / FACTS_CACHE_NAME).stat().st_size
        except OSError:
            return 0
