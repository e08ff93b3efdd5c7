"""The HTML report of a 716-module tree in a real headless Chromium, checked the way a person
would look at it: the graph fills the screen, every module can be found and opened, a contract
click leaves the graph drawn, violations come grouped and paged, tables fit a 1,400 px window,
and nothing is fetched from anywhere. Screenshots are kept in the test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from big_report_tree import DEEP_MODULE, big_modules, write_big_tree
from browser import WINDOW, Screenshot, chromium, needs_chromium, requested_urls
from click.testing import CliRunner

from archgraph.cli import main

pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

# Writing, scanning and laying out the tree takes a few seconds once for the module.
pytestmark = [needs_chromium, pytest.mark.slow]

FOCUS_FILL = (0xFF, 0xF1, 0xA8)
VIOLATION_RED = (0xD0, 0x02, 0x1B)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = write_big_tree(tmp_path_factory.mktemp("big"))
    output = root / "out" / "report.html"
    result = CliRunner().invoke(main, ["report", str(root), "-o", str(output), "--no-cache"])
    assert result.exit_code == 0, result.output
    return output.as_uri()


@pytest.fixture
def page(browser: Any, report_url: str) -> Any:
    requested_urls(browser)  # forget earlier pages' requests
    browser.get(report_url)
    browser.get_log("browser")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
    return browser


def css(page: Any, selector: str) -> list[Any]:
    return page.find_elements(By.CSS_SELECTOR, selector)


def rect(page: Any, selector: str) -> dict[str, float]:
    """The element's box in the viewport, in CSS pixels."""
    return page.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {x: r.x, y: r.y, width: r.width, height: r.height};", selector)


def node_rect(page: Any, node_id: str) -> dict[str, float]:
    return page.execute_script(
        "const n = Array.from(document.querySelectorAll('#graph [data-node]'))"
        ".find(e => e.getAttribute('data-node') === arguments[0]);"
        "const r = n.querySelector('rect').getBoundingClientRect();"
        "return {x: r.x, y: r.y, width: r.width, height: r.height};", node_id)


def opened(page: Any) -> str:
    return page.find_element(By.TAG_NAME, "body").get_attribute("data-opened")


def search(page: Any, text: str) -> None:
    box = page.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text, Keys.ENTER)


def bands(screen: Screenshot, area: dict[str, float], count: int) -> list[float]:
    """The ink of `count` horizontal bands of the area, top to bottom."""
    height = area["height"] / count
    return [screen.ink({**area, "y": area["y"] + i * height, "height": height}) for i in range(count)]


def readable_boxes(page: Any) -> list[float]:
    """The on-screen heights of the drawn boxes, smallest first."""
    return sorted(page.execute_script(
        "return Array.from(document.querySelectorAll('#graph [data-node] rect'))"
        ".map(r => r.getBoundingClientRect().height);"))


def test_the_graph_pane_takes_the_screen_and_what_it_draws_can_be_read(page: Any, tmp_path: Path) -> None:
    pane = rect(page, "#graph")
    assert pane["width"] >= 0.9 * WINDOW[0] and pane["height"] >= 0.6 * WINDOW[1]
    assert pane["y"] + pane["height"] <= WINDOW[1]  # all of it on the first screen
    # 78 boxes fitted into the pane would be a few pixels high: the root package opens instead.
    assert opened(page) == "big"
    assert {"big.web", "big.api", "big.core", "big.util", "big.plugins"} <= {
        e.get_attribute("data-node") for e in css(page, "#graph [data-node]")}
    assert readable_boxes(page)[0] >= 20
    drawing = rect(page, "#graph g.nodes")
    assert drawing["height"] >= 0.3 * pane["height"] and drawing["width"] >= 0.1 * pane["width"]
    screen = Screenshot(page)
    screen.save(tmp_path / "start.png")
    assert screen.ink(pane) > 0.005
    page.find_element(By.CSS_SELECTOR, '#crumbs [data-open=""]').click()
    screen = Screenshot(page)
    screen.save(tmp_path / "overview.png")
    assert opened(page) == "" and len(css(page, "#graph [data-node]")) >= 40
    assert screen.ink(pane) > 0.01


