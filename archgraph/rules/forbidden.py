"""`forbidden`: source modules must not import forbidden modules (indirectly too, by default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import ContractResult, Violation
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.names import is_within
from archgraph.rules.base import Contract, modules_named
from archgraph.rules.registry import register
from archgraph.rules.sites import imports_leaving


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Forbidden(Contract):
    kind: ClassVar[str] = "forbidden"
    supports_exclude_modules: ClassVar[bool] = True
    source_modules: tuple[ModuleExpr, ...]
    forbidden_modules: tuple[ModuleExpr, ...]
    allow_indirect_imports: bool = False

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        return modules_named(model, (*self.source_modules, *self.forbidden_modules))

    def check(self, model: ArchModel) -> ContractResult:
        """Report each import (or shortest chain) from a source to a forbidden module."""
        view, diagnostics = self.view(model)
        sources, problems = self.resolve(model, "source_modules", self.source_modules)
        forbidden, more = self.resolve(model, "forbidden_modules", self.forbidden_modules)
        if problems or more:
            return self.result(diagnostics=diagnostics + problems + more)
        violations: list[Violation] = []
        for source in sources:
            for target in forbidden:
                if is_within(source, target) or is_within(target, source):
                    continue
                message = f"{source} must not import {target}"
                if self.allow_indirect_imports:
                    targets = view.within(target)
                    violations += [
                        self.chain_violation(
                            view, codes.FORBIDDEN_IMPORT.code, (importer, imported), message
                        )
                        for importer in sorted(view.within(source))
                        for imported in sorted(view.imports_of(importer) & targets)
                    ]
                else:
                    violations += [
                        self.chain_violation(view, codes.FORBIDDEN_IMPORT.code, chain, message)
                        for chain in view.shortest_chains(source, target)
                    ]
        # Any import out of a source is ruled on; external modules import nothing in the
        # graph, so an external one matters only when it is forbidden itself.
        could_break = view.internal_modules.union(*(view.within(t) for t in forbidden))
        governed = imports_leaving(view, sources, could_break)
        return self.result(violations, diagnostics, governed=governed, model=view)
