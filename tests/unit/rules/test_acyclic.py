"""`acyclic`: the children of each package must not import each other in a cycle."""

from __future__ import annotations

from pathlib import Path

from helpers import check, write_tree

from archgraph.diagnostics import Diagnostic, ImportStep, Location, Severity, Violation

TREE = {
    "pkg/__init__.py": "",
    "pkg/a/__init__.py": "",
    "pkg/a/x.py": "import pkg.b.y\n",
    "pkg/b/__init__.py": "",
    "pkg/b/y.py": "# b\nimport pkg.c\n",
    "pkg/b/z.py": "import pkg.a\n",
    "pkg/c.py": "\n\nfrom pkg.a import x\n",
    "pkg/d.py": "import pkg.a.x\n",
    "pkg/a/inner.py": "import pkg.a.x2\n",
    "pkg/a/x2.py": "import pkg.a.inner\n",
}
ACYCLIC = {"name": "No cycles", "type": "acyclic", "packages": ["pkg"]}


def cycle(package: str, names: list[str], *steps: tuple[str, str, int]) -> Violation:
    first = steps[0]
    return Violation(
        code="AG140",
        contract="no-cycles",
        message=f"import cycle in {package}: " + " -> ".join(names),
        chain=tuple(ImportStep(a, b, (line,)) for a, b, line in steps),
        location=Location(Path(first[0].replace(".", "/") + ".py"), first[2]),
    )


def breaker(package: str, importer: str, imported: str, file: str, line: int) -> Diagnostic:
    return Diagnostic(
        "AG141",
        Severity.INFO,
        f"to break every cycle in {package}, remove the import {importer} -> {imported}",
        location=Location(Path(file), line),
    )


THREE = cycle(
    "pkg",
    ["pkg.a", "pkg.b", "pkg.c", "pkg.a"],
    ("pkg.a.x", "pkg.b.y", 1),
    ("pkg.b.y", "pkg.c", 2),
    ("pkg.c", "pkg.a.x", 3),
)
# One example import per hop: the chain is not continuous (pkg.b.z is not pkg.b.y).
TWO = cycle("pkg", ["pkg.a", "pkg.b", "pkg.a"], ("pkg.a.x", "pkg.b.y", 1), ("pkg.b.z", "pkg", 1))
INNER = cycle(
    "pkg.a",
    ["pkg.a.inner", "pkg.a.x2", "pkg.a.inner"],
    ("pkg.a.inner", "pkg.a.x2", 1),
    ("pkg.a.x2", "pkg.a.inner", 1),
)


def test_kept(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {**TREE, "pkg/c.py": "", "pkg/b/z.py": "", "pkg/a/x2.py": ""},
    )
    result = check(tmp_path, ACYCLIC)
    assert result.kept and result.violations == () and result.diagnostics == ()


def test_each_cycle_between_children_and_the_imports_that_break_them(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), ACYCLIC)
    two = cycle(
        "pkg", ["pkg.a", "pkg.b", "pkg.a"], ("pkg.a.x", "pkg.b.y", 1), ("pkg.b.z", "pkg.a", 1)
    )
    assert result.violations == (THREE, two)
    # The cycle inside pkg.a is not between pkg's children.
    assert result.diagnostics == (breaker("pkg", "pkg.a.x", "pkg.b.y", "pkg/a/x.py", 1),)
    assert not result.kept


def test_several_packages(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), {**ACYCLIC, "packages": ["pkg.a", "pkg"]})
    assert [v.message for v in result.violations] == [
        "import cycle in pkg.a: pkg.a.inner -> pkg.a.x2 -> pkg.a.inner",
        "import cycle in pkg: pkg.a -> pkg.b -> pkg.c -> pkg.a",
        "import cycle in pkg: pkg.a -> pkg.b -> pkg.a",
    ]
    assert result.violations[0] == INNER
    assert result.diagnostics == (
        breaker("pkg", "pkg.a.x", "pkg.b.y", "pkg/a/x.py", 1),
        breaker("pkg.a", "pkg.a.x2", "pkg.a.inner", "pkg/a/x2.py", 1),
    )


def test_wildcard_packages(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), {**ACYCLIC, "packages": ["pkg.*"]})
    assert result.violations == (INNER,)


def test_ignore_imports(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), {**ACYCLIC, "ignore_imports": ["pkg.c -> pkg.a"]})
    assert [v.message for v in result.violations] == [
        "import cycle in pkg: pkg.a -> pkg.b -> pkg.a"
    ]
    assert result.diagnostics == (breaker("pkg", "pkg.b.z", "pkg.a", "pkg/b/z.py", 1),)


def test_warning_severity(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), {**ACYCLIC, "severity": "warning"})
    assert result.severity is Severity.WARNING and not result.kept and len(result.violations) == 2


def test_package_matching_nothing(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), {**ACYCLIC, "packages": ["pkg.nope"]})
    assert result.misconfigured
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("AG310", "packages: 'pkg.nope' matches no module in the graph")
    ]


def test_a_cycle_longer_than_max_cycle_length_is_still_reported(tmp_path: Path) -> None:
    ring = {f"pkg/m{i}.py": f"import pkg.m{(i + 1) % 10}\n" for i in range(10)}
    write_tree(tmp_path, {"pkg/__init__.py": "", **ring})
    result = check(tmp_path, ACYCLIC)  # max_cycle_length defaults to 8
    names = [f"pkg.m{i}" for i in range(10)]
    assert result.violations == (
        cycle(
            "pkg",
            [*names, "pkg.m0"],
            *((names[i], names[(i + 1) % 10], 1) for i in range(10)),
        ),
    )
    assert result.diagnostics == (breaker("pkg", "pkg.m9", "pkg.m0", "pkg/m9.py", 1),)
