"""Production first in `archgraph init`: the level the parts live at, and the test exemptions."""

from __future__ import annotations

from pathlib import Path

from archgraph.init.production import (
    Level,
    architecture_level,
    exempt_test_code,
    is_test_tree,
    production_families,
)
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import read_sources
from tests.helpers import model_from_edges, write_tree


def test_the_level_descends_through_roots_that_hold_one_app_and_its_tests() -> None:
    model = model_from_edges(
        {
            "root.conftest": ["root.inner.app.a"],
            "root.tests.test_a": ["root.inner.app.a"],
            "root.inner.tests.test_b": ["root.inner.app.b"],
            "root.inner.e2e.test_flow": ["root.inner.app.a"],  # e2e holds only test code
            "root.inner.app.a": ["root.inner.app.b"],
            "root.inner.app.b": [],
        },
        ("root",),
    )

    assert is_test_tree(model, "root.inner.e2e") and not is_test_tree(model, "root.inner.app")
    assert architecture_level(model, "root") == Level("root.inner.app", ("root", "root.inner"))
    assert architecture_level(model, "root.inner.app") == Level("root.inner.app")


def test_the_level_stays_where_there_are_two_parts_or_one_plain_module() -> None:
    model = model_from_edges(
        {"two.a": ["two.b"], "two.b": [], "two.tests.test_x": ["two.a"], "one.main": [], "one.tests.t": []},
        ("two", "one"),
    )

    assert architecture_level(model, "two") == Level("two")
    assert architecture_level(model, "one") == Level("one")  # `main` has no parts to layer


def test_exemptions_name_the_outermost_test_code_that_imports_something() -> None:
    model = model_from_edges(
        {
            "app.core.x": [],
            "app.core.tests.unit.test_x": ["app.core.x"],
            "app.core.tests.helpers": [],
            "app.core.test_y": ["app.core.x"],
            "app.core.test_idle": [],  # imports nothing: an entry for it would match nothing
            "app.ui.view": ["app.core.x"],
        },
        ("app",),
    )

    assert exempt_test_code(model, ["app.core"]) == ("app.core.test_y -> app", "app.core.tests -> app")
    assert exempt_test_code(model, ["app.ui"]) == ()


def dispatcher(name: str) -> str:
    return f"class {name}:\n    def dispatch(self, tool):\n        pass\n\n    def register(self, tool):\n        pass\n"


def test_production_families_tell_an_application_from_plugins_as_families_does(tmp_path: Path) -> None:
    # Ten parts that import each other are one application, not plugins side by side: its two
    # dispatchers compete (what the packages import of each other survives leaving tests out).
    files = {"app/__init__.py": "", "app/tests/__init__.py": "", "app/tests/fakes.py": dispatcher("FakeToolDispatcher")}
    for index in range(10):
        files[f"app/part{index}/__init__.py"] = ""
        files[f"app/part{index}/mod.py"] = f"from app.part{(index + 1) % 10} import mod\n\n\n"
    files["app/part0/mod.py"] += dispatcher("AlphaToolDispatcher")
    files["app/part1/mod.py"] += dispatcher("ZetaToolDispatcher")
    sources = read_sources(write_tree(tmp_path, files), RunOptions(packages=("app",), use_cache=False))[2].sources
    (family,) = [f for f in production_families(sources.class_model, sources.test_modules) if f.competing]
    assert family.concept == "ToolDispatcher" and len(family.competing_groups) == 2
    assert all("tests" not in c.module for c in family.classes)
