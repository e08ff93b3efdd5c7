"""The model's graph queries answer as grimp does, over names that share prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from archgraph.scan import ScanOptions, scan
from archgraph.scan.grimp_api import ModuleNotPresent

TREE = {
    "pkg/__init__.py": "import pkg.a\n",
    "pkg/a/__init__.py": "from pkg.a import x\n",
    "pkg/a/x.py": "import pkg.ab\nimport os\n",
    "pkg/ab.py": "from pkg import a_b\n",
    "pkg/a_b.py": "import pkg.a.x\n",
    "pkg/a-b/__init__.py": "",  # not an identifier: still walked as a directory
}


def test_descendants_are_the_names_below_and_no_name_that_merely_shares_a_prefix(tmp_path: Path) -> None:
    model = scan(write_tree(tmp_path, TREE), ScanOptions(("pkg",))).model
    assert model.descendants("pkg.a") == {"pkg.a.x"}
    assert model.within("pkg.a") == {"pkg.a", "pkg.a.x"}
    assert model.descendants("pkg.ab") == frozenset()
    assert model.descendants("pkg") == model.internal_modules - {"pkg"}
    assert model.within("nothing") == frozenset()


@pytest.mark.parametrize("external", [False, True])
def test_direct_imports_equal_grimps_answers(tmp_path: Path, external: bool) -> None:
    outcome = scan(write_tree(tmp_path, TREE), ScanOptions(("pkg",), include_external_packages=external))
    graph = outcome.model.graph
    grimp_graph = graph._graph  # type: ignore[attr-defined]
    for module in graph.modules:
        assert graph.imports_of(module) == grimp_graph.find_modules_directly_imported_by(module)
        assert graph.importers_of(module) == grimp_graph.find_modules_that_directly_import(module)
    assert ("os" in graph.modules) is external
    with pytest.raises(ModuleNotPresent):
        graph.imports_of("pkg.missing")
    without = graph.without_imports([("pkg.a.x", "pkg.ab")])
    assert without.imports_of("pkg.a.x") == ({"os"} if external else set())
    assert graph.imports_of("pkg.a.x") >= {"pkg.ab"}  # the original is left as it was
