"""`layers`: a higher layer may import a lower one, never the reverse; nor, past a closed
layer, the layers below it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import Violation
from archgraph.model import ArchModel, ImportExpr, LayerSpec, ModuleExpr
from archgraph.model.names import is_descendant
from archgraph.model.schema import TablePosition, did_you_mean
from archgraph.results import ContractResult
from archgraph.rules.base import (
    Contract,
    modules_named,
    no_match,
    overlapping,
    replacement_problems,
)
from archgraph.rules.registry import register
from archgraph.rules.sites import (
    imports_leaving,
    layer_chain_starts,
    route_first_hops,
)


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Layers(Contract):
    """A higher layer may import a lower one, never the reverse.

    Compliance, over import sites: governed = every import from inside a layer module to an
    internal module outside it; violating = the first import out of the lower layer module of
    every illegal chain (shown or not); exempt = the imports `ignore_imports` removes.
    """

    kind: ClassVar[str] = "layers"
    supports_exclude_modules: ClassVar[bool] = True
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) import sites; governed: imports leaving a layer "
        "module for an internal module; violating: the first import of every illegal chain; "
        "exempt: ignore_imports"
    )
    layers: tuple[LayerSpec, ...]
    containers: tuple[ModuleExpr, ...] = ()
    exhaustive: bool = False
    exhaustive_ignores: tuple[str, ...] = ()  # children of a container that need no layer
    # Closed layers, each named by one of its modules: the layers above one may not import
    # the layers below it (they go through it).
    closed: tuple[str, ...] = ()
    # `old.module -> new.module`: where `archgraph fix` takes the names of a violating import
    # of the old module from instead (the new one must hold the very objects).
    replacements: tuple[ImportExpr, ...] = ()

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        """The layers' modules, inside each container."""
        containers = sorted(modules_named(model, self.containers))
        prefixes = [f"{c}." for c in containers] or [""]
        names = {prefix + m for spec in self.layers for m in spec.modules for prefix in prefixes}
        return frozenset(m for m in names if model.contains(m))

    def validate(self, at: TablePosition) -> list[object]:
        problems: list[object] = list(replacement_problems(at, self.replacements))
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
        for name in self.closed:
            if name not in names:
                problems.append(
                    at.error(
                        "closed",
                        f"'{name}' is not one of the layers ({', '.join(map(str, self.layers))})",
                        suggestion=did_you_mean(name, names),
                    )
                )
        return problems

    @property
    def layer_specs(self) -> tuple[LayerSpec, ...]:
        """The layers, each marked closed when `closed` names one of its modules."""
        return tuple(
            spec._replace(closed=True) if set(spec.modules) & set(self.closed) else spec
            for spec in self.layers
        )


    def check(self, model: ArchModel) -> ContractResult:
        """Report every import chain from a lower layer up to a higher one."""
        view, diagnostics = self.view(model)
        containers, problems = self.resolve(model, "containers", self.containers)
        if problems:  # the layers cannot be looked up without their containers
            return self.result(diagnostics=diagnostics + problems)
        if self.containers and not containers:
            return self.result(diagnostics=diagnostics)  # only optional containers, none present
        prefixes = [f"{c}." for c in containers] or [""]
        # Every layer that is not optional must exist (in every container).
        for spec in self.layers:
            for module in spec.modules:
                if module in spec.optional:
                    continue
                for prefix in prefixes:
                    if not model.contains(prefix + module):
                        diagnostics.append(no_match(model, "layers", ModuleExpr(prefix + module)))
        names = [m for spec in self.layers for m in spec.modules]
        for container in containers or [""]:
            prefix = f"{container}." if container else ""
            diagnostics += overlapping("layers", [prefix + name for name in names])
        if any(d.is_configuration for d in diagnostics):
            return self.result(diagnostics=diagnostics)

        excluded, _ = self.excluded(model)  # a pattern naming nothing: `result` reports it
        found = view.graph.illegal_layer_routes(self.layer_specs, containers)
        routes = [r for r in (self.route_in_scope(route, excluded) for route in found) if r]
        violations = [
            violation
            for route in routes
            for violation in self.route_violations(
                view, route, *self._finding(route.importer_layer, route.imported_layer, containers)
            )
        ]
        if self.exhaustive:
            violations += self._unlisted_children(model, containers)
        layer_modules = [
            prefix + module
            for prefix in prefixes
            for spec in self.layers
            for module in spec.modules
            if view.contains(prefix + module)
        ]
        scoped = self.in_scope(model)
        candidates = imports_leaving(scoped, layer_modules, model.internal_modules)
        violating = layer_chain_starts(
            view, self._illegal_pairs(prefixes, view), frozenset(layer_modules), excluded
        )
        violating |= {site for route in routes for site in route_first_hops(view, route)}
        return self.sites_result(violations, diagnostics, scoped, view, candidates, violating)

    def _illegal_pairs(self, prefixes: Sequence[str], view: ArchModel) -> list[tuple[str, str]]:
        """(importer, imported) layer module pairs no chain may join, per container: each lower
        layer with every higher one, the siblings of an independent layer ("a | b") both ways,
        and each layer above a closed one with every layer below it."""
        closed = {i for i, spec in enumerate(self.layer_specs) if spec.closed}
        pairs = []
        for prefix in prefixes:
            for index, spec in enumerate(self.layers):
                higher = [prefix + m for m in spec.modules]
                lower = [prefix + m for below in self.layers[index + 1 :] for m in below.modules]
                pairs += [(low, high) for high in higher for low in lower]
                if spec.independent:
                    pairs += [(a, b) for a in higher for b in higher if a != b]
                if index in closed:  # above it may not reach below it
                    above = [prefix + m for up in self.layers[:index] for m in up.modules]
                    pairs += [(high, low) for high in above for low in lower]
        return [(a, b) for a, b in pairs if view.contains(a) and view.contains(b)]

    def _finding(
        self, importer: str, imported: str, containers: Sequence[str]
    ) -> tuple[str, str]:
        """The code and message of a route: lower-imports-higher, two independent siblings of
        one layer ("a | b"), or a higher layer that reaches past a closed one."""
        importer_at = self._layer_of(importer, containers)
        imported_at = self._layer_of(imported, containers)
        upward = codes.UPWARD_LAYER_IMPORT.code
        if importer_at == imported_at:
            return upward, f"{importer} imports {imported}; they are independent siblings in one layer"
        if importer_at is not None and imported_at is not None and importer_at < imported_at:
            container = next((c for c in containers if importer.startswith(f"{c}.")), "")
            prefix = f"{container}." if container else ""
            skipped = next(
                spec for spec in self.layer_specs[importer_at + 1 : imported_at] if spec.closed
            )
            name = " | ".join(prefix + module for module in skipped.modules)
            return (
                codes.CLOSED_LAYER_SKIPPED.code,
                f"{importer} imports {imported}; it skips the closed layer {name}",
            )
        return upward, f"{importer} (lower layer) imports {imported} (higher layer)"

    def _layer_of(self, name: str, containers: Sequence[str]) -> int | None:
        for index, spec in enumerate(self.layers):
            for module in spec.modules:
                if name == module or any(name == f"{c}.{module}" for c in containers):
                    return index
        return None

    def _unlisted_children(self, model: ArchModel, containers: list[str]) -> list[Violation]:
        listed = {m for spec in self.layers for m in spec.modules} | set(self.exhaustive_ignores)
        return [
            Violation(
                code=codes.MODULE_OUTSIDE_LAYERS.code,
                contract=self.id,
                message=f"{child} is not in any layer (the contract is exhaustive)",
                location=model.location_of(child),
            )
            for container in containers
            for child in sorted(model.children(container))
            if child.rpartition(".")[2] not in listed
        ]
