"""Coverage (which modules some contract governs) and the private contract's naming rules."""

from __future__ import annotations

import pytest

from archgraph.results import Coverage
from archgraph.rules.coverage import coverage, governed_modules
from archgraph.rules.private import is_private, private_owner
from tests.helpers import contract, model_from_edges

MODEL = model_from_edges(
    {
        "pkg.web.views": ["pkg.domain.model"],
        "pkg.cli": ["pkg.web.views"],
        "pkg.tests.test_views": ["pkg.web.views"],
    }
)
LAYERS = contract(name="L", type="layers", containers=["pkg"], layers=["web", "domain"])


def test_a_contract_governs_what_it_names_and_everything_inside() -> None:
    assert governed_modules([LAYERS], MODEL) == {
        "pkg.web", "pkg.web.views", "pkg.domain", "pkg.domain.model"
    }


def test_a_package_whose_modules_are_all_governed_is_governed_test_code_aside() -> None:
    cli = contract(name="C", type="protected", modules=["pkg.cli"])

    assert "pkg" not in governed_modules([LAYERS], MODEL)  # pkg.cli is in no contract
    assert "pkg" in governed_modules([LAYERS, cli], MODEL)  # pkg.tests is test code
    assert "pkg.tests" not in governed_modules([LAYERS, cli], MODEL)  # test code is not glue


def test_coverage_tells_test_code_apart_and_fails_only_on_production() -> None:
    found = coverage([LAYERS], MODEL, required=True)

    assert found == Coverage(
        modules=8,
        ungoverned=("pkg", "pkg.cli", "pkg.tests", "pkg.tests.test_views"),
        ungoverned_in_tests=("pkg.tests", "pkg.tests.test_views"),
        required=True,
    )
    assert found.ungoverned_in_production == ("pkg", "pkg.cli")
    assert found.failure == "require_coverage: 2 production module(s) governed by no contract"
    assert not coverage([LAYERS], MODEL).fails  # not required


def test_no_contract_governs_nothing() -> None:
    assert coverage([], MODEL).ungoverned == tuple(sorted(MODEL.internal_modules))


@pytest.mark.parametrize(
    ("name", "private"),
    [("_cache", True), ("_", False), ("__init__", False), ("__version__", False), ("cache", False),
     ("__private", True)],
)
def test_which_names_are_private(name: str, private: bool) -> None:
    assert is_private(name) is private


@pytest.mark.parametrize(
    ("module", "owner"),
    [
        ("app.core._cache", "app.core"),
        ("app.core._cache.deep._x", "app.core"),  # the first private part decides
        ("app.core.cache", None),
        ("_app.core", None),  # a root package is never private
    ],
)
def test_the_package_a_module_is_private_to(module: str, owner: str | None) -> None:
    assert private_owner(module) == owner
