"""Module diagrams laid out by real engines (dot and graphviz-pure), read back from the SVG."""

from __future__ import annotations

import pytest
from render_fixtures import ENGINES, EVIL_ID, SHOP_MODULES, read_svg, write_shop

from archgraph.diagnostics import ArchgraphError
from archgraph.report.diagram import VIOLATION_COLOR, module_diagram_source
from archgraph.report.graphview import (
    GraphView,
    ViewChain,
    ViewEdge,
    ViewNode,
    ViewOptions,
    build_view,
)
from archgraph.report.layout import Engine, find_engine, locate, run_engine
from archgraph.usecases.check import Analysis, analyze
from archgraph.usecases.project import RunOptions


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Engine:
    name = request.param
    if locate(name) is None:
        how = "apt-get install graphviz" if name == "dot" else "pip install graphviz-pure"
        pytest.skip(f"the {name} engine is not installed ({how})")
    return find_engine(name)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return analyze(write_shop(tmp_path_factory.mktemp("shop")), RunOptions(use_cache=False))


def draw(analysis: Analysis, engine: Engine, **options: object):
    view = build_view(analysis.model, analysis.result.contracts, analysis.layers, ViewOptions(**options))
    return view, read_svg(run_engine(engine, module_diagram_source(view), "svg"))


def test_modules_are_nodes_inside_package_clusters_with_a_legend(shop: Analysis, engine: Engine) -> None:
    _view, svg = draw(shop, engine)
    modules = {title for title, (classes, _texts, _y) in svg.nodes.items() if "module" in classes}
    # A package's own module is drawn only when something imports it or it imports something.
    assert modules == SHOP_MODULES - {"shop", "shop.web", "shop.services", "shop.domain"}
    assert set(svg.clusters) == {
        "cluster_shop", "cluster_shop.web", "cluster_shop.services", "cluster_shop.domain",
        "cluster_legend",
    }
    assert svg.clusters["cluster_shop.services"] == ["shop.services"]
    legend = " ".join(svg.nodes["legend"][1])
    assert "Legend" in legend and "violations (label: contract ids and how many violations)" in legend
    assert "import inside a cycle" in legend and "layers top to bottom: web &gt; services &gt; domain" not in legend
    assert "layers top to bottom: web > services > domain" in legend


def test_violating_edges_are_red_and_labelled_with_contract_ids(shop: Analysis, engine: Engine) -> None:
    _view, svg = draw(shop, engine)
    upward = svg.edges[("shop.domain.model", "shop.web.views")]
    assert {"violation", "cycle"} <= upward.classes
    assert upward.stroke == VIOLATION_COLOR
    assert upward.label == "domain-pure, layers (2)"  # two violations, one of each contract
    plain = svg.edges[("shop.services.billing", "shop.services.orders")]
    assert "violation" not in plain.classes and plain.stroke != VIOLATION_COLOR
    assert plain.label == ""
    red = {edge for edge, drawn in svg.edges.items() if drawn.stroke == VIOLATION_COLOR}
    assert red == {
        ("shop.domain.model", "shop.web.views"),
        ("shop.web.views", "shop.services.orders"),
        ("shop.services.orders", "shop.domain.model"),
    }


def test_layers_are_drawn_top_to_bottom_in_contract_order(shop: Analysis, engine: Engine) -> None:
    _view, svg = draw(shop, engine)
    # SVG y grows downwards; the upward import domain -> web must not pull web below domain.
    assert svg.node_y("shop.web.views") < svg.node_y("shop.services.orders") < svg.node_y("shop.domain.model")
    assert svg.node_y("layer anchor 0") < svg.node_y("shop.web.views")
    assert svg.nodes["layer anchor 1"][1] == ["layer 2: services"]


def test_collapsed_packages_show_their_size_and_aggregated_counts(shop: Analysis, engine: Engine) -> None:
    _view, svg = draw(shop, engine, depth=2)
    classes, texts, _y = svg.nodes["shop.services"]
    assert "package" in classes and texts == ["services", "(3 modules)"]
    # Two imports, one of them in the chain of one violation.
    assert svg.edges[("shop.services", "shop.domain")].label == "web-not-domain (1)"
    assert "modules collapsed to depth 2" in " ".join(svg.nodes["legend"][1])


def test_the_budget_note_is_in_the_legend(shop: Analysis, engine: Engine) -> None:
    _view, svg = draw(shop, engine, max_nodes=4)
    legend = " ".join(svg.nodes["legend"][1])
    assert "3 package(s) drawn collapsed to keep 4 boxes within the budget of 4" in legend


NASTY_TEXTS = [
    'quote " and \\" and \\',
    "<b>not html</b> & &amp; &lt;",
    "{braces} [brackets]; semi; -> arrow; it's",
    "line one\nline two",
    "ünïcødé ✓ 模块",
    "\\N \\G \\l escapes",
    EVIL_ID,
]


def nasty_view() -> GraphView:
    """Labels written by users (contract ids, titles) with every character DOT treats specially."""
    contracts = tuple(sorted(NASTY_TEXTS))
    node = ViewNode("pkg.müdule", "pkg", 1, False, False, False, None, None, contracts, False, 0, 1)
    other = ViewNode("pkg.other", "pkg", 1, False, False, False, None, None, contracts, False, 1, 0)
    edge = ViewEdge("pkg.müdule", "pkg.other", 1, contracts, False)
    return GraphView(
        title="title: " + NASTY_TEXTS[0], nodes=(node, other), edges=(edge,), packages=("pkg",),
        layers=(), chains=(ViewChain(contracts[0], "AG1", "m", None, (), (), ()),), depth=None,
        modules=2, notes=tuple(NASTY_TEXTS),
    )


def test_any_label_text_yields_valid_dot_and_is_shown_literally(engine: Engine) -> None:
    svg = read_svg(run_engine(engine, module_diagram_source(nasty_view()), "svg"))
    edge = svg.edges[("pkg.müdule", "pkg.other")]
    assert edge.label == ", ".join(sorted(NASTY_TEXTS))
    legend_lines = svg.nodes["legend"][1]
    for text in NASTY_TEXTS:
        for line in text.splitlines():
            assert line in legend_lines
    assert svg.nodes["pkg.müdule"][1] == ["müdule"]


def test_png_output(shop: Analysis, engine: Engine) -> None:
    view = build_view(shop.model, shop.result.contracts, shop.layers)
    assert run_engine(engine, module_diagram_source(view), "png").startswith(b"\x89PNG\r\n\x1a\n")


def test_pdf_needs_graphviz_dot(shop: Analysis, engine: Engine) -> None:
    view = build_view(shop.model, shop.result.contracts, shop.layers)
    if engine.name == "graphviz-pure":
        with pytest.raises(ArchgraphError, match="cannot write pdf; install Graphviz"):
            find_engine("graphviz-pure", "pdf")
    else:
        assert run_engine(engine, module_diagram_source(view), "pdf").startswith(b"%PDF")
