"""`archgraph render`, `export` and `report` from the command line, over real trees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from render_fixtures import read_svg, write_shop

from archgraph.cli import main
from archgraph.report.layout import locate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agent_backend"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--no-cache"])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_shop(tmp_path / "project")


def test_render_writes_an_svg_and_exits_0_although_contracts_break(shop: Path, tmp_path: Path) -> None:
    output = tmp_path / "diagram.svg"
    code, out, err = run("render", str(shop), "-o", str(output))
    assert (code, out, err) == (0, f"wrote {output}\n", "")
    svg = read_svg(output.read_bytes())
    assert "violation" in svg.edges[("shop.domain.model", "shop.web.views")].classes
    assert "cluster_legend" in svg.clusters


def test_render_the_bundled_example(tmp_path: Path) -> None:
    output = tmp_path / "agent_backend.svg"
    code, _out, _err = run("render", str(EXAMPLE), "-o", str(output))
    assert code == 0
    svg = read_svg(output.read_bytes())
    upward = svg.edges[("app.core.errors", "app.api.responses")]
    assert "violation" in upward.classes and "layers" in upward.label
    assert {"cluster_app.api", "cluster_app.core", "cluster_app.services"} <= set(svg.clusters)


@pytest.mark.parametrize(("name", "magic"), [("d.png", b"\x89PNG"), ("d.dot", b"digraph archgraph {"),
                                             ("d.gv", b"digraph archgraph {")])
def test_the_format_comes_from_the_file_name(shop: Path, tmp_path: Path, name: str, magic: bytes) -> None:
    code, _out, _err = run("render", str(shop), "-o", str(tmp_path / name))
    assert code == 0 and (tmp_path / name).read_bytes().startswith(magic)


def test_an_unknown_suffix_without_format_is_a_usage_error(shop: Path, tmp_path: Path) -> None:
    code, _out, err = run("render", str(shop), "-o", str(tmp_path / "diagram.txt"))
    assert code == 2 and "use --format svg|png|pdf|dot" in err
    code, _out, _err = run("render", str(shop), "-o", str(tmp_path / "diagram.txt"), "--format", "svg")
    assert code == 0 and (tmp_path / "diagram.txt").read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("engine", ["dot", "graphviz-pure"])
def test_verbose_tells_which_engine_ran(shop: Path, tmp_path: Path, engine: str) -> None:
    if locate(engine) is None:
        pytest.skip(f"the {engine} engine is not installed")
    code, _out, err = run("render", str(shop), "-o", str(tmp_path / "d.svg"), "--engine", engine, "--verbose")
    assert code == 0 and err.startswith(f"archgraph: engine {engine} (") and "layout" in err


def test_over_budget_renders_say_so_on_stderr(shop: Path, tmp_path: Path) -> None:
    code, _out, err = run("render", str(shop), "-o", str(tmp_path / "d.svg"), "--max-nodes", "4")
    assert code == 0
    assert err == ("archgraph: note: 3 package(s) drawn collapsed to keep 4 boxes within the budget "
                   "of 4 (--max-nodes, --depth); the biggest: shop.domain (3), shop.services (3), "
                   "shop.web (2)\n")


def test_focus_and_contract_views(shop: Path, tmp_path: Path) -> None:
    code, _out, _err = run("render", str(shop), "-o", str(tmp_path / "f.svg"), "--focus", "shop.web.views",
                           "--radius", "2", "--direction", "downstream")
    assert code == 0
    nodes = read_svg((tmp_path / "f.svg").read_bytes()).nodes
    assert "focus" in nodes["shop.web.views"][0] and "shop.domain.model" in nodes
    assert "shop.services.billing" not in nodes
    # A forbidden contract's violations as a module diagram (a layers contract has a view of its
    # own: tests/functional/test_render_views.py).
    code, _out, _err = run("render", str(shop), "-o", str(tmp_path / "c.svg"), "--contract", "domain-pure")
    assert code == 0
    assert set(read_svg((tmp_path / "c.svg").read_bytes()).edges) == {("shop.domain.model", "shop.web.views")}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focus", "shop.web.view"], "module 'shop.web.view' is not in the graph (did you mean 'shop.web.views'?)"),
        (["--contract", "layer"], "unknown contract id 'layer' (did you mean 'layers'?)"),
    ],
)
def test_unknown_names_are_usage_errors(shop: Path, tmp_path: Path, args: list[str], message: str) -> None:
    code, _out, err = run("render", str(shop), "-o", str(tmp_path / "d.svg"), *args)
    assert code == 2 and message in err
    assert not (tmp_path / "d.svg").exists()


def test_render_works_without_any_contract(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "plain", contracts=None)
    code, _out, _err = run("render", str(root), "-p", "shop", "-o", str(tmp_path / "d.svg"))
    assert code == 0
    assert not [e for e in read_svg((tmp_path / "d.svg").read_bytes()).edges.values() if "violation" in e.classes]


def test_export_json_to_stdout(shop: Path) -> None:
    code, out, _err = run("export", str(shop), "--format", "json", "--violations-only")
    assert code == 0
    data = json.loads(out)
    assert {(e["source"], e["target"]) for e in data["edges"]} == {
        ("shop.domain.model", "shop.web.views"),
        ("shop.web.views", "shop.services.orders"),
        ("shop.services.orders", "shop.domain.model"),
    }


@pytest.mark.parametrize("export_format", ["graphml", "gexf", "mermaid", "dot"])
def test_export_formats_to_a_file(shop: Path, tmp_path: Path, export_format: str) -> None:
    output = tmp_path / f"graph.{export_format}"
    code, _out, _err = run("export", str(shop), "--format", export_format, "-o", str(output), "--depth", "2")
    assert code == 0 and "shop.services" in output.read_text(encoding="utf-8")


def test_report_writes_one_html_file_and_prints_its_path(shop: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "report.html"
    code, out, _err = run("report", str(shop), "-o", str(output))
    assert (code, out) == (0, f"wrote {output}\n")
    assert output.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
