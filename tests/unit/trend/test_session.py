"""TrendSession: scans of one changing tree that reuse the last walk for the files reported edited,
and what earlier scans found of unchanged files, and still see what a fresh scan sees."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import write_tree

from archgraph.scan import ScanOptions, ScanOutcome, scan
from archgraph.scan.finder import find_modules
from archgraph.scan.warm import refreshed
from archgraph.trend.session import TrendSession

TREE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n",
    "pkg/b.py": "",
    "pkg/c.py": "",
}


def test_a_reported_edit_is_read_again_without_walking_the_tree(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    session = TrendSession()
    options = ScanOptions(("pkg",))
    assert session.scan(root, options).model.imports_of("pkg.a") == {"pkg.b"}
    write_tree(root, {"pkg/a.py": "from pkg import c  # now c, a longer line\n"})
    session.edited([root / "pkg/a.py"])
    again = session.scan(root, options)
    assert again.model.imports_of("pkg.a") == {"pkg.c"}
    assert again.model.facts(["pkg.a"])["pkg.a"].imports[0].module == "pkg"
    fresh = scan(root, options)
    assert sorted(again.model.iter_imports()) == sorted(fresh.model.iter_imports())


def test_an_edit_the_last_walk_cannot_account_for_makes_the_scan_walk(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    session = TrendSession()
    options = ScanOptions(("pkg",))
    session.scan(root, options)
    write_tree(root, {"pkg/d.py": "from pkg import a\n"})
    session.edited([root / "pkg/d.py"])
    assert "pkg.d" in session.scan(root, options).model.internal_modules
    (root / "pkg/c.py").unlink()
    session.edited([root / "pkg/c.py"])
    assert "pkg.c" not in session.scan(root, options).model.internal_modules


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


def _edit(root: Path, session: TrendSession, files: dict[str, str | None]) -> None:
    """Write (or, for None, delete) files and report them to the session, as trend's checkout does."""
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
        session.edited([path])


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
    {"pkg/a.py": "from pkg import b\nfrom pkg import c\n"},  # one more import
    {"pkg/a.py": "\n\nfrom pkg import c\n"},  # one import fewer, its line moved
    {"pkg/b.py": "import os\nimport pkg.gone\n"},  # a new external name, a missing module (AG211)
    {"pkg/b.py": "", "pkg/c.py": "from .. import x\n"},  # a relative import above the package
    {"pkg/c.py": "def broken(:\n"},  # unparsable: reported, left out
    {"pkg/c.py": "import importlib\nimportlib.import_module('pkg.a')\n"},  # fixed; dynamic
    {"pkg/sub/__init__.py": "", "pkg/sub/d.py": "from pkg import a\n"},  # files added
    {"pkg/sub/d.py": None},  # a file removed
    {"pkg/a.py": "import pkg.sub\n"},
]


def test_scans_in_a_session_see_every_edit_as_a_fresh_scan_does(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    session = TrendSession()
    options = ScanOptions(("pkg",), include_external_packages=True, include_dynamic_imports=True)
    previous = session.scan(root, options)
    for step, files in enumerate(EDITS):
        _edit(root, session, files)
        remembered = session.scan(root, options)
        assert _graph_as_data(remembered) == _graph_as_data(scan(root, options)), f"edit {step}: {files}"
        previous = remembered
    codes = {d.code for d in previous.diagnostics}
    assert "AG211" not in codes  # the missing module's import went away again


def test_each_kind_of_finding_comes_and_goes_with_its_edit(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    root = tmp_path.resolve()
    session = TrendSession()
    options = ScanOptions(("pkg",))
    codes = []
    for files in EDITS[2:6]:
        _edit(root, session, files)
        codes.append(sorted({d.code for d in session.scan(root, options).diagnostics}))
    assert codes == [["AG211"], ["AG202"], ["AG201"], ["AG210"]]
