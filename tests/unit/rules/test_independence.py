"""`independence`: the modules must not import each other, directly or indirectly."""

from __future__ import annotations

from pathlib import Path

from helpers import check, write_tree

from archgraph.diagnostics import ImportStep, Location, Severity, Violation

TREE = {
    "pkg/__init__.py": "",
    "pkg/api/__init__.py": "",
    "pkg/api/routes.py": "import pkg.shared\n",
    "pkg/admin/__init__.py": "",
    "pkg/admin/panel.py": "import pkg.shared\n",
    "pkg/jobs/__init__.py": "",
    "pkg/jobs/run.py": "",
    "pkg/shared.py": "",
}
INDEPENDENCE = {
    "name": "Front ends are independent",
    "type": "independence",
    "modules": ["pkg.api", "pkg.admin", "pkg.jobs"],
}


def violation(message: str, *steps: tuple[str, str, int]) -> Violation:
    first = steps[0]
    return Violation(
        code="AG120",
        contract="front-ends-are-independent",
        message=message,
        chain=tuple(ImportStep(a, b, (line,)) for a, b, line in steps),
        location=Location(Path(first[0].replace(".", "/") + ".py"), first[2]),
    )


def test_kept_when_they_share_only_a_common_module(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), INDEPENDENCE)
    assert result.kept and result.violations == () and result.diagnostics == ()


def test_broken_directly_and_indirectly(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **TREE,
            "pkg/api/routes.py": "import pkg.shared\nfrom pkg.admin import panel\n",
            "pkg/jobs/run.py": "import pkg.helpers\n",
            "pkg/helpers.py": "\n\nimport pkg.api.routes\n",
        },
    )
    result = check(tmp_path, INDEPENDENCE)
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


def test_wildcard_modules_and_ignores(tmp_path: Path) -> None:
    write_tree(tmp_path, {**TREE, "pkg/api/routes.py": "from pkg.admin import panel\n"})
    # `pkg.*` names every child of pkg, pkg.shared included.
    result = check(tmp_path, {**INDEPENDENCE, "modules": ["pkg.*"]})
    assert [(v.importer, v.imported) for v in result.violations] == [
        ("pkg.admin.panel", "pkg.shared"),
        ("pkg.api.routes", "pkg.admin.panel"),
    ]
    assert result.violations[1] == violation(
        "pkg.api imports pkg.admin; they must be independent",
        ("pkg.api.routes", "pkg.admin.panel", 1),
    )
    ignored = check(tmp_path, {**INDEPENDENCE, "ignore_imports": ["pkg.api.* -> pkg.admin.*"]})
    assert ignored.kept and ignored.diagnostics == ()


def test_warning_severity(tmp_path: Path) -> None:
    write_tree(tmp_path, {**TREE, "pkg/api/routes.py": "from pkg.admin import panel\n"})
    result = check(tmp_path, {**INDEPENDENCE, "severity": "warning"})
    assert result.severity is Severity.WARNING and not result.kept


def test_module_matching_nothing(tmp_path: Path) -> None:
    result = check(write_tree(tmp_path, TREE), {**INDEPENDENCE, "modules": ["pkg.api", "pkg.nope"]})
    assert result.misconfigured
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("AG310", "modules: 'pkg.nope' matches no module in the graph")
    ]


def test_overlapping_modules_are_a_configuration_error(tmp_path: Path) -> None:
    """grimp raises 'Modules have shared descendants' on these; archgraph explains instead."""
    result = check(
        write_tree(tmp_path, TREE), {**INDEPENDENCE, "modules": ["pkg.api", "pkg.api.routes"]}
    )
    assert result.misconfigured
    assert [(d.code, d.severity, d.message) for d in result.diagnostics] == [
        (
            "AG312",
            Severity.ERROR,
            "modules: 'pkg.api.routes' is inside 'pkg.api'; the modules must not overlap",
        )
    ]
