"""`forbidden`: source modules must not import forbidden modules (indirectly too, by default)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import ImportSite, Violation
from archgraph.model import ArchModel, ImportExpr, ModuleExpr
from archgraph.model.names import is_within
from archgraph.model.schema import TablePosition
from archgraph.results import ContractResult
from archgraph.rules.base import Contract, modules_named, replacement_problems
from archgraph.rules.registry import register
from archgraph.rules.sites import chain_starts, imports_leaving, reaching


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Forbidden(Contract):
    """Source modules must not import forbidden modules (indirectly too, by default).

    Compliance, over import sites: governed = every import from inside a source module to a
    module outside it that is internal or forbidden; violating = the imports into a forbidden
    module and (unless `allow_indirect_imports`) the first import out of the source of every
    chain into one, shown or not; exempt = the imports `ignore_imports` removes.
    """

    kind: ClassVar[str] = "forbidden"
    supports_exclude_modules: ClassVar[bool] = True
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) import sites; governed: imports leaving a source "
        "module; violating: the first import of every chain into a forbidden module; exempt: "
        "ignore_imports"
    )
    source_modules: tuple[ModuleExpr, ...]
    forbidden_modules: tuple[ModuleExpr, ...]
    allow_indirect_imports: bool = False
    # `old.module -> new.module`: where `archgraph fix` takes the names of a violating import
    # of the old module from instead (the new one must hold the very objects).
    replacements: tuple[ImportExpr, ...] = ()

    def validate(self, at: TablePosition) -> list[object]:
        return replacement_problems(at, self.replacements)

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
        targets = frozenset().union(*(view.within(t) for t in forbidden))
        could_break = model.internal_modules | targets
        scoped = self.in_scope(model)
        candidates = imports_leaving(scoped, sources, could_break)
        excluded, _ = self.excluded(model)  # a pattern naming nothing: `result` reports it
        violating: set[ImportSite] = set()
        for source in sources:
            inside = view.within(source)
            # As the violations: a forbidden module nested with the source is not judged, nor
            # an excluded one (a chain may still pass through it).
            judged = frozenset().union(
                *(view.within(t) for t in forbidden if not (is_within(source, t) or is_within(t, source)))
            ) - excluded
            if self.allow_indirect_imports:
                reached: AbstractSet[str] = judged
            else:
                reached = reaching(view, judged, inside)
            violating |= chain_starts(view, inside - excluded, reached)
        return self.sites_result(violations, diagnostics, scoped, view, candidates, violating)
