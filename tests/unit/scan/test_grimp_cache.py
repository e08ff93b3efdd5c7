"""Warm runs read the import cache without rewriting it; a changed file still refreshes it."""

from __future__ import annotations

import os
from pathlib import Path

from archgraph.scan.import_cache import CACHE_NAME
from tests.helpers import imports_of, scan_tree, write_tree


def cache_files(cache: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in cache.glob(CACHE_NAME)}


def test_an_unchanged_cache_is_not_rewritten_and_a_change_refreshes_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", {"pkg/__init__.py": "", "pkg/a.py": "", "pkg/b.py": ""})
    cache = tmp_path / "cache"
    scan_tree(root, cache_dir=cache)
    written = cache_files(cache)
    assert len(written) == 1

    assert imports_of(scan_tree(root, cache_dir=cache)) == set()
    assert cache_files(cache) == written

    (root / "pkg/a.py").write_text("import pkg.b\n")
    os.utime(root / "pkg/a.py", ns=(1, 1))  # a different mtime, even on a coarse clock
    assert imports_of(scan_tree(root, cache_dir=cache)) == {("pkg.a", "pkg.b")}
    assert cache_files(cache) != written

    (root / "pkg/b.py").unlink()  # a removed module is dropped from the cache as well
    (root / "pkg/a.py").write_text("")
    outcome = scan_tree(root, cache_dir=cache)
    assert imports_of(outcome) == set() and "pkg.b" not in outcome.model.modules
    refreshed = cache_files(cache)
    assert imports_of(scan_tree(root, cache_dir=cache)) == set()
    assert cache_files(cache) == refreshed
