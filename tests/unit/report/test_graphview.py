"""The graph view: selection, collapsing, budget, violations, cycles and layers on a real scan."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree
from render_fixtures import SHOP_MODULES, write_shop

from archgraph.diagnostics import ArchgraphError
from archgraph.report.graphview import Direction, ViewOptions, build_view
from archgraph.report.view_budget import collapse_to
from archgraph.usecases.check import Analysis, analyze
from archgraph.usecases.project import RunOptions

NO_CACHE = RunOptions(use_cache=False)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return analyze(write_shop(tmp_path_factory.mktemp("shop")), NO_CACHE)


def view_of(analysis: Analysis, **options: object):
    return build_view(analysis.model, analysis.result.contracts, analysis.layers, ViewOptions(**options))


def edges(view) -> dict[tuple[str, str], int]:
    return {(e.importer, e.imported): e.imports for e in view.edges}


def test_the_full_view_has_every_module_and_import(shop: Analysis) -> None:
    view = view_of(shop)
    assert view.node_ids == SHOP_MODULES
    assert edges(view) == {
        ("shop.web.views", "shop.services.orders"): 1,
        ("shop.services.orders", "shop.domain.model"): 1,
        ("shop.services.billing", "shop.services.orders"): 1,
        ("shop.services.billing", "shop.domain.model"): 1,
        ("shop.domain.model", "shop.web.views"): 1,
    }
    assert view.depth is None and view.notes == ()
    assert view.packages == ("shop", "shop.domain", "shop.services", "shop.web")


def test_violating_edges_carry_their_contract_ids(shop: Analysis) -> None:
    view = view_of(shop)
    contracts = {(e.importer, e.imported): e.contracts for e in view.edges}
    assert contracts[("shop.domain.model", "shop.web.views")] == ("domain-pure", "layers")
    # The indirect chain views -> orders -> model breaks web-not-domain on both of its imports.
    assert contracts[("shop.web.views", "shop.services.orders")] == ("web-not-domain",)
    assert contracts[("shop.services.orders", "shop.domain.model")] == ("web-not-domain",)
    assert contracts[("shop.services.billing", "shop.services.orders")] == ()
    assert view.node("shop.domain.values").contracts == ()
    assert view.node("shop.web.views").contracts == ("domain-pure", "layers", "web-not-domain")


def test_edges_inside_a_strongly_connected_component_are_cycles(shop: Analysis) -> None:
    cyclic = {(e.importer, e.imported) for e in view_of(shop).edges if e.cycle}
    assert cyclic == {
        ("shop.web.views", "shop.services.orders"),
        ("shop.services.orders", "shop.domain.model"),
        ("shop.domain.model", "shop.web.views"),
    }


def test_nodes_know_their_layer_and_degrees(shop: Analysis) -> None:
    view = view_of(shop)
    assert view.layers == ("web", "services", "domain")
    assert {n.id: n.layer_index for n in view.nodes if n.layer_index is not None} == {
        "shop.web": 0, "shop.web.views": 0,
        "shop.services": 1, "shop.services.orders": 1, "shop.services.billing": 1,
        "shop.domain": 2, "shop.domain.model": 2, "shop.domain.values": 2,
    }
    orders = view.node("shop.services.orders")
    assert (orders.in_degree, orders.out_degree, orders.package) == (2, 1, "shop.services")


def test_depth_collapses_modules_and_counts_aggregated_imports(shop: Analysis) -> None:
    view = view_of(shop, depth=2)
    assert view.node_ids == {"shop", "shop.web", "shop.services", "shop.domain"}
    assert edges(view) == {
        ("shop.web", "shop.services"): 1,
        ("shop.services", "shop.domain"): 2,
        ("shop.domain", "shop.web"): 1,
    }
    services = view.node("shop.services")
    assert (services.collapsed, services.members) == (True, 3)
    assert view.node("shop").collapsed is False  # the root package's own module
    assert view.depth == 2


def test_over_the_node_budget_the_view_collapses_and_says_so(shop: Analysis) -> None:
    view = view_of(shop, max_nodes=4)
    assert view.depth is None  # chosen by the budget, not a depth
    assert view.node_ids == {"shop", "shop.web", "shop.services", "shop.domain"}
    assert view.notes == (
        "3 package(s) drawn collapsed to keep 4 boxes within the budget of 4 (--max-nodes, --depth); "
        "the biggest: shop.domain (3), shop.services (3), shop.web (2)",
    )
    assert view.collapsed_packages == 3


def test_with_an_explicit_depth_over_budget_the_depth_gets_shallower(shop: Analysis) -> None:
    view = view_of(shop, depth=3, max_nodes=4)
    assert view.depth == 2
    assert len(view.nodes) == 4
    assert view.notes == (
        "9 nodes at depth 3 exceed the budget of 4 (--max-nodes); collapsed to depth 2 (4 nodes)",
    )


def test_within_the_budget_the_biggest_packages_are_opened_first(shop: Analysis) -> None:
    view = view_of(shop, max_nodes=6)
    # 4 boxes at the top; domain and services (3 modules each) before web (2); domain first by
    # name, then services would make 8 and web 7: both stay collapsed.
    assert view.node_ids == {"shop", "shop.web", "shop.services", "shop.domain", "shop.domain.model",
                             "shop.domain.values"}
    assert ("shop.domain.model", "shop.web") in edges(view)


def test_test_packages_are_opened_after_production_ones(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/tests/__init__.py": "",
        **{f"app/tests/test_{n}.py": "import app.core.a\n" for n in range(5)},
        "app/core/__init__.py": "",
        "app/core/a.py": "",
        "app/core/b.py": "import app.core.a\n",
    })
    analysis = analyze(tmp_path, RunOptions(packages=("app",), use_cache=False))
    view = view_of(analysis, max_nodes=5)
    # app.tests is bigger (6 modules) but test code: app.core (3) is opened, app.tests stays one box.
    assert view.node_ids == {"app", "app.tests", "app.core", "app.core.a", "app.core.b"}


def test_the_focused_module_is_a_box_of_its_own_whatever_the_budget(shop: Analysis) -> None:
    view = view_of(shop, focus="shop.services.orders", max_nodes=2)
    assert "shop.services.orders" in view.node_ids
    assert [n.id for n in view.nodes if n.focus] == ["shop.services.orders"]


def test_a_violation_inside_a_collapsed_box_is_counted_on_it(shop: Analysis) -> None:
    view = view_of(shop, max_nodes=1)
    # Everything is one box `shop`: the three violations stay inside it and are counted there.
    assert view.node_ids == {"shop"}
    assert view.node("shop").violations_inside == 3


def test_violating_edges_count_their_violations(shop: Analysis) -> None:
    view = view_of(shop)
    counts = {(e.importer, e.imported): e.violations for e in view.edges}
    assert counts[("shop.domain.model", "shop.web.views")] == 2  # domain-pure and layers
    assert counts[("shop.services.billing", "shop.services.orders")] == 0


def test_when_even_depth_one_is_too_big_the_most_connected_nodes_stay(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "alpha/__init__.py": "import beta\nimport gamma\n",
        "beta/__init__.py": "import gamma\n",
        "gamma/__init__.py": "",
        "delta/__init__.py": "import gamma\n",
    })
    analysis = analyze(tmp_path, RunOptions(packages=("alpha", "beta", "gamma", "delta"), use_cache=False))
    view = view_of(analysis, max_nodes=2)
    # gamma has 3 imports, alpha and beta 2 each (ties go by name), delta 1.
    assert view.node_ids == {"gamma", "alpha"}
    assert "showing the 2 most connected" in view.notes[-1]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (Direction.DOWNSTREAM, {"shop.services.orders", "shop.domain.model"}),
        (Direction.UPSTREAM, {"shop.services.orders", "shop.web.views", "shop.services.billing"}),
        (Direction.BOTH, {"shop.services.orders", "shop.domain.model", "shop.web.views",
                          "shop.services.billing"}),
    ],
)
def test_focus_draws_the_neighbourhood_in_the_chosen_direction(
    shop: Analysis, direction: Direction, expected: set[str]
) -> None:
    view = view_of(shop, focus="shop.services.orders", radius=1, direction=direction)
    assert view.node_ids == expected
    assert [n.id for n in view.nodes if n.focus] == ["shop.services.orders"]


def test_focus_radius_two_reaches_further(shop: Analysis) -> None:
    view = view_of(shop, focus="shop.web.views", radius=2, direction=Direction.DOWNSTREAM)
    assert view.node_ids == {"shop.web.views", "shop.services.orders", "shop.domain.model"}


def test_an_unknown_focus_module_is_an_error_with_a_suggestion(shop: Analysis) -> None:
    with pytest.raises(ArchgraphError, match="'shop.services.order' is not in the graph.*shop.services.orders"):
        view_of(shop, focus="shop.services.order")


def test_a_contract_view_draws_only_its_violation_chains(shop: Analysis) -> None:
    view = view_of(shop, contract="web-not-domain")
    assert view.node_ids == {"shop.web.views", "shop.services.orders", "shop.domain.model"}
    assert set(edges(view)) == {
        ("shop.web.views", "shop.services.orders"),
        ("shop.services.orders", "shop.domain.model"),
    }
    assert {e.contracts for e in view.edges} == {("web-not-domain",)}


def test_violations_only_draws_every_chain(shop: Analysis) -> None:
    view = view_of(shop, violations_only=True)
    assert set(edges(view)) == {
        ("shop.web.views", "shop.services.orders"),
        ("shop.services.orders", "shop.domain.model"),
        ("shop.domain.model", "shop.web.views"),
    }


def test_an_unknown_contract_is_an_error_with_a_suggestion(shop: Analysis) -> None:
    with pytest.raises(ArchgraphError, match="unknown contract id 'layer' \\(did you mean 'layers'\\?\\)"):
        view_of(shop, contract="layer")


def test_a_contract_without_violations_gives_an_empty_view_with_a_note(tmp_path: Path) -> None:
    contracts = '[archgraph]\nroot_packages = ["shop"]\n\n[[contracts]]\nid = "fine"\nname = "Fine"\n' \
                'type = "forbidden"\nsource_modules = ["shop.web"]\nforbidden_modules = ["shop.domain.values"]\n'
    analysis = analyze(write_shop(tmp_path, contracts), NO_CACHE)
    view = view_of(analysis, contract="fine")
    assert view.nodes == () and view.notes == ("contract 'fine' has no violation: nothing to draw",)


def test_without_contracts_the_view_has_no_violations(tmp_path: Path) -> None:
    analysis = analyze(write_shop(tmp_path, contracts=None), RunOptions(packages=("shop",), use_cache=False))
    view = view_of(analysis)
    assert view.node_ids == SHOP_MODULES
    assert not any(e.violation for e in view.edges) and view.layers == ()


def test_collapse_to() -> None:
    assert collapse_to("a.b.c.d", 2) == "a.b"
    assert collapse_to("a", 3) == "a"
    assert collapse_to("a.b", None) == "a.b"


def test_a_depth_deeper_than_the_modules_collapses_nothing(shop: Analysis) -> None:
    view = view_of(shop, depth=7)
    assert view.node_ids == SHOP_MODULES and view.depth is None


def test_the_layers_ranked_are_those_of_the_drawn_contract(tmp_path: Path) -> None:
    from render_fixtures import SHOP_CONTRACTS  # noqa: PLC0415

    second = '\n[[contracts]]\nid = "inner"\nname = "Inner"\ntype = "layers"\ncontainers = ["shop"]\n' \
             'layers = ["services", "domain"]\n'
    analysis = analyze(write_shop(tmp_path, SHOP_CONTRACTS + second), NO_CACHE)
    assert [plan.contract_id for plan in analysis.layer_plans] == ["layers", "inner"]
    assert analysis.layers_for("inner").names == ("services", "domain")
    assert analysis.layers_for("domain-pure").names == ("web", "services", "domain")
    assert analysis.layers_for(None) is analysis.layers
