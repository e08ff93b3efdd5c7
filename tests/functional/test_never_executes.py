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
