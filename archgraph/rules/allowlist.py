"""`allowlist`: source modules may import only the modules listed (and their own parts)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import ImportSite, Violation
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.schema import TablePosition
from archgraph.results import ContractResult
from archgraph.rules.base import Contract, modules_named
from archgraph.rules.registry import register
from archgraph.rules.sites import imports_leaving


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Allowlist(Contract):
    """Source modules may import only their own modules, the allowed modules and the allowed
    external packages (direct imports: an allowed module answers for its own imports).

    Compliance, over import sites: governed = every import from inside a source module to a
    module outside it, internal or external; violating = those into a module that is not
    allowed; exempt = the imports `ignore_imports` removes.
    """

    kind: ClassVar[str] = "allowlist"
    supports_exclude_modules: ClassVar[bool] = True
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) import sites; governed: imports leaving a source "
        "module; violating: those into a module neither allowed nor the source's own; exempt: "
        "ignore_imports"
    )
    source_modules: tuple[ModuleExpr, ...]
    allowed_modules: tuple[ModuleExpr, ...] = ()
    # External packages the sources may import, by name: a package the code does not import
    # is not in the graph, so an entry that matches nothing is no mistake.
    allowed_external: tuple[ModuleExpr, ...] = ()
    allow_all_external: bool = False

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        return modules_named(model, self.source_modules)

    def validate(self, at: TablePosition) -> list[object]:
        if self.allow_all_external and self.allowed_external:
            return [
                at.error(
                    "allowed_external",
                    "allow_all_external = true allows every external package already;"
                    " remove one of the two",
                )
            ]
        return []

    def external_keys(self) -> dict[str, str]:
        """Without `allow_all_external` every import of an external package is ruled on."""
        keys = Contract.external_keys(self)
        if not self.allow_all_external:
            keys["allowed_external"] = "; or set allow_all_external = true"
        return keys

    def check(self, model: ArchModel) -> ContractResult:
        """Report each direct import from a source to a module outside its allow-list."""
        view, diagnostics = self.view(model)
        sources, problems = self.resolve(model, "source_modules", self.source_modules)
        allowed, more = self.resolve(model, "allowed_modules", self.allowed_modules)
        if problems or more:
            return self.result(diagnostics=diagnostics + problems + more)
        permitted = frozenset().union(*(view.within(m) for m in allowed))
        scoped = self.in_scope(model)
        candidates = imports_leaving(scoped, sources, scoped.modules)
        alternatives = Alternatives(view, permitted, self.allowed_external)
        violations = [
            self._violation(view, source, (importer, imported), alternatives.nearest(imported))
            for source in sources
            for importer, imported in sorted(imports_leaving(view, [source], view.modules))
            if imported not in permitted and not self._external_allowed(view, imported)
        ]
        return self.sites_result(violations, diagnostics, scoped, view, candidates)

    def _external_allowed(self, model: ArchModel, module: str) -> bool:
        if module not in model.external_modules:
            return False
        return self.allow_all_external or any(
            model.covers(expr, module) for expr in self.allowed_external
        )

    def _violation(
        self, model: ArchModel, source: str, site: ImportSite, alternative: str | None
    ) -> Violation:
        message = f"{source} may import only its allow-list, not {site[1]}"
        if alternative:
            message += f" (nearest allowed: {alternative})"
        violation = self.chain_violation(model, codes.NOT_ALLOWED_IMPORT.code, site, message)
        return violation._replace(alternative=alternative)


class Alternatives:
    """The allowed module to import instead of a module that is not allowed, with why it was
    chosen: said as found, nothing claimed beyond that.

    First an allowed module that imports the module itself (it may re-export what the source
    needs), the one whose name is closest; else the allowed module (a listed one or a module
    inside it) or allowed external package whose last name segment is closest (`app.utils`:
    `app.ports.util`). Each module is looked up
    once per check, however many sources import it.
    """

    def __init__(
        self, model: ArchModel, permitted: frozenset[str], allowed_external: Sequence[ModuleExpr]
    ) -> None:
        self.model = model
        self.permitted = permitted
        self.names = sorted({*permitted, *(e.text for e in allowed_external if not e.is_selector)})
        self.by_last = sorted({name.rpartition(".")[2] for name in self.names})
        self.found: dict[str, str | None] = {}

    def nearest(self, imported: str) -> str | None:
        if imported not in self.found:
            self.found[imported] = self._lookup(imported)
        return self.found[imported]

    def _lookup(self, imported: str) -> str | None:
        importers = sorted(self.model.importers_of(imported) & self.permitted)
        if importers:
            best = max(importers, key=lambda m: (_similarity(m, imported), -len(m), m))
            return f"{best}, which imports it"
        # By the last segment: whole names that share a long prefix all look alike.
        last = imported.rpartition(".")[2]
        close = set(difflib.get_close_matches(last, self.by_last, n=3, cutoff=0.75))
        if not close:
            return None
        named = [name for name in self.names if name.rpartition(".")[2] in close]
        best = max(named, key=lambda m: (_similarity(m, imported), -len(m), m))
        return f"{best}, the closest by name"


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
