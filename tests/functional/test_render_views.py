"""`render --matrix` and the contract views (`render --contract ID` of a protected, layers or
independence contract), from the command line over real trees."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from helpers import write_tree
from render_fixtures import ENGINES, SVG, read_svg

from archgraph.cli import main
from archgraph.report.layout import locate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agent_backend"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--no-cache"])
    return result.exit_code, result.stdout, result.stderr


# web -> services -> domain, and domain.model imports web.views back: one cycle of three
# packages, whose fewest-upward order is web, services, domain (only domain -> web points up).
CYCLE_FILES = {
    "pkg/__init__.py": "",
    "pkg/web/__init__.py": "",
    "pkg/web/views.py": "from pkg.services import orders\nfrom pkg.services import billing\n",
    "pkg/services/__init__.py": "",
    "pkg/services/orders.py": "from pkg.domain import model\n",
    "pkg/services/billing.py": "import pkg.domain.model\n",
    "pkg/domain/__init__.py": "",
    "pkg/domain/model.py": "from pkg.web import views\n",
    "pkg/domain/values.py": "",
    "pkg/tools/__init__.py": "",
    "pkg/tools/text.py": "",
}
LAYERS = """\
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["pkg"]
layers = ["{0}", "{1}", "{2}"]
"""


def matrix_svg(content: bytes) -> tuple[list[str], dict[str, str]]:
    """The row labels and, by element id (count-R-C, upward-R-C, cycle-F-L...), each mark's text."""
    root = ElementTree.fromstring(content)
    marks = {
        group.get("id", ""): "".join(text.text or "" for text in group.iter(f"{SVG}text"))
        for group in root.iter(f"{SVG}g")
        if re.fullmatch(r"(count|upward|violation|import|cycle)-\d+-\d+", group.get("id", ""))
    }
    labels = [
        text.text or ""
        for text in root.iter(f"{SVG}text")
        if re.fullmatch(r"\d+  \S+", text.text or "")
    ]
    return labels, marks


def test_the_matrix_of_a_cycle_in_inferred_order(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", {**CYCLE_FILES, "pyproject.toml": '[tool.archgraph]\nroot_packages = ["pkg"]\n'})
    output = tmp_path / "matrix.svg"
    code, out, _err = run("render", str(root), "--matrix", "--depth", "2", "-o", str(output))
    assert (code, out) == (0, f"wrote {output}\n")
    labels, marks = matrix_svg(output.read_bytes())
    assert labels == ["1  pkg", "2  pkg.web", "3  pkg.services", "4  pkg.domain", "5  pkg.tools"]
    counts = {key: value for key, value in marks.items() if key.startswith("count-")}
    # Row = imported, column = importer: web imports services twice, services the domain twice.
    assert counts == {"count-3-2": "2", "count-4-3": "2", "count-2-4": "1"}
    assert {key for key in marks if key.startswith("upward-")} == {"upward-2-4"}  # domain -> web
    assert {key for key in marks if key.startswith("cycle-")} == {"cycle-2-4"}  # rows 2..4 boxed
    assert not any(key.startswith("violation-") for key in marks)


def test_the_matrix_follows_the_configured_layers_and_marks_their_violations(tmp_path: Path) -> None:
    # The contract asks for the reverse of the inferred order: every import now points upward.
    root = write_tree(tmp_path / "project", {**CYCLE_FILES,
                                              "contracts/a.toml": LAYERS.format("domain", "services", "web")})
    output = tmp_path / "matrix.svg"
    code, _out, _err = run("render", str(root), "--matrix", "--depth", "2", "-o", str(output))
    assert code == 0
    labels, marks = matrix_svg(output.read_bytes())
    # The container's own module above the layers, the module in no layer below them.
    assert labels == ["1  pkg", "2  pkg.domain", "3  pkg.services", "4  pkg.web", "5  pkg.tools"]
    counts = {key: value for key, value in marks.items() if key.startswith("count-")}
    assert counts == {"count-3-4": "2", "count-2-3": "2", "count-4-2": "1"}
    # web -> services and services -> domain break the layers: red, above the diagonal.
    assert {key for key in marks if key.startswith("violation-")} == {"violation-3-4", "violation-2-3"}
    assert {key for key in marks if key.startswith("import-")} == {"import-4-2"}


def test_the_matrix_at_a_chosen_depth_and_as_html(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", {**CYCLE_FILES,
                                              "contracts/a.toml": LAYERS.format("web", "services", "domain")})
    output = tmp_path / "matrix.html"
    # Without --depth: the deepest depth with at most 60 rows, here every module.
    code, _out, _err = run("render", str(root), "--matrix", "-o", str(output))
    assert code == 0
    page = output.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page
    rows = re.findall(r'<th class="name" scope="row">\d+  ([^<( ]+)', page)
    assert sorted(rows) == sorted(m.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                                  for m in CYCLE_FILES)
    # The container first, then the layers' modules in the layers' order, pkg.tools (no layer) last.
    assert rows[0] == "pkg" and rows[-2:] == ["pkg.tools", "pkg.tools.text"]
    layer = {"web": 0, "services": 1, "domain": 2}
    assert [layer[name.split(".")[1]] for name in rows[1:-2]] == [0, 0, 1, 1, 1, 2, 2, 2]
    violating = re.findall(r'<td class="violation[^"]*" title="([^"]+)">(\d+)</td>', page)
    assert violating == [("pkg.domain.model -&gt; pkg.web.views: 1 import(s), upward; violations of layers", "1")]