def test_search_finds_a_module_below_the_overview_and_shows_it(page: Any, tmp_path: Path) -> None:
    assert DEEP_MODULE not in {e.get_attribute("data-node") for e in css(page, "#graph [data-node]")}
    search(page, DEEP_MODULE)
    assert page.find_element(By.ID, "status").text == f"focus: {DEEP_MODULE}"
    assert opened(page) == DEEP_MODULE.rpartition(".")[0]
    assert [e.get_attribute("data-node") for e in css(page, "#graph .node.focused")] == [DEEP_MODULE]
    assert page.find_element(By.CSS_SELECTOR, "#info h3").text == DEEP_MODULE
    box, pane = node_rect(page, DEEP_MODULE), rect(page, "#graph")
    assert pane["x"] <= box["x"] and box["x"] + box["width"] <= pane["x"] + pane["width"]
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
    assert box["height"] >= 14  # large enough to read
    screen = Screenshot(page)
    screen.save(tmp_path / "search-deep.png")
    assert screen.count_colour(box, FOCUS_FILL, tolerance=12) > 0.3 * box["width"] * box["height"]


def test_every_kind_of_module_can_be_found(page: Any) -> None:
    """Every package (drawn as __init__ when opened) and every third module, at every depth."""
    modules = big_modules()
    packages = {m for m in modules if any(other.startswith(m + ".") for other in modules)}
    sample = sorted(packages | set(modules[::3]) | {DEEP_MODULE})
    missed = page.execute_script("""
        const box = document.getElementById('search'), missed = [];
        for (const module of arguments[0]) {
          box.value = module;
          box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
          const focused = document.querySelector('#graph .node.focused');
          if (!focused || focused.getAttribute('data-node') !== module) { missed.push(module); }
        }
        return missed;""", sample)
    assert missed == []


def drawn_in_overview(page: Any, package: str) -> list[Any]:
    """The package in the overview: a box when the budget kept it collapsed, else its link."""
    return css(page, f'#graph [data-node="{package}"]') or css(page, f'#graph [data-open-package="{package}"]')


def test_packages_open_from_their_parent_and_lead_back_up(page: Any, tmp_path: Path) -> None:
    drawn_in_overview(page, "big.core")[0].click()
    assert opened(page) == "big.core"
    children = {e.get_attribute("data-node") for e in css(page, "#graph .node:not(.outside)")}
    assert {"big.core.part3", "big.core.kernel", "big.core.m0"} <= children
    outside = {e.get_attribute("data-node") for e in css(page, "#graph .node.outside")}
    assert {"big.api", "big.util"} <= outside and not any(o.startswith("big.core.") for o in outside)
    page.find_element(By.CSS_SELECTOR, '#graph [data-node="big.core.part3"]').click()
    page.find_element(By.CSS_SELECTOR, '#graph [data-node="big.core.part3.sub0"]').click()
    page.find_element(By.CSS_SELECTOR, '#graph [data-node="big.core.part3.sub0.deep"]').click()
    assert opened(page) == "big.core.part3.sub0.deep"
    assert {f"{opened(page)}.m{i}" for i in range(5)} <= {
        e.get_attribute("data-node") for e in css(page, "#graph .node.module")}
    Screenshot(page).save(tmp_path / "opened-deep.png")
    page.find_element(By.CSS_SELECTOR, '#crumbs [data-open="big.core.part3"]').click()
    assert opened(page) == "big.core.part3"
    page.find_element(By.CSS_SELECTOR, '#graph [data-node="big.util"]').click()  # a box outside
    assert opened(page) == "big.util"
    page.find_element(By.CSS_SELECTOR, '#crumbs [data-open=""]').click()
    assert opened(page) == ""
    assert len(drawn_in_overview(page, "big.core")) == 1


def click_contract(page: Any, contract_id: str) -> None:
    row = next(r for r in css(page, "#contracts tr.contract") if contract_id in r.text)
    row.click()
    page.execute_script("window.scrollTo(0, 0)")


@pytest.mark.parametrize("where", ["overview", "big.web"])
def test_a_contract_click_leaves_the_graph_drawn(page: Any, where: str, tmp_path: Path) -> None:
    if where == "overview":
        page.find_element(By.CSS_SELECTOR, '#crumbs [data-open=""]').click()
    else:
        search(page, where)
        page.find_element(By.CSS_SELECTOR, "#info .open-package").click()
        assert opened(page) == where
    drawn = len(css(page, "#graph [data-node]"))
    click_contract(page, "one-dispatcher")  # a single-implementation violation: no import chain
    assert len(css(page, "#graph [data-node]")) == drawn
    lit = [e.get_attribute("data-node") for e in css(page, "#graph .node.highlight")]
    # The module the class is in, or the collapsed box that holds it in the overview.
    assert lit == (["big.web"] if where == "overview" and drawn_in_overview(page, "big.web") else ["big.web.m3"])
    assert len(css(page, "#graph [data-node]:not(.dimmed)")) >= 1
    box, pane = node_rect(page, lit[0]), rect(page, "#graph")
    assert pane["x"] <= box["x"] <= pane["x"] + pane["width"] - box["width"]
    assert pane["y"] <= box["y"] <= pane["y"] + pane["height"] - box["height"]
    screen = Screenshot(page)
    screen.save(tmp_path / f"contract-{where}.png")
    assert screen.ink(pane) > 0.01  # the rest stays drawn, dimmed
    assert screen.count_colour(box, VIOLATION_RED) > 0  # the lit module is outlined in red


