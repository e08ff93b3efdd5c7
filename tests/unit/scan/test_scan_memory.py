"""ScanMemory: scans of one changing tree that reuse the last walk for the files reported edited."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import write_tree

from archgraph.scan import ScanMemory, ScanOptions, scan
from archgraph.scan.finder import find_modules, refreshed

TREE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n",
    "pkg/b.py": "",
    "pkg/c.py": "",
}


def test_a_reported_edit_is_read_again_without_walking_the_tree(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",))
    assert scan(root, options, memory).model.imports_of("pkg.a") == {"pkg.b"}
    write_tree(root, {"pkg/a.py": "from pkg import c  # now c, a longer line\n"})
    memory.edited = {root / "pkg/a.py"}
    again = scan(root, options, memory)
    assert again.model.imports_of("pkg.a") == {"pkg.c"}
    assert again.model.facts(["pkg.a"])["pkg.a"].imports[0].module == "pkg"
    fresh = scan(root, options)
    assert sorted(again.model.iter_imports()) == sorted(fresh.model.iter_imports())
    assert memory.edited == set()  # consumed


def test_an_edit_the_last_walk_cannot_account_for_makes_the_scan_walk(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",))
    scan(root, options, memory)
    write_tree(root, {"pkg/d.py": "from pkg import a\n"})
    memory.edited = {root / "pkg/d.py"}
    assert "pkg.d" in scan(root, options, memory).model.internal_modules
    (root / "pkg/c.py").unlink()
    memory.edited = {root / "pkg/c.py"}
    assert "pkg.c" not in scan(root, options, memory).model.internal_modules


def test_refreshed_reads_stamps_again_and_refuses_what_it_did_not_find(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    found = find_modules(root, ["pkg"], [root])
    write_tree(root, {"pkg/b.py": "x = 1\n"})
    after = refreshed(found, [root / "pkg/b.py"])
    assert after is not None
    stamps = {s.module: s.stamp for t in after.trees for s in t.sources}
    assert stamps["pkg.b"][0] == len("x = 1\n")
    assert {s.module for t in after.trees for s in t.sources} == {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    assert refreshed(found, [root / "pkg/new.py"]) is None
    os.symlink(root / "pkg/b.py", root / "pkg/link.py")
    assert refreshed(found, [root / "pkg/link.py"]) is None
    assert refreshed(found, []) is found
