"""The grimp adapter against the installed grimp: every private name it relies on is there and
still behaves as archgraph expects (on a real tree), and the version guard refuses the rest.

These fail first, and by name, when a grimp release moves what the adapter uses.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from helpers import write_tree

from archgraph.diagnostics import ArchgraphError
from archgraph.scan import grimp_api

ROOT = Path(__file__).resolve().parents[3]

TREE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "import pkg.b\nfrom . import c\nimport os\n\ndef f():\n    from pkg.sub import d\n",
    "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.c\n",
    "pkg/c.py": "",
    "pkg/sub/__init__.py": "",
    "pkg/sub/d.py": "from .. import b\nlazy import pkg.c\n",  # PEP 810 syntax, read on any Python
}
MODULES = ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d")


def scan(root: Path, modules: tuple[str, ...] = MODULES, **options: bool) -> dict[str, tuple[object, ...]]:
    package = grimp_api.found_package("pkg", str(root / "pkg"), MODULES, ())
    return grimp_api.scan_for_imports(
        module_files=[(m, 0.0) for m in modules],
        found_packages={package},
        include_external_packages=options.get("external", False),
        exclude_type_checking_imports=options.get("no_type_checking", False),
    )


@pytest.mark.parametrize("version", ["3.17", "3.5", "2.5", "4.0", "4.1.2", "10.0", "", "dev"])
def test_the_version_guard_refuses_versions_outside_the_supported_range(version: str) -> None:
    with pytest.raises(ArchgraphError) as raised:
        grimp_api.check_version(version)
    assert str(raised.value) == (
        f"grimp {version} is installed; archgraph needs grimp>=3.18,<4 "
        "(for example: pip install 'grimp>=3.18,<4')"
    )


@pytest.mark.parametrize("version", ["3.18", "3.20", "3.21b1", "3.99.1"])
def test_the_version_guard_accepts_the_supported_range(version: str) -> None:
    grimp_api.check_version(version)


def test_the_installed_grimp_is_supported_and_the_requirement_says_the_same() -> None:
    grimp_api.check_version(grimp.__version__)
    assert grimp_api.VERSION == grimp.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert f"grimp{grimp_api.SUPPORTED_RANGE}" in project["dependencies"]


def test_the_scanner_reports_each_files_imports_sorted_with_lines_and_lazy_flags(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    assert scan(root) == {
        "pkg": (),
        "pkg.a": (
            ("pkg.b", 1, "import pkg.b", False),
            ("pkg.c", 2, "from . import c", False),
            ("pkg.sub.d", 6, "from pkg.sub import d", False),
        ),
        "pkg.b": (("pkg.c", 3, "import pkg.c", False),),
        "pkg.c": (),
        "pkg.sub": (),
        "pkg.sub.d": (("pkg.b", 1, "from .. import b", False), ("pkg.c", 2, "lazy import pkg.c", True)),
    }
    with_externals = scan(root, ("pkg.a", "pkg.b"), external=True, no_type_checking=True)
    assert with_externals == {
        "pkg.a": (
            ("os", 3, "import os", False),
            ("pkg.b", 1, "import pkg.b", False),
            ("pkg.c", 2, "from . import c", False),
            ("pkg.sub.d", 6, "from pkg.sub import d", False),
        ),
        "pkg.b": (("typing", 1, "from typing import TYPE_CHECKING", False),),
    }


def test_a_scan_in_batches_gives_the_rows_of_one_scan_with_one_string_per_module_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large tree is scanned a batch of modules at a time (only one batch's objects alive):
    the rows are those of a single call, every imported name the one interned string."""
    root = write_tree(tmp_path, TREE)
    whole = scan(root)
    real = grimp_api._rustgrimp.scan_for_imports
    batches: list[int] = []

    def counted(**arguments: Any) -> Any:
        batches.append(len(arguments["module_files"]))
        return real(**arguments)

    monkeypatch.setattr(grimp_api._rustgrimp, "scan_for_imports", counted)
    monkeypatch.setattr(grimp_api, "SMALLEST_BATCH", 1)
    batched = scan(root)
    assert batches == [2, 2, 2]  # 6 modules in at most SCAN_BATCHES (4) calls
    assert batched == whole
    names = [row[0] for rows in batched.values() for row in rows] + list(batched)
    assert names.count("pkg.c") == 4  # imported three times, and a module
    assert len({id(name) for name in names}) == len(set(names))  # one string per name


def test_the_scanner_raises_what_the_scan_recovers_from(tmp_path: Path) -> None:
    """A syntax error names the file and line; an undecodable file is a UnicodeError naming
    the file; a relative import two levels above the top package panics (a BaseException
    whose type is pyo3's PanicException)."""
    root = write_tree(tmp_path, {**TREE, "pkg/c.py": "import pkg.b\ndef f(:\n"})
    with pytest.raises(grimp_api.SourceSyntaxError) as syntax:
        scan(root)
    assert (Path(syntax.value.filename), syntax.value.lineno) == (root / "pkg/c.py", 2)

    (root / "pkg/c.py").write_bytes(b"x = '\xff'\n")
    with pytest.raises(UnicodeError, match=re.escape(str(root / "pkg/c.py"))):
        scan(root)

    (root / "pkg/c.py").write_text("from .... import x\n")
    with pytest.raises(BaseException) as panic:  # pyo3_runtime is not importable
        scan(root)
    assert type(panic.value).__name__ == "PanicException"


def test_the_import_graph_takes_modules_imports_and_layers() -> None:
    graph = grimp_api.ImportGraph()
    for module in ("pkg", "pkg.high", "pkg.low"):
        graph.add_module(module)
    graph.add_module("os", is_squashed=True)
    graph.add_import(importer="pkg.low", imported="pkg.high", line_number=4, line_contents="import pkg.high", is_lazy=True)
    graph.add_import(importer="pkg.low", imported="os", line_number=1, line_contents="import os", is_lazy=False)
    assert graph.get_import_details(importer="pkg.low", imported="pkg.high") == [
        {"importer": "pkg.low", "imported": "pkg.high", "line_number": 4, "line_contents": "import pkg.high", "is_lazy": True}
    ]
    (dependency,) = graph.find_illegal_dependencies_for_layers(
        layers=[grimp_api.Layer("high"), grimp_api.Layer("low", independent=True)], containers={"pkg"}
    )
    assert (dependency.importer, dependency.imported) == ("pkg.low", "pkg.high")
    with pytest.raises(grimp_api.ModuleNotPresent):
        graph.find_modules_directly_imported_by("pkg.missing")
