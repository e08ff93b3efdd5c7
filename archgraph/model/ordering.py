"""Order the parts of a package so that as few imports as possible point upward.

The parts and the imports between them form a weighted directed graph (weight = how many
imports). A layer order lists importers above what they import; an import from a part to one
listed above it points upward. Finding the order with the least upward weight is the minimum
feedback arc set problem: solved exactly (dynamic programming over subsets) for each strongly
connected group of up to EXACT_LIMIT parts, and by the Eades-Lin-Smyth heuristic plus local
improvement beyond. Imports between groups never need to point upward, so groups are solved
one at a time, in dependency order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Weights = Mapping[tuple[str, str], int]
"""(importer, imported) -> how many imports; a missing pair has none."""

EXACT_LIMIT = 16  # 2**16 subsets x 16 parts: about a second in Python
MAX_IMPROVEMENT_PASSES = 50


@dataclass(frozen=True, slots=True)
class Ordering:
    """Parts from top (importers) to bottom (imported), and how good the order is."""

    order: tuple[str, ...]
    upward: int  # total weight of the imports that point upward in this order
    exact: bool  # True when the order is proven minimal


def upward_weight(order: Sequence[str], weights: Weights) -> int:
    """Total weight of imports from a part to one listed above it."""
    position = {part: index for index, part in enumerate(order)}
    return sum(
        count
        for (importer, imported), count in weights.items()
        if importer in position and imported in position and position[importer] > position[imported]
    )


def minimum_upward_order(
    parts: Iterable[str], weights: Weights, exact_limit: int = EXACT_LIMIT
) -> Ordering:
    """An order of the parts with as little upward weight as found (the minimum up to
    `exact_limit` parts per strongly connected group)."""
    nodes = sorted(set(parts))
    edges = {
        (a, b): w for (a, b), w in weights.items() if a != b and w > 0 and a in nodes and b in nodes
    }
    order: list[str] = []
    exact = True
    for group in _groups_in_dependency_order(nodes, edges):
        if len(group) == 1:
            order += group
        elif len(group) <= exact_limit:
            order += _exact_order(group, edges)
        else:
            order += _improved(_eades_lin_smyth(group, edges), edges)
            exact = False
    return Ordering(tuple(order), upward_weight(order, edges), exact)


def layering(order: Sequence[str], weights: Weights) -> tuple[tuple[str, ...], ...]:
    """Group an order into layers, top to bottom, keeping its relative order.

    Two parts share a layer only when neither imports the other directly; each part sits as low
    as it can (its layer counts the longest chain of such constraints below it), so parts that
    import nothing form the bottom layer.
    """
    position = {part: index for index, part in enumerate(order)}
    connected: dict[str, set[str]] = {part: set() for part in order}
    for (importer, imported), count in weights.items():
        if count > 0 and importer != imported and importer in position and imported in position:
            connected[importer].add(imported)
            connected[imported].add(importer)
    height: dict[str, int] = {}
    for part in reversed(order):
        below = [height[other] for other in connected[part] if position[other] > position[part]]
        height[part] = 1 + max(below) if below else 0
    top = max(height.values(), default=-1)
    return tuple(
        tuple(sorted(part for part in order if height[part] == level))
        for level in range(top, -1, -1)
    )


def _groups_in_dependency_order(
    nodes: Sequence[str], edges: Mapping[tuple[str, str], int]
) -> list[list[str]]:
    """Strongly connected groups, importers before what they import (ties by name)."""
    import networkx as nx  # noqa: PLC0415

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    groups: dict[int, list[str]] = {}
    for node, group in members.items():
        groups.setdefault(group, []).append(node)
    order = nx.lexicographical_topological_sort(condensed, key=lambda g: min(groups[g]))
    return [sorted(groups[g]) for g in order]


def _exact_order(group: Sequence[str], edges: Mapping[tuple[str, str], int]) -> list[str]:
    """The minimum-upward order of one group, by dynamic programming over subsets.

    best[S]: least upward weight with the parts of S placed (in some order) above all others.
    Placing part v right below S adds the weight of v's imports of parts in S.
    """
    n = len(group)
    weight = [[edges.get((a, b), 0) for b in group] for a in group]
    full = (1 << n) - 1
    infinity = float("inf")
    best: list[float] = [infinity] * (1 << n)
    last: list[int] = [-1] * (1 << n)
    best[0] = 0
    # into[S][v]: weight of v's imports of the parts in S, built from S without its lowest part.
    into: list[list[int]] = [[0] * n for _ in range(1 << n)]
    for subset in range(1 << n):
        if subset:
            low = (subset & -subset).bit_length() - 1
            previous = into[subset & (subset - 1)]
            into[subset] = [previous[v] + weight[v][low] for v in range(n)]
        cost = best[subset]
        if cost == infinity:
            continue
        added = into[subset]
        for v in range(n):
            bit = 1 << v
            if subset & bit:
                continue
            candidate = cost + added[v]
            if candidate < best[subset | bit]:
                best[subset | bit] = candidate
                last[subset | bit] = v
    order: list[str] = []
    subset = full
    while subset:
        v = last[subset]
        order.append(group[v])
        subset &= ~(1 << v)
    return order[::-1]


def _eades_lin_smyth(group: Sequence[str], edges: Mapping[tuple[str, str], int]) -> list[str]:
    """Eades, Lin and Smyth's greedy order (1993), weighted: sinks go last, sources first, else
    the part whose outgoing weight most exceeds its incoming weight goes next."""
    remaining = set(group)
    outgoing: dict[str, dict[str, int]] = {part: {} for part in group}
    incoming: dict[str, dict[str, int]] = {part: {} for part in group}
    for (a, b), w in edges.items():
        if a in remaining and b in remaining:
            outgoing[a][b] = w
            incoming[b][a] = w
    head: list[str] = []
    tail: list[str] = []

    def remove(part: str) -> None:
        remaining.discard(part)
        for other in outgoing[part]:
            incoming[other].pop(part, None)
        for other in incoming[part]:
            outgoing[other].pop(part, None)

    while remaining:
        progressed = True
        while progressed:
            progressed = False
            for part in sorted(p for p in remaining if not outgoing[p]):
                tail.append(part)
                remove(part)
                progressed = True
            for part in sorted(p for p in remaining if not incoming[p]):
                head.append(part)
                remove(part)
                progressed = True
        if remaining:
            chosen = max(
                sorted(remaining),
                key=lambda p: sum(outgoing[p].values()) - sum(incoming[p].values()),
            )
            head.append(chosen)
            remove(chosen)
    return head + tail[::-1]


def _improved(order: list[str], edges: Mapping[tuple[str, str], int]) -> list[str]:
    """Move single parts to the position that lowers the upward weight most, until none does."""
    order = list(order)
    for _ in range(MAX_IMPROVEMENT_PASSES):
        improved = False
        for part in list(order):
            index = order.index(part)
            best_delta, best_index = 0, index
            delta = 0
            for target in range(index - 1, -1, -1):  # move up past order[target]
                other = order[target]
                delta += edges.get((other, part), 0) - edges.get((part, other), 0)
                if delta < best_delta:
                    best_delta, best_index = delta, target
            delta = 0
            for target in range(index + 1, len(order)):  # move down past order[target]
                other = order[target]
                delta += edges.get((part, other), 0) - edges.get((other, part), 0)
                if delta < best_delta:
                    best_delta, best_index = delta, target
            if best_index != index:
                order.pop(index)
                order.insert(best_index, part)
                improved = True
        if not improved:
            break
    return order
