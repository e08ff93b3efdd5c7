"""A slow, obviously correct model of what archgraph should find, for the property tests.

It walks the files itself, parses them with `ast`, resolves every import by hand and checks
each contract by brute force (breadth-first search), sharing no code with archgraph.
"""

from __future__ import annotations

import ast
import os
from collections import deque
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

Edge = tuple[str, str]


@dataclass(frozen=True)
class OracleGraph:
    modules: frozenset[str]
    edges: frozenset[Edge]

    def within(self, module: str) -> set[str]:
        return {m for m in self.modules if m == module or m.startswith(module + ".")}

    def successors(self, module: str) -> set[str]:
        return {b for a, b in self.edges if a == module}

    def path_exists(self, sources: AbstractSet[str], targets: AbstractSet[str], avoid: AbstractSet[str] = frozenset()) -> bool:
        """A chain of one or more imports from a source to a target, never through `avoid`."""
        queue = deque(sources)
        seen = set(sources)
        while queue:
            current = queue.popleft()
            for following in self.successors(current):
                if following in targets:
                    return True
                if following in seen or following in avoid:
                    continue
                seen.add(following)
                queue.append(following)
        return False


def walk(root: Path, package: str) -> dict[str, Path | None]:
    """module -> its file (None for a namespace directory), like Python's import system."""
    found: dict[str, Path | None] = {}
    for directory, _dirs, files in os.walk(root / package):
        here = Path(directory)
        module = ".".join(here.relative_to(root).parts)
        init = here / "__init__.py"
        found[module] = init if init.is_file() else None
        for name in files:
            if name.endswith(".py") and name != "__init__.py":
                found[f"{module}.{name[:-3]}"] = here / name
    return found


def _resolve_relative(importer: str, is_package: bool, level: int, name: str | None) -> str:
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def imports_of_file(
    module: str, path: Path, is_package: bool, modules: AbstractSet[str], top: str
) -> set[Edge]:
    """The internal imports one file makes, resolved as Python (and grimp) would."""
    tree = ast.parse(path.read_bytes())
    edges: set[Edge] = set()

    def internal(name: str) -> bool:
        return name == top or name.startswith(top + ".")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if internal(alias.name) and alias.name in modules:
                    edges.add((module, alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(module, is_package, node.level, node.module)
            else:
                base = node.module or ""
            if not internal(base):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                # `from a import b` imports the submodule a.b when there is one, else a's name b.
                if candidate in modules:
                    edges.add((module, candidate))
                elif base in modules:
                    edges.add((module, base))
    return edges


def build(root: Path, package: str) -> OracleGraph:
    files = walk(root, package)
    modules = frozenset(files)
    edges: set[Edge] = set()
    for module, path in files.items():
        if path is not None:
            edges |= imports_of_file(module, path, path.name == "__init__.py", modules, package)
    return OracleGraph(modules, frozenset(edges))


# --- contracts, by brute force --------------------------------------------------------------


def forbidden_direct(graph: OracleGraph, source: str, forbidden: str) -> set[Edge]:
    sources, targets = graph.within(source), graph.within(forbidden)
    return {(a, b) for a, b in graph.edges if a in sources and b in targets}


def forbidden_chain_exists(graph: OracleGraph, source: str, forbidden: str) -> bool:
    return graph.path_exists(graph.within(source), graph.within(forbidden))


def independence_pairs(graph: OracleGraph, modules: Iterable[str]) -> set[Edge]:
    """Ordered pairs (a, b) with a chain from a to b that passes through none of the others."""
    listed = list(modules)
    found = set()
    for a in listed:
        for b in listed:
            if a == b:
                continue
            others = set().union(*(graph.within(m) for m in listed if m not in (a, b)))
            if graph.path_exists(graph.within(a), graph.within(b), avoid=others):
                found.add((a, b))
    return found


def illegal_layer_pairs(layers: list[list[str]]) -> set[Edge]:
    """(importer layer, imported layer) pairs the layering forbids; layers top to bottom."""
    pairs = set()
    for index, level in enumerate(layers):
        for module in level:
            for lower in layers[index + 1 :]:
                pairs.update((low, module) for low in lower)
            pairs.update((module, sibling) for sibling in level if sibling != module)
    return pairs


def layer_violations(graph: OracleGraph, layers: list[list[str]]) -> tuple[set[Edge], set[Edge]]:
    """(pairs of layers with an illegal chain, the illegal direct imports)."""
    everything = set().union(*(graph.within(m) for level in layers for m in level))
    pairs, direct = set(), set()
    for lower, higher in illegal_layer_pairs(layers):
        sources, targets = graph.within(lower), graph.within(higher)
        avoid = everything - sources - targets
        if graph.path_exists(sources, targets, avoid):
            pairs.add((lower, higher))
        direct |= {(a, b) for a, b in graph.edges if a in sources and b in targets}
    return pairs, direct


def protected_violations(graph: OracleGraph, protected: str, allowed: list[str]) -> set[Edge]:
    inside = graph.within(protected)
    return {
        (a, b)
        for a, b in graph.edges
        if b in inside
        and a not in inside
        and not any(a == x or a.startswith(x + ".") for x in allowed)
    }


def modules_on_cycles(graph: OracleGraph, package: str) -> set[str]:
    """Children of the package that lie on an import cycle between its children."""
    depth = package.count(".") + 1

    def child(module: str) -> str | None:
        if not module.startswith(package + "."):
            return None
        return ".".join(module.split(".")[: depth + 1])

    collapsed = {
        (child(a), child(b))
        for a, b in graph.edges
        if child(a) and child(b) and child(a) != child(b)
    }
    children = {c for edge in collapsed for c in edge}
    small = OracleGraph(frozenset(c for c in children if c), frozenset(collapsed))  # type: ignore[arg-type]
    return {c for c in small.modules if small.path_exists({c}, {c})}
