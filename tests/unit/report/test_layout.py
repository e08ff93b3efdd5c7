"""Engine choice, the graphviz-pure fallback, time limits, and reading `-Tjson` layouts."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_fixtures import ENGINES

from archgraph.diagnostics import ArchgraphError
from archgraph.report.layout import find_engine, layout, locate, run_engine

SMALL = 'digraph { subgraph "cluster_p" { label="p"; "p.a"; "p.b" } "p.a" -> "p.b" [label="2"]; "x" -> "p.a" }'


def needs(name: str) -> None:
    if locate(name) is None:
        pytest.skip(f"the {name} engine is not installed")


def test_auto_prefers_graphviz_dot_when_it_is_installed() -> None:
    needs("dot")
    assert find_engine("auto").name == "dot"


def test_auto_falls_back_to_graphviz_pure_without_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    needs("graphviz-pure")
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere; graphviz-pure sits beside Python
    engine = find_engine("auto")
    assert engine.name == "graphviz-pure"
    assert run_engine(engine, SMALL, "svg").startswith(b"<?xml")


def test_a_forced_engine_that_is_missing_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ArchgraphError, match="no layout engine found \\(dot\\)"):
        find_engine("dot")


def test_without_dot_no_engine_writes_pdf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    needs("graphviz-pure")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ArchgraphError, match="no installed engine writes pdf"):
        find_engine("auto", "pdf")


@pytest.mark.parametrize("name", ENGINES)
def test_a_layout_that_takes_too_long_is_stopped_with_advice(name: str) -> None:
    needs(name)
    edges = "; ".join(f"n{i} -> n{(i * 7919) % 3000}" for i in range(3000))
    with pytest.raises(ArchgraphError, match="did not finish the layout in 0.05 s.*--max-nodes"):
        run_engine(find_engine(name), f"digraph {{ {edges} }}", "svg", timeout=0.05)


@pytest.mark.parametrize("name", ENGINES)
def test_engine_errors_are_reported(name: str) -> None:
    needs(name)
    with pytest.raises(ArchgraphError, match=f"{name} failed"):
        run_engine(find_engine(name), "digraph { a -> }", "svg")


@pytest.mark.parametrize("name", ENGINES)
def test_json_layouts_give_boxes_clusters_and_paths_with_y_downwards(name: str) -> None:
    needs(name)
    positions = layout(find_engine(name), SMALL)
    assert set(positions.nodes) == {"p.a", "p.b", "x"}
    assert set(positions.clusters) == {"p"}
    a, b, x = positions.nodes["p.a"], positions.nodes["p.b"], positions.nodes["x"]
    assert x.y < a.y < b.y  # importer above imported, as in the SVG
    cluster = positions.clusters["p"]
    assert cluster.left <= a.x <= cluster.right and cluster.top <= a.y <= cluster.bottom
    assert 0 < a.width and 0 < a.height
    edges = {(e.tail, e.head): e for e in positions.edges}
    assert set(edges) == {("p.a", "p.b"), ("x", "p.a")}
    assert edges[("p.a", "p.b")].path.startswith("M") and "C" in edges[("p.a", "p.b")].path
    assert edges[("p.a", "p.b")].label_y is not None and edges[("x", "p.a")].label_y is None
    assert 0 < positions.width and 0 < positions.height
