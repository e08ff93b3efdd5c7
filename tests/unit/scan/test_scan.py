"""The scanner: one fixture tree per blind spot, each asserting the module set AND the diagnostics.

Every tree is real files in tmp_path, scanned by archgraph's walk plus grimp's scanner.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import grimp
import pytest
from helpers import brief, imports_of, modules_of, scan_tree, write_tree

from archgraph.diagnostics import ArchgraphError
from archgraph.scan import grimp_api, unparsable

GOOD = {
    "pkg/__init__.py": "",
    "pkg/a.py": "import pkg.b\n",
    "pkg/b.py": "x = 1\n",
}


def test_plain_package(tmp_path: Path) -> None:
    outcome = scan_tree(write_tree(tmp_path, GOOD))
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b"}
    assert imports_of(outcome) == {("pkg.a", "pkg.b")}
    assert outcome.diagnostics == ()
    assert outcome.model.file_of("pkg.a") == Path("pkg/a.py")
    assert outcome.model.step("pkg.a", "pkg.b").lines == (1,)
    assert (outcome.summary.modules, outcome.summary.imports, outcome.summary.files) == (3, 1, 3)


NAMESPACE = {
    "nsdemo/__init__.py": "",
    "nsdemo/a.py": "from nsdemo.ns import thing\nimport nsdemo.ns.deep.leaf\n",
    "nsdemo/ns/thing.py": "import nsdemo.b\n",
    "nsdemo/ns/deep/leaf.py": "from .. import thing\n",
    "nsdemo/b.py": "",
    "nsdemo/empty/": "",
}


def test_namespace_directory_inside_a_package_is_analyzed(tmp_path: Path) -> None:
    outcome = scan_tree(write_tree(tmp_path, NAMESPACE), "nsdemo")
    assert modules_of(outcome) == {
        "nsdemo",
        "nsdemo.a",
        "nsdemo.b",
        "nsdemo.ns",
        "nsdemo.ns.thing",
        "nsdemo.ns.deep",
        "nsdemo.ns.deep.leaf",
    }
    assert imports_of(outcome) == {
        ("nsdemo.a", "nsdemo.ns.thing"),
        ("nsdemo.a", "nsdemo.ns.deep.leaf"),
        ("nsdemo.ns.thing", "nsdemo.b"),
        ("nsdemo.ns.deep.leaf", "nsdemo.ns.thing"),
    }
    assert outcome.model.namespace_modules == {"nsdemo.ns", "nsdemo.ns.deep"}
    assert outcome.model.file_of("nsdemo.ns") is None
    assert outcome.diagnostics == ()
    assert outcome.summary.namespace_modules == 2


def test_grimp_alone_loses_the_namespace_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blind spot archgraph's own walk exists for."""
    write_tree(tmp_path, NAMESPACE)
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("nsdemo", cache_dir=None)
    assert "nsdemo.ns.thing" not in graph.modules
    assert graph.find_modules_directly_imported_by("nsdemo.a") == set()
    assert "nsdemo" not in sys.modules  # grimp looked the package up; nobody imported it


def test_namespace_directories_can_be_turned_off(tmp_path: Path) -> None:
    outcome = scan_tree(write_tree(tmp_path, NAMESPACE), "nsdemo", include_namespace_dirs=False)
    assert modules_of(outcome) == {"nsdemo", "nsdemo.a", "nsdemo.b"}
    assert imports_of(outcome) == set()
    assert brief(outcome.diagnostics) == [("AG203", "warning", "nsdemo/ns", None)]
    (diagnostic,) = outcome.diagnostics
    assert diagnostic.message == "namespace directory skipped (2 Python files not analyzed)"
    assert diagnostic.hint == "set include_namespace_dirs = true to analyze it"


