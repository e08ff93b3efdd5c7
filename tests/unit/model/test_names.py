"""Module patterns: a dotted name is that module and its descendants; `*` one segment; `**` any."""

from __future__ import annotations

import pytest

from archgraph.model.names import ImportExpr, ModuleExpr, ancestors, is_descendant, is_within

MODULES = [
    "app",
    "app.api",
    "app.api.routes",
    "app.api.routes.chat",
    "app.apiary",
    "app.core",
    "app.core.tools",
    "app.core.tools.registry",
    "app.services.api",
    "other",
]


def matched(pattern: str) -> list[str]:
    return [m for m in MODULES if ModuleExpr(pattern).matches(m)]


def covered(pattern: str) -> list[str]:
    return [m for m in MODULES if ModuleExpr(pattern).covers(m)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("app.api", ["app.api"]),
        ("app.*", ["app.api", "app.apiary", "app.core"]),
        ("app.*.routes", ["app.api.routes"]),
        ("*.api", ["app.api"]),
        ("*", ["app", "other"]),
        # `**` is any number of segments, including zero.
        ("app.**", MODULES[:9]),
        ("app.**.api", ["app.api", "app.services.api"]),
        ("**.api", ["app.api", "app.services.api"]),
        ("**.tools.*", ["app.core.tools.registry"]),
        ("**", MODULES),
        ("app.core.**", ["app.core", "app.core.tools", "app.core.tools.registry"]),
    ],
)
def test_matches_names_the_module_itself(pattern: str, expected: list[str]) -> None:
    assert matched(pattern) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # A plain dotted name covers the module and its descendants, not name-prefixes.
        ("app.api", ["app.api", "app.api.routes", "app.api.routes.chat"]),
        ("app.core.tools", ["app.core.tools", "app.core.tools.registry"]),
        ("app.*.routes", ["app.api.routes", "app.api.routes.chat"]),
        ("*.core", ["app.core", "app.core.tools", "app.core.tools.registry"]),
        ("app.**.api", ["app.api", "app.api.routes", "app.api.routes.chat", "app.services.api"]),
        ("nothing", []),
    ],
)
def test_covers_includes_descendants(pattern: str, expected: list[str]) -> None:
    assert covered(pattern) == expected


def test_wildcard_does_not_match_across_a_prefix() -> None:
    assert ModuleExpr("app.*").matches("app.apiary")
    assert not ModuleExpr("app.*").matches("app")
    assert not ModuleExpr("app.*").matches("app.api.routes")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty module pattern"),
        ("app..api", "'app..api' is not a dotted module name (segment '')"),
        ("app.api*", "'app.api*' is not a dotted module name (segment 'api*')"),
        ("app.my-module", "'app.my-module' is not a dotted module name (segment 'my-module')"),
        (".app", "'.app' is not a dotted module name (segment '')"),
        ("app.1x", "'app.1x' is not a dotted module name (segment '1x')"),
    ],
)
def test_invalid_patterns_are_explained(text: str, problem: str) -> None:
    assert ModuleExpr.problem(text) == problem


@pytest.mark.parametrize("text", ["app", "app.api", "app.*", "**", "a.**.b", "_private.x2"])
def test_valid_patterns(text: str) -> None:
    assert ModuleExpr.problem(text) is None


def test_import_expression_parses_both_sides() -> None:
    assert ImportExpr.parse(" app.api -> app.core.* ") == ImportExpr(
        ModuleExpr("app.api"), ModuleExpr("app.core.*")
    )
    assert ImportExpr.parse("app.api => app.core") == (
        "'app.api => app.core' is not of the form 'importer -> imported'"
    )
    assert ImportExpr.parse("app.api -> ") == "empty module pattern"
    assert ImportExpr.parse("app.a-b -> app.c") == (
        "'app.a-b' is not a dotted module name (segment 'a-b')"
    )


def test_import_expression_covers_descendants_on_both_sides() -> None:
    expr = ImportExpr(ModuleExpr("app.api"), ModuleExpr("app.*.tools"))
    assert expr.covers("app.api.routes.chat", "app.core.tools.registry")
    assert not expr.covers("app.apiary", "app.core.tools")
    assert not expr.covers("app.api", "app.core")


def test_name_helpers() -> None:
    assert ancestors("a.b.c") == ["a", "a.b"]
    assert ancestors("a") == []
    assert (
        is_descendant("a.b", "a") and not is_descendant("ab", "a") and not is_descendant("a", "a")
    )
    assert is_within("a", "a") and is_within("a.b", "a") and not is_within("ab", "a")
