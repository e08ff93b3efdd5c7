"""The import audit reports every finding, cold and warm; a failing audit does not lose the
import scan; a file is read whole whatever size the walk saw."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import brief, scan_tree, write_tree

from archgraph.scan import audit, file_scan
from archgraph.scan.audit import AuditScans, audit_imports
from archgraph.scan.finder import ModuleSource, find_modules
from archgraph.scan.grimp_graph import build_grimp_graph
from archgraph.scan.import_cache import CACHE_NAME
from archgraph.scan.store import ScanStore

# Every finding of the audit, and files that need none: AG201 (syntax error, left out of the
# audit), AG202 (one level above the top package), AG210 (dynamic), AG211 (missing, absolute
# and relative), an optional import in `try`, and a relative import that stays inside.
TREE: dict[str, str | bytes] = {
    "pkg/__init__.py": "from .. import above\n",
    "pkg/a.py": "import pkg.b\nimport pkg.gone\nfrom .missing import x\n",
    "pkg/b.py": "import importlib\nimportlib.import_module('pkg.a')\n__import__('pkg.sub.c')\n",
    "pkg/broken.py": "def f(:\n    import pkg.nothere\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/c.py": "from .. import a\nfrom ..b import importlib\ntry:\n    import pkg.optional\nexcept ImportError:\n    pass\n",
    "pkg/sub/d.py": "from ..sub import c\nfrom pkg.sub import nothing_here\n",
    **{f"pkg/many/m{i}.py": f"import pkg.many.m{(i + 1) % 40}\nimport os\n" for i in range(40)},
}
EXPECTED = [
    ("AG202", "warning", "pkg/__init__.py", 1),
    ("AG211", "warning", "pkg/a.py", 2),
    ("AG211", "warning", "pkg/a.py", 3),
    ("AG210", "info", "pkg/b.py", 2),
    ("AG210", "info", "pkg/b.py", 3),
    ("AG201", "warning", "pkg/broken.py", 1),
]


def sources_and_modules(root: Path) -> tuple[list[ModuleSource], frozenset[str], list[ModuleSource]]:
    """(every walked source, the graph's modules, the sources grimp analyzed)."""
    found = find_modules(root, ["pkg"], [root])
    graph, skipped, _notes = build_grimp_graph(
        found.trees, root, include_external_packages=False,
        exclude_type_checking_imports=False, store=ScanStore.in_folder(None),
    )
    sources = [s for tree in found.trees for s in tree.sources]
    return sources, graph.modules, [s for s in sources if s.path not in skipped]


def test_the_scan_reports_every_audit_finding(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", TREE)
    assert brief(scan_tree(root).diagnostics) == EXPECTED
    cache = tmp_path / "cache"
    assert brief(scan_tree(root, cache_dir=cache).diagnostics) == EXPECTED  # cold, then warm
    assert brief(scan_tree(root, cache_dir=cache).diagnostics) == EXPECTED


def test_a_failing_audit_does_not_lose_the_import_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An audit that keeps failing fails the run, as before; grimp's import cache is written
    all the same."""
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"

    def always_fail(data: bytes, source: ModuleSource, tree: object = None) -> audit.FileScan:
        raise RuntimeError(f"audit bug on {source.module}")

    monkeypatch.setattr(audit.FileScan, "of", staticmethod(always_fail))
    with pytest.raises(RuntimeError, match="audit bug"):
        scan_tree(root, cache_dir=cache)
    assert (cache / CACHE_NAME).is_file()

    monkeypatch.undo()
    assert brief(scan_tree(root, cache_dir=cache).diagnostics) == EXPECTED


def test_a_file_that_changes_size_after_the_walk_is_read_whole(tmp_path: Path) -> None:
    """The walk's size is only a hint for reading: a file grown or shrunk since is read whole."""
    root = write_tree(tmp_path / "project", {"pkg/__init__.py": "", "pkg/a.py": "import os\n"})
    sources, modules, _analyzed = sources_and_modules(root)
    grown = "import os\n" + "x = 1\n" * 20_000 + "import pkg.gone\n"
    (root / "pkg/a.py").write_text(grown)
    findings = audit_imports(sources, modules, ["pkg"], root, AuditScans(None))
    assert brief(findings.diagnostics) == [("AG211", "warning", "pkg/a.py", 20_002)]
    assert file_scan.read_whole(str(root / "pkg/a.py"), 3) == grown.encode()
    assert file_scan.read_whole(str(root / "pkg/a.py"), 10**6) == grown.encode()
    assert file_scan.read_whole(str(root / "pkg/__init__.py"), 0) == b""


def test_kinds_asked_line_by_line_over_many_files_are_each_files_own(tmp_path: Path) -> None:
    """A check asks for the kinds of its violations' lines, file after file and back: more
    files than the audit keeps open at once, each asked twice, each answered from its own
    text (the line under TYPE_CHECKING, the one in a function, the one at module level)."""
    from archgraph.diagnostics import ImportKind  # noqa: PLC0415
    from archgraph.scan.audit import AuditScans, LazyImportKinds  # noqa: PLC0415

    body = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import os\n\ndef f():\n    import sys\n"
    files = {"pkg/__init__.py": ""} | {f"pkg/m{i}.py": body * (1 + i % 3) for i in range(50)}
    root = write_tree(tmp_path / "project", files)
    _sources, _modules, analyzed = sources_and_modules(root)
    kinds = LazyImportKinds(analyzed, AuditScans(None))
    for _round in range(2):
        for i in range(50):
            assert kinds.kind(f"pkg.m{i}", 3) is ImportKind.TYPE_CHECKING
            assert kinds.kind(f"pkg.m{i}", 6) is ImportKind.FUNCTION
            assert kinds.kind(f"pkg.m{i}", 1) is ImportKind.RUNTIME
    assert kinds.read_modules == {f"pkg.m{i}" for i in range(50)}
