"""The dependency matrix's data: rows in order, cells, marks and cycle boxes; its HTML fragment."""

from __future__ import annotations

import pytest
from helpers import contract, model_from_edges

from archgraph.report.graphview import LayerPlan
from archgraph.report.matrix import (
    CycleBox,
    build_matrix,
    default_depth,
    matrix_html_fragment,
    matrix_image,
)

# a -> b -> c -> a is one cycle; d imports a and is imported by nobody; e imports nothing.
EDGES = {
    "pkg.a.x": ["pkg.b.y", "pkg.b.q"],
    "pkg.b.y": ["pkg.c.z", "pkg.c.w"],
    "pkg.c.z": ["pkg.a.x"],
    "pkg.d.v": ["pkg.a.x", "pkg.c.w"],
    "pkg.e.u": [],
}


def test_rows_in_the_order_with_the_fewest_upward_imports() -> None:
    matrix = build_matrix(model_from_edges(EDGES), (), depth=2)
    assert [row.name for row in matrix.rows] == ["pkg", "pkg.d", "pkg.a", "pkg.b", "pkg.c", "pkg.e"]
    cells = {(matrix.rows[c.column].name, matrix.rows[c.row].name): (c.imports, c.upward, c.cycle)
             for c in matrix.cells}
    assert cells == {
        ("pkg.d", "pkg.a"): (1, False, False),
        ("pkg.d", "pkg.c"): (1, False, False),
        ("pkg.a", "pkg.b"): (2, False, True),
        ("pkg.b", "pkg.c"): (2, False, True),
        ("pkg.c", "pkg.a"): (1, True, True),  # the one import against the order
    }
    assert matrix.cycles == (CycleBox(0, 2, 4),)
    assert matrix.upward_imports == 1 and matrix.order.startswith("inferred layering")


def test_configured_layers_order_the_rows_and_split_a_cycle_box() -> None:
    plan = LayerPlan("layers", ("a", "d", "b | c"), (("pkg.a",), ("pkg.d",), ("pkg.b", "pkg.c")))
    layers = contract(type="layers", id="layers", name="L", containers=["pkg"], layers=["a", "d", "b | c"])
    model = model_from_edges(EDGES)
    matrix = build_matrix(model, (layers.check(model),), plan, depth=2)
    # The container above the layers, pkg.e (in no layer) below them.
    assert [row.name for row in matrix.rows] == ["pkg", "pkg.a", "pkg.d", "pkg.b", "pkg.c", "pkg.e"]
    assert [row.layer for row in matrix.rows] == [None, "a", "d", "b | c", "b | c", None]
    # pkg.d splits the cycle a, b, c: one box per run of adjacent rows.
    assert matrix.cycles == (CycleBox(0, 1, 1), CycleBox(0, 3, 4))
    violating = {(matrix.rows[c.column].name, matrix.rows[c.row].name): c.contracts
                 for c in matrix.cells if c.violation}
    # d imports a (a lower layer imports a higher one); c imports a; b imports c (siblings).
    assert set(violating) == {("pkg.d", "pkg.a"), ("pkg.c", "pkg.a"), ("pkg.b", "pkg.c")}
    assert set(violating.values()) == {("layers",)}


def test_the_default_depth_keeps_the_rows_within_the_budget() -> None:
    modules = ["pkg", *(f"pkg.p{i}" for i in range(5)), *(f"pkg.p{i}.m{j}" for i in range(5) for j in range(20))]
    assert default_depth(modules, max_rows=10) == 2
    assert default_depth(modules, max_rows=200) == 3
    assert default_depth(modules, max_rows=1) == 1


def test_the_html_fragment_is_one_self_contained_element() -> None:
    matrix = build_matrix(model_from_edges({"pkg.a<b": ["pkg.c"], "pkg.c": []}), (), depth=2)
    fragment = matrix_html_fragment(matrix)
    assert fragment.startswith('<div class="archgraph-matrix">') and fragment.rstrip().endswith("</div>")
    assert "<html" not in fragment and "<script" not in fragment and "http" not in fragment
    assert "pkg.a&lt;b" in fragment and "pkg.a<b" not in fragment
    assert 'title="pkg.a&lt;b -&gt; pkg.c: 1 import(s)"' in fragment


@pytest.mark.slow
def test_a_matrix_of_more_than_3000_cells_is_drawn_in_colours_only() -> None:
    names = [f"pkg.m{index:02}" for index in range(60)]
    model = model_from_edges({name: [other for other in names if other != name] for name in names})
    matrix = build_matrix(model, (), depth=2)
    assert len(matrix.cells) == 60 * 59
    svg = matrix_image(matrix, "svg").decode()
    assert 'id="count-' not in svg and "3540 cells: counts only in --format html" in svg
    small = build_matrix(model_from_edges(EDGES), (), depth=2)
    assert 'id="count-4-3"' in matrix_image(small, "svg").decode()  # a imports b twice
