"""`acyclic`: the children of each package must not import each other in a cycle."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import Diagnostic, ImportSite, Severity, Violation
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.cycles import (
    Digraph,
    Induced,
    bounded_simple_cycles,
    shortest_path,
    strongly_connected_components,
)
from archgraph.model.schema import TablePosition
from archgraph.results import ContractResult
from archgraph.rules.base import Contract, modules_named
from archgraph.rules.registry import register
from archgraph.rules.sites import removed_sites

MAX_CYCLES_PER_PACKAGE = 100


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Acyclic(Contract):
    """The children of each package must not import each other in a cycle.

    Compliance, over import sites: governed = every import between two different children of a
    checked package; violating = every such import along a child -> child dependency that lies on
    a cycle (both children in one strongly connected component), whatever `max_cycle_length`
    lets the report list; exempt = the imports `ignore_imports` removes.
    """

    kind: ClassVar[str] = "acyclic"
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) import sites; governed: imports between two "
        "children of a package; violating: those along a dependency on any cycle; exempt: "
        "ignore_imports"
    )
    packages: tuple[ModuleExpr, ...]
    max_cycle_length: int = 8
    depth: int = 0  # also check the subpackages this many levels below each package
    skip_descendants: tuple[ModuleExpr, ...] = ()  # subpackages the depth walk does not enter

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        return modules_named(model, self.packages)

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
        governed: set[ImportSite] = set()
        violating: set[ImportSite] = set()
        ignored: set[ImportSite] = set()
        for package in self._packages_to_check(model, packages, frozenset(skipped)):
            cycles = self._package_cycles(view, package)
            violations += cycles.violations
            diagnostics += cycles.notes
            governed |= cycles.governed
            violating |= cycles.violating
            if view is not model:
                scoped = self.in_scope(model)
                ignored |= removed_sites(scoped, view, _sites_between_children(scoped, package))
        return self.result(
            violations, diagnostics, governed=governed, violating=violating, exempt=ignored
        )

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

    def _package_cycles(self, model: ArchModel, package: str) -> PackageCycles:
        """Cycles between the package's children; every import between two different children
        is governed, and every import along a dependency on a cycle violates."""
        prefix = package + "."
        depth = package.count(".") + 1

        def child_of(module: str) -> str | None:
            if not module.startswith(prefix):
                return None
            return ".".join(module.split(".")[: depth + 1])

        # The package's children as nodes; each edge keeps one real import as its example,
        # and all the imports it stands for.
        collapsed: Digraph[str] = Digraph()
        examples: dict[tuple[str, str], tuple[str, str]] = {}
        sites: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for importer in sorted(model.descendants(package)):
            source = child_of(importer)
            for imported in sorted(model.imports_of(importer)):
                target = child_of(imported)
                if not (target and source and target != source):
                    continue
                if (source, target) not in examples:
                    collapsed.add_edge(source, target)
                    examples[source, target] = (importer, imported)
                    sites[source, target] = []
                sites[source, target].append((importer, imported))
        cycles = []
        # Every import along a child -> child dependency inside a strongly connected component
        # lies on a cycle: those violate, however many cycles max_cycle_length lets the report
        # list.
        components = sorted(
            strongly_connected_components(collapsed.succ, collapsed.succ.__getitem__), key=min
        )
        component_of = {node: index for index, nodes in enumerate(components) for node in nodes}
        violating: set[ImportSite] = {
            site
            for (source, target), edge_sites in sites.items()
            if component_of[source] == component_of[target]
            for site in edge_sites
        }
        for component in components:
            if len(component) < 2:
                continue
            subgraph = collapsed.induced(component)
            # Number the nodes and add the edges in sorted order: the cycle search then walks
            # them in the same order in every run, so the first cycles found (those reported)
            # are the same.
            names = sorted(component)
            number = {name: index for index, name in enumerate(names)}
            numbered = sorted(
                (number[a], number[b]) for a in names for b in subgraph.successors(a)
            )
            found = [
                _rotate([names[index] for index in cycle])
                for cycle in itertools.islice(
                    bounded_simple_cycles(numbered, self.max_cycle_length),
                    MAX_CYCLES_PER_PACKAGE,
                )
            ]
            # Every cycle of this component is longer than max_cycle_length: still report one,
            # or a long ring of imports would pass as acyclic.
            cycles += found or [_shortest_cycle(subgraph)]
        violations = []
        for cycle in sorted(cycles):
            hops = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
            steps = tuple(model.step(*examples[hop]) for hop in hops)
            violations.append(
                self.steps_violation(
                    model,
                    codes.IMPORT_CYCLE.code,
                    steps,
                    f"import cycle in {package}: " + " -> ".join([*cycle, cycle[0]]),
                )
            )
        notes = []
        if cycles:
            for importer, imported in sorted(model.graph.cycle_breakers([package])):
                notes.append(
                    Diagnostic(
                        codes.CYCLE_BREAKER.code,
                        Severity.INFO,
                        f"to break every cycle in {package}, remove the import {importer} -> {imported}",
                        location=model.location_of(importer, _first_line(model, importer, imported)),
                    )
                )
            if len(cycles) >= MAX_CYCLES_PER_PACKAGE:
                notes.append(
                    Diagnostic(
                        codes.CYCLES_TRUNCATED.code,
                        Severity.INFO,
                        f"only the first {MAX_CYCLES_PER_PACKAGE} cycles in {package} are listed",
                    )
                )
        governed = {site for edge_sites in sites.values() for site in edge_sites}
        return PackageCycles(violations, notes, governed, violating)


@dataclass(frozen=True, slots=True)
class PackageCycles:
    """What one package contributes to an acyclic contract's result."""

    violations: list[Violation]
    notes: list[Diagnostic]
    governed: set[ImportSite]
    violating: set[ImportSite]


def _sites_between_children(model: ArchModel, package: str) -> set[ImportSite]:
    """Imports from one child of the package (or its descendants) to another child's."""
    depth = package.count(".") + 1
    sites = set()
    for importer in model.descendants(package):
        for imported in model.imports_of(importer):
            if imported.startswith(package + ".") and (
                imported.split(".")[depth] != importer.split(".")[depth]
            ):
                sites.add((importer, imported))
    return sites


def _shortest_cycle(component: Induced[str]) -> tuple[str, ...]:
    """A shortest cycle through the smallest node of a strongly connected component."""
    start = min(component.nodes)
    paths = [
        path
        for successor in sorted(component.successors(start))
        if (path := shortest_path(component, successor, start)) is not None
    ]
    best = min(paths, key=lambda path: (len(path), path))
    return _rotate([start, *best[:-1]])


def _first_line(model: ArchModel, importer: str, imported: str) -> int | None:
    lines = model.step(importer, imported).lines
    return lines[0] if lines else None


def _rotate(cycle: list[str]) -> tuple[str, ...]:
    """Start each cycle at its smallest module, so the same cycle always reads the same."""
    start = cycle.index(min(cycle))
    return tuple(cycle[start:] + cycle[:start])


