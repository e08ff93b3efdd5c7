"""A third-party contract type, installed as an `archgraph.contracts` entry point, is checked like
a built-in one; its module imports `register` and `Contract` as a plugin author would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import write_tree

PLUGIN = '''
from dataclasses import dataclass
from typing import ClassVar

from archgraph.rules.registry import register
from archgraph.rules.base import Contract


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NotImported(Contract):
    kind: ClassVar[str] = "not-imported"
    modules: tuple[str, ...]

    def check(self, model):
        view, diagnostics = self.view(model)
        found = [
            self.chain_violation(view, "X101", (importer, module), f"{module} is imported")
            for module in self.modules
            for importer in sorted(view.importers_of(module))
        ]
        return self.result(found, diagnostics)
'''


def _install_plugin(site: Path) -> None:
    write_tree(
        site,
        {
            "notimported.py": PLUGIN,
            "notimported-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: notimported\nVersion: 1.0\n",
            "notimported-1.0.dist-info/entry_points.txt": (
                "[archgraph.contracts]\nnot-imported = notimported:NotImported\n"
            ),
        },
    )


def _run(arguments: list[str], site: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    return subprocess.run(
        [sys.executable, *arguments], capture_output=True, text=True, env=environment, check=False
    )


def test_a_contract_type_from_an_entry_point_is_checked(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _install_plugin(site)
    project = write_tree(
        tmp_path / "project",
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "",
            "contracts/arch.toml": """
                [[contracts]]
                id = "nb"
                name = "b stays unimported"
                type = "not-imported"
                modules = ["pkg.b"]

                [[contracts]]
                id = "na"
                name = "a stays unimported"
                type = "not-imported"
                modules = ["pkg.a"]
            """,
        },
    )
    done = _run(["-m", "archgraph", "check", str(project), "--no-cache"], site)
    assert done.returncode == 1, done.stderr
    assert "BROKEN  b stays unimported  [not-imported, id=nb]" in done.stdout
    assert "    - pkg.a -> pkg.b\n        pkg/a.py:1\n" in done.stdout
    assert "KEPT    a stays unimported  [not-imported, id=na]" in done.stdout


def test_a_plugin_module_can_be_imported_before_anything_else_of_archgraph(tmp_path: Path) -> None:
    """The plugin imports the registry first: the built-in types load without an import loop."""
    site = tmp_path / "site"
    _install_plugin(site)
    probe = (
        "import notimported\n"
        "from archgraph.rules import contract_types\n"
        "print(sorted(contract_types()))\n"
    )
    done = _run(["-c", probe], site)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "['acyclic',", "'forbidden',", "'independence',", "'layers',",
        "'not-imported',", "'protected',", "'single-implementation']",
    ]
