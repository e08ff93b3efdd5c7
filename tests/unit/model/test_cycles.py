"""The cycle algorithms without networkx find what networkx finds, in the same order: the
`acyclic` contract lists the first hundred cycles of a package, so the order is output."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from archgraph.model.cycles import (
    Digraph,
    bounded_simple_cycles,
    shortest_path,
    strongly_connected_components,
)


def _random_edges(seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    size = rng.randint(2, 40)
    density = rng.choice([0.05, 0.1, 0.2, 0.4])
    edges = {
        (a, b)
        for a in range(size)
        for b in range(size)
        if a != b and rng.random() < density
    }
    return sorted(edges)


@pytest.mark.parametrize("seed", range(60))
def test_bounded_cycles_match_networkx_in_order(seed: int) -> None:
    edges = _random_edges(seed)
    numbered = nx.DiGraph()
    numbered.add_nodes_from(sorted({node for edge in edges for node in edge}))
    numbered.add_edges_from(edges)
    for bound in (2, 3, 5, 8):
        expected = list(itertools.islice(nx.simple_cycles(numbered, length_bound=bound), 300))
        found = list(itertools.islice(bounded_simple_cycles(edges, bound), 300))
        assert found == expected, (seed, bound)


@pytest.mark.parametrize("seed", range(30))
def test_components_and_shortest_paths_match_networkx(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"pkg.m{index}" for index in range(rng.randint(2, 30))]
    edges = [(a, b) for a in names for b in names if a != b and rng.random() < 0.12]
    rng.shuffle(edges)
    graph: Digraph[str] = Digraph()
    reference = nx.DiGraph()
    for a, b in edges:
        graph.add_edge(a, b)
        reference.add_edge(a, b)
    components = sorted(
        strongly_connected_components(graph.succ, graph.succ.__getitem__), key=min
    )
    assert components == sorted(nx.strongly_connected_components(reference), key=min)
    for component in components:
        view, reference_view = graph.induced(component), reference.subgraph(component)
        for source in sorted(component):
            for target in sorted(component):
                assert shortest_path(view, source, target) == nx.shortest_path(
                    reference_view, source, target
                )


def test_a_graph_without_a_path_has_no_shortest_path() -> None:
    graph: Digraph[str] = Digraph()
    graph.add_edge("a", "b")
    assert shortest_path(graph.induced(["a", "b"]), "b", "a") is None