def test_matrix_usage_errors(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", CYCLE_FILES)
    code, _out, err = run("render", str(root), "--matrix", "--focus", "pkg.web", "-o", str(tmp_path / "m.svg"))
    assert code == 2 and "does not combine" in err
    code, _out, err = run("render", str(root), "-o", str(tmp_path / "m.html"))
    assert code == 2 and "use --format svg|png|pdf|dot" in err
    code, _out, err = run("render", str(root), "--matrix", "-o", str(tmp_path / "m.dot"))
    assert code == 2 and "use --format svg|png|pdf|html" in err
    code, _out, err = run("render", str(root), "--matrix", "--contract", "nope", "-o", str(tmp_path / "m.svg"))
    assert code == 2 and "unknown contract id 'nope'" in err


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


@pytest.mark.slow
def test_the_matrix_png(tmp_path: Path) -> None:
    code, _out, _err = run("render", str(EXAMPLE), "--matrix", "-o", str(tmp_path / "m.png"))
    assert code == 0
    width, height = png_size((tmp_path / "m.png").read_bytes())
    assert 400 < width < 3000 and 1 / 3 <= width / height <= 3


# A protected module and 100 importers of it in 7 areas of 2-23 parts each: the protected view.
def protected_tree(root: Path) -> Path:
    files = {
        "big/__init__.py": "",
        "big/core/__init__.py": "",
        "big/core/secret.py": "",
        "big/core/user.py": "from big.core import secret\n",  # allowed: inside big.core
        "contracts/architecture.toml": """\
            [archgraph]
            root_packages = ["big"]

            [[contracts]]
            id = "secret"
            name = "Only the core imports the secret"
            type = "protected"
            modules = ["big.core.secret"]
            allowed_importers = ["big.core"]
            """,
    }
    for index in range(100):
        area, part = f"area{index % 7}", f"part{index % 23}"
        files.setdefault(f"big/{area}/__init__.py", "")
        files.setdefault(f"big/{area}/{part}/__init__.py", "")
        files[f"big/{area}/{part}/m{index}.py"] = "from big.core import secret\n"
    return write_tree(root, files)


def svg_size(content: bytes) -> tuple[float, float]:
    root = ElementTree.fromstring(content)
    return (float(root.get("width", "0").removesuffix("pt")), float(root.get("height", "0").removesuffix("pt")))


def counted_violations(content: bytes) -> tuple[int, int, int]:
    """Boxes drawn (legend aside), and the violations that the importer boxes' labels and the
    red arrows' labels add up to."""
    drawing = read_svg(content)
    boxes = [texts for _title, (classes, texts, _y) in drawing.nodes.items() if "box" in classes]
    in_boxes = sum(int(match) for texts in boxes for match in re.findall(r"^(\d+) violations? from", "\n".join(texts), re.M))
    on_arrows = sum(
        int(match)
        for edge in drawing.edges.values()
        if "violation" in edge.classes
        for match in re.findall(r"^(\d+) violations?$", edge.label, re.M)
    )
    return len(boxes), in_boxes, on_arrows


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("depth", [None, "3"])
def test_a_protected_module_with_100_violating_importers(tmp_path: Path, engine: str, depth: str | None) -> None:
    if locate(engine) is None:
        pytest.skip(f"{engine} is not installed")
    root = protected_tree(tmp_path / "project")
    extra = ["--depth", depth] if depth else []
    for suffix in ("svg", "png"):
        output = tmp_path / f"secret.{suffix}"
        code, _out, err = run("render", str(root), "--contract", "secret", "--engine", engine, *extra,
                              "-o", str(output))
        assert code == 0, err
    svg = (tmp_path / "secret.svg").read_bytes()
    boxes, in_boxes, on_arrows = counted_violations(svg)
    assert in_boxes == on_arrows == 100  # every violation counted in its group's box and on an arrow
    assert boxes <= 80
    # Depth 2: the 7 areas; depth 3: 100 parts, more than the budget: 59 and one box for the rest.
    assert boxes == (1 + 7 if depth is None else 1 + 60)
    assert "100 violations" in svg.decode()
    for width, height in (svg_size(svg), png_size((tmp_path / "secret.png").read_bytes())):
        assert 1 / 3 <= width / height <= 3, (width, height)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_layers_view_counts_every_violation(tmp_path: Path, engine: str) -> None:
    if locate(engine) is None:
        pytest.skip(f"{engine} is not installed")
    root = write_tree(tmp_path / "project", {**CYCLE_FILES,
                                              "contracts/a.toml": LAYERS.format("web", "services", "domain")})
    output = tmp_path / "layers.svg"
    code, _out, err = run("render", str(root), "--contract", "layers", "--engine", engine, "-o", str(output))
    assert code == 0, err
    drawing = read_svg(output.read_bytes())
    assert {t for t, (classes, _texts, _y) in drawing.nodes.items() if "layer" in classes} == {
        "layer:0", "layer:1", "layer:2"}
    labels = {key: (edge.label, "violation" in edge.classes) for key, edge in drawing.edges.items()
              if "arrow" in edge.classes}
    assert labels == {
        ("layer:0", "layer:1"): ("2 imports", False),
        ("layer:1", "layer:2"): ("2 imports", False),
        ("layer:2", "layer:0"): ("1 import\n1 violation", True),
    }
    assert drawing.node_y("layer:0") < drawing.node_y("layer:1") < drawing.node_y("layer:2")
    width, height = svg_size(output.read_bytes())
    assert 1 / 3 <= width / height <= 3


def test_the_independence_view_shows_the_chains(tmp_path: Path) -> None:
    contract = """\
        [archgraph]
        root_packages = ["pkg"]

        [[contracts]]
        id = "apart"
        name = "web, domain and tools stay apart"
        type = "independence"
        modules = ["pkg.web", "pkg.domain", "pkg.tools"]
        """
    root = write_tree(tmp_path / "project", {**CYCLE_FILES, "contracts/a.toml": contract})
    output = tmp_path / "apart.svg"
    code, _out, err = run("render", str(root), "--contract", "apart", "-o", str(output))
    assert code == 0, err
    drawing = read_svg(output.read_bytes())
    assert {t for t, (classes, _texts, _y) in drawing.nodes.items() if "module" in classes} == {
        "module:pkg.domain", "module:pkg.tools", "module:pkg.web"}
    arrows = {key: edge.label for key, edge in drawing.edges.items() if "arrow" in edge.classes}
    assert arrows == {
        ("module:pkg.domain", "module:pkg.web"): "1 chain",
        # views -> orders -> model and views -> billing -> model; the first in name order shown.
        ("module:pkg.web", "module:pkg.domain"): "2 chains\nvia pkg.services.billing",
    }


def test_other_contract_kinds_keep_the_module_diagram(tmp_path: Path) -> None:
    contract = """\
        [archgraph]
        root_packages = ["pkg"]

        [[contracts]]
        id = "pure"
        name = "The domain does not import the web"
        type = "forbidden"
        source_modules = ["pkg.domain"]
        forbidden_modules = ["pkg.web"]
        """
    root = write_tree(tmp_path / "project", {**CYCLE_FILES, "contracts/a.toml": contract})
    output = tmp_path / "pure.svg"
    code, _out, _err = run("render", str(root), "--contract", "pure", "-o", str(output))
    assert code == 0
    assert set(read_svg(output.read_bytes()).edges) == {("pkg.domain.model", "pkg.web.views")}


def test_a_protected_package_is_one_target_and_a_kept_contract_still_shows_it(tmp_path: Path) -> None:
    contracts = """\
        [archgraph]
        root_packages = ["pkg"]

        [[contracts]]
        id = "core"
        name = "Only the services use the core"
        type = "protected"
        modules = ["pkg.core"]
        allowed_importers = ["pkg.services"]

        [[contracts]]
        id = "tools"
        name = "Nobody uses the tools"
        type = "protected"
        modules = ["pkg.tools"]
        """
    root = write_tree(tmp_path / "project", {
        "pkg/__init__.py": "",
        "pkg/core/__init__.py": "",
        "pkg/core/a.py": "",
        "pkg/core/b.py": "",
        "pkg/services/__init__.py": "",
        "pkg/services/s.py": "from pkg.core import a\n",  # allowed
        "pkg/web/__init__.py": "",
        "pkg/web/views.py": "from pkg.core import a, b\n",
        "pkg/api/__init__.py": "",
        "pkg/api/x.py": "import pkg.core.a\n",
        "pkg/tools/__init__.py": "",
        "contracts/a.toml": contracts,
    })
    drawn = {}
    for contract_id in ("core", "tools"):
        output = tmp_path / f"{contract_id}.svg"
        code, _out, err = run("render", str(root), "--contract", contract_id, "-o", str(output))
        assert code == 0, err
        drawn[contract_id] = read_svg(output.read_bytes())
    boxes = {title: texts for title, (classes, texts, _y) in drawn["core"].nodes.items() if "box" in classes}
    assert boxes == {
        "target:pkg.core": ["pkg.core", "protected: 3 violating imports"],
        "group:pkg.web.views": ["pkg.web.views", "2 violations from 1 module"],
        "group:pkg.api.x": ["pkg.api.x", "1 violation from 1 module"],
    }
    boxes = {title: texts for title, (classes, texts, _y) in drawn["tools"].nodes.items() if "box" in classes}
    assert boxes == {"target:pkg.tools": ["pkg.tools", "protected: 0 violating imports"]}


def test_the_layers_view_counts_sibling_and_unlisted_violations(tmp_path: Path) -> None:
    contracts = """\
        [archgraph]
        root_packages = ["pkg"]

        [[contracts]]
        id = "layers"
        name = "Layers"
        type = "layers"
        containers = ["pkg"]
        layers = ["web | api", "domain"]
        exhaustive = true
        """
    root = write_tree(tmp_path / "project", {
        "pkg/__init__.py": "",
        "pkg/web/__init__.py": "",
        "pkg/web/v.py": "from pkg.api import x\nfrom pkg.domain import m\n",
        "pkg/api/__init__.py": "",
        "pkg/api/x.py": "",
        "pkg/domain/__init__.py": "",
        "pkg/domain/m.py": "",
        "pkg/extra.py": "",  # in no layer of an exhaustive contract
        "contracts/a.toml": contracts,
    })
    output = tmp_path / "layers.svg"
    code, _out, err = run("render", str(root), "--contract", "layers", "-o", str(output))
    assert code == 0, err
    drawing = read_svg(output.read_bytes())
    boxes = {title: texts for title, (classes, texts, _y) in drawing.nodes.items() if "box" in classes}
    assert boxes == {
        "layer:0": ["layer 1: web | api", "4 modules, 1 violation"],
        "layer:1": ["layer 2: domain", "2 modules"],
        "outside": ["1 violation outside the layers", "(modules in no layer)"],
    }
    arrows = {key: (edge.label, "violation" in edge.classes) for key, edge in drawing.edges.items()
              if "arrow" in edge.classes}
    assert arrows == {
        ("layer:0", "layer:0"): ("1 violation", True),  # web imports api, its sibling
        ("layer:0", "layer:1"): ("1 import", False),
    }
