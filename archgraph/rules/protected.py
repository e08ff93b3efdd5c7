"""`protected`: only the allowed importers may import these modules (directly)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from archgraph.diagnostics import ContractResult
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.names import is_within
from archgraph.rules.base import Contract
from archgraph.rules.registry import register


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Protected(Contract):
    kind: ClassVar[str] = "protected"
    modules: tuple[ModuleExpr, ...]
    allowed_importers: tuple[ModuleExpr, ...] = ()

    def check(self, model: ArchModel) -> ContractResult:
        """Report each direct import of a protected module from outside the allowed importers."""
        view, diagnostics = self.view(model)
        protected, problems = self.resolve(model, "modules", self.modules)
        allowed, more = self.resolve(model, "allowed_importers", self.allowed_importers)
        if problems or more:
            return self.result(diagnostics=diagnostics + problems + more)
        violations = []
        governed = 0
        for target_root in protected:
            for target in sorted(view.within(target_root)):
                for importer in sorted(view.importers_of(target)):
                    if is_within(importer, target_root):
                        continue  # a protected module may use its own parts
                    governed += 1
                    if any(is_within(importer, a) for a in allowed):
                        continue
                    violations.append(
                        self.chain_violation(
                            view,
                            "AG130",
                            (importer, target),
                            f"{importer} imports protected module {target}",
                        )
                    )
        return self.result(violations, diagnostics, governed=governed)
