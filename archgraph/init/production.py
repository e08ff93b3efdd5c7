"""Production first: what `archgraph init` leaves out as test code, and where the code's
architecture lives.

Test code is what the model says it is (`ArchModel.test_modules`: tests/ folders, `test_*.py`,
`conftest.py`, the project's pytest configuration); nothing here adds a rule of its own. Init
proposes no contract for test code and exempts test code from the contracts it proposes, so
that a contract's status is production's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archgraph.families.analysis import analyze as analyze_families
from archgraph.families.classify import ClassKind, FamiliesQuery, class_kind
from archgraph.families.findings import Family
from archgraph.model import ArchModel
from archgraph.model.classes import ClassInfo, ClassModel
from archgraph.model.names import ModuleExpr, is_within


@dataclass(frozen=True, slots=True)
class Level:
    """The package whose children are the parts of the architecture, below a root package.

    `through`: the packages descended through, root first (`backend` holding only `backend.app`
    and its tests); empty when the root is the level.
    """

    package: str
    through: tuple[str, ...] = ()


def nameable(module: str) -> bool:
    """A contract can name the module: each segment a Python name, none a wildcard.

    Folders such as `my-plugin` are modules (importlib loads them) that no pattern can spell;
    a proposal leaves them out rather than write a contract that `check` would refuse.
    """
    return ModuleExpr.problem(module) is None and "*" not in module


def is_test_tree(model: ArchModel, module: str) -> bool:
    """The module is test code, or a package all of whose modules below it are test code
    (`e2e/__init__.py` beside `e2e/test_flow.py`)."""
    if model.is_test(module):
        return True
    below = model.descendants(module)
    return bool(below) and all(model.is_test(m) for m in below)


def production_children(model: ArchModel, package: str) -> list[str]:
    """The package's children that are not test code, sorted."""
    return sorted(c for c in model.children(package) if not is_test_tree(model, c))


def architecture_level(model: ArchModel, root: str) -> Level:
    """Where the parts are: descend while the package holds one production child package and
    otherwise only test code (`backend` -> `backend.app` beside `backend.tests`), so that
    layers are proposed among the app's parts, never as `app | tests`."""
    package, through = root, list[str]()
    while True:
        children = production_children(model, package)
        if len(children) != 1 or not model.children(children[0]):
            return Level(package, tuple(through))
        through.append(package)
        package = children[0]


def exempt_test_code(model: ArchModel, packages: Iterable[str]) -> tuple[str, ...]:
    """`ignore_imports` entries that take the test code inside the packages out of a contract.

    One entry per outermost test module (`app.services.tests -> app`: every import from it to
    its root package), only for test code that imports something there, so that each entry
    matches an import (an entry that matches none is reported as stale). Test code no
    contract can name (`app.my-tests`) is left as it is.
    """
    tests = model.test_modules
    inside = {module for package in packages for module in model.within(package) & tests}
    entries = []
    for module in outermost_test_modules(model, inside):
        root = module.split(".")[0]
        if any(
            is_within(imported, root)
            for part in model.within(module)
            for imported in model.imports_of(part)
        ):
            entries.append(f"{module} -> {root}")
    return tuple(entries)


def outermost_test_modules(model: ArchModel, modules: Iterable[str]) -> tuple[str, ...]:
    """The modules, each replaced by its outermost test package (`app.tests.unit.x` ->
    `app.tests`), sorted and without repeats; those no contract can name left out."""
    tests = model.test_modules
    found: set[str] = set()
    for module in modules:
        outermost = module
        while (parent := outermost.rpartition(".")[0]) and parent in tests:
            outermost = parent
        found.add(outermost)
    return tuple(sorted(m for m in found if nameable(m)))


# --- the families analysis, as init asks it (the one place init depends on its API) ----------


def production_families(classes: ClassModel, tests: frozenset[str]) -> Sequence[Family]:
    """The families found among the production classes (test doubles compete with nothing:
    the analysis leaves them out, keeping what the packages import of each other)."""
    return analyze_families(classes, FamiliesQuery(), tests).families


def is_behaviour(classes: ClassModel, info: ClassInfo) -> bool:
    """A class with behaviour, not an exception, enum, data class, test or mixin."""
    return class_kind(classes, info) is ClassKind.BEHAVIOUR
