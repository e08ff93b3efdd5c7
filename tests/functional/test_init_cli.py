"""`archgraph init`: writes a contract file the user can edit, never clobbers one, tells why."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tests.helpers import run_cli, write_tree
from tests.unit.init.test_inference import PLANTED, layered_tree


def test_init_writes_contracts_that_check_agrees_with(tmp_path: Path) -> None:
    layered_tree(tmp_path, 6, 2)

    code, stdout, stderr = run_cli(["init", tmp_path, "--no-cache"])

    assert code == 0, stderr
    written = tmp_path / "contracts" / "architecture.toml"
    document = tomllib.loads(written.read_text())
    assert document["archgraph"] == {"root_packages": ["top"]}
    assert [c["type"] for c in document["contracts"]] == ["layers", "acyclic"]
    assert "layers (top): 12 children in 6 layers, top to bottom; 3 of the" in stdout
    assert "  1. l0p0 | l0p1\n" in stdout
    assert "    l3p0 -> l0p1: 1 import(s), e.g. top.l3p0.m1 -> top.l0p1.m0 (top/l3p0/m1.py:" in stdout
    assert f"archgraph: wrote {written}" in stdout

    # The compliance init reports is the one `check` finds with the file it wrote.
    init_rows = {line.split()[0]: line.split() for line in stdout.splitlines() if line.startswith("  layers ")}
    code, report, _ = run_cli(["check", tmp_path, "--no-cache", "--format", "json"])
    assert code == 1  # the planted upward imports break the proposed layers
    layers = next(c for c in json.loads(report)["contracts"] if c["id"] == "layers")
    assert init_rows["layers"][3:6] == [str(layers["governed"]), str(layers["respecting"]), str(len(layers["violations"]))]
    direct = {(v["importer"], v["imported"]) for v in layers["violations"] if len(v["chain"]) == 1}
    assert direct == set(PLANTED)


def test_init_never_overwrites_without_force_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    layered_tree(tmp_path, 3, 2, planted=())
    mine = write_tree(tmp_path, {"contracts/architecture.toml": "# mine\n"}) / "contracts/architecture.toml"

    code, _stdout, stderr = run_cli(["init", tmp_path, "-p", "top", "--no-cache"])
    assert code == 2 and "exists; `archgraph init --force` overwrites it" in stderr
    assert mine.read_text() == "# mine\n"

    code, stdout, stderr = run_cli(["init", tmp_path, "-p", "top", "--no-cache", "--dry-run"])
    assert code == 0
    assert tomllib.loads(stdout)["contracts"][0]["layers"] == ["l0p0 | l0p1", "l1p0 | l1p1", "l2p0 | l2p1"]
    assert "layers (top): 6 children in 3 layers" in stderr  # the explanation stays off stdout
    assert "0 of the" in stderr and "upward imports" not in stderr
    assert mine.read_text() == "# mine\n"

    code, _stdout, _stderr = run_cli(["init", tmp_path, "-p", "top", "--no-cache", "--force"])
    assert code == 0
    assert mine.read_text().startswith("# Contracts inferred by `archgraph init`")


def test_init_keeps_settings_and_ids_of_other_configuration_files(tmp_path: Path) -> None:
    layered_tree(tmp_path, 3, 2, planted=())
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.archgraph]
                root_packages = ["top"]

                [[tool.archgraph.contracts]]
                id = "layers"
                name = "Hand-written"
                type = "acyclic"
                packages = ["top.l0p0"]
                """
        },
    )

    code, _stdout, stderr = run_cli(["init", tmp_path, "--no-cache"])

    assert code == 0, stderr
    document = tomllib.loads((tmp_path / "contracts/architecture.toml").read_text())
    assert "archgraph" not in document  # root_packages stays where it is
    assert [c["id"] for c in document["contracts"]] == ["layers-2", "no-cycles"]
    code, _stdout, stderr = run_cli(["check", tmp_path, "--no-cache"])
    assert code == 0, stderr  # both files together form a valid configuration


DISPATCHER = """\
class {name}:
    def dispatch(self, request):
        return request

    def list_tools(self):
        return []
"""


def test_init_proposes_one_implementation_for_competing_classes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/fast/__init__.py": "",
            "app/fast/dispatch.py": DISPATCHER.format(name="FastToolDispatcher"),
            "app/slow/__init__.py": "",
            "app/slow/dispatch.py": DISPATCHER.format(name="SlowToolDispatcher"),
            "app/core/__init__.py": "",
            "app/core/base.py": DISPATCHER.format(name="BaseToolDispatcher"),
            "app/core/real.py": (
                "from app.core.base import BaseToolDispatcher\n\n\n"
                "class RealToolDispatcher(BaseToolDispatcher):\n    pass\n"
            ),
            # The core hierarchy is used by two modules, the fast one by one, the slow one by none.
            "app/users/__init__.py": "",
            "app/users/one.py": "from app.core.real import RealToolDispatcher\n",
            "app/users/two.py": "import app.core.base\n",
            "app/users/three.py": "from app.fast.dispatch import FastToolDispatcher\n",
        },
    )

    code, stdout, stderr = run_cli(["init", tmp_path, "-p", "app", "--no-cache"])

    assert code == 0, stderr
    document = tomllib.loads((tmp_path / "contracts/architecture.toml").read_text())
    (single,) = [c for c in document["contracts"] if c["type"] == "single-implementation"]
    assert single == {
        "id": "single-tool-dispatcher",
        "name": "One ToolDispatcher implementation",
        "type": "single-implementation",
        "concept": "*ToolDispatcher",
        "canonical": "app.core.base.BaseToolDispatcher",
    }
    assert (
        "canonical suggested: app.core.base.BaseToolDispatcher (2 modules import its hierarchy, "
        "the most); confirm it in the file"
    ) in stdout
    assert "the others: app.fast.dispatch.FastToolDispatcher (1), app.slow.dispatch.SlowToolDispatcher (0)" in (
        (tmp_path / "contracts/architecture.toml").read_text().replace("\n# ", " ")
    )
    code, report, _ = run_cli(["check", tmp_path, "--no-cache", "--format", "json", "--contract", "single-tool-dispatcher"])
    (checked,) = json.loads(report)["contracts"]
    assert code == 1
    assert sorted(v["message"].split()[0].rstrip(":") for v in checked["violations"]) == [
        "app.fast.dispatch.FastToolDispatcher",
        "app.slow.dispatch.SlowToolDispatcher",
    ]
