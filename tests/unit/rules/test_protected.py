"""`protected`: only the allowed importers may import these modules (direct imports only)."""

from __future__ import annotations

from pathlib import Path

from helpers import check, write_tree

from archgraph.diagnostics import ImportStep, Location, Severity, Violation

TREE = {
    "pkg/__init__.py": "",
    "pkg/registry/__init__.py": "from pkg.registry import store\n",
    "pkg/registry/store.py": "",
    "pkg/registry/api.py": "from pkg.registry.store import Store\n",
    "pkg/services/__init__.py": "",
    "pkg/services/sanctioned.py": "from pkg.registry import api\n",
    "pkg/web/__init__.py": "",
    "pkg/web/views.py": "import pkg.services.sanctioned\n",
}
PROTECTED = {
    "name": "Registry store",
    "type": "protected",
    "modules": ["pkg.registry.store"],
    "allowed_importers": ["pkg.registry"],
}


def bypass(importer: str, imported: str, line: int) -> Violation:
    return Violation(
        code="AG130",
        contract="registry-store",
        message=f"{importer} imports protected module {imported}",
        chain=(ImportStep(importer, imported, (line,)),),
        location=Location(Path(importer.replace(".", "/") + ".py"), line),
    )


def test_kept_with_allowed_and_indirect_importers(tmp_path: Path) -> None:
    """pkg.web reaches the store through pkg.services and pkg.registry: indirect is fine."""
    result = check(write_tree(tmp_path, TREE), PROTECTED)
    assert result.kept and result.violations == () and result.diagnostics == ()
    assert result.governed == 2  # pkg.registry and pkg.registry.api import it


def test_broken_by_direct_importers(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **TREE,
            "pkg/services/bypass.py": "# bypass\nfrom pkg.registry.store import Store\n",
            "pkg/web/views.py": "import pkg.services.sanctioned\nimport pkg.registry.store as s\n",
        },
    )
    result = check(tmp_path, PROTECTED)
    assert result.violations == (
        bypass("pkg.services.bypass", "pkg.registry.store", 2),
        bypass("pkg.web.views", "pkg.registry.store", 2),
    )
    assert result.governed == 4
    assert result.compliance == 0.5


def test_protected_package_covers_its_descendants(tmp_path: Path) -> None:
    result = check(
        write_tree(tmp_path, TREE),
        {**PROTECTED, "modules": ["pkg.registry"], "allowed_importers": ["pkg.web"]},
    )
    # Inside the protected package imports are free; pkg.services.sanctioned is not allowed.
    assert result.violations == (bypass("pkg.services.sanctioned", "pkg.registry.api", 1),)


def test_wildcard_allowed_importers_and_ignores(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {**TREE, "pkg/services/bypass.py": "from pkg.registry.store import Store\n"}
    )
    table = {**PROTECTED, "allowed_importers": ["pkg.registry", "pkg.*.bypass"]}
    assert check(tmp_path, table).kept
    ignored = check(
        tmp_path, {**PROTECTED, "ignore_imports": ["pkg.services.* -> pkg.registry.**"]}
    )
    assert ignored.kept


def test_warning_severity_and_no_allowed_importers(tmp_path: Path) -> None:
    result = check(
        write_tree(tmp_path, TREE),
        {
            "name": "Registry store",
            "type": "protected",
            "modules": ["pkg.registry.api"],
            "severity": "warning",
        },
    )
    assert result.severity is Severity.WARNING
    assert result.violations == (bypass("pkg.services.sanctioned", "pkg.registry.api", 1),)


def test_allowed_importer_matching_nothing(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), {**PROTECTED, "allowed_importers": ["pkg.registri"]})
    assert result.misconfigured
    assert [(d.code, d.message, d.hint) for d in result.diagnostics] == [
        (
            "AG310",
            "allowed_importers: 'pkg.registri' matches no module in the graph",
            "did you mean 'pkg.registry'?",
        )
    ]
