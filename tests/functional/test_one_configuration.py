"""Every command reads the configuration the same way and reports every problem in it at once.

The rule (usecases/project.py): each command validates the whole configuration, settings and
contracts, and exits 2 listing every problem; commands that need no contracts run without any.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli, write_tree

TREE = {
    "shop/__init__.py": "",
    "shop/api.py": "import shop.core\n",
    "shop/core.py": "class Store:\n    def get(self): ...\n",
}
# One bad settings key (`exclud`) and one bad contract key (`containrs`): both must be reported.
BROKEN = """
[archgraph]
root_packages = ["shop"]
exclud = ["shop.tests"]

[[contracts]]
name = "layers"
type = "layers"
layers = ["shop.api", "shop.core"]
containrs = ["shop"]
"""
VALID = """
[tool.archgraph]
root_packages = ["shop"]
"""

# Every command that reads the configuration, with the arguments it needs besides PATH.
COMMANDS = {
    "check": ["check", "{root}"],
    "why": ["why", "shop.api", "shop.core", "{root}"],
    "export": ["export", "{root}"],
    "render": ["render", "{root}", "-o", "{out}/graph.dot"],
    "render --families": ["render", "{root}", "--families", "-o", "{out}/classes.dot"],
    "report": ["report", "{root}", "-o", "{out}/report.html"],
    "families": ["families", "{root}"],
    "baseline": ["baseline", "{root}", "{out}/baseline.json"],
    "init": ["init", "{root}", "--dry-run"],
    "trend": ["trend", "{root}", "--revs", "HEAD~1..HEAD", "-o", "{out}/trend.json"],
}


def arguments(command: str, root: Path, out: Path) -> list[str]:
    return [a.format(root=root, out=out) for a in COMMANDS[command]]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_settings_key_and_a_bad_contract_key_are_both_reported(
    tmp_path: Path, command: str
) -> None:
    # contracts/base.toml, not architecture.toml: that is the file `init` would replace.
    root = write_tree(tmp_path / "project", {**TREE, "contracts/base.toml": BROKEN})
    out = tmp_path / "out"

    code, stdout, stderr = run_cli(arguments(command, root, out))

    assert code == 2, stdout + stderr
    assert "invalid configuration (2 problem(s))" in stderr
    shown = str(root / "contracts" / "base.toml")
    assert f"{shown}:4: archgraph.exclud: unknown key (did you mean 'exclude'?)" in stderr
    assert f"{shown}:10: contracts[0].containrs: unknown key (did you mean 'containers'?)" in stderr
    assert not out.exists()  # nothing written


@pytest.mark.parametrize("command", ["why", "export", "families", "render", "init"])
def test_commands_that_need_no_contracts_run_on_valid_settings_alone(
    tmp_path: Path, command: str
) -> None:
    root = write_tree(tmp_path / "project", {**TREE, "pyproject.toml": VALID})
    out = tmp_path / "out"

    code, stdout, stderr = run_cli(arguments(command, root, out))

    assert code == 0, stdout + stderr
    assert "invalid configuration" not in stderr


@pytest.mark.parametrize("command", ["check", "baseline"])
def test_commands_that_check_contracts_need_some(tmp_path: Path, command: str) -> None:
    root = write_tree(tmp_path / "project", TREE)

    code, _stdout, stderr = run_cli(arguments(command, root, tmp_path / "out"))

    assert code == 2
    assert f"no contracts found under {root}" in stderr
