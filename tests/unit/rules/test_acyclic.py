"""`acyclic`: the children of each package must not import each other in a cycle.

Models are built in memory (tests/helpers.py, model_from_edges): real grimp, no files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import contract, model_from_edges

from archgraph.diagnostics import Diagnostic, ImportStep, Location, Severity, Violation
from archgraph.results import ContractResult

TREE = {
    "pkg.a.x": ["pkg.b.y"],
    "pkg.b.y": [("pkg.c", 2)],
    "pkg.b.z": ["pkg.a"],
    "pkg.c": [("pkg.a.x", 3)],
    "pkg.d": ["pkg.a.x"],
    "pkg.a.inner": ["pkg.a.x2"],
    "pkg.a.x2": ["pkg.a.inner"],
}
ACYCLIC = {"name": "No cycles", "type": "acyclic", "packages": ["pkg"]}


def check(edges: dict[str, list[Any]], table: dict[str, Any]) -> ContractResult:
    return contract(**table).check(model_from_edges(edges))


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


def test_kept() -> None:
    result = check({**TREE, "pkg.c": [], "pkg.b.z": [], "pkg.a.x2": []}, ACYCLIC)
    assert result.kept and result.violations == () and result.diagnostics == ()


def test_each_cycle_between_children_and_the_imports_that_break_them() -> None:
    result = check(TREE, ACYCLIC)
    two = cycle(
        "pkg", ["pkg.a", "pkg.b", "pkg.a"], ("pkg.a.x", "pkg.b.y", 1), ("pkg.b.z", "pkg.a", 1)
    )
    assert result.violations == (THREE, two)
    # The cycle inside pkg.a is not between pkg's children.
    assert result.diagnostics == (breaker("pkg", "pkg.a.x", "pkg.b.y", "pkg/a/x.py", 1),)
    assert not result.kept


def test_several_packages() -> None:
    result = check(TREE, {**ACYCLIC, "packages": ["pkg.a", "pkg"]})
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


def test_wildcard_packages() -> None:
    result = check(TREE, {**ACYCLIC, "packages": ["pkg.*"]})
    assert result.violations == (INNER,)


def test_ignore_imports() -> None:
    result = check(TREE, {**ACYCLIC, "ignore_imports": ["pkg.c -> pkg.a"]})
    assert [v.message for v in result.violations] == [
        "import cycle in pkg: pkg.a -> pkg.b -> pkg.a"
    ]
    assert result.diagnostics == (breaker("pkg", "pkg.b.z", "pkg.a", "pkg/b/z.py", 1),)


def test_warning_severity() -> None:
    result = check(TREE, {**ACYCLIC, "severity": "warning"})
    assert result.severity is Severity.WARNING and not result.kept and len(result.violations) == 2


def test_package_matching_nothing() -> None:
    result = check(TREE, {**ACYCLIC, "packages": ["pkg.nope"]})
    assert result.misconfigured
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("AG310", "packages: 'pkg.nope' matches no module in the graph")
    ]


def test_a_cycle_longer_than_max_cycle_length_is_still_reported() -> None:
    ring = {f"pkg.m{i}": [f"pkg.m{(i + 1) % 10}"] for i in range(10)}
    result = check(ring, ACYCLIC)  # max_cycle_length defaults to 8
    names = [f"pkg.m{i}" for i in range(10)]
    assert result.violations == (
        cycle(
            "pkg",
            [*names, "pkg.m0"],
            *((names[i], names[(i + 1) % 10], 1) for i in range(10)),
        ),
    )
    assert result.diagnostics == (breaker("pkg", "pkg.m9", "pkg.m0", "pkg/m9.py", 1),)
