"""SymbolIndex over facts extracted from real source text (no files, no mocks)."""

from __future__ import annotations

import textwrap

import pytest

from archgraph.model.facts import FileFacts, ImportFact
from archgraph.model.symbols import (
    Origin,
    Symbol,
    SymbolIndex,
    absolute_module,
    star_exports,
)
from archgraph.scan.extract import extract_facts

SOURCES = {
    "app": "",
    "app.models": """\
        class Base:
            pass


        class _Private:
            pass
    """,
    "app.api": """\
        from .models import Base as ModelBase
        from app.models import *

        __all__ = ["ModelBase"]
    """,
    "app.facade": "from app.api import ModelBase as Facade\n",
    "app.loop_a": "from app.loop_b import Thing\n",
    "app.loop_b": "from app.loop_a import Thing\n",
    "app.user": """\
        import app.api as api
        from app import models
        from typing import Any

        class Child(api.ModelBase, models.Base):
            pass
    """,
}
PACKAGES = frozenset({"app"})


def index(sources: dict[str, str] = SOURCES) -> SymbolIndex:
    facts = {
        module: extract_facts(module, textwrap.dedent(source).encode())
        for module, source in sources.items()
    }
    return SymbolIndex(facts, frozenset(sources), PACKAGES)


def is_package(module: str) -> bool:
    return module in {"a", "a.b"}


@pytest.mark.parametrize(
    ("importer", "level", "module", "expected"),
    [
        ("a.b.c", 1, "x", "a.b.x"),
        ("a.b.c", 2, "", "a"),
        ("a.b", 1, "x", "a.b.x"),  # a package's `.` is itself
        ("a.b", 2, "", "a"),
        ("a.b.c", 3, "x", None),  # above the top package
        ("a.b.c", 0, "x.y", "x.y"),
    ],
)
def test_absolute_module(importer: str, level: int, module: str, expected: str | None) -> None:
    fact = ImportFact(1, module, level, names=(), alias=None)
    assert absolute_module(importer, fact, is_package) == expected


def test_origin_follows_aliases_relative_imports_and_reexport_chains() -> None:
    symbols = index()
    assert symbols.origin("app.facade", "Facade") == Origin(
        Symbol("app.models", "Base"), ("app.facade", "app.api")
    )
    assert symbols.origin("app.models", "Base") == Origin(Symbol("app.models", "Base"))
    assert symbols.origin("app.user", "Any") == Origin(Symbol("typing", "Any"), ("app.user",))
    assert symbols.origin("app.models", "Missing") is None


def test_origin_through_a_star_import_respects_dunder_all() -> None:
    symbols = index()
    # app.api's __all__ lists only ModelBase, but `from app.models import *` binds Base in app.api
    # (the star import reads app.models, which has no __all__).
    assert symbols.origin("app.api", "Base") == Origin(Symbol("app.models", "Base"), ("app.api",))
    assert symbols.origin("app.api", "_Private") is None


def test_a_reexport_cycle_has_no_origin() -> None:
    assert index().origin("app.loop_a", "Thing") is None


def test_routes_give_every_binding_with_its_shortest_route() -> None:
    routes = index().routes(Symbol("app.models", "Base"))
    assert routes == {
        ("app.models", "Base"): (),
        ("app.api", "ModelBase"): ("app.api",),
        ("app.api", "Base"): ("app.api",),  # by the star import
        ("app.facade", "Facade"): ("app.facade", "app.api"),
    }


def test_sites_include_attribute_access_through_module_aliases() -> None:
    sites = index().sites(Symbol("app.models", "Base"))
    assert [(s.importer, s.line, s.module, s.written, s.via, s.uses) for s in sites] == [
        ("app.api", 1, "app.models", "ModelBase", (), ()),
        ("app.api", 2, "app.models", "*", (), ()),
        ("app.facade", 1, "app.api", "Facade", ("app.api",), ()),
        ("app.user", 1, "app.api", "api.ModelBase", ("app.api",), (5,)),
        ("app.user", 2, "app.models", "models.Base", (), (5,)),
    ]


def test_resolve_reference_for_class_bases() -> None:
    symbols = index()
    base = Symbol("app.models", "Base")
    assert symbols.resolve_reference("app.user", "api.ModelBase") == Origin(base, ("app.api",))
    assert symbols.resolve_reference("app.user", "models.Base") == Origin(base)
    assert symbols.resolve_reference("app.facade", "Facade") == Origin(base, ("app.facade", "app.api"))
    assert symbols.resolve_reference("app.user", "nothing.Here") is None


@pytest.mark.parametrize(
    ("dunder_all", "partial", "name", "exported"),
    [
        (None, False, "Public", True),
        (None, False, "_private", False),
        (("A",), False, "A", True),
        (("A",), False, "B", False),
        (("A",), True, "B", True),  # `__all__` partly computed: public names may be in it
        (("A",), True, "_b", False),
    ],
)
def test_star_exports(
    dunder_all: tuple[str, ...] | None, partial: bool, name: str, exported: bool
) -> None:
    facts = FileFacts("m", dunder_all=dunder_all, dunder_all_partial=partial)
    assert star_exports(facts, name) is exported


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a.b.Name", None),
        ("Name", "'Name' is not of the form 'module.Name'"),
        ("a.*.Name", "'a.*.Name' is not a dotted name (segment '*')"),
    ],
)
def test_symbol_problem(text: str, problem: str | None) -> None:
    assert Symbol.problem(text) == problem