def test_a_contract_without_anything_drawn_here_dims_nothing(page: Any) -> None:
    search(page, "big.plugins.plug0")
    page.find_element(By.CSS_SELECTOR, "#info .open-package").click()
    click_contract(page, "one-dispatcher")
    assert css(page, "#graph .dimmed") == []
    assert page.find_element(By.ID, "status").text.endswith("(none drawn in this view)")


def test_violations_are_grouped_by_contract_and_package_and_paged(page: Any, tmp_path: Path) -> None:
    groups = {g.get_attribute("data-contract-id"): g for g in css(page, "#violations .contract-group")}
    assert list(groups) == ["layers", "kernel-protected", "one-dispatcher", "plugins-apart"]
    assert not any(g.get_attribute("open") for g in groups.values())  # 135 in all: closed at first
    assert not any(item.is_displayed() for item in css(page, "#violations li"))
    protected = groups["kernel-protected"]
    assert protected.find_element(By.CSS_SELECTOR, "summary").text.startswith(
        "kernel-protected 105 violations in 5 packages")
    click_contract(page, "kernel-protected")
    assert protected.get_attribute("open")
    packages = protected.find_elements(By.CSS_SELECTOR, ".package-group")
    counts = [int(p.find_element(By.CSS_SELECTOR, "summary .count").text) for p in packages]
    assert sum(counts) == 105 and counts == sorted(counts, reverse=True)
    biggest = packages[0]
    biggest.find_element(By.CSS_SELECTOR, "summary").click()
    shown = [li for li in biggest.find_elements(By.CSS_SELECTOR, "li") if li.is_displayed()]
    assert len(shown) == 20 < counts[0]
    pager = biggest.find_element(By.CSS_SELECTOR, ".pager")
    assert f"1–20 of {counts[0]}" in pager.text
    page.execute_script("arguments[0].scrollIntoView()", biggest)
    Screenshot(page).save(tmp_path / "violations.png")
    pager.find_element(By.XPATH, "./button[2]").click()
    assert f"21–{min(40, counts[0])} of {counts[0]}" in pager.text
    assert next(li for li in biggest.find_elements(By.CSS_SELECTOR, "li") if li.is_displayed()) != shown[0]
    # The plugins' 27 violations are all in big.plugins: grouped one level deeper instead.
    plugins = groups["plugins-apart"].find_elements(By.CSS_SELECTOR, ".package-group")
    assert len(plugins) > 1 and all(p.get_attribute("data-package").startswith("big.plugins.") for p in plugins)


def test_tables_fit_a_1400_pixel_window(page: Any) -> None:
    assert page.execute_script("return window.innerWidth") <= WINDOW[0]
    assert page.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    table, section = rect(page, "#contracts"), rect(page, "#contracts-section")
    assert table["x"] + table["width"] <= section["x"] + section["width"]
    last_column = page.execute_script(
        "const cells = document.querySelectorAll('#contracts tr > :last-child');"
        "return Array.from(cells).map(c => c.getBoundingClientRect().right);")
    assert max(last_column) <= section["x"] + section["width"]
    assert page.execute_script(
        "const t = document.getElementById('contracts'); return t.scrollWidth <= t.clientWidth")


def test_nothing_is_fetched_even_after_exploring(page: Any, report_url: str) -> None:
    search(page, DEEP_MODULE)
    page.find_element(By.CSS_SELECTOR, '#crumbs [data-open="big"]').click()
    click_contract(page, "kernel-protected")
    page.find_element(By.ID, "fit").click()
    assert requested_urls(page, report_url) == [report_url]
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert [e for e in page.get_log("browser") if e["level"] in ("SEVERE", "WARNING")] == []


def test_an_expanded_package_in_the_overview_opens_by_its_link(page: Any) -> None:
    page.find_element(By.CSS_SELECTOR, '#crumbs [data-open=""]').click()
    # The overview opens the biggest packages first within its budget: big.core is expanded there.
    page.find_element(By.CSS_SELECTOR, '#graph [data-open-package="big.core"]').click()
    assert opened(page) == "big.core"
    assert {"big.core.part3", "big.core.kernel", "big.core.m0"} <= {
        e.get_attribute("data-node") for e in css(page, "#graph .node:not(.outside)")}
