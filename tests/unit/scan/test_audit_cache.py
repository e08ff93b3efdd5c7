"""The import audit reads each file once per version: warm runs answer from its cache, and an
edited file is read again."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import brief, scan_tree, write_tree

from archgraph.diagnostics import ImportKind
from archgraph.scan import cache_file
from archgraph.scan.audit import AUDIT_CACHE_NAME, AUDIT_CACHE_VERSION, valid_scans

TREE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "import pkg.b\nimport pkg.gone\n",
    "pkg/b.py": "import importlib\nimportlib.import_module('pkg.a')\n",
}


def audit_findings(root: Path, cache: Path) -> list[tuple[str, str | None, int | None]]:
    outcome = scan_tree(root, cache_dir=cache)
    return [(code, path, line) for code, _severity, path, line in brief(outcome.diagnostics)]


def test_warm_runs_report_what_cold_runs_do_and_edits_are_seen(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"
    cold = audit_findings(root, cache)
    assert cold == [("AG211", "pkg/a.py", 2), ("AG210", "pkg/b.py", 2)]
    assert (cache / AUDIT_CACHE_NAME).is_file()
    assert audit_findings(root, cache) == cold  # warm: from the cache

    edited = root / "pkg/a.py"
    edited.write_text("import pkg.b\n\n\nimport pkg.gone  # moved\n")
    stat = edited.stat()
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))  # a visibly new mtime
    assert audit_findings(root, cache) == [("AG211", "pkg/a.py", 4), ("AG210", "pkg/b.py", 2)]

    edited.write_text("import pkg.b\n")
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 20_000_000))
    assert audit_findings(root, cache) == [("AG210", "pkg/b.py", 2)]


def test_a_module_appearing_makes_an_old_import_valid_without_rereading_the_importer(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"
    assert ("AG211", "pkg/a.py", 2) in audit_findings(root, cache)
    (root / "pkg/gone.py").write_text("")
    assert ("AG211", "pkg/a.py", 2) not in audit_findings(root, cache)


def test_the_literal_led_searches_find_what_the_patterns_find() -> None:
    """`_import_lines` and `_climb` are faster spellings of `_IMPORT_LINE` and `_CLIMBING`
    (on lines that no backslash continues); `_climb` also counts the dots."""
    import random  # noqa: PLC0415
    import re  # noqa: PLC0415

    from archgraph.scan.file_scan import _CLIMBING, _IMPORT_LINE, _climb, _import_lines  # noqa: PLC0415

    pieces = [b"import", b"from", b" ", b"\t", b"\n", b"\r\n", b".", b"..", b"a", b"x.y", b",",
              b"\\", b"#", b"important", b"_", "é".encode()]
    chooser = random.Random(11)
    compared = 0
    for _ in range(5000):
        data = b"".join(chooser.choice(pieces) for _ in range(chooser.randrange(0, 30)))
        assert (_climb(data) >= 2) == (_CLIMBING.search(data) is not None), data
        dots = [m.group(1).count(b".") for m in re.finditer(rb"\bfrom[\s\\]*(\.[\s\\]*\.[\s\\.]*)", data)]
        assert _climb(data) == max(dots, default=0), data
        if re.search(rb"\\\r?\n", data):
            continue  # joined lines: see test_backslash_continued_imports_are_read_as_one_line
        expected = [m.groups() for m in _IMPORT_LINE.finditer(data)]
        assert list(_import_lines(data)) == expected, data
        compared += 1
    assert compared > 3000


def test_dynamic_imports_are_calls_whose_function_ends_in_the_name() -> None:
    from archgraph.scan.file_scan import dynamic_imports  # noqa: PLC0415

    source = (
        b'import importlib\n'
        b'a = importlib.import_module("pkg.a")\n'
        b'b = import_module("pkg.b")\n'
        b'c = __import__("pkg.c")\n'
        b'd = f().import_module(\n    "pkg.d")\n'
        b'e = my_import_module("pkg.e")\n'
        b'f = importlib . import_module("pkg.f")\n'
        b'g = import_module(name)\n'
        b'h = "import_module"\n'
        b'i = import_module(f"pkg.{x}")\n'
        b'if x:\n    j = import_module("pkg.j")\n'
    )
    assert dynamic_imports(source) == [
        (2, "pkg.a"), (3, "pkg.b"), (4, "pkg.c"), (6, "pkg.d"), (13, "pkg.j")
    ]


def test_kept_import_kinds_are_checked_when_the_cache_is_read() -> None:
    stamp = (1, 2, 3, 4)
    entry = [stamp, 0, (), (), None, ((3, "type_checking"), (9, "lazy")), (), None, None]
    assert valid_scans(({"pkg/a.py": entry},))
    for kinds in (((3, "typing"),), (("3", "lazy"),), [(3, "lazy")], ((3, None),)):
        assert not valid_scans(({"pkg/a.py": [*entry[:5], kinds, (), None, None]},)), kinds
        assert not valid_scans(({"pkg/a.py": [*entry[:8], kinds]},)), kinds
    assert valid_scans(({"pkg/a.py": [*entry[:5], None, (), None, None]},))  # kinds not read yet
    assert valid_scans(({"pkg/a.py": [*entry[:8], ((5, "runtime"), (7, "function"))]},))
    assert not valid_scans(({"pkg/a.py": entry[:5]},))  # an entry written before kinds were kept


def test_kept_suppressions_are_checked_when_the_cache_is_read() -> None:
    entry = [(1, 2, 3, 4), 0, (), (), None, (), ((2, "archgraph: ignore[x] -- why", True),), None, None]
    assert valid_scans(({"pkg/a.py": entry},))
    for suppressions in (((2, "text"),), (("2", "t", True),), ((2, "t", 1),), [(2, "t", True)], None):
        assert not valid_scans(({"pkg/a.py": [*entry[:6], suppressions, None, None]},)), suppressions
    assert not valid_scans(({"pkg/a.py": entry[:6]},))  # written before suppressions were kept


def test_kept_dynamic_imports_are_checked_when_the_cache_is_read() -> None:
    entry = [(1, 2, 3, 4), 0, ("pkg.plugins.a", "numpy"), (), None, None, (), ((7, "pkg.plugins.a"),), None]
    assert valid_scans(({"pkg/a.py": entry},))
    assert valid_scans(({"pkg/a.py": [*entry[:7], None, None]},))  # not parsed for them yet
    for calls in (((7,),), (("7", "pkg.a"),), [(7, "pkg.a")], ((7, None),)):
        assert not valid_scans(({"pkg/a.py": [*entry[:7], calls, None]},)), calls
    for names in (((7, "pkg.a"),), (None,), ["pkg.a"]):
        assert not valid_scans(({"pkg/a.py": [entry[0], 0, names, *entry[3:]]},)), names
    assert not valid_scans(({"pkg/a.py": entry[:7]},))  # written before the calls were kept


def stored_kinds(cache: Path) -> dict[str, object]:
    """By file name (the modules other than the package), the kinds its cache entry holds."""
    stored = cache_file.load(cache / AUDIT_CACHE_NAME, AUDIT_CACHE_VERSION, valid_scans)
    assert stored is not None
    return {Path(path).stem: entry[5] for path, entry in stored[0].items() if "__init__" not in path}


def test_import_kinds_are_read_when_asked_for_and_only_from_the_scanned_version(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "project", {
        "pkg/__init__.py": "",
        "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.b\n",
        "pkg/b.py": "def f():\n    import pkg.c\n",
        "pkg/c.py": "import pkg.b\n",
    })
    cache = tmp_path / "cache"
    outcome = scan_tree(root, cache_dir=cache)
    model = outcome.model
    assert stored_kinds(cache) == {"a": None, "b": None, "c": None}  # none read by the scan

    assert model.kind_of("pkg.a", 3) is ImportKind.TYPE_CHECKING
    assert model.step("pkg.b", "pkg.c").kinds == (ImportKind.FUNCTION,)
    assert model.kinds_of("pkg.c", "pkg.b") == (ImportKind.RUNTIME,)
    assert dict(model.import_kinds) == {
        "pkg.a": {3: ImportKind.TYPE_CHECKING}, "pkg.b": {2: ImportKind.FUNCTION}
    }
    outcome.keep_read_kinds()  # for the next run
    assert stored_kinds(cache) == {"a": ((3, "type_checking"),), "b": ((2, "function"),), "c": ()}

    fresh = scan_tree(root).model
    (root / "pkg/a.py").write_text("import pkg.b\n\n\n\n\nif False:\n    import pkg.c\n")
    # the graph holds the lines of the version scanned: another's kinds would not match them
    assert fresh.kind_of("pkg.a", 3) is ImportKind.RUNTIME
    assert model.kind_of("pkg.a", 3) is ImportKind.TYPE_CHECKING  # read before the edit: kept
