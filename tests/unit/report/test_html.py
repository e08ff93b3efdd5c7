"""The HTML report as a file: self-contained, escaped, and carrying the data the viewer draws."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from render_fixtures import EVIL_CONTRACT, EVIL_ID, EVIL_NAME, SHOP_CONTRACTS, write_shop

from archgraph.report.layout import Layout
from archgraph.usecases.project import RunOptions
from archgraph.usecases.render import html_report

PROTECTED = """
[[contracts]]
id = "orders-protected"
name = "Only the web uses orders"
type = "protected"
modules = ["shop.services.orders"]
allowed_importers = ["shop.web"]
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = write_shop(tmp_path_factory.mktemp("shop"), SHOP_CONTRACTS + EVIL_CONTRACT + PROTECTED)
    return html_report(root, RunOptions(use_cache=False)).content.decode("utf-8")


def embedded_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="archgraph-data">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    return json.loads(found.group(1))


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's parser would see them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_page_loads_nothing_from_anywhere(page: str) -> None:
    tags = Tags(page).tags
    assert not [t for t, attributes in tags if {"src", "href"} & set(attributes)]
    assert not [t for t, attributes in tags if any(name.startswith("on") for name in attributes)]
    assert [t for t, _a in tags if t in ("script", "img", "iframe", "link", "object")] == ["script", "script"]
    style = page.split("<style>")[1].split("</style>")[0]
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    assert "url(#" in page and not re.search(r"url\((?!#)", page)  # only local SVG markers
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None and "default-src &#x27;none&#x27;" in policy.group(1)
    assert page.count("<script") == 2  # the data and the viewer, both inline


def test_hostile_names_cannot_inject_markup_or_script(page: str) -> None:
    assert "window.__pwned" in page  # it is in the page, but only as escaped text
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1" in page  # the contracts table
    data = embedded_data(page)
    assert EVIL_ID in [c["id"] for c in data["contracts"]]
    assert "</" not in page.split('id="archgraph-data">')[1].split("</script>")[0]


def test_compliance_is_shown_when_the_contract_type_measures_it(page: str) -> None:
    compliance = dict(re.findall(r'<code class="id">([^<]*)</code>.*?<td class="compliance">([^<]*)</td>', page, re.DOTALL))
    assert compliance["orders-protected"] == "50.0%"  # billing imports it, the allowed web does too
    # layers governs the 4 imports leaving its layer modules; the one upward import violates
    assert compliance["layers"] == "75.0%"


def test_the_data_positions_every_drawn_node_and_maps_violations(page: str) -> None:
    data = embedded_data(page)
    ids = {node["id"] for node in data["nodes"]}
    assert {"shop.web.views", "shop.services.orders", "shop.domain.model"} <= ids
    assert all(node["w"] > 0 and node["h"] > 0 for node in data["nodes"])
    assert {p["id"] for p in data["packages"]} == {"shop", "shop.web", "shop.services", "shop.domain"}
    assert all(edge["path"].startswith("M") for edge in data["edges"])
    layers = next(c for c in data["contracts"] if c["id"] == "layers")
    chain = data["chains"][layers["chains"][0]]
    assert chain["edges"] == [["shop.domain.model", "shop.web.views"]]
    assert [layer["label"] for layer in data["layers"]] == ["layer 1: web", "layer 2: services", "layer 3: domain"]


def test_the_violation_list_names_contract_message_and_chain(page: str) -> None:
    items = re.findall(r'<li class="violation" data-chain="\d+" tabindex="0">(.*?)</li>', page, re.DOTALL)
    assert len(items) == len(embedded_data(page)["chains"]) == 5
    indirect = next(item for item in items if "web-not-domain" in item)
    assert "shop.web.views → shop.services.orders → shop.domain.model" in indirect
    assert EVIL_NAME not in page


def test_violations_are_grouped_by_contract_in_table_order_and_open_when_few(page: str) -> None:
    groups = re.findall(r'<details class="contract-group" data-contract-id="([^"]*)"( open)?>', page)
    table = re.findall(r'<code class="id">([^<]*)</code>', page)
    assert [contract for contract, _open in groups] == table  # every contract here has a violation
    assert all(is_open for _contract, is_open in groups)  # 5 violations: nothing to click open
    packages = re.findall(r'<details class="package-group" data-package="([^"]*)" open>', page)
    assert set(packages) <= {"shop.web", "shop.services", "shop.domain"} and packages


def test_the_data_lists_every_module_and_import_for_search_and_drill_down(page: str) -> None:
    data = embedded_data(page)
    assert data["modules"] == sorted(data["modules"])
    assert {"shop", "shop.domain.values", "shop.services.billing"} <= set(data["modules"])
    pairs = {
        (data["modules"][a], data["modules"][b])
        for a, b in zip(data["imports"][::2], data["imports"][1::2], strict=True)
    }
    assert ("shop.services.billing", "shop.services.orders") in pairs
    assert ("shop.domain.model", "shop.web.views") in pairs
    layers = next(c for c in data["contracts"] if c["id"] == "layers")
    chain = data["chains"][layers["chains"][0]]
    assert chain["steps"] == [["shop.domain.model", "shop.web.views"]]
    assert chain["modules"] == ["shop.domain.model"]


def test_sections_made_elsewhere_have_their_place_and_none_leaves_no_trace(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from archgraph.report.html import ExtraSections, render_html  # noqa: PLC0415
    from archgraph.usecases.render import graph_view  # noqa: PLC0415

    root = write_shop(tmp_path_factory.mktemp("shop"))
    analysis, view = graph_view(root, RunOptions(use_cache=False))
    positions = Layout(width=10, height=10, nodes={}, edges=(), clusters={})
    without = render_html(analysis.result, view, positions)
    assert "families-section" not in without and "matrix-section" not in without
    empty = render_html(analysis.result, view, positions, sections=ExtraSections(families="", matrix=" "))
    assert "families-section" not in empty and "matrix-section" not in empty
    both = render_html(analysis.result, view, positions, sections=ExtraSections(
        families="<p>families here</p>", matrix="<table><tr><td>matrix here</td></tr></table>"))
    assert '<section id="families-section"><h2>SSOT audit: competing implementations</h2><p>families here</p>' in both
    assert '<section id="matrix-section"><h2>Dependency matrix</h2><table>' in both
    assert both.index("violations-section") < both.index("families-section") < both.index("matrix-section")