def test_names_that_are_not_module_names(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/bad-dir/m.py": "import pkg.a\n",
            "pkg/bad-dir/n.py": "",
            "pkg/a.b.py": "import pkg.a\n",
            "pkg/my-module.py": "import pkg.a\n",
            "pkg/class.py": "import pkg.a\n",
            "pkg/2fast.py": "",
            "pkg/notes.txt": "not python",
            "pkg/no-python-here/readme.md": "",
            "pkg/__pycache__/a.cpython-311.py": "",
            "pkg/.hidden/h.py": "",
        },
    )
    outcome = scan_tree(tmp_path)
    # importlib loads names an import statement cannot spell (Django's migrations/0001_x.py,
    # locale/is/), so they are modules, noted at info level; only extra dots make a name unloadable.
    assert modules_of(outcome) == {
        "pkg",
        "pkg.a",
        "pkg.b",
        "pkg.bad-dir",
        "pkg.bad-dir.m",
        "pkg.bad-dir.n",
        "pkg.my-module",
        "pkg.class",
        "pkg.2fast",
    }
    assert ("pkg.my-module", "pkg.a") in imports_of(outcome)
    assert ("pkg.bad-dir.m", "pkg.a") in imports_of(outcome)
    assert brief(outcome.diagnostics) == [
        ("AG205", "info", "pkg/2fast.py", None),
        # __pycache__ is walked like any directory (a pull request can put modules there)
        ("AG204", "warning", "pkg/__pycache__/a.cpython-311.py", None),
        ("AG204", "warning", "pkg/a.b.py", None),
        ("AG205", "info", "pkg/bad-dir", None),
        ("AG205", "info", "pkg/class.py", None),
        ("AG205", "info", "pkg/my-module.py", None),
    ]
    messages = {d.location.path.name: d.message for d in outcome.diagnostics if d.location}
    assert messages["a.b.py"] == "file name 'a.b.py' cannot be a module name (extra dots); not analyzed"
    assert messages["my-module.py"] == (
        "file name 'my-module.py' is not a Python identifier; analyzed as a module that only"
        " importlib can load"
    )


