"""`archgraph render --families`: class diagrams over real package trees, drawn by real engines.

The drawings are read back by their structure (titles, classes, fills, strokes, positions), for
each installed engine; a missing engine skips its tests and says which.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import run_cli, write_tree

from archgraph.report.layout import locate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agent_backend"
SVG = "{http://www.w3.org/2000/svg}"
RED = "#d0021b"
CONTRACT_ID = "one-gateway"

BASE = "shop.core.gateway.BasePaymentGateway"
DEFAULT = "shop.core.gateway.DefaultPaymentGateway"
STRIPE = "shop.payments.stripe.StripePaymentGateway"
LEGACY = "shop.legacy.gateway.PaymentGateway"
RETRYING = "shop.legacy.gateway.RetryingPaymentGateway"
COMPAT = "shop.compat.CompatPaymentGateway"
# Five subclasses a side: dot would spread them over rows (staggered), differently on each side
# (the admin ones sort in another order), unless each mirrored pair is held on one rank.
FORMATS = ("Csv", "Json", "Toml", "Xml", "Yaml")
EXPORTERS = {
    "shop.exporters.BaseExporter": "shop.admin.exporters.AdminExporter",
    **{
        f"shop.exporters.{name}Exporter": (
            f"shop.admin.{'exporters' if name == 'Yaml' else 'formats'}.Admin{name}Exporter"
        )
        for name in FORMATS
    },
}
GATEWAYS = {BASE, DEFAULT, STRIPE, LEGACY, RETRYING, COMPAT}

SHOP = {
    "shop/__init__.py": "",
    "shop/core/__init__.py": "",
    "shop/core/gateway.py": """
        from abc import ABC, abstractmethod


        class BasePaymentGateway(ABC):
            @abstractmethod
            def charge(self, amount): ...

            @abstractmethod
            def refund(self, amount): ...


        class DefaultPaymentGateway(BasePaymentGateway):
            def charge(self, amount):
                return amount

            def refund(self, amount):
                return -amount
        """,
    "shop/payments/__init__.py": "",
    "shop/payments/stripe.py": """
        class StripePaymentGateway:
            def charge(self, amount):
                return amount

            def refund(self, amount):
                return -amount
        """,
    "shop/legacy/__init__.py": "",
    "shop/legacy/gateway.py": """
        class PaymentGateway:
            def charge(self, amount):
                return amount

            def refund(self, amount):
                return -amount


        class RetryingPaymentGateway(PaymentGateway):
            def charge(self, amount):
                return super().charge(amount)
        """,
    "shop/compat.py": """
        from shop.core.gateway import DefaultPaymentGateway


        class CompatPaymentGateway:
            def __init__(self):
                self._inner = DefaultPaymentGateway()

            def charge(self, amount):
                return self._inner.charge(amount)

            def refund(self, amount):
                return self._inner.refund(amount)
        """,
    "shop/exporters.py": """
        class BaseExporter:
            def export(self, rows):
                return rows

            def header(self):
                return []
        """ + "".join(f"\n\nclass {name}Exporter(BaseExporter):\n    pass\n" for name in FORMATS),
    "shop/admin/__init__.py": "",
    "shop/admin/exporters.py": """
        class AdminExporter:
            def export(self, rows):
                return rows

            def header(self):
                return []


        class AdminYamlExporter(AdminExporter):
            pass
        """,
    "shop/admin/formats.py": "from shop.admin.exporters import AdminExporter\n" + "".join(
        f"\n\nclass Admin{name}Exporter(AdminExporter):\n    pass\n" for name in FORMATS[:-1]
    ),
}


def contracts(contract_id: str = CONTRACT_ID) -> str:
    return f"""\
[archgraph]
root_packages = ["shop"]

[[contracts]]
id = {json.dumps(contract_id)}
name = "One payment gateway"
type = "single-implementation"
concept = "*PaymentGateway"
canonical = "{DEFAULT}"
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("families")
    return write_tree(root, {**SHOP, "contracts/architecture.toml": contracts()})


@dataclass(frozen=True)
class Shape:
    classes: frozenset[str]
    texts: list[str]
    fill: str | None
    stroke: str | None
    stroke_width: str | None
    dashed: str | None  # stroke-dasharray
    center_y: float
    hollow_arrow: bool = False  # an edge whose arrowhead polygon is not filled


