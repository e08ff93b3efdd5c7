"""Selectors in module patterns: `<stdlib>`, `<third_party>`, `<tests>`, parsed by name and
resolved by the model."""

from __future__ import annotations

import pytest
from helpers import model_from_edges

from archgraph.model import ModuleExpr


def test_a_selector_parses_as_a_pattern_optional_in_parentheses() -> None:
    assert ModuleExpr.parse("<stdlib>") == ModuleExpr("<stdlib>")
    assert ModuleExpr.parse(" (<tests>) ") == ModuleExpr("<tests>", optional=True)
    assert ModuleExpr("<third_party>").is_selector
    assert not ModuleExpr("app.tests").is_selector


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("<stdlb>", "<stdlib>"), ("<third-party>", "<third_party>"), ("(<test>)", "<tests>"), ("<zzz>", None)],
)
def test_an_unknown_selector_is_a_problem_with_a_did_you_mean(text: str, suggestion: str | None) -> None:
    problem = ModuleExpr.parse(text)
    assert isinstance(problem, str)
    assert problem.startswith("unknown selector")
    assert "(known: <stdlib>, <third_party>, <tests>)" in problem
    assert ModuleExpr.suggestion(text) == suggestion


def test_a_selector_is_never_read_by_name() -> None:
    with pytest.raises(ValueError, match="selector"):
        ModuleExpr("<stdlib>").covers("os")


def test_the_model_resolves_each_selector() -> None:
    model = model_from_edges(
        {
            "pkg.core": ["os", "os", "json", "requests"],
            "pkg.tests.test_core": ["pkg.core", "pytest"],
            "pkg.test_api": ["pkg.core"],
        },
        include_external_packages=True,
    )

    assert model.matching(ModuleExpr("<stdlib>")) == {"os", "json"}
    assert model.matching(ModuleExpr("<third_party>")) == {"requests", "pytest"}
    # The outermost test modules: pkg.tests stands for pkg.tests.test_core.
    assert model.matching(ModuleExpr("<tests>")) == {"pkg.tests", "pkg.test_api"}
    assert model.covered(ModuleExpr("<tests>")) == {"pkg.tests", "pkg.tests.test_core", "pkg.test_api"}
    assert model.covers(ModuleExpr("<tests>"), "pkg.tests.test_core")
    assert not model.covers(ModuleExpr("<stdlib>"), "requests")
    assert model.covers(ModuleExpr("pkg"), "pkg.core")


def test_without_external_packages_the_external_selectors_match_nothing() -> None:
    model = model_from_edges({"pkg.core": ["os", "requests"]})

    assert model.matching(ModuleExpr("<stdlib>")) == frozenset()
    assert model.matching(ModuleExpr("<third_party>")) == frozenset()
