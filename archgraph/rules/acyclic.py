"""`acyclic`: the children of each package must not import each other in a cycle."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

from archgraph.diagnostics import ContractResult, Diagnostic, Severity, Violation
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.schema import TablePosition
from archgraph.rules.base import Contract
from archgraph.rules.registry import register

MAX_CYCLES_PER_PACKAGE = 100


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Acyclic(Contract):
    kind: ClassVar[str] = "acyclic"
    packages: tuple[ModuleExpr, ...]
    max_cycle_length: int = 8
    depth: int = 0  # also check the subpackages this many levels below each package
    skip_descendants: tuple[ModuleExpr, ...] = ()  # subpackages the depth walk does not enter

    def validate(self, at: TablePosition) -> list[object]:
        problems: list[object] = []
        if self.depth < 0:
            problems.append(at.error("depth", "depth must be 0 or more"))
        if self.max_cycle_length < 2:
            problems.append(at.error("max_cycle_length", "max_cycle_length must be 2 or more"))
        return problems

    def check(self, model: ArchModel) -> ContractResult:
        """Report each cycle between a package's children, and the imports that break them all."""
        view, diagnostics = self.view(model)
        packages, problems = self.resolve(model, "packages", self.packages)
        skipped, more = self.resolve(model, "skip_descendants", self.skip_descendants)
        if problems or more:
            return self.result(diagnostics=diagnostics + problems + more)
        violations: list[Violation] = []
        for package in self._packages_to_check(model, packages, frozenset(skipped)):
            found, notes = self._package_cycles(view, package)
            violations += found
            diagnostics += notes
        return self.result(violations, diagnostics)

    def _packages_to_check(
        self, model: ArchModel, packages: list[str], skipped: frozenset[str]
    ) -> list[str]:
        """The packages, and their subpackages down to `depth` levels, outside skip_descendants."""
        found: dict[str, None] = {}
        level = list(packages)
        for remaining in range(self.depth, -1, -1):
            found.update(dict.fromkeys(level))
            if not remaining:
                break
            level = sorted(
                child
                for package in level
                for child in model.children(package)
                if child not in skipped and child not in found
            )
        return list(found)

    def _package_cycles(
        self, model: ArchModel, package: str
    ) -> tuple[list[Violation], list[Diagnostic]]:
        import networkx as nx  # noqa: PLC0415 - heavy import, only needed here

        prefix = package + "."
        depth = package.count(".") + 1

        def child_of(module: str) -> str | None:
            if not module.startswith(prefix):
                return None
            return ".".join(module.split(".")[: depth + 1])

        # The package's children as nodes; each edge keeps one real import as its example.
        collapsed = nx.DiGraph()
        for importer in sorted(model.descendants(package)):
            source = child_of(importer)
            for imported in sorted(model.imports_of(importer)):
                target = child_of(imported)
                if target and source and target != source and not collapsed.has_edge(source, target):
                    collapsed.add_edge(source, target, example=(importer, imported))
        cycles = []
        for component in sorted(nx.strongly_connected_components(collapsed), key=min):
            if len(component) < 2:
                continue
            subgraph = collapsed.subgraph(component)
            bounded = [
                _rotate(cycle)
                for cycle in itertools.islice(
                    nx.simple_cycles(subgraph, length_bound=self.max_cycle_length),
                    MAX_CYCLES_PER_PACKAGE,
                )
            ]
            if not bounded:
                # Every cycle here is longer than max_cycle_length; still report one of them.
                bounded = [_rotate([edge[0] for edge in nx.find_cycle(subgraph)])]
            cycles += bounded
        violations = []
        for cycle in sorted(cycles):
            hops = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
            steps = tuple(model.step(*collapsed.edges[hop]["example"]) for hop in hops)
            violations.append(
                self.steps_violation(
                    model, "AG140", steps, f"import cycle in {package}: " + " -> ".join([*cycle, cycle[0]])
                )
            )
        notes = []
        if cycles:
            for importer, imported in sorted(model.graph.cycle_breakers([package])):
                notes.append(
                    Diagnostic(
                        "AG141",
                        Severity.INFO,
                        f"to break every cycle in {package}, remove the import {importer} -> {imported}",
                        location=model.location_of(importer),
                    )
                )
            if len(cycles) >= MAX_CYCLES_PER_PACKAGE:
                notes.append(
                    Diagnostic(
                        "AG142",
                        Severity.INFO,
                        f"only the first {MAX_CYCLES_PER_PACKAGE} cycles in {package} are listed",
                    )
                )
        return violations, notes


def _rotate(cycle: list[str]) -> tuple[str, ...]:
    """Start each cycle at its smallest module, so the same cycle always reads the same."""
    start = cycle.index(min(cycle))
    return tuple(cycle[start:] + cycle[:start])


