"""`independence`: the modules must not import each other, directly or indirectly.

Models are built in memory (tests/helpers.py, model_from_edges): real grimp, no files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import contract, model_from_edges

from archgraph.diagnostics import ImportStep, Location, Severity, Violation
from archgraph.results import ContractResult

TREE = {
    "pkg.api.routes": ["pkg.shared"],
    "pkg.admin.panel": ["pkg.shared"],
    "pkg.jobs.run": [],
}
INDEPENDENCE = {
    "name": "Front ends are independent",
    "type": "independence",
    "modules": ["pkg.api", "pkg.admin", "pkg.jobs"],
}


def check(edges: dict[str, list[Any]], table: dict[str, Any]) -> ContractResult:
    return contract(**table).check(model_from_edges(edges))


def violation(message: str, *steps: tuple[str, str, int]) -> Violation:
    first = steps[0]
    return Violation(
        code="AG120",
        contract="front-ends-are-independent",
        message=message,
        chain=tuple(ImportStep(a, b, (line,)) for a, b, line in steps),
        location=Location(Path(first[0].replace(".", "/") + ".py"), first[2]),
    )


def test_kept_when_they_share_only_a_common_module() -> None:
    result = check(TREE, INDEPENDENCE)
    assert result.kept and result.violations == () and result.diagnostics == ()


def test_broken_directly_and_indirectly() -> None:
    edges = {
        **TREE,
        "pkg.api.routes": ["pkg.shared", ("pkg.admin.panel", 2)],
        "pkg.jobs.run": ["pkg.helpers"],
        "pkg.helpers": [("pkg.api.routes", 3)],
    }
    result = check(edges, INDEPENDENCE)
    assert result.violations == (
        violation(
            "pkg.api imports pkg.admin; they must be independent",
            ("pkg.api.routes", "pkg.admin.panel", 2),
        ),
        violation(
            "pkg.jobs imports pkg.api; they must be independent",
            ("pkg.jobs.run", "pkg.helpers", 1),
            ("pkg.helpers", "pkg.api.routes", 3),
        ),
    )
    # No separate jobs -> admin violation: its only chain runs through pkg.api, whose own
    # violations already cover it.


def test_wildcard_modules_and_ignores() -> None:
    edges = {**TREE, "pkg.api.routes": ["pkg.admin.panel"]}
    # `pkg.*` names every child of pkg, pkg.shared included.
    result = check(edges, {**INDEPENDENCE, "modules": ["pkg.*"]})
    assert [(v.importer, v.imported) for v in result.violations] == [
        ("pkg.admin.panel", "pkg.shared"),
        ("pkg.api.routes", "pkg.admin.panel"),
    ]
    assert result.violations[1] == violation(
        "pkg.api imports pkg.admin; they must be independent",
        ("pkg.api.routes", "pkg.admin.panel", 1),
    )
    ignored = check(edges, {**INDEPENDENCE, "ignore_imports": ["pkg.api.* -> pkg.admin.*"]})
    assert ignored.kept and ignored.diagnostics == ()


def test_warning_severity() -> None:
    edges = {**TREE, "pkg.api.routes": ["pkg.admin.panel"]}
    result = check(edges, {**INDEPENDENCE, "severity": "warning"})
    assert result.severity is Severity.WARNING and not result.kept


def test_module_matching_nothing() -> None:
    result = check(TREE, {**INDEPENDENCE, "modules": ["pkg.api", "pkg.nope"]})
    assert result.misconfigured
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("AG310", "modules: 'pkg.nope' matches no module in the graph")
    ]


def test_overlapping_modules_are_a_configuration_error() -> None:
    """grimp raises 'Modules have shared descendants' on these; archgraph explains instead."""
    result = check(
        TREE, {**INDEPENDENCE, "modules": ["pkg.api", "pkg.api.routes"]}
    )
    assert result.misconfigured
    assert [(d.code, d.severity, d.message) for d in result.diagnostics] == [
        (
            "AG312",
            Severity.ERROR,
            "modules: 'pkg.api.routes' is inside 'pkg.api'; the modules must not overlap",
        )
    ]
