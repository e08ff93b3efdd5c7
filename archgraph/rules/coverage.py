"""Coverage: the modules of the analyzed code that no contract governs.

A contract governs the modules its own patterns name (`Contract.named_modules`: the layers, the
source and forbidden modules, the protected ones...) and everything inside them, except what
its `exclude_modules` leaves out of its scope. A package is
governed too when every module inside it is: its `__init__` is the glue of modules that
contracts rule on (a layers contract over `app.high`, `app.low` covers `app`); test code
inside it does not count against it (`app.tests` is reported, `app` is not). Namespace
directories (no file) are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from archgraph.model import ArchModel
from archgraph.results import Coverage
from archgraph.rules.base import Contract


def governed_modules(contracts: Sequence[Contract], model: ArchModel) -> frozenset[str]:
    """The analyzed modules some contract governs."""
    governed: set[str] = set()
    for contract in contracts:
        excluded, _ = contract.excluded(model)  # `exclude_modules`: out of its scope
        named = contract.named_modules(model)
        governed |= {m for module in named for m in model.within(module)} - excluded
    internal = model.internal_modules
    tests = model.test_modules
    # Deepest first: a package is judged after the packages inside it.
    for package in sorted(internal, key=lambda m: -m.count(".")):
        inside = model.children(package) & internal
        if package in governed or package in tests or not inside:
            continue
        if inside <= governed | tests:
            governed.add(package)
    return frozenset(governed) & _counted(model)


def coverage(contracts: Sequence[Contract], model: ArchModel, required: bool = False) -> Coverage:
    """The modules no contract governs, test code told apart (`ArchModel.is_test`)."""
    counted = _counted(model)
    ungoverned = tuple(sorted(counted - governed_modules(contracts, model)))
    return Coverage(
        modules=len(counted),
        ungoverned=ungoverned,
        ungoverned_in_tests=tuple(m for m in ungoverned if model.is_test(m)),
        required=required,
    )


def _counted(model: ArchModel) -> frozenset[str]:
    """The modules coverage counts: the analyzed code's, with a file."""
    return frozenset(m for m in model.internal_modules if m not in model.namespace_modules)
