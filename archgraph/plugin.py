"""What a contract type of your own needs, in one stable place: import from here only.

A contract type is a frozen dataclass that subclasses `Contract`. Its fields are the keys its
TOML table accepts (with their types, defaults, and which are required); `kind` is the `type`
that tables write. `check(model)` reads the import graph through `ArchModel` and returns a
`ContractResult`; it mutates nothing and prints nothing. The base class gives it the common keys
(`name`, `id`, `severity`, `ignore_imports`, `hint`, `import_kinds`, ...) and the helpers that the
built-in types use: `self.view(model)` (the model without `ignore_imports` and without the imports
of no kind in `import_kinds`, and a warning for each ignore that matches nothing), `self.resolve(model, key, exprs)` (the modules that patterns name; a pattern
naming none is reported), `self.chain_violation(model, code, chain, message)` and
`self.result(violations, diagnostics)`. An optional `validate(at)` returns the configuration
errors that tie several fields together, made with `at.error(key, message)`. A type that passes
its view to `self.result(..., model=view)` and sets `supports_exclude_modules = True` takes the
common `exclude_modules` key too (otherwise a table that sets it is a configuration error).

Field types a table can fill: `str`, `bool`, `int`, `float`, `Path`, an `Enum` of strings,
`ModuleExpr` (a module name or pattern: `app.*`, `app.**`, `(optional)`, or a selector:
`<stdlib>`, `<third_party>`, `<tests>`, which only the model resolves: use
`model.matching(expr)`, `model.covered(expr)` or `model.covers(expr, module)`), `ImportExpr`
(`importer -> imported`), `tuple[X, ...]` of those and `X | None`.

archgraph finds a type through the `archgraph.contracts` entry-point group, named by its
`kind`, when a contract table names a type it does not know (a check that uses only built-in
types never looks)::

    # the plugin's pyproject.toml
    [project.entry-points."archgraph.contracts"]
    leaves = "acme_contracts:Leaves"

    # acme_contracts.py
    from dataclasses import dataclass
    from typing import ClassVar

    from archgraph.plugin import ArchModel, Contract, ContractResult, ModuleExpr, TablePosition

    @dataclass(frozen=True, slots=True, kw_only=True)
    class Leaves(Contract):
        \"\"\"The modules under `leaves` import nothing else of the project.\"\"\"

        kind: ClassVar[str] = "leaves"
        leaves: tuple[ModuleExpr, ...]

        def validate(self, at: TablePosition) -> list[object]:
            return [] if self.leaves else [at.error("leaves", "name at least one module")]

        def check(self, model: ArchModel) -> ContractResult:
            view, diagnostics = self.view(model)
            leaves, problems = self.resolve(model, "leaves", self.leaves)
            if problems:
                return self.result(diagnostics=diagnostics + problems)
            violations = [
                self.chain_violation(view, "ACME100", (module, imported), f"{leaf} is a leaf")
                for leaf in leaves
                for module in sorted(view.within(leaf))
                for imported in sorted(view.imports_of(module) & view.internal_modules)
                if imported not in view.within(leaf)
            ]
            return self.result(violations, diagnostics)

    # contracts/architecture.toml of a project that installed the plugin
    [[contracts]]
    name = "app.util imports nothing else of app"
    type = "leaves"
    leaves = ["app.util"]

Where the helpers do not fit, build a `Violation` yourself (its `chain` of `ImportStep`s from
`model.step(importer, imported)`, its `Location` from `model.location_of(module, line)`), or a
`Diagnostic` with a `Severity` (an error one breaks the contract, warning and info ones do not).
A code is a short stable string of your own, not archgraph's `AG...`: reports and baselines
carry it. An entry point never replaces a kind archgraph knows already (a built-in one, say).
`register` adds a type to the running process instead, keyed by its `kind`, for a program that
calls `archgraph.run` with its own types.
"""

from __future__ import annotations

from archgraph.diagnostics import Diagnostic, ImportKind, ImportStep, Location, Severity, Violation
from archgraph.model import ArchModel, ImportExpr, ModuleExpr
from archgraph.model.schema import TablePosition
from archgraph.results import ContractResult
from archgraph.rules.base import Contract
from archgraph.rules.registry import register

__all__ = [
    "ArchModel",
    "Contract",
    "ContractResult",
    "Diagnostic",
    "ImportExpr",
    "ImportKind",
    "ImportStep",
    "Location",
    "ModuleExpr",
    "Severity",
    "TablePosition",
    "Violation",
    "register",
]
