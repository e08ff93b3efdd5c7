"""A small real package for the diagram, export and report tests.

shop.web -> shop.services -> shop.domain are layered top to bottom, and shop.domain.model imports
shop.web.views back: a layer violation, a forbidden import, and a cycle web -> services -> domain
-> web. shop.web reaches shop.domain only indirectly (views -> orders -> model).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from helpers import write_tree

SHOP_FILES = {
    "shop/__init__.py": "",
    "shop/web/__init__.py": "",
    "shop/web/views.py": "from shop.services import orders\n",
    "shop/services/__init__.py": "",
    "shop/services/orders.py": "from shop.domain import model\n",
    "shop/services/billing.py": "from shop.services import orders\nimport shop.domain.model\n",
    "shop/domain/__init__.py": "",
    "shop/domain/model.py": "from shop.web import views\n",
    "shop/domain/values.py": "",
}

SHOP_CONTRACTS = """\
[archgraph]
root_packages = ["shop"]

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["shop"]
layers = ["web", "services", "domain"]

[[contracts]]
id = "domain-pure"
name = "The domain does not import the web"
type = "forbidden"
source_modules = ["shop.domain"]
forbidden_modules = ["shop.web"]

[[contracts]]
id = "web-not-domain"
name = "The web reaches the domain only through services"
type = "forbidden"
source_modules = ["shop.web"]
forbidden_modules = ["shop.domain"]
"""

# A contract whose id and name try to break out of every format archgraph writes.
# (Ids cannot hold quotes, markup characters, backslashes or line breaks: names can.)
EVIL_ID = "évil:{x},100%;id"
EVIL_NAME = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
EVIL_CONTRACT = f"""\
[[contracts]]
id = {json.dumps(EVIL_ID)}
name = {json.dumps(EVIL_NAME)}
type = "forbidden"
source_modules = ["shop.domain"]
forbidden_modules = ["shop.web"]
"""

SHOP_MODULES = {
    "shop", "shop.web", "shop.web.views", "shop.services", "shop.services.orders",
    "shop.services.billing", "shop.domain", "shop.domain.model", "shop.domain.values",
}


def write_shop(root: Path, contracts: str | None = SHOP_CONTRACTS) -> Path:
    """The shop package under root, with its contracts unless `contracts` is None."""
    files = dict(SHOP_FILES)
    if contracts is not None:
        files["contracts/architecture.toml"] = contracts
    return write_tree(root, files)


ENGINES = ("dot", "graphviz-pure")
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class SvgEdge:
    importer: str
    imported: str
    classes: frozenset[str]
    stroke: str | None
    label: str  # the label's lines joined with newlines


@dataclass(frozen=True)
class SvgDrawing:
    """What a Graphviz SVG shows, read back by its structure (titles, classes), not its pixels."""

    nodes: dict[str, tuple[frozenset[str], list[str], float]]  # title -> classes, texts, text y
    clusters: dict[str, list[str]]  # title -> texts
    edges: dict[tuple[str, str], SvgEdge]

    def node_y(self, title: str) -> float:
        return self.nodes[title][2]


def read_svg(content: bytes) -> SvgDrawing:
    """Parse a Graphviz SVG (this fails on any XML error, such as a badly escaped label)."""
    root = ElementTree.fromstring(content)
    nodes: dict[str, tuple[frozenset[str], list[str], float]] = {}
    clusters: dict[str, list[str]] = {}
    edges: dict[tuple[str, str], SvgEdge] = {}
    for group in root.iter(f"{SVG}g"):
        classes = frozenset((group.get("class") or "").split())
        title_element = group.find(f"{SVG}title")
        if title_element is None or title_element.text is None:
            continue
        title = title_element.text
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        if "node" in classes:
            first = next(group.iter(f"{SVG}text"), None)
            y = float(first.get("y", "0")) if first is not None else 0.0
            nodes[title] = (classes, texts, y)
        elif "cluster" in classes:
            clusters[title] = texts
        elif "edge" in classes:
            importer, _, imported = title.partition("->")
            path = next(group.iter(f"{SVG}path"), None)
            edges[(importer, imported)] = SvgEdge(
                importer, imported, classes, path.get("stroke") if path is not None else None,
                "\n".join(texts),
            )
    return SvgDrawing(nodes, clusters, edges)
