"""Governed import sites worked out commit after commit (shared scratch space) equal a fresh count."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import write_tree

from archgraph.rules.sites import imports_leaving
from archgraph.scan import ScanMemory, ScanOptions, scan

TREE = {
    "pkg/__init__.py": "",
    "pkg/low/__init__.py": "",
    "pkg/low/a.py": "import pkg.high.x\nimport os\n",
    "pkg/low/b.py": "from pkg.low import a\n",
    "pkg/high/__init__.py": "",
    "pkg/high/x.py": "",
    "pkg/other.py": "",
}

EDITS: list[dict[str, str]] = [
    {"pkg/low/b.py": "from pkg.low import a\nimport pkg.other\n"},  # a site more
    {"pkg/low/a.py": "import os\n"},  # a site fewer
    {"pkg/low/a.py": "\n\nimport os\n"},  # lines only
    {"pkg/low/b.py": "import pkg.high\nimport pkg.other\n"},
    {"pkg/low/c.py": "import pkg.other\n"},  # a module more: the graph is built anew
    {"pkg/low/c.py": "import pkg.low.a\n"},  # a site fewer, after the new build
]


def test_sites_shared_between_scans_equal_a_fresh_count(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",), include_external_packages=True)
    counts = []
    for files in [{}, *EDITS]:
        for relative, text in files.items():
            path = root / relative
            path.write_text(text)
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
            assert memory.edited is not None
            memory.edited.add(path)
        shared = scan(root, options, memory).model
        fresh = scan(root, options).model
        assert shared.shared is not None and fresh.shared is None
        for accepted in (fresh.internal_modules, fresh.modules):  # two contracts on one subtree
            assert imports_leaving(shared, ["pkg.low"], accepted) == imports_leaving(fresh, ["pkg.low"], accepted)
        counts.append(len(imports_leaving(shared, ["pkg.low"], shared.modules)))
    assert counts == [2, 3, 2, 2, 3, 4, 3]
