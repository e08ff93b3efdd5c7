"""archgraph reads code, never runs it: importing this fixture package would have side effects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli, write_tree


def hostile_tree(root: Path, marker: Path) -> Path:
    touch = f"open({str(marker)!r}, 'w').write('imported')\n"
    return write_tree(
        root,
        {
            "pkg/__init__.py": touch + "import pkg.core.models\n",
            "pkg/core/__init__.py": "import sys\nsys.exit(3)\n",
            "pkg/core/models.py": "while True:\n    pass\n",
            "pkg/api/__init__.py": "raise RuntimeError('imported!')\n",
            "pkg/api/views.py": touch + "import os\nos._exit(4)\nimport pkg.core.models\n",
            "pkg/core/evil.py": touch + "import pkg.api.views\n",
            "contracts/arch.toml": """
                [archgraph]
                root_packages = ["pkg"]

                [[contracts]]
                id = "layers"
                name = "Layers"
                type = "layers"
                containers = ["pkg"]
                layers = ["api", "core"]
            """,
        },
    )


@pytest.mark.parametrize("command", ["check", "why"])
def test_side_effects_never_happen_in_process(tmp_path: Path, command: str) -> None:
    marker = tmp_path / "marker"
    root = hostile_tree(tmp_path / "project", marker)
    if command == "check":
        code, stdout, _stderr = run_cli(["check", root, "--no-cache", "--format", "json"])
        assert code == 1  # analyzed normally: the contract is broken by pkg.core.evil
        (contract,) = json.loads(stdout)["contracts"]
        assert [(v["importer"], v["imported"]) for v in contract["violations"]] == [
            ("pkg.core.evil", "pkg.api.views")
        ]
    else:
        code, stdout, _stderr = run_cli(["why", "pkg", "pkg.core.models", root, "--no-cache"])
        assert code == 0 and "pkg -> pkg.core.models" in stdout
    assert not marker.exists()
    assert "pkg" not in sys.modules and "pkg.core" not in sys.modules


def test_side_effects_never_happen_from_the_command_line(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    root = hostile_tree(tmp_path / "project", marker)
    completed = subprocess.run(
        [sys.executable, "-m", "archgraph.cli", "check", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 1, completed.stderr
    assert json.loads(completed.stdout)["contracts"][0]["status"] == "broken"
    assert not marker.exists()


def class_tree(root: Path, marker: Path) -> Path:
    """Classes whose creation would run code (metaclass, decorator, __init_subclass__), in
    modules that exit, loop or write a file on import; symbol and class contracts read them."""
    touch = f"open({str(marker)!r}, 'w').write('imported')\n"
    return write_tree(
        root,
        {
            "pkg/__init__.py": touch,
            "pkg/base.py": touch
            + "class Meta(type):\n    def __new__(mcs, *a):\n        " + touch.strip()
            + "\n        return super().__new__(mcs, *a)\n\n"
            "class BaseToolDispatcher(metaclass=Meta):\n"
            "    def __init_subclass__(cls):\n        import os\n        os._exit(5)\n",
            "pkg/tools.py": "import sys\nsys.exit(3)\nfrom pkg.base import BaseToolDispatcher\n\n"
            "def register(cls):\n    " + touch.strip() + "\n    return cls\n\n"
            "@register\nclass ToolDispatcher(BaseToolDispatcher):\n    pass\n",
            "pkg/rival.py": "while True:\n    pass\nfrom pkg.tools import ToolDispatcher\n\n"
            "class OtherToolDispatcher:\n    def run(self):\n        return ToolDispatcher()\n",
            "contracts/arch.toml": """
                [archgraph]
                root_packages = ["pkg"]

                [[contracts]]
                name = "Only tools use the dispatcher"
                type = "protected"
                modules = ["pkg.tools"]
                symbols = ["pkg.tools.ToolDispatcher"]
                allowed_importers = ["pkg.base"]

                [[contracts]]
                name = "One dispatcher"
                type = "single-implementation"
                concept = "*ToolDispatcher"
                canonical = "pkg.tools.ToolDispatcher"
            """,
        },
    )


@pytest.mark.parametrize(
    ("command", "expected_code"),
    [(["check", "--format", "json"], 1), (["families"], 0)],
    ids=["symbol-and-class-contracts", "families"],
)
def test_class_level_analysis_never_runs_class_creation_code(
    tmp_path: Path, command: list[str], expected_code: int
) -> None:
    marker = tmp_path / "marker"
    root = class_tree(tmp_path / "project", marker)
    completed = subprocess.run(
        [sys.executable, "-m", "archgraph", *command, str(root), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == expected_code, completed.stderr
    assert not marker.exists()
    if command[0] == "check":
        report = json.loads(completed.stdout)
        found = {(c["type"], v["code"]) for c in report["contracts"] for v in c["violations"]}
        assert ("protected", "AG131") in found  # pkg.rival imports the protected class
        assert any(kind == "single-implementation" for kind, _code in found)
    else:  # Meta, BaseToolDispatcher, ToolDispatcher, OtherToolDispatcher: read, not created
        assert completed.stdout.startswith("archgraph families: 4 classes in 4 modules (pkg)")