def test_syntax_error_is_reported_and_the_rest_analyzed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/broken.py": '''
                """Docs.

                Heading
                =======
                """
                import pkg.a

                def f(:
                    pass
            ''',
        },
    )
    outcome = scan_tree(tmp_path)
    # The module still exists (Python would find the file), with no known imports.
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.broken"}
    assert imports_of(outcome) == {("pkg.a", "pkg.b")}
    assert brief(outcome.diagnostics) == [("AG201", "warning", "pkg/broken.py", 8)]
    assert outcome.diagnostics[0].message == "syntax error: def f(:; file not analyzed"
    assert outcome.summary.files == 3


def test_conflict_markers_next_to_good_files(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/c.py": "import pkg.b\n",
            "pkg/merged.py": (
                "import pkg.a\n\n<<<<<<< HEAD\nX = 1\n=======\nX = 2\n>>>>>>> feature\n"
            ),
        },
    )
    outcome = scan_tree(tmp_path)
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.merged"}
    assert imports_of(outcome) == {("pkg.a", "pkg.b"), ("pkg.c", "pkg.b")}
    assert brief(outcome.diagnostics) == [("AG201", "warning", "pkg/merged.py", 3)]
    assert outcome.diagnostics[0].message == "unresolved merge-conflict markers; file not analyzed"


def test_undecodable_and_nul_files(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/latin.py": b'import pkg.a\ns = "caf\xe9"\n',
            "pkg/declared.py": b'# -*- coding: latin-1 -*-\nimport pkg.a\ns = "caf\xe9"\n',
            "pkg/nul.py": b"import pkg.a\n\nx = 1\x00\n",
        },
    )
    outcome = scan_tree(tmp_path)
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.declared", "pkg.latin", "pkg.nul"}
    assert imports_of(outcome) == {("pkg.a", "pkg.b"), ("pkg.declared", "pkg.a")}
    assert brief(outcome.diagnostics) == [
        ("AG201", "warning", "pkg/latin.py", 2),
        ("AG201", "warning", "pkg/nul.py", 3),
    ]
    assert [d.message for d in outcome.diagnostics] == [
        "file is not valid UTF-8 and declares no encoding; file not analyzed",
        "file contains NUL bytes; file not analyzed",
    ]


TYPE_CHECKING_TREE = {
    **GOOD,
    "pkg/typed.py": """
        from __future__ import annotations
        from typing import TYPE_CHECKING

        import pkg.a

        if TYPE_CHECKING:
            from pkg.b import x
    """,
}


@pytest.mark.parametrize(
    ("exclude", "expected"),
    [
        (False, {("pkg.a", "pkg.b"), ("pkg.typed", "pkg.a"), ("pkg.typed", "pkg.b")}),
        (True, {("pkg.a", "pkg.b"), ("pkg.typed", "pkg.a")}),
    ],
)
def test_type_checking_imports(
    tmp_path: Path, exclude: bool, expected: set[tuple[str, str]]
) -> None:
    outcome = scan_tree(
        write_tree(tmp_path, TYPE_CHECKING_TREE), exclude_type_checking_imports=exclude
    )
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.typed"}
    assert imports_of(outcome) == expected
    assert outcome.diagnostics == ()


def test_relative_import_above_the_top_package(tmp_path: Path) -> None:
    """grimp's scanner panics two levels up and invents a module '' one level up: neither leaks."""
    write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/sub/__init__.py": "",
            # pkg.sub.m: `...` is one level above pkg; grimp drops it or resolves it to ''.
            "pkg/sub/m.py": "from ... import foo\nimport pkg.a\n",
            # pkg.far: `....` is three levels above pkg; grimp's Rust scanner panics on it.
            "pkg/far.py": "import pkg.b\n\nfrom .... import foo\n",
        },
    )
    outcome = scan_tree(tmp_path)
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.far", "pkg.sub", "pkg.sub.m"}
    assert imports_of(outcome) == {("pkg.a", "pkg.b"), ("pkg.sub.m", "pkg.a")}
    # Without external packages grimp drops the one-level climb silently; the import audit
    # reports it all the same.
    assert brief(outcome.diagnostics) == [
        ("AG202", "warning", "pkg/far.py", 3),
        ("AG202", "warning", "pkg/sub/m.py", 1),
    ]
    assert outcome.diagnostics[0].message == (
        "relative import goes 3 levels above the top-level package (grimp cannot scan it);"
        " file not analyzed"
    )

    with_externals = scan_tree(tmp_path, include_external_packages=True)
    assert "" not in with_externals.model.modules
    assert imports_of(with_externals) == imports_of(outcome)
    assert brief(with_externals.diagnostics) == [
        ("AG202", "warning", "pkg/far.py", 3),
        ("AG202", "warning", "pkg/sub/m.py", 1),
    ]
    assert with_externals.diagnostics[1].message == (
        "relative import goes 1 level above the top-level package; import ignored"
    )


def test_cycle(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "from . import c\n",
            "pkg/c.py": "import pkg.a\n",
        },
    )
    outcome = scan_tree(tmp_path)
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    assert imports_of(outcome) == {("pkg.a", "pkg.b"), ("pkg.b", "pkg.c"), ("pkg.c", "pkg.a")}
    assert outcome.diagnostics == ()


EXTERNAL = {
    "pkg/__init__.py": "import os.path\nimport requests.adapters\nfrom pkg import a\n",
    "pkg/a.py": "from collections import OrderedDict\n",
}


def test_external_packages_are_left_out_by_default(tmp_path: Path) -> None:
    outcome = scan_tree(write_tree(tmp_path, EXTERNAL))
    assert outcome.model.modules == {"pkg", "pkg.a"}
    assert outcome.diagnostics == ()


def test_external_packages_option(tmp_path: Path) -> None:
    outcome = scan_tree(write_tree(tmp_path, EXTERNAL), include_external_packages=True)
    model = outcome.model
    # External modules are squashed to their top-level package.
    assert model.modules == {"pkg", "pkg.a", "os", "requests", "collections"}
    assert model.internal_modules == {"pkg", "pkg.a"}
    assert model.imports_of("pkg") == {"os", "requests", "pkg.a"}
    assert outcome.summary.modules == 2
    assert outcome.diagnostics == ()


def test_two_root_packages_in_a_src_layout(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/alpha/__init__.py": "import beta.b\n",
            "src/alpha/x.py": "",
            "src/beta/__init__.py": "from alpha import x\n",
            "src/beta/b.py": "import alpha\n",
            "tests/test_alpha.py": "import alpha\n",
        },
    )
    outcome = scan_tree(tmp_path, "alpha", "beta")
    assert modules_of(outcome) == {"alpha", "alpha.x", "beta", "beta.b"}
    assert imports_of(outcome) == {
        ("alpha", "beta.b"),
        ("beta", "alpha.x"),
        ("beta.b", "alpha"),
    }
    assert outcome.model.file_of("beta.b") == Path("src/beta/b.py")
    assert outcome.diagnostics == ()


def test_explicit_source_root(tmp_path: Path) -> None:
    write_tree(tmp_path, {"lib/python/pkg/__init__.py": "", "lib/python/pkg/a.py": "import pkg\n"})
    outcome = scan_tree(tmp_path, source_roots=["lib/python"])
    assert modules_of(outcome) == {"pkg", "pkg.a"}
    assert outcome.model.file_of("pkg.a") == Path("lib/python/pkg/a.py")


def test_exclude_patterns(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/generated/__init__.py": "",
            "pkg/generated/models.py": "import pkg.a\n",
            "pkg/tests/test_a.py": "import pkg.a\n",
            "pkg/sub/tests/test_b.py": "import pkg.b\n",
            "pkg/sub/__init__.py": "",
        },
    )
    outcome = scan_tree(tmp_path, exclude=["pkg.generated", "**.tests"])
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.sub"}
    assert outcome.diagnostics == ()


def test_root_package_not_found(tmp_path: Path) -> None:
    write_tree(tmp_path, GOOD)
    with pytest.raises(ArchgraphError, match=r"root package\(s\) not found: nope"):
        scan_tree(tmp_path, "nope")


def test_single_module_root_is_refused_clearly(tmp_path: Path) -> None:
    """grimp's scanner panics on a root that is a module file; archgraph says so first."""
    write_tree(tmp_path, {**GOOD, "single.py": "import pkg\n"})
    with pytest.raises(
        ArchgraphError, match=r"single are single modules \(single.py\), not packages"
    ):
        scan_tree(tmp_path, "pkg", "single")


BAD_FILES = {
    **GOOD,
    "pkg/broken.py": "import pkg.a\ndef f(:\n",
    "pkg/merged.py": "<<<<<<< HEAD\n",
    "pkg/far.py": "from .... import x\n",
    "pkg/c.py": "import pkg.b\n",
}


def count_grimp_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of files grimp's scanner was asked to scan, one entry per call."""
    calls: list[int] = []
    real = grimp_api.scan_for_imports

    def spy(**kwargs: Any) -> object:
        calls.append(len(kwargs["module_files"]))
        return real(**kwargs)

    monkeypatch.setattr(grimp_api, "scan_for_imports", spy)
    return calls


def test_warm_cache_gives_the_same_result_without_rescanning_bad_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "project", BAD_FILES)
    cache = tmp_path / "cache"
    calls = count_grimp_scans(monkeypatch)

    cold = scan_tree(root, cache_dir=cache)
    assert len(calls) == 4  # one attempt per bad file, then the good scan
    assert brief(cold.diagnostics) == [
        ("AG201", "warning", "pkg/broken.py", 2),
        ("AG202", "warning", "pkg/far.py", 1),
        ("AG201", "warning", "pkg/merged.py", 1),
    ]
    assert (cache / unparsable.BAD_FILES_NAME).is_file()

    calls.clear()
    warm = scan_tree(root, cache_dir=cache)
    assert calls == []  # the known-bad files were left out up front, the others cached
    assert warm.diagnostics == cold.diagnostics
    assert warm.summary == cold.summary
    assert modules_of(warm) == modules_of(cold)
    assert imports_of(warm) == imports_of(cold) == {("pkg.a", "pkg.b"), ("pkg.c", "pkg.b")}


def test_a_fixed_file_is_scanned_again(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", BAD_FILES)
    cache = tmp_path / "cache"
    scan_tree(root, cache_dir=cache)
    (root / "pkg/broken.py").write_text("import pkg.a\ndef f():\n    pass\n")
    outcome = scan_tree(root, cache_dir=cache)
    assert ("pkg.broken", "pkg.a") in imports_of(outcome)
    assert [d.location.path.name for d in outcome.diagnostics if d.location] == [
        "far.py",
        "merged.py",
    ]


def test_a_file_that_breaks_after_a_warm_run_is_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", GOOD)
    cache = tmp_path / "cache"
    assert scan_tree(root, cache_dir=cache).diagnostics == ()
    (root / "pkg/a.py").write_text("import pkg.b\n<<<<<<< HEAD\n")
    outcome = scan_tree(root, cache_dir=cache)
    assert brief(outcome.diagnostics) == [("AG201", "warning", "pkg/a.py", 2)]
    assert imports_of(outcome) == set()


def test_namespace_root_package(tmp_path: Path) -> None:
    """A root package without __init__.py (PEP 420) is a module of the graph too."""
    write_tree(
        tmp_path,
        {
            "company/billing/__init__.py": "from company import shared\n",
            "company/shared.py": "",
        },
    )
    outcome = scan_tree(tmp_path, "company")
    assert modules_of(outcome) == {"company", "company.billing", "company.shared"}
    assert imports_of(outcome) == {("company.billing", "company.shared")}
    assert outcome.model.namespace_modules == {"company"}
    assert outcome.diagnostics == ()


def test_files_and_facts_are_read_without_the_import_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`families` reads files and facts only: grimp's scanner is never asked, and what it gets
    has no import graph that could answer "no imports" to a contract."""
    from archgraph.scan import ScanOptions, scan_files  # noqa: PLC0415

    def refuse(**_arguments: object) -> None:
        raise AssertionError("grimp's scanner was asked for imports")

    monkeypatch.setattr(grimp_api, "scan_for_imports", refuse)
    root = write_tree(tmp_path, {**GOOD, "pkg/shapes.py": "class Shape:\n    pass\n"})
    sources = scan_files(root, ScanOptions(("pkg",))).sources
    assert "pkg.shapes" in sources.files
    assert [c.qualname for c in sources.class_model.classes] == ["pkg.shapes.Shape"]
    assert not hasattr(sources, "graph") and not hasattr(sources, "imports_of")
