"""The HTML report in a real headless Chromium: loads offline without errors, search, focus,
collapse and highlight work, and hostile contract names stay text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import chromium, needs_chromium, requested_urls
from click.testing import CliRunner
from render_fixtures import EVIL_CONTRACT, EVIL_NAME, SHOP_CONTRACTS, write_shop

from archgraph.cli import main

pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = write_shop(tmp_path_factory.mktemp("shop"), SHOP_CONTRACTS + EVIL_CONTRACT)
    output = root / "out" / "report.html"
    result = CliRunner().invoke(main, ["report", str(root), "-o", str(output), "--no-cache"])
    assert result.exit_code == 0, result.output
    return output.as_uri()


@pytest.fixture
def page(browser, report_url: str):  # type: ignore[no-untyped-def]
    browser.get(report_url)
    browser.get_log("browser")  # start each test with an empty console
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
    return browser


def css(page, selector: str) -> list:  # type: ignore[no-untyped-def]
    return page.find_elements(By.CSS_SELECTOR, selector)


def focused(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.get_attribute("data-node") for e in css(page, "#graph .node.focused")]


def test_it_loads_offline_without_console_errors(browser, report_url: str) -> None:  # type: ignore[no-untyped-def]
    requested_urls(browser)  # forget what came before (the start page)
    browser.get(report_url)
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
    assert [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")] == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert requested_urls(browser, report_url) == [report_url]  # the page itself, nothing else
    drawn = {e.get_attribute("data-node") for e in css(browser, "#graph [data-node]")}
    assert {"shop.web.views", "shop.services.orders", "shop.domain.model"} <= drawn
    assert len(css(browser, "#graph g.edge.violation")) == 3


def test_hostile_contract_names_are_shown_as_text(page) -> None:  # type: ignore[no-untyped-def]
    assert page.execute_script("return window.__pwned === undefined")
    names = [e.text for e in css(page, "#contracts .name")]
    assert EVIL_NAME in names
    assert css(page, "img") == []


def test_search_finds_a_module_and_focuses_its_neighbourhood(page) -> None:  # type: ignore[no-untyped-def]
    search = page.find_element(By.ID, "search")
    search.send_keys("billing", Keys.ENTER)
    assert focused(page) == ["shop.services.billing"]
    neighbours = {e.get_attribute("data-node") for e in css(page, "#graph .node.neighbour")}
    assert neighbours == {"shop.services.orders", "shop.domain.model"}
    assert "shop.web.views" in {e.get_attribute("data-node") for e in css(page, "#graph .node.dimmed")}
    assert page.find_element(By.ID, "status").text == "focus: shop.services.billing"
    assert page.find_element(By.CSS_SELECTOR, "#info h3").text == "shop.services.billing"


def test_a_search_without_match_says_so(page) -> None:  # type: ignore[no-untyped-def]
    page.find_element(By.ID, "search").send_keys("nothing-like-this", Keys.ENTER)
    assert page.find_element(By.ID, "status").text == "no module matches “nothing-like-this”"
    assert focused(page) == []


def test_clicking_a_module_focuses_it(page) -> None:  # type: ignore[no-untyped-def]
    page.find_element(By.CSS_SELECTOR, '#graph [data-node="shop.web.views"]').click()
    assert focused(page) == ["shop.web.views"]
    page.find_element(By.ID, "fit").click()
    page.find_element(By.CSS_SELECTOR, '#graph [data-node="shop.domain.model"]').click()
    assert focused(page) == ["shop.domain.model"]
    page.find_element(By.ID, "clear").click()
    assert focused(page) == [] and css(page, "#graph .dimmed") == []


def test_packages_collapse_and_expand(page) -> None:  # type: ignore[no-untyped-def]
    page.find_element(By.CSS_SELECTOR, '#graph [data-toggle="shop.services"]').click()
    assert [e.get_attribute("data-node") for e in css(page, "#graph .node.package.collapsed")] == ["shop.services"]
    assert css(page, '#graph [data-node="shop.services.orders"]') == []
    edges = {(e.get_attribute("data-s"), e.get_attribute("data-t")) for e in css(page, "#graph g.edge")}
    assert ("shop.web.views", "shop.services") in edges and ("shop.services", "shop.domain.model") in edges
    page.find_element(By.CSS_SELECTOR, '#graph [data-toggle="shop.services"]').click()
    assert css(page, "#graph .node.package.collapsed") == []
    assert len(css(page, '#graph [data-node="shop.services.orders"]')) == 1


def test_a_contract_row_highlights_its_violations(page) -> None:  # type: ignore[no-untyped-def]
    row = next(r for r in css(page, "#contracts tr.contract") if "web-not-domain" in r.text)
    row.click()
    lit = {(e.get_attribute("data-s"), e.get_attribute("data-t")) for e in css(page, "#graph g.edge.highlight")}
    assert lit == {("shop.web.views", "shop.services.orders"), ("shop.services.orders", "shop.domain.model")}
    item = next(i for i in css(page, "#violations li") if "layers" in i.text)
    item.click()
    lit = {(e.get_attribute("data-s"), e.get_attribute("data-t")) for e in css(page, "#graph g.edge.highlight")}
    assert lit == {("shop.domain.model", "shop.web.views")}
    assert "selected" in item.get_attribute("class")


def test_no_console_errors_after_interacting(page) -> None:  # type: ignore[no-untyped-def]
    page.find_element(By.ID, "collapse-all").click()
    page.find_element(By.ID, "search").send_keys("orders", Keys.ENTER)
    page.find_element(By.ID, "expand-all").click()
    page.find_element(By.CSS_SELECTOR, "#violations li").click()
    assert focused(page) == [] and len(css(page, "#graph g.edge.highlight")) >= 1
    assert [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"] == []