@dataclass(frozen=True)
class Drawing:
    nodes: dict[str, Shape]
    edges: dict[tuple[str, str], Shape]
    clusters: dict[str, list[str]]


def _points(element: ElementTree.Element) -> list[float]:
    """The y coordinates of a polygon's points or of a path's numbers (pairs x,y)."""
    if element.get("points"):
        pairs = element.get("points", "").split()
        return [float(pair.split(",")[1]) for pair in pairs]
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", element.get("d", ""))]
    return numbers[1::2]


def read_drawing(content: bytes) -> Drawing:
    """Parse a Graphviz SVG (this fails on any XML error, such as a badly escaped label)."""
    root = ElementTree.fromstring(content)
    nodes: dict[str, Shape] = {}
    edges: dict[tuple[str, str], Shape] = {}
    clusters: dict[str, list[str]] = {}
    for group in root.iter(f"{SVG}g"):
        classes = frozenset((group.get("class") or "").split())
        title = group.find(f"{SVG}title")
        if title is None or title.text is None:
            continue
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        # Tooltips wrap a node's or an edge's shapes in <a> elements: look at every descendant.
        shapes = [e for e in group.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse")]
        if "cluster" in classes:
            clusters[title.text] = texts
            continue
        if not shapes:
            continue
        first = shapes[0]
        ys = _points(first)
        shape = Shape(
            classes, texts, first.get("fill"), first.get("stroke"), first.get("stroke-width"),
            first.get("stroke-dasharray"), (min(ys) + max(ys)) / 2 if ys else 0.0,
            hollow_arrow=any(
                e.tag == f"{SVG}polygon" and e.get("fill") == "none" for e in shapes[1:]
            ),
        )
        if "node" in classes:
            nodes[title.text] = shape
        elif "edge" in classes:
            tail, _, head = title.text.partition("->")
            edges[(tail, head)] = shape
    return Drawing(nodes, edges, clusters)


def engine_or_skip(engine: str) -> str:
    if locate(engine) is None:
        pytest.skip(f"the {engine} layout engine is not installed (Graphviz's dot, or pip install graphviz-pure)")
    return engine


def render(*args: str) -> tuple[int, str, str]:
    return run_cli(["render", *args, "--no-cache"])


@pytest.fixture(scope="module", params=["dot", "graphviz-pure"])
def drawing(request: pytest.FixtureRequest, shop: Path, tmp_path_factory: pytest.TempPathFactory) -> Drawing:
    engine = engine_or_skip(request.param)
    output = tmp_path_factory.mktemp("svg") / "families.svg"
    code, out, err = render(str(shop), "--families", "-o", str(output), "--engine", engine)
    assert (code, out, err) == (0, f"wrote {output}\n", "")
    return read_drawing(output.read_bytes())


def test_every_class_of_the_findings_is_a_node(drawing: Drawing) -> None:
    classes = {title for title, shape in drawing.nodes.items() if "class" in shape.classes}
    assert classes == GATEWAYS | set(EXPORTERS) | set(EXPORTERS.values())
    assert drawing.nodes[DEFAULT].texts[-2:] == ["DefaultPaymentGateway", "shop.core.gateway"]


def test_each_competing_root_has_its_own_colour_and_its_subtree_shares_it(drawing: Drawing) -> None:
    roots = [STRIPE, LEGACY, BASE, COMPAT]
    fills = {root: drawing.nodes[root].fill for root in roots}
    assert len(set(fills.values())) == 4, fills
    assert drawing.nodes[RETRYING].fill == fills[LEGACY]
    assert drawing.nodes[DEFAULT].fill == fills[BASE]
    assert all("root" in drawing.nodes[root].classes for root in roots)
    assert "root" not in drawing.nodes[RETRYING].classes


def test_the_canonical_class_is_bold_and_labelled(drawing: Drawing) -> None:
    canonical = drawing.nodes[DEFAULT]
    assert "canonical" in canonical.classes
    assert canonical.texts[0] == "«canonical»"
    assert canonical.stroke_width == "3" and canonical.stroke != RED
    others = [title for title, shape in drawing.nodes.items() if "canonical" in shape.classes]
    assert others == [DEFAULT]


def test_violations_are_red_with_their_code_and_contract(drawing: Drawing) -> None:
    red = {title for title, shape in drawing.nodes.items() if shape.stroke == RED}
    assert red == {STRIPE, LEGACY, RETRYING, COMPAT}
    assert drawing.nodes[COMPAT].texts[-1] == f"AG161 {CONTRACT_ID}"  # a wrapper
    assert drawing.nodes[STRIPE].texts[-1] == f"AG160 {CONTRACT_ID}"
    assert all("violation" in drawing.nodes[title].classes for title in red)
    assert "violation" not in drawing.nodes[BASE].classes  # the interface the canonical class implements


def test_inheritance_points_from_subclass_to_base_with_a_hollow_arrow(drawing: Drawing) -> None:
    # Written `base -> subclass [dir=back]`: bases rank above, the arrow is drawn at the base.
    edge = drawing.edges[(BASE, DEFAULT)]
    assert "inherits" in edge.classes and edge.hollow_arrow and edge.dashed is None
    assert drawing.nodes[BASE].center_y < drawing.nodes[DEFAULT].center_y
    inherits = {key for key, shape in drawing.edges.items() if "inherits" in shape.classes}
    (left_top, right_top), *pairs = EXPORTERS.items()
    assert inherits == {
        (BASE, DEFAULT), (LEGACY, RETRYING),
        *((left_top, left) for left, _right in pairs),
        *((right_top, right) for _left, right in pairs),
    }


def test_the_wrapper_has_a_dashed_edge_labelled_with_its_forwarded_methods(drawing: Drawing) -> None:
    edge = drawing.edges[(COMPAT, DEFAULT)]
    assert "wraps" in edge.classes and edge.dashed is not None
    assert edge.texts == ["wraps: 2 forwarded"]


def test_mirrored_pairs_sit_side_by_side_with_a_dotted_edge(drawing: Drawing) -> None:
    for left, right in EXPORTERS.items():
        assert drawing.nodes[left].center_y == pytest.approx(drawing.nodes[right].center_y, abs=1)
        edge = drawing.edges[(right, left)] if (right, left) in drawing.edges else drawing.edges[(left, right)]
        assert "mirrors" in edge.classes and edge.dashed is not None and edge.texts == ["mirrors"]


def test_one_box_per_finding_and_a_legend(drawing: Drawing) -> None:
    boxes = {title: texts for title, texts in drawing.clusters.items() if title != "cluster_legend"}
    assert sorted(texts[0] for texts in boxes.values()) == [
        "1. AdminExporter / BaseExporter", "2. PaymentGateway",
    ]
    # The wrapper (finding 3) and the Exporter family (4) are drawn inside those boxes.
    assert "also 3. CompatPaymentGateway wraps DefaultPaymentGateway: forwards 2 of its 2 public methods" in (
        boxes["cluster_finding_2"])
    assert ("also 4. Exporter: 2 competing implementations sharing export, header"
            in boxes["cluster_finding_1"])
    assert "cluster_legend" in drawing.clusters
    legend = drawing.nodes["legend"].texts
    assert legend[0] == "Legend" and "canonical class (single-implementation contract)" in legend
    assert "18 classes drawn; 4 of 4 findings; 18 classes analyzed" in legend


def test_the_dot_source_puts_each_mirrored_pair_in_a_same_rank_subgraph(shop: Path, tmp_path: Path) -> None:
    output = tmp_path / "families.dot"
    code, _out, _err = render(str(shop), "--families", "-o", str(output))
    assert code == 0
    source = output.read_text()
    rows = re.findall(r'\{\s*rank=same\s*"([^"]+)"\s*"([^"]+)"\s*\}', source)
    assert sorted(rows) == sorted((right, left) for left, right in EXPORTERS.items())
    assert f'"{BASE}" -> "{DEFAULT}" [arrowsize=0.9 arrowtail=empty class=inherits' in source


@pytest.mark.parametrize("engine", ["dot", "graphviz-pure"])
def test_the_bundled_example(engine: str, tmp_path: Path) -> None:
    engine_or_skip(engine)
    output = tmp_path / "example.svg"
    code, _out, _err = render(str(EXAMPLE), "--families", "-o", str(output), "--engine", engine)
    assert code == 0
    drawing = read_drawing(output.read_bytes())
    dispatchers = {title for title in drawing.nodes if title.endswith("ToolDispatcher")}
    assert dispatchers == {
        "app.admin.tools.admin_tool_dispatcher.AdminToolDispatcher",
        "app.agents.supervisor.tool_dispatcher.SupervisorToolDispatcher",
        "app.api.legacy.tool_dispatcher.ToolDispatcher",
        "app.core.tools.base.BaseToolDispatcher",
        "app.core.tools.unified_tool_dispatcher.UnifiedToolDispatcher",
        "app.services.execution.request_scoped_tool_dispatcher.RequestScopedToolDispatcher",
        "app.services.legacy.legacy_tool_dispatcher.LegacyToolDispatcher",
        "app.services.tool_dispatcher.ToolDispatcher",
    }
    red = {title for title in dispatchers if drawing.nodes[title].stroke == RED}
    assert len(red) == 6  # all but the canonical class and the interface it implements
    canonical = drawing.nodes["app.core.tools.unified_tool_dispatcher.UnifiedToolDispatcher"]
    assert "canonical" in canonical.classes
    roots = [t for t in dispatchers if "root" in drawing.nodes[t].classes]
    assert len(roots) == 7 and len({drawing.nodes[t].fill for t in roots}) == 7
    factories = {title for title in drawing.nodes if title.endswith("DispatcherFactory")}
    assert {name.rpartition(".")[2] for name in factories} == {
        "AdminDispatcherFactory", "AdminChatDispatcherFactory", "AdminBatchDispatcherFactory",
        "BaseDispatcherFactory", "ChatDispatcherFactory", "BatchDispatcherFactory",
    }
    chat = [drawing.nodes[t].center_y for t in factories if "ChatDispatcherFactory" in t]
    assert chat[0] == pytest.approx(chat[1], abs=1)
    assert "cluster_legend" in drawing.clusters


def test_above_the_budget_the_most_suspicious_findings_stay_and_the_drawing_says_so(
    shop: Path, tmp_path: Path
) -> None:
    output = tmp_path / "small.dot"
    code, _out, err = render(str(shop), "--families", "-o", str(output), "--max-nodes", "14")
    assert code == 0
    notes = [
        ("4 findings exceed the budget of 14 classes (--max-nodes); drawing the 1 most suspicious "
         "(12 classes)"),
        f"contract {CONTRACT_ID}: its classes outside the drawn findings are left out (--max-nodes)",
    ]
    assert err == "".join(f"archgraph: note: {note}\n" for note in notes)
    source = output.read_text()
    assert all(note in source for note in notes)  # in the legend
    assert "cluster_finding_1" in source and "cluster_finding_2" not in source
    assert "PaymentGateway" not in source


def test_a_finding_bigger_than_the_budget_is_cut_roots_first(shop: Path, tmp_path: Path) -> None:
    output = tmp_path / "tiny.dot"
    code, _out, err = render(str(shop), "--families", "-o", str(output), "--max-nodes", "3")
    assert code == 0
    assert "finding 1 (AdminExporter / BaseExporter) has 12 classes, more than the budget of 3" in err
    assert nodes_of(output) == {
        "shop.admin.exporters.AdminExporter", "shop.exporters.BaseExporter",
        "shop.admin.formats.AdminCsvExporter",
    }


def nodes_of(dot_file: Path) -> set[str]:
    return set(re.findall(r'^\t\t"([^"]+)" \[label=<', dot_file.read_text(), re.MULTILINE))


@pytest.mark.parametrize("engine", ["dot", "graphviz-pure"])
def test_every_label_is_escaped(shop: Path, tmp_path: Path, engine: str) -> None:
    engine_or_skip(engine)
    # Ids may not hold quotes, `<>&`, backslashes or newlines (the contract loader refuses them),
    # but braces, bars, colons, `%` and unicode are record/port syntax in DOT: all must survive.
    evil = "gw{x}|é:%;"
    config = write_tree(tmp_path, {"evil.toml": contracts(evil)}) / "evil.toml"
    output = tmp_path / "evil.svg"
    code, _out, err = render(str(shop), "--families", "--config", str(config), "-o", str(output),
                             "--engine", engine, "--concept", "*<&>*")
    assert code == 2 and "no concept matches '*<&>*'" in err  # the concept view: nothing to draw
    code, _out, err = render(str(shop), "--families", "--config", str(config), "-o", str(output),
                             "--engine", engine)
    assert code == 0, err
    drawing = read_drawing(output.read_bytes())
    assert drawing.nodes[STRIPE].texts[-1] == "AG160 gw{x}|é:%;"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--concept", "*Gateway"], "--concept, --include-tests and --exclude draw class families: add --families"),
        (["--exclude", "shop.legacy"], "--concept, --include-tests and --exclude draw class families: add --families"),
        (["--families", "--exclude", "shop..x"], "--exclude 'shop..x'"),
        (["--families", "--depth", "2"], "--depth draws module diagrams"),
        (["--families", "--focus", "shop.core"], "--focus draws module diagrams"),
        (["--families", "--contract", "nope"], "unknown contract id 'nope'"),
    ],
)
def test_options_of_the_module_diagram_are_usage_errors(
    shop: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, _out, err = render(str(shop), "-o", str(tmp_path / "x.svg"), *args)
    assert code == 2 and message in err


def test_test_code_and_excluded_modules_are_left_out_as_families_leaves_them_out(tmp_path: Path) -> None:
    doubles = {
        "shop/tests/__init__.py": "",
        "shop/tests/doubles.py": "class FakePaymentGateway:\n    def charge(self, amount):\n        return 0\n\n"
                                 "    def refund(self, amount):\n        return 0\n",
    }
    root = write_tree(tmp_path / "shop", {**SHOP, **doubles, "contracts/architecture.toml": contracts()})

    def drawn(*extra: str) -> tuple[set[str], str]:
        output = tmp_path / "families.dot"
        code, _out, err = render(str(root), "--families", "-o", str(output), *extra)
        assert code == 0, err
        source = output.read_text()
        return {name for name in GATEWAYS | {"shop.tests.doubles.FakePaymentGateway"} if f'"{name}"' in source}, source

    # The test double violates the contract, yet it is test code: left out, and the legend says so.
    classes, source = drawn()
    assert classes == GATEWAYS and "2 test modules not drawn (--include-tests)" in source
    classes, source = drawn("--include-tests")
    assert classes == GATEWAYS | {"shop.tests.doubles.FakePaymentGateway"} and "test modules not drawn" not in source
    classes, _source = drawn("--exclude", "shop.legacy", "--exclude", "compat")
    assert classes == GATEWAYS - {LEGACY, RETRYING, COMPAT}


def test_contract_picks_which_contract_marks_the_classes(shop: Path, tmp_path: Path) -> None:
    output = tmp_path / "one.dot"
    code, _out, _err = render(str(shop), "--families", "--contract", CONTRACT_ID, "-o", str(output))
    assert code == 0 and "canonical" in output.read_text()


def test_without_contracts_nothing_is_canonical_or_red(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "plain", SHOP)
    output = tmp_path / "plain.dot"
    code, _out, _err = render(str(root), "--families", "-o", str(output))
    assert code == 0
    source = output.read_text()
    assert "class=\"class group-0 root\"" in source
    assert "canonical" not in source.replace("canonical class (single-implementation contract)", "")
    assert RED not in source.replace(f'color="{RED}"><tr><td> </td></tr></table></td><td align="left">violates', "")


def test_a_canonical_class_that_does_not_exist_is_said_and_nothing_is_marked(
    shop: Path, tmp_path: Path
) -> None:
    config = write_tree(tmp_path, {"gone.toml": contracts().replace(DEFAULT, "shop.gone.GonePaymentGateway")})
    output = tmp_path / "gone.dot"
    code, _out, err = render(str(shop), "--families", "--config", str(config / "gone.toml"), "-o", str(output))
    assert code == 0
    note = f"contract {CONTRACT_ID}: canonical class shop.gone.GonePaymentGateway is not defined in the analyzed code"
    assert err == f"archgraph: note: {note}\n" and note in output.read_text()
    source = output.read_text()
    assert ' violation"' not in source and "canonical»" not in source


def test_pdf_and_png_come_from_dot(shop: Path, tmp_path: Path) -> None:
    engine_or_skip("dot")
    for name, magic in (("f.pdf", b"%PDF"), ("f.png", b"\x89PNG")):
        code, _out, err = render(str(shop), "--families", "-o", str(tmp_path / name), "--engine", "dot")
        assert code == 0, err
        assert (tmp_path / name).read_bytes().startswith(magic)
