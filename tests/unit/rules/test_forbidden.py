"""`forbidden`: source modules must not import forbidden modules (indirectly too, by default).

Models are built in memory (tests/helpers.py, model_from_edges): real grimp, no files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import contract, model_from_edges

from archgraph.diagnostics import ImportStep, Location, Severity, Violation
from archgraph.results import ContractResult

TREE = {
    "pkg.core.models": ["pkg.core.rules"],
    "pkg.core.rules": [("pkg.helpers", 2)],
    "pkg.core.direct": ["json", ("pkg.web.views", 2)],
    "pkg.helpers": ["pkg.web.views"],
    "pkg.web.views": ["requests"],
    "pkg.cli": ["pkg.web"],
}
FORBIDDEN = {
    "name": "Core is pure",
    "type": "forbidden",
    "source_modules": ["pkg.core"],
    "forbidden_modules": ["pkg.web"],
}
MESSAGE = "pkg.core must not import pkg.web"
DIRECT = Violation(
    code="AG110",
    contract="core-is-pure",
    message=MESSAGE,
    chain=(ImportStep("pkg.core.direct", "pkg.web.views", (2,)),),
    location=Location(Path("pkg/core/direct.py"), 2),
)
INDIRECT = Violation(
    code="AG110",
    contract="core-is-pure",
    message=MESSAGE,
    chain=(
        ImportStep("pkg.core.rules", "pkg.helpers", (2,)),
        ImportStep("pkg.helpers", "pkg.web.views", (1,)),
    ),
    location=Location(Path("pkg/core/rules.py"), 2),
)


def check(
    table: dict[str, Any], edges: dict[str, list[Any]] | None = None, **options: Any
) -> ContractResult:
    """The contract `table` checked against `edges` (by default TREE)."""
    return contract(**table).check(model_from_edges(TREE if edges is None else edges, **options))


def test_kept() -> None:
    result = check(FORBIDDEN, {**TREE, "pkg.core.direct": ["json"], "pkg.helpers": []})
    assert result.kept and result.violations == () and result.diagnostics == ()


def test_broken_directly_and_through_a_chain() -> None:
    result = check(FORBIDDEN)
    assert not result.kept
    assert result.violations == (DIRECT, INDIRECT)
    assert INDIRECT.is_indirect and not DIRECT.is_indirect


def test_allow_indirect_imports_reports_direct_ones_only() -> None:
    result = check({**FORBIDDEN, "allow_indirect_imports": True})
    assert result.violations == (DIRECT,)


def test_ignore_imports_cut_the_chain() -> None:
    result = check(
        {**FORBIDDEN, "ignore_imports": ["pkg.helpers -> pkg.web", "pkg.web -> pkg.core"]},
    )
    assert result.violations == (DIRECT,)
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("AG311", "ignore_imports entry 'pkg.web -> pkg.core' matches no import")
    ]
    assert not result.misconfigured  # an unused ignore is a warning, not a config error


def test_wildcard_sources() -> None:
    result = check({**FORBIDDEN, "source_modules": ["pkg.*"]})
    # pkg.web itself matches pkg.* and is skipped: a package may import its own parts.
    assert [(v.message, v.importer, v.imported) for v in result.violations] == [
        ("pkg.cli must not import pkg.web", "pkg.cli", "pkg.web"),
        (MESSAGE, "pkg.core.direct", "pkg.web.views"),
        (MESSAGE, "pkg.core.rules", "pkg.web.views"),
        ("pkg.helpers must not import pkg.web", "pkg.helpers", "pkg.web.views"),
    ]


def test_external_forbidden_module() -> None:
    table = {**FORBIDDEN, "forbidden_modules": ["requests"]}
    result = check(table, include_external_packages=True)
    assert result.violations == (
        Violation(
            code="AG110",
            contract="core-is-pure",
            message="pkg.core must not import requests",
            chain=(
                ImportStep("pkg.core.direct", "pkg.web.views", (2,)),
                ImportStep("pkg.web.views", "requests", (1,)),
            ),
            location=Location(Path("pkg/core/direct.py"), 2),
        ),
    )


def test_external_module_without_externals_is_a_configuration_error() -> None:
    result = check({**FORBIDDEN, "forbidden_modules": ["requests"]})
    assert result.misconfigured and not result.kept
    assert [(d.code, d.severity, d.message, d.hint) for d in result.diagnostics] == [
        (
            "AG310",
            Severity.ERROR,
            "forbidden_modules: 'requests' matches no module in the graph",
            "external packages are in the graph only with include_external_packages = true",
        )
    ]


def test_misspelt_module_suggests_the_closest() -> None:
    result = check({**FORBIDDEN, "source_modules": ["pkg.coer"]})
    assert [(d.code, d.message, d.hint) for d in result.diagnostics] == [
        (
            "AG310",
            "source_modules: 'pkg.coer' matches no module in the graph",
            "did you mean 'pkg.core'?",
        )
    ]


def test_warning_severity() -> None:
    result = check({**FORBIDDEN, "severity": "warning"})
    assert result.severity is Severity.WARNING and not result.kept
    assert result.violations == (DIRECT, INDIRECT)
