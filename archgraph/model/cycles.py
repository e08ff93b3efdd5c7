"""Strongly connected components, bounded simple cycles and shortest paths of small directed
graphs, without networkx (whose import alone costs about 0.15 s, a third of a small check).

The algorithms are those networkx 3 runs (Tarjan's components with Nuutila's changes, Gupta and
Suzumura's bounded cycle search inside networkx's binary partition, a bidirectional
breadth-first search), walking nodes and neighbours in the same order, so they find the same
cycles first and the same one of several shortest paths: which cycles the `acyclic` contract
lists (it stops at a hundred) stays what it was. Nodes are visited in the insertion order of
the `Digraph`'s dictionaries and, where networkx walks a set, in the order of a set built the
same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Generic, TypeVar

N = TypeVar("N", bound=Hashable)


class Digraph(Generic[N]):
    """Successors and predecessors of each node, in the order they were added."""

    def __init__(self) -> None:
        self.succ: dict[N, dict[N, None]] = {}
        self.pred: dict[N, dict[N, None]] = {}

    def add_node(self, node: N) -> None:
        if node not in self.succ:
            self.succ[node] = {}
            self.pred[node] = {}

    def add_edge(self, source: N, target: N) -> None:
        self.add_node(source)
        self.add_node(target)
        self.succ[source][target] = None
        self.pred[target][source] = None

    def has_edge(self, source: N, target: N) -> bool:
        return target in self.succ.get(source, {})

    def remove_node(self, node: N) -> None:
        for successor in self.succ.pop(node):
            del self.pred[successor][node]
        for predecessor in self.pred.pop(node):
            del self.succ[predecessor][node]

    def induced(self, nodes: Iterable[N]) -> Induced[N]:
        """The subgraph on these nodes, a live view (networkx's `subgraph`)."""
        return Induced(self, {node for node in nodes if node in self.succ})


class Induced(Generic[N]):
    """A live view of a Digraph restricted to a set of nodes (networkx's subgraph view)."""

    def __init__(self, graph: Digraph[N], nodes: set[N]) -> None:
        self.graph = graph
        self.nodes = nodes

    def __iter__(self) -> Iterator[N]:
        # networkx walks the smaller of the two: the view's set, or the graph's nodes
        succ = self.graph.succ
        if 2 * len(self.nodes) < len(succ):
            return (node for node in self.nodes if node in succ)
        return (node for node in succ if node in self.nodes)

    def successors(self, node: N) -> list[N]:
        return [other for other in self.graph.succ[node] if other in self.nodes]

    def predecessors(self, node: N) -> list[N]:
        return [other for other in self.graph.pred[node] if other in self.nodes]


def strongly_connected_components(
    nodes: Iterable[N], successors: Callable[[N], Iterable[N]]
) -> Iterator[set[N]]:
    """Tarjan's algorithm with Nuutila's modifications, without recursion (networkx's)."""
    preorder: dict[N, int] = {}
    lowlink: dict[N, int] = {}
    found: set[N] = set()
    waiting: list[N] = []
    counter = 0
    order = list(nodes)
    neighbours = {node: iter(successors(node)) for node in order}
    for source in order:
        if source in found:
            continue
        queue = [source]
        while queue:
            v = queue[-1]
            if v not in preorder:
                counter += 1
                preorder[v] = counter
            done = True
            for w in neighbours[v]:
                if w not in preorder:
                    queue.append(w)
                    done = False
                    break
            if not done:
                continue
            lowlink[v] = preorder[v]
            for w in successors(v):
                if w not in found:
                    if preorder[w] > preorder[v]:
                        lowlink[v] = min(lowlink[v], lowlink[w])
                    else:
                        lowlink[v] = min(lowlink[v], preorder[w])
            queue.pop()
            if lowlink[v] == preorder[v]:
                component = {v}
                while waiting and preorder[waiting[-1]] > preorder[v]:
                    component.add(waiting.pop())
                found.update(component)
                yield component
            else:
                waiting.append(v)


def bounded_simple_cycles(edges: Iterable[tuple[N, N]], length_bound: int) -> Iterator[list[N]]:
    """The simple cycles of at most `length_bound` nodes (2 or more) of the graph of these
    edges, in the order networkx's `simple_cycles(graph, length_bound)` yields them for a graph
    whose edges were added in this order (self-loops are left out)."""
    graph: Digraph[N] = Digraph()
    for source, target in edges:
        if source != target:
            graph.add_edge(source, target)
    if length_bound == 2:
        visited: set[N] = set()
        for u, successors in graph.succ.items():
            yield from ([v, u] for v in visited.intersection(successors) if graph.has_edge(v, u))
            visited.add(u)
        return
    components = [
        c for c in strongly_connected_components(graph.succ, lambda v: graph.succ[v]) if len(c) >= 2
    ]
    while components:
        component = components.pop()
        view = graph.induced(component)
        start = next(iter(component))
        yield from _bounded_cycle_search(view, [start], length_bound)
        graph.remove_node(start)
        components.extend(
            c for c in strongly_connected_components(view, view.successors) if len(c) >= 2
        )


def _bounded_cycle_search(view: Induced[N], path: list[N], length_bound: int) -> Iterator[list[N]]:
    """Gupta and Suzumura's search of the cycles through path[0] (networkx's main loop)."""
    cached: dict[N, list[N]] = {}

    def successors(node: N) -> list[N]:
        found = cached.get(node)
        if found is None:
            found = cached[node] = view.successors(node)
        return found

    lock = {v: 0 for v in path}
    blocked_by: defaultdict[N, set[N]] = defaultdict(set)
    start = path[0]
    stack = [iter(successors(path[-1]))]
    blen = [length_bound]
    while stack:
        for w in stack[-1]:
            if w == start:
                yield path[:]
                blen[-1] = 1
            elif len(path) < lock.get(w, length_bound):
                path.append(w)
                blen.append(length_bound)
                lock[w] = len(path)
                stack.append(iter(successors(w)))
                break
        else:
            stack.pop()
            v = path.pop()
            bl = blen.pop()
            if blen:
                blen[-1] = min(blen[-1], bl)
            if bl < length_bound:
                relax = [(bl, v)]
                while relax:
                    bl, u = relax.pop()
                    if lock.get(u, length_bound) < length_bound - bl + 1:
                        lock[u] = length_bound - bl + 1
                        relax.extend((bl + 1, w) for w in blocked_by[u].difference(path))
            else:
                for w in successors(v):
                    blocked_by[w].add(v)


def shortest_path(view: Induced[N], source: N, target: N) -> list[N] | None:
    """A shortest path from source to target (networkx's bidirectional search), or None."""
    if source == target:
        return [source]
    before: dict[N, N | None] = {source: None}
    after: dict[N, N | None] = {target: None}
    forward, backward = [source], [target]
    meeting: N | None = None
    found = False
    while forward and backward and not found:
        if len(forward) <= len(backward):
            level, forward = forward, []
            for v in level:
                for w in view.successors(v):
                    if w not in before:
                        forward.append(w)
                        before[w] = v
                    if w in after:
                        meeting, found = w, True
                        break
                if found:
                    break
        else:
            level, backward = backward, []
            for v in level:
                for w in view.predecessors(v):
                    if w not in after:
                        after[w] = v
                        backward.append(w)
                    if w in before:
                        meeting, found = w, True
                        break
                if found:
                    break
    if not found:
        return None
    path: list[N] = []
    node: N | None = meeting
    while node is not None:
        path.append(node)
        node = before[node]
    path.reverse()
    node = after[path[-1]]
    while node is not None:
        path.append(node)
        node = after[node]
    return path
