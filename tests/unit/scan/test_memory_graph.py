"""The in-memory graph (graph_from_imports, and model_from_edges over it) against a real scan.

Contract unit tests build their models in memory; these tests keep that model honest: for the
same code it holds what a scan of the files on disk holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import model_from_edges, scan_tree, write_tree

from archgraph.model import ArchModel
from archgraph.scan.memory_graph import graph_from_imports
from tests.shop import SHOP_EDGES, SHOP_FILES

TREE = {
    "pkg/__init__.py": "",
    "pkg/api/__init__.py": "",
    "pkg/api/views.py": "import pkg.services.orders\nimport pkg.admin.panel\n",
    "pkg/admin/__init__.py": "",
    "pkg/admin/panel.py": "import pkg.services\n\n\nimport pkg.core.models\n",
    "pkg/services/__init__.py": "",
    "pkg/services/orders.py": "from pkg.core import models\nfrom pkg import util\nimport requests\n",
    "pkg/core/__init__.py": "",
    "pkg/core/models.py": '"""Models."""\n\nimport pkg.api.views\nfrom pkg.api import views\n',
    "pkg/util.py": "from pkg.api import views\nimport requests.adapters\n",
    "pkg/loose/stray.py": "",  # pkg.loose: a namespace directory
}
EDGES = {
    "pkg.api.views": [("pkg.services.orders", 1), ("pkg.admin.panel", 2)],
    "pkg.admin.panel": ["pkg.services", ("pkg.core.models", 4)],
    "pkg.services.orders": ["pkg.core.models", ("pkg.util", 2), ("requests", 3)],
    "pkg.core.models": [("pkg.api.views", 3), ("pkg.api.views", 4)],
    "pkg.util": ["pkg.api.views", ("requests", 2)],
}


def facts(model: ArchModel) -> dict[str, object]:
    """Everything a graph-only contract reads of a model."""
    graph = model.graph
    return {
        "modules": model.sorted_modules,
        "internal": model.internal_modules,
        "external": {m for m in model.modules if graph.is_external(m)},
        "files": {module: path.as_posix() for module, path in model.files.items()},
        "namespace": model.namespace_modules,
        "imports": {(a, b): graph.import_lines(a, b) for a, b in model.iter_imports()},
        "importers": {m: model.importers_of(m) for m in model.sorted_modules},
        "count": model.import_count,
    }


def test_a_model_from_edges_holds_what_a_scan_of_the_same_code_holds(tmp_path: Path) -> None:
    scanned = scan_tree(write_tree(tmp_path, TREE), include_external_packages=True)
    in_memory = model_from_edges(
        EDGES, modules=["pkg.loose.stray"], namespace=["pkg.loose"], include_external_packages=True
    )

    assert facts(in_memory) == facts(scanned.model)
    assert in_memory.root_packages == scanned.model.root_packages
    assert in_memory.shortest_chains("pkg.services", "pkg.api") == scanned.model.shortest_chains(
        "pkg.services", "pkg.api"
    )


def test_without_external_packages_their_imports_are_left_out_as_a_scan_leaves_them(
    tmp_path: Path,
) -> None:
    scanned = scan_tree(write_tree(tmp_path, TREE))
    in_memory = model_from_edges(EDGES, modules=["pkg.loose.stray"], namespace=["pkg.loose"])

    assert facts(in_memory) == facts(scanned.model)
    assert "requests" not in in_memory.modules


def test_an_importer_outside_the_root_packages_is_refused() -> None:
    with pytest.raises(ValueError, match=r"importers outside root_packages \('pkg',\): other"):
        model_from_edges({"pkg.a": ["pkg.b"], "other": ["pkg.a"]})


def test_the_shop_edges_are_the_imports_of_the_shop_files(tmp_path: Path) -> None:
    scanned = scan_tree(write_tree(tmp_path, SHOP_FILES), "shop")
    assert facts(model_from_edges(SHOP_EDGES, ("shop",))) == facts(scanned.model)


def test_packages_without_children_get_an_init_file() -> None:
    model = model_from_edges({"pkg.a": ["pkg.b"]}, packages=["pkg.b"])
    assert {m: p.as_posix() for m, p in model.files.items()} == {
        "pkg": "pkg/__init__.py",
        "pkg.a": "pkg/a.py",
        "pkg.b": "pkg/b/__init__.py",
    }
    assert model.facts() == {}  # no files behind the model


def test_externals_are_squashed_modules_outside_the_root_packages() -> None:
    graph = graph_from_imports(
        ["app", "app.x"], [("app.x", "yaml", 3), ("app.x", "app", 1), ("app.x", "yaml", 5)], ["app"]
    )
    assert graph.modules == {"app", "app.x", "yaml"}
    assert graph.internal_modules == {"app", "app.x"}
    assert graph.imports_of("app.x") == {"app", "yaml"}
    assert graph.import_lines("app.x", "yaml") == (3, 5)
    assert graph.importers_of("yaml") == {"app.x"}
    assert graph.count_imports() == 2


@pytest.mark.parametrize(
    ("imports", "message"),
    [
        ([("a.x", "a.y", 0)], "a.x -> a.y: line 0 is not a line number"),
        ([("a.x", "a.x", 1)], "a.x imports itself"),
    ],
)
def test_impossible_imports_are_refused(imports: list[tuple[str, str, int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        graph_from_imports(["a"], imports, ["a"])
