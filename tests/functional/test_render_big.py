"""Every picture of a backend of 4,000 modules stays readable: the default render, the focus
render, the contract renders (the protected module with 100 violating importers, the layers)
and the concept render (a dozen competing `*ToolDispatcher` implementations). Each is drawn as
a PNG of at most ~80 boxes within an aspect ratio of 1:3..3:1, and counts every violation it
is about somewhere on the picture."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from big_tree import CONCEPT, PROTECTED, TEST_DOUBLES, write_big_tree
from render_fixtures import read_svg

from archgraph.audit.drawing import render_concept
from archgraph.families.classify import FamiliesQuery
from archgraph.families.drawing import render_class_diagram
from archgraph.report.diagram import drawn_edges
from archgraph.report.graphview import DEFAULT_BOXES, GraphView, ViewOptions
from archgraph.report.layout import aspect_ratio, drawing_size, locate
from archgraph.usecases.check import Analysis, analyze
from archgraph.usecases.project import RunOptions
from archgraph.usecases.render import MAX_ASPECT, Rendered, render_diagram
from archgraph.usecases.views import render_contract_diagram

pytestmark = pytest.mark.slow  # ten layouts of a 4,000-module tree: about a minute

BOX_LIMIT = 80
SVG = "{http://www.w3.org/2000/svg}"
COMPETING_STROKE = "#b00020"  # archgraph.audit.diagram.COLORS[COMPETING]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunOptions, Analysis]:
    root = write_big_tree(tmp_path_factory.mktemp("big"))
    options = RunOptions(cache_dir=tmp_path_factory.mktemp("cache"))
    return root, options, analyze(root, options)


@pytest.fixture(scope="module")
def engine() -> str:
    return "dot" if locate("dot") else "graphviz-pure"


def violations_of(analysis: Analysis, contract: str) -> int:
    return sum(len(r.violations) for r in analysis.result.contracts if r.contract_id == contract)


def check_png(png: bytes, name: str, pictures: Path) -> None:
    """The PNG of a view: a sensible size, within the aspect budget; kept for a person to look at."""
    (pictures / f"{name}.png").write_bytes(png)
    size = drawing_size(png, "png")
    assert size is not None and aspect_ratio(size) <= MAX_ASPECT, size
    assert 200 < min(size) and max(size) < 12_000, size


def test_the_tree_has_what_the_views_are_about(big: tuple[Path, RunOptions, Analysis]) -> None:
    _root, _options, analysis = big
    assert len(analysis.model.modules) > 4000
    assert violations_of(analysis, "layers") == 25
    assert violations_of(analysis, "secrets") == 100
    # 11 competing implementations with 2 subclasses each, and the 3 test doubles.
    assert violations_of(analysis, "dispatchers") == 11 * 3 + len(TEST_DOUBLES)


# ---- the module diagram: default and focus ----------------------------------------------------

def counted_on_graph(svg: bytes) -> int:
    """The violations the picture counts: on red edges ("contract (n)") and inside boxes."""
    drawing = read_svg(svg)
    total = 0
    for edge in drawing.edges.values():
        if "violation" in edge.classes:
            total += int(re.search(r"\((\d+)\)$", edge.label).group(1))  # type: ignore[union-attr]
    for _classes, texts, _y in drawing.nodes.values():
        for text in texts:
            inside = re.fullmatch(r"(\d+) violations? inside", text)
            total += int(inside.group(1)) if inside else 0
    return total


def assert_every_violation_is_on_the_picture(view: GraphView) -> None:
    """Each violation with a drawn end is on a drawn edge, inside a box, or counted as crossing
    the edge of the picture (a focus view); the others are outside the neighbourhood."""
    drawn = {(e.importer, e.imported) for e in drawn_edges(view)}
    inside = {node.id for node in view.nodes if node.violations_inside}
    crossing = 0
    for chain in view.chains:
        if not chain.nodes:
            continue
        if not (set(chain.edges) & drawn or set(chain.nodes) & inside):
            assert not chain.edges and len(chain.nodes) == 1, chain
            crossing += 1
    assert crossing == view.violations_crossing
    if crossing:
        assert f"{crossing} violation(s) import across the edge of the drawn modules" in " ".join(view.notes)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("default", ViewOptions(max_nodes=DEFAULT_BOXES)),
        ("focus", ViewOptions(focus=PROTECTED, radius=2, max_nodes=DEFAULT_BOXES)),
    ],
)
def test_the_module_diagram(
    big: tuple[Path, RunOptions, Analysis], engine: str, tmp_path: Path, name: str, options: ViewOptions
) -> None:
    root, run_options, analysis = big
    png = render_diagram(root, "png", run_options, options, engine)
    check_png(png.content, name, tmp_path)
    view = png.view
    assert 20 <= len(view.nodes) <= BOX_LIMIT
    assert_every_violation_is_on_the_picture(view)
    svg = render_diagram(root, "svg", run_options, options, engine).content
    total = sum(len(result.violations) for result in analysis.result.contracts)
    if name == "default":
        # Each of the 161 is counted once: an import on its edge or inside its box, a competing
        # class inside the box of its module.
        assert counted_on_graph(svg) == total == 161
        assert f"{total} violations on this picture" in svg.decode()
    else:
        protected = [c for c in view.chains if c.contract == "secrets"]
        assert counted_on_graph(svg) >= len(protected) == 100
    assert "big.tests" in view.node_ids  # test code stays one box at this budget


# ---- contract views ---------------------------------------------------------------------------

def counted_on_contract_view(svg: bytes) -> tuple[int, int, int]:
    """Boxes drawn (legend aside); the violations the boxes' labels and the red arrows' add up to."""
    drawing = read_svg(svg)
    boxes = [texts for classes, texts, _y in drawing.nodes.values() if "box" in classes or "layer" in classes]
    in_boxes = sum(int(n) for texts in boxes for n in re.findall(r"^(\d+) violations? from", "\n".join(texts), re.M))
    on_arrows = sum(
        int(n)
        for edge in drawing.edges.values()
        if "violation" in edge.classes
        for n in re.findall(r"^(\d+) violations?$", edge.label, re.M)
    )
    return len(boxes), in_boxes, on_arrows


@pytest.mark.parametrize("contract", ["secrets", "layers"])
def test_the_contract_view(
    big: tuple[Path, RunOptions, Analysis], engine: str, tmp_path: Path, contract: str
) -> None:
    root, run_options, analysis = big
    options = ViewOptions(contract=contract)
    png = render_contract_diagram(root, "png", run_options, options, engine)
    check_png(png.content, f"contract-{contract}", tmp_path)
    svg = render_contract_diagram(root, "svg", run_options, options, engine).content
    boxes, in_boxes, on_arrows = counted_on_contract_view(svg)
    expected = violations_of(analysis, contract)
    assert 2 <= boxes <= BOX_LIMIT
    assert on_arrows == expected  # every violation on a red arrow
    if contract == "secrets":
        assert in_boxes == expected == 100  # ...and in its group of importers
        assert f"{PROTECTED}\nprotected: 100 violating imports" in "\n".join(
            "\n".join(texts) for _c, texts, _y in read_svg(svg).nodes.values())


# ---- the concept view -------------------------------------------------------------------------

def competing_boxes(svg: bytes) -> list[str]:
    """The class names drawn in the competing colour (one text line each: the bold name)."""
    names = []
    for group in ElementTree.fromstring(svg).iter(f"{SVG}g"):
        if (group.get("class") or "") != "node":
            continue
        shape = next((e for e in group.iter() if e.tag in (f"{SVG}polygon", f"{SVG}path")), None)
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        if shape is not None and shape.get("stroke") == COMPETING_STROKE and texts:
            names.append(texts[0])
    return names


def test_the_concept_view(big: tuple[Path, RunOptions, Analysis], engine: str, tmp_path: Path) -> None:
    root, run_options, analysis = big
    render: Callable[[str], Rendered[object]] = lambda output: render_concept(  # noqa: E731
        root, output, CONCEPT, run_options, engine_choice=engine)
    png = render("png")
    check_png(png.content, "concept", tmp_path)
    svg = render("svg").content
    nodes = [g for g in ElementTree.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "node"]
    assert 12 * 3 <= len(nodes) <= BOX_LIMIT
    text = " ".join(t.text or "" for t in ElementTree.fromstring(svg).iter(f"{SVG}text"))
    # Every production violation is a red class on the picture; the test doubles are counted in
    # the legend, not drawn.
    production = violations_of(analysis, "dispatchers") - len(TEST_DOUBLES)
    drawn = competing_boxes(svg)
    assert len(drawn) == len(set(drawn)) == production == 33
    assert "11 competing" in text and "CoreToolDispatcher" in text
    assert f"{len(TEST_DOUBLES)} classes in test code or allowed modules not drawn (--include-tests)" in text
    assert not any(double.rpartition(".")[2] in text for double in TEST_DOUBLES)


def test_the_class_diagram_stacks_a_dozen_competing_trees(
    big: tuple[Path, RunOptions, Analysis], engine: str, tmp_path: Path
) -> None:
    root, run_options, _analysis = big
    png = render_class_diagram(root, "png", run_options, FamiliesQuery(), engine_choice=engine)
    check_png(png.content, "families", tmp_path)  # one family of 12 trees side by side was 14:1
    drawn = {node.id for node in png.view.nodes}
    assert len(drawn) <= BOX_LIMIT and not any(double in drawn for double in TEST_DOUBLES)
    assert "575 test modules not drawn (--include-tests)" in png.view.notes
