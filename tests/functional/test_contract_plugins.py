"""Contract types from other distributions: installed with an `archgraph.contracts` entry point
(a module and its .dist-info, written to tmp_path), checked by `archgraph check` like built-in
ones. `archgraph.plugin` is all such a type needs; older plugins import `register` and `Contract`
from archgraph.rules and keep working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import write_tree

import archgraph.plugin

# Each test runs Python in a fresh process, so that the distribution written to tmp_path is
# found by importlib.metadata the way an installed one is.
pytestmark = pytest.mark.slow


def install(site: Path, module: str, source: str, entry_points: str) -> Path:
    """A distribution as pip leaves it in site-packages: the module and its .dist-info."""
    dist_info = f"{module}-1.0.dist-info"
    return write_tree(
        site,
        {
            f"{module}.py": source,
            f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n",
            f"{dist_info}/entry_points.txt": f"[archgraph.contracts]\n{entry_points}\n",
        },
    )


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
    install(site, "notimported", PLUGIN, "not-imported = notimported:NotImported")


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
        "['acyclic',", "'allowlist',", "'forbidden',", "'independence',", "'layers',",
        "'not-imported',", "'private',", "'protected',", "'single-implementation']",
    ]


# --- types written against archgraph.plugin ----------------------------------------------

LEAVES = '''\
"""Leaf modules: a contract type that knows archgraph only through archgraph.plugin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from archgraph.plugin import (
    ArchModel,
    Contract,
    ContractResult,
    Diagnostic,
    ModuleExpr,
    Severity,
    TablePosition,
    Violation,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Leaves(Contract):
    kind: ClassVar[str] = "leaves"
    leaves: tuple[ModuleExpr, ...]

    def validate(self, at: TablePosition) -> list[object]:
        return [] if self.leaves else [at.error("leaves", "name at least one module")]

    def check(self, model: ArchModel) -> ContractResult:
        view, diagnostics = self.view(model)
        leaves, problems = self.resolve(model, "leaves", self.leaves)
        if problems:
            return self.result(diagnostics=diagnostics + problems)
        violations = []
        for leaf in leaves:
            for imported in sorted(view.imports_of(leaf) & view.internal_modules):
                step = view.step(leaf, imported)
                violations.append(
                    Violation(
                        code="ACME100",
                        contract=self.id,
                        message=f"{leaf} is a leaf: it imports nothing of the project",
                        chain=(step,),
                        location=view.location_of(leaf, step.lines[0]),
                    )
                )
        checked = Diagnostic("ACME001", Severity.INFO, f"{len(leaves)} leaf module(s) checked")
        return self.result(violations, [*diagnostics, checked])
'''

CONTRACTS = """
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "util-is-a-leaf"
name = "app.util imports nothing of app"
type = "leaves"
leaves = ["app.util"]
"""


def project(root: Path, util_imports: str, contracts: str = CONTRACTS) -> Path:
    return write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/core.py": "import app.util\n",
            "app/util.py": util_imports,
            "contracts/architecture.toml": contracts,
        },
    )


def archgraph_check(root: Path, site: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return _run(["-m", "archgraph", "check", str(root), "--no-cache", *arguments], site)


def test_a_broken_plugin_contract_fails_the_check(tmp_path: Path) -> None:
    site = install(tmp_path / "site", "acme_contracts", LEAVES, "leaves = acme_contracts:Leaves")
    root = project(tmp_path / "project", "\n\nfrom app import core\n")

    done = archgraph_check(root, site, "--format", "json")

    assert done.returncode == 1, done.stderr
    (contract,) = json.loads(done.stdout)["contracts"]
    assert (contract["id"], contract["type"], contract["status"]) == ("util-is-a-leaf", "leaves", "broken")
    assert [
        (v["code"], v["importer"], v["imported"], v["file"], v["line"], v["message"])
        for v in contract["violations"]
    ] == [
        ("ACME100", "app.util", "app.core", "app/util.py", 3,
         "app.util is a leaf: it imports nothing of the project"),
    ]
    assert [(d["code"], d["severity"], d["message"]) for d in contract["diagnostics"]] == [
        ("ACME001", "info", "1 leaf module(s) checked")
    ]


def test_a_kept_plugin_contract_passes_the_check(tmp_path: Path) -> None:
    site = install(tmp_path / "site", "acme_contracts", LEAVES, "leaves = acme_contracts:Leaves")
    root = project(tmp_path / "project", "import os\n")

    done = archgraph_check(root, site)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "KEPT    app.util imports nothing of app  [leaves, id=util-is-a-leaf]" in done.stdout


def test_a_plugin_type_validates_its_table_like_a_built_in_one(tmp_path: Path) -> None:
    site = install(tmp_path / "site", "acme_contracts", LEAVES, "leaves = acme_contracts:Leaves")
    contracts = CONTRACTS.replace('leaves = ["app.util"]', 'leaves = []\nleafs = ["app.util"]')
    root = project(tmp_path / "project", "", contracts)

    done = archgraph_check(root, site)

    assert done.returncode == 2
    assert "contracts[0].leafs: unknown key (did you mean 'leaves'?)" in done.stderr
    # validate() runs on a table that builds; with the misspelt key, leaves stays empty.
    fixed = project(tmp_path / "fixed", "", CONTRACTS.replace('["app.util"]', "[]"))
    done = archgraph_check(fixed, site)
    assert done.returncode == 2
    assert "contracts[0].leaves: name at least one module" in done.stderr


def test_without_the_plugin_installed_the_type_is_unknown(tmp_path: Path) -> None:
    site = install(tmp_path / "site", "acme_contracts", LEAVES, "leaves = acme_contracts:Leaves")
    root = project(tmp_path / "project", "")

    done = archgraph_check(root, tmp_path / "empty")

    assert done.returncode == 2
    assert "unknown contract type 'leaves'" in done.stderr
    assert "leaves" in archgraph_check(root, site).stdout  # the same project, plugin installed


def test_a_plugin_that_fails_to_import_is_named(tmp_path: Path) -> None:
    broken = "raise ImportError('acme needs numpy')\n"
    site = install(tmp_path / "site", "acme_contracts", broken, "leaves = acme_contracts:Leaves")
    root = project(tmp_path / "project", "")

    done = archgraph_check(root, site)

    assert done.returncode == 2
    assert done.stderr == (
        "archgraph: error: cannot load the contract type 'leaves' (acme_contracts:Leaves, from the "
        "archgraph.contracts entry points): ImportError: acme needs numpy\n"
    )


def test_an_entry_point_that_names_no_contract_type_is_an_error(tmp_path: Path) -> None:
    site = install(tmp_path / "site", "acme_contracts", "Leaves = object\n", "leaves = acme_contracts:Leaves")

    done = archgraph_check(project(tmp_path / "project", ""), site)

    assert done.returncode == 2
    assert "contract type 'leaves' (acme_contracts:Leaves, from the archgraph.contracts entry points) " \
        "is not a subclass of archgraph.plugin.Contract" in done.stderr


def test_plugins_are_imported_only_for_the_types_a_table_names(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    touching = LEAVES + f"\nopen({str(marker)!r}, 'w').close()\n"
    site = install(tmp_path / "site", "acme_contracts", touching, "leaves = acme_contracts:Leaves")
    built_in_only = CONTRACTS.replace('type = "leaves"\nleaves = ["app.util"]', 'type = "acyclic"\npackages = ["app"]')
    root = project(tmp_path / "project", "", built_in_only)

    done = archgraph_check(root, site)

    assert done.returncode == 0, done.stdout + done.stderr
    assert not marker.exists()
    assert archgraph_check(project(tmp_path / "uses-it", ""), site).returncode == 0
    assert marker.exists()


def test_archgraph_plugin_can_be_imported_before_anything_else_of_archgraph(tmp_path: Path) -> None:
    site = install(tmp_path / "site", "acme_contracts", LEAVES, "leaves = acme_contracts:Leaves")
    probe = "import acme_contracts\nfrom archgraph.rules import contract_types\nprint(sorted(contract_types()))\n"

    done = _run(["-c", probe], site)

    assert done.returncode == 0, done.stderr
    assert "'leaves'" in done.stdout and "'layers'" in done.stdout


def documented(after: str, before: str | None = None) -> str:
    """A block of archgraph.plugin's example, from the comment line `after` to `before`."""
    text = archgraph.plugin.__doc__ or ""
    block = text.split(f"    # {after}\n", 1)[1]
    block = block.split(f"    # {before}", 1)[0] if before else block.split("\n\n", 1)[0]
    return textwrap.dedent(block)


def test_the_documented_example_works(tmp_path: Path) -> None:
    code = documented("acme_contracts.py", "contracts/architecture.toml")
    assert "from archgraph.plugin import" in code and "archgraph." not in code.replace("archgraph.plugin", "")
    site = install(tmp_path / "site", "acme_contracts", code, "leaves = acme_contracts:Leaves")
    contracts = documented("contracts/architecture.toml of a project that installed the plugin")
    root = project(tmp_path / "project", "import app.core\n", contracts)

    done = archgraph_check(root, site, "--format", "json")

    assert done.returncode == 1, done.stderr
    (contract,) = json.loads(done.stdout)["contracts"]
    assert [(v["code"], v["importer"], v["imported"], v["line"]) for v in contract["violations"]] == [
        ("ACME100", "app.util", "app.core", 1)
    ]
    kept = project(tmp_path / "kept", "import os\n", contracts)
    assert archgraph_check(kept, site).returncode == 0


def test_the_plugin_surface_is_what_its_docstring_promises() -> None:
    assert sorted(archgraph.plugin.__all__) == [
        "ArchModel", "Contract", "ContractResult", "Diagnostic", "ImportExpr", "ImportKind",
        "ImportStep", "Location", "ModuleExpr", "Severity", "TablePosition", "Violation", "register",
    ]
