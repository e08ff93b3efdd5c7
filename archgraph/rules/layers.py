"""`layers`: a higher layer may import a lower one, never the reverse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from archgraph.diagnostics import ContractResult, Violation
from archgraph.model import ArchModel, LayerSpec, ModuleExpr
from archgraph.model.names import is_descendant
from archgraph.model.schema import TablePosition
from archgraph.rules.base import Contract, no_match
from archgraph.rules.registry import register


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Layers(Contract):
    kind: ClassVar[str] = "layers"
    layers: tuple[LayerSpec, ...]
    containers: tuple[ModuleExpr, ...] = ()
    exhaustive: bool = False
    exhaustive_ignores: tuple[str, ...] = ()  # children of a container that need no layer

    def validate(self, at: TablePosition) -> list[object]:
        problems: list[object] = []
        if len(self.layers) < 2 and not any(len(spec.modules) > 1 for spec in self.layers):
            problems.append(at.error("layers", "a layers contract needs at least two layers"))
        names = [m for spec in self.layers for m in spec.modules]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(at.error("layers", f"'{name}' is listed in more than one layer"))
        for outer, inner in sorted(
            (a, b) for a in set(names) for b in set(names) if is_descendant(b, a)
        ):
            problems.append(at.error("layers", f"layer '{outer}' contains layer '{inner}'"))
        if self.exhaustive and not self.containers:
            problems.append(at.error("exhaustive", "exhaustive = true needs containers"))
        return problems

    def check(self, model: ArchModel) -> ContractResult:
        """Report every import chain from a lower layer up to a higher one."""
        view, diagnostics = self.view(model)
        containers, problems = self.resolve(model, "containers", self.containers)
        diagnostics += problems
        if self.containers and not containers and not problems:
            return self.result(diagnostics=diagnostics)  # only optional containers, none present
        # Every layer that is not optional must exist (in every container).
        for spec in self.layers:
            for module in spec.modules:
                if module in spec.optional:
                    continue
                for prefix in [f"{c}." for c in containers] or [""]:
                    if not model.contains(prefix + module):
                        shown = ModuleExpr(prefix + module)
                        diagnostics.append(no_match(model, "layers", shown))
        if problems or any(d.is_configuration for d in diagnostics):
            return self.result(diagnostics=diagnostics)

        violations = [
            violation
            for route in view.graph.illegal_layer_routes(self.layers, containers)
            for violation in self.route_violations(
                view,
                route,
                "AG101",
                f"{route.importer_layer} (lower layer) imports {route.imported_layer}"
                " (higher layer)",
            )
        ]
        if self.exhaustive:
            violations += self._unlisted_children(model, containers)
        return self.result(violations, diagnostics)

    def _unlisted_children(self, model: ArchModel, containers: list[str]) -> list[Violation]:
        listed = {m for spec in self.layers for m in spec.modules} | set(self.exhaustive_ignores)
        return [
            Violation(
                code="AG102",
                contract=self.id,
                message=f"{child} is not in any layer (the contract is exhaustive)",
                location=model.location_of(child),
            )
            for container in containers
            for child in sorted(model.children(container))
            if child.rpartition(".")[2] not in listed
        ]
