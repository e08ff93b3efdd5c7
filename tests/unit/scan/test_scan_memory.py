"""ScanMemory: scans of one changing tree that reuse the last walk for the files reported edited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import write_tree

from archgraph.scan import ScanMemory, ScanOptions, ScanOutcome, scan
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


def _edit(root: Path, memory: ScanMemory, files: dict[str, str | None]) -> None:
    """Write (or, for None, delete) files and report them to the memory, as trend's checkout does."""
    for relative, text in files.items():
        path = root / relative
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            # A stamp that differs even within the file system clock's tick (trend sets one too).
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert memory.edited is not None
        memory.edited.add(path)


def _graph_as_data(outcome: ScanOutcome) -> dict[str, object]:
    """Everything a contract can ask the graph: modules, imports, importers, lines."""
    model = outcome.model
    return {
        "modules": sorted(model.modules),
        "internal": sorted(model.internal_modules),
        "imports": {m: sorted(model.imports_of(m)) for m in model.sorted_modules},
        "importers": {m: sorted(model.importers_of(m)) for m in model.sorted_modules},
        "lines": {(a, b): model.step(a, b).lines for a, b in model.iter_imports()},
        "diagnostics": list(outcome.diagnostics),
    }


EDITS: list[dict[str, str | None]] = [
    {"pkg/a.py": "from pkg import b\nfrom pkg import c\n"},  # one more import: patched in place
    {"pkg/a.py": "\n\nfrom pkg import c\n"},  # one import fewer, its line moved
    {"pkg/b.py": "import os\nimport pkg.gone\n"},  # a new external name, a missing module (AG211)
    {"pkg/b.py": "", "pkg/c.py": "from .. import x\n"},  # a relative import above the package
    {"pkg/c.py": "def broken(:\n"},  # unparsable: reported, left out
    {"pkg/c.py": "import importlib\nimportlib.import_module('pkg.a')\n"},  # fixed; dynamic
    {"pkg/sub/__init__.py": "", "pkg/sub/d.py": "from pkg import a\n"},  # files added
    {"pkg/sub/d.py": None},  # a file removed
    {"pkg/a.py": "import pkg.sub\n"},
]


def test_scans_with_memory_see_every_edit_as_a_fresh_scan_does(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",), include_external_packages=True, include_dynamic_imports=True)
    previous = scan(root, options, memory)
    for step, files in enumerate(EDITS):
        _edit(root, memory, files)
        remembered = scan(root, options, memory)
        assert _graph_as_data(remembered) == _graph_as_data(scan(root, options)), f"edit {step}: {files}"
        previous = remembered
    codes = {d.code for d in previous.diagnostics}
    assert "AG211" not in codes  # the missing module's import went away again


def test_each_kind_of_finding_comes_and_goes_with_its_edit(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",))
    codes = []
    for files in EDITS[2:6]:
        _edit(root, memory, files)
        codes.append(sorted({d.code for d in scan(root, options, memory).diagnostics}))
    assert codes == [["AG211"], ["AG202"], ["AG201"], ["AG210"]]


def test_the_model_of_the_last_scan_refuses_questions_once_its_graph_moved_on(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",))
    first = scan(root, options, memory)
    _edit(root, memory, EDITS[0])
    second = scan(root, options, memory)
    assert second.model.imports_of("pkg.a") == {"pkg.b", "pkg.c"}
    with pytest.raises(RuntimeError, match="updated in place by a later scan"):
        first.model.graph.shortest_chain("pkg.a", "pkg.b")


def test_the_imports_version_changes_only_with_the_module_pairs(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",))
    versions = [scan(root, options, memory).model.graph.imports_version]
    edits: list[dict[str, str | None]] = [
        {"pkg/a.py": "\n\nfrom pkg import b  # moved down\n"},  # same pair, another line
        {"pkg/b.py": "x = 1\n"},  # no import at all
        {"pkg/a.py": "from pkg import b, c\n"},  # a new pair
        {"pkg/a.py": "from pkg import c\n"},  # one pair fewer
    ]
    for files in edits:
        _edit(root, memory, files)
        versions.append(scan(root, options, memory).model.graph.imports_version)
    same = [after is before for before, after in zip(versions, versions[1:], strict=False)]
    assert same == [True, True, False, False]


def test_the_graph_names_the_importers_changed_since_each_earlier_version(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    memory = ScanMemory(edited=set())
    options = ScanOptions(("pkg",))
    graphs = [scan(root, options, memory).model.graph]
    edits: list[dict[str, str | None]] = [
        {"pkg/a.py": "from pkg import b, c\n"},  # a new pair: pkg.a changed
        {"pkg/b.py": "\n\nx = 1\n"},  # no pair changed: the same version
        {"pkg/c.py": "from pkg import a\n"},  # pkg.c changed
        {"pkg/new.py": "import pkg.a\n"},  # a module more: nothing known of earlier graphs
        {"pkg/new.py": "import pkg.b\n"},
    ]
    versions = [graphs[0].imports_version]
    for files in edits:
        _edit(root, memory, files)
        graph = scan(root, options, memory).model.graph
        versions.append(graph.imports_version)
        graphs.append(graph)
    first, _, second, third, fourth, fifth = versions
    assert graphs[3].importers_changed_since(first) == {"pkg.a", "pkg.c"}
    assert graphs[3].importers_changed_since(second) == {"pkg.c"}
    assert graphs[3].importers_changed_since(third) == frozenset()
    assert graphs[4].importers_changed_since(third) is None
    assert graphs[5].importers_changed_since(fourth) == {"pkg.new"}
    assert graphs[5].importers_changed_since(first) is None
    assert fifth is not fourth
