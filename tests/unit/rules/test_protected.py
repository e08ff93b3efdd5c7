"""`protected`: only the allowed importers may import these modules (direct imports only).

Models are built in memory (tests/helpers.py, model_from_edges): real grimp, no files.
Protected symbols read the files: tests/unit/rules/test_protected_symbols.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import contract, model_from_edges

from archgraph.diagnostics import ImportStep, Location, Severity, Violation
from archgraph.results import ContractResult

TREE = {
    "pkg.registry": ["pkg.registry.store"],  # pkg/registry/__init__.py
    "pkg.registry.api": ["pkg.registry.store"],
    "pkg.services.sanctioned": ["pkg.registry.api"],
    "pkg.web.views": ["pkg.services.sanctioned"],
}
PROTECTED = {
    "name": "Registry store",
    "type": "protected",
    "modules": ["pkg.registry.store"],
    "allowed_importers": ["pkg.registry"],
}


def check(edges: dict[str, list[Any]], table: dict[str, Any]) -> ContractResult:
    return contract(**table).check(model_from_edges(edges))


def bypass(importer: str, imported: str, line: int) -> Violation:
    return Violation(
        code="AG130",
        contract="registry-store",
        message=f"{importer} imports protected module {imported}",
        chain=(ImportStep(importer, imported, (line,)),),
        location=Location(Path(importer.replace(".", "/") + ".py"), line),
    )


def test_kept_with_allowed_and_indirect_importers() -> None:
    """pkg.web reaches the store through pkg.services and pkg.registry: indirect is fine."""
    result = check(TREE, PROTECTED)
    assert result.kept and result.violations == () and result.diagnostics == ()
    # pkg.registry and pkg.registry.api import it: allowed, so exempt; pkg.services.sanctioned
    # imports one of them (a gate): the permitted path, so respecting.
    assert (result.governed, result.respecting, result.exempt) == (1, 1, 2)


def test_broken_by_direct_importers() -> None:
    edges = {
        **TREE,
        "pkg.services.bypass": [("pkg.registry.store", 2)],
        "pkg.web.views": ["pkg.services.sanctioned", ("pkg.registry.store", 2)],
    }
    result = check(edges, PROTECTED)
    assert result.violations == (
        bypass("pkg.services.bypass", "pkg.registry.store", 2),
        bypass("pkg.web.views", "pkg.registry.store", 2),
    )
    # Two bypasses violate, the import of the gate pkg.registry.api respects it, the allowed
    # importers' own imports are exempt.
    assert (result.governed, result.respecting, result.violating, result.exempt) == (3, 1, 2, 2)
    assert result.compliance == 1 / 3


def test_protected_package_covers_its_descendants() -> None:
    result = check(
        TREE,
        {**PROTECTED, "modules": ["pkg.registry"], "allowed_importers": ["pkg.web"]},
    )
    # Inside the protected package imports are free; pkg.services.sanctioned is not allowed.
    assert result.violations == (bypass("pkg.services.sanctioned", "pkg.registry.api", 1),)


def test_wildcard_allowed_importers_and_ignores() -> None:
    edges = {**TREE, "pkg.services.bypass": ["pkg.registry.store"]}
    table = {**PROTECTED, "allowed_importers": ["pkg.registry", "pkg.*.bypass"]}
    assert not check(edges, PROTECTED).kept
    assert check(edges, table).kept
    ignored = check(
        edges, {**PROTECTED, "ignore_imports": ["pkg.services.* -> pkg.registry.**"]}
    )
    assert ignored.kept


def test_warning_severity_and_no_allowed_importers() -> None:
    result = check(
        TREE,
        {
            "name": "Registry store",
            "type": "protected",
            "modules": ["pkg.registry.api"],
            "severity": "warning",
        },
    )
    assert result.severity is Severity.WARNING
    assert result.violations == (bypass("pkg.services.sanctioned", "pkg.registry.api", 1),)


def test_allowed_importer_matching_nothing() -> None:
    result = check(TREE, {**PROTECTED, "allowed_importers": ["pkg.registri"]})
    assert result.misconfigured
    assert [(d.code, d.message, d.hint) for d in result.diagnostics] == [
        (
            "AG310",
            "allowed_importers: 'pkg.registri' matches no module in the graph",
            "did you mean 'pkg.registry'?",
        )
    ]
