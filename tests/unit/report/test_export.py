"""Exports round-trip through networkx with the same nodes, edges and attributes."""

from __future__ import annotations

import io
import json
import re

import networkx as nx
import pytest
from render_fixtures import EVIL_CONTRACT, EVIL_ID, SHOP_CONTRACTS, SHOP_MODULES, write_shop

from archgraph.report.export import export_view, mermaid_text, view_to_networkx
from archgraph.report.graphview import GraphView, ViewOptions, build_view
from archgraph.usecases.check import Analysis, analyze
from archgraph.usecases.project import RunOptions


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    root = write_shop(tmp_path_factory.mktemp("shop"), SHOP_CONTRACTS + EVIL_CONTRACT)
    return analyze(root, RunOptions(use_cache=False))


def view_of(analysis: Analysis, **options: object) -> GraphView:
    return build_view(analysis.model, analysis.result.contracts, analysis.layers, ViewOptions(**options))


def read_back(text: str, export_format: str) -> nx.DiGraph:
    if export_format == "json":
        return nx.node_link_graph(json.loads(text), edges="edges")
    reader = nx.read_graphml if export_format == "graphml" else nx.read_gexf
    return reader(io.BytesIO(text.encode("utf-8")))


@pytest.mark.parametrize("export_format", ["json", "graphml", "gexf"])
def test_exports_round_trip_with_every_attribute(shop: Analysis, export_format: str) -> None:
    view = view_of(shop)
    expected = view_to_networkx(view)
    graph = read_back(export_view(view, export_format), export_format)
    assert graph.is_directed()
    assert set(graph.nodes) == SHOP_MODULES
    assert set(graph.edges) == set(expected.edges)
    for node, attributes in expected.nodes(data=True):
        assert graph.nodes[node] == attributes, node
    for importer, imported, attributes in expected.edges(data=True):
        read = dict(graph.edges[importer, imported])
        if export_format == "gexf":
            read.pop("id")  # GEXF numbers its edges
        assert read == attributes


def test_the_attributes_describe_the_architecture(shop: Analysis) -> None:
    graph = view_to_networkx(view_of(shop))
    assert graph.nodes["shop.domain.model"] == {
        "label": "shop.domain.model", "package": "shop.domain", "members": 1, "collapsed": False,
        "namespace": False, "external": False, "in_degree": 2, "out_degree": 1, "violation": True,
        "contracts": f"domain-pure,layers,web-not-domain,{EVIL_ID}", "focus": False,
        "layer": "domain", "layer_index": 2,
    }
    assert "layer" not in graph.nodes["shop"]  # the root is in no layer
    assert graph.edges["shop.domain.model", "shop.web.views"] == {
        "imports": 1, "violation": True, "contracts": f"domain-pure,layers,{EVIL_ID}", "cycle": True,
    }
    assert graph.edges["shop.services.billing", "shop.services.orders"]["violation"] is False
    assert graph.graph == {"title": "shop", "layers": "web > services > domain"}


def test_violations_only_exports_violating_imports_and_indirect_chains(shop: Analysis) -> None:
    graph = read_back(export_view(view_of(shop, violations_only=True), "graphml"), "graphml")
    assert set(graph.edges) == {
        ("shop.domain.model", "shop.web.views"),  # direct: layers, domain-pure
        ("shop.web.views", "shop.services.orders"),  # the chain of web-not-domain
        ("shop.services.orders", "shop.domain.model"),
    }
    assert all(data["violation"] for _a, _b, data in graph.edges(data=True))


def test_collapsed_exports_count_the_imports_they_aggregate(shop: Analysis) -> None:
    graph = read_back(export_view(view_of(shop, depth=2), "gexf"), "gexf")
    assert graph.edges["shop.services", "shop.domain"]["imports"] == 2
    assert graph.nodes["shop.services"]["members"] == 3 and graph.nodes["shop.services"]["collapsed"]


def test_mermaid_has_subgraphs_nodes_and_red_violation_links(shop: Analysis) -> None:
    view = view_of(shop)
    text = export_view(view, "mermaid")
    lines = text.splitlines()
    assert lines[1] == "flowchart TB"
    links = [line.strip() for line in lines if re.match(r"\s*n\d+ (-->|-->\|)", line)]
    assert len(links) == len(view.edges)
    red = next(line for line in lines if line.strip().startswith("linkStyle"))
    violating = [i for i, e in enumerate(view.edges) if e.violation]
    assert red.split()[1] == ",".join(map(str, violating))
    assert text.count("subgraph ") == len(view.packages) and text.count("\n  end") >= 1
    # The hostile contract id is in a label, with nothing left that could end or break it.
    label = next(line for line in links if "vil" in line)
    inner = label.split('|"', 1)[1].rsplit('"|', 1)[0]
    assert not set(inner) & set('"<>|[]{}`\n')
    assert "#123;" in inner and "#125;" in inner  # ids cannot hold quotes or < (names can)


def test_mermaid_text_escapes_markup() -> None:
    assert mermaid_text('a"b<c>&#|') == "a#quot;b#lt;c#gt;#amp;#35;#124;"
    assert mermaid_text("two\nlines") == "two lines"


def test_dot_export_is_the_diagram_without_legend(shop: Analysis) -> None:
    text = export_view(view_of(shop), "dot")
    assert text.startswith("digraph archgraph {")
    assert "cluster_legend" not in text and '"shop.web.views" -> "shop.services.orders"' in text
