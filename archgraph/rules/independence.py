"""`independence`: the modules must not import each other, directly or indirectly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from archgraph import codes
from archgraph.model import ArchModel, LayerSpec, ModuleExpr
from archgraph.model.schema import TablePosition
from archgraph.results import ContractResult
from archgraph.rules.base import Contract, modules_named, overlapping
from archgraph.rules.registry import register
from archgraph.rules.sites import (
    imports_leaving,
    layer_chain_starts,
    route_first_hops,
)


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Independence(Contract):
    """The modules must not import each other, directly or indirectly.

    Compliance, over import sites: governed = every import from inside one of the modules to an
    internal module outside it; violating = the first import out of a module of every chain to
    another one (through none of the others); exempt = the imports `ignore_imports` removes.
    """

    kind: ClassVar[str] = "independence"
    supports_exclude_modules: ClassVar[bool] = True
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) import sites; governed: imports leaving one of the "
        "modules for an internal module; violating: the first import of every chain to another "
        "of them; exempt: ignore_imports"
    )
    modules: tuple[ModuleExpr, ...]

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        return modules_named(model, self.modules)

    def validate(self, at: TablePosition) -> list[object]:
        if len(self.modules) < 2 and not any(m.is_wildcard for m in self.modules):
            return [at.error("modules", "an independence contract needs at least two modules")]
        return []


    def check(self, model: ArchModel) -> ContractResult:
        """Report each shortest chain between two of the modules."""
        view, diagnostics = self.view(model)
        modules, problems = self.resolve(model, "modules", self.modules)
        problems += overlapping("modules", modules)
        if problems:
            return self.result(diagnostics=diagnostics + problems)
        # One layer of independent siblings: grimp's layer engine finds the chains between them.
        excluded, _ = self.excluded(model)  # a pattern naming nothing: `result` reports it
        found = view.graph.illegal_layer_routes([LayerSpec(tuple(modules))], ())
        routes = [r for r in (self.route_in_scope(route, excluded) for route in found) if r]
        violations = [
            violation
            for route in routes
            for violation in self.route_violations(
                view,
                route,
                codes.DEPENDENT_MODULES.code,
                f"{route.importer_layer} imports {route.imported_layer}; they must be independent",
            )
        ]
        scoped = self.in_scope(model)
        candidates = imports_leaving(scoped, modules, model.internal_modules)
        pairs = [(a, b) for a in modules for b in modules if a != b]
        violating = layer_chain_starts(view, pairs, frozenset(modules), excluded)
        violating |= {site for route in routes for site in route_first_hops(view, route)}
        return self.sites_result(violations, diagnostics, scoped, view, candidates, violating)
