"""The cycles an acyclic contract lists (the first 100) do not depend on the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import write_tree

CHILDREN = [f"part{n}" for n in range(7)]


def test_two_processes_with_different_hash_seeds_report_the_same_cycles(tmp_path: Path) -> None:
    files = {"pkg/__init__.py": ""}
    for child in CHILDREN:  # every child imports every other: thousands of cycles
        files[f"pkg/{child}.py"] = "".join(f"import pkg.{o}\n" for o in CHILDREN if o != child)
    files["contracts/a.toml"] = (
        '[archgraph]\nroot_packages = ["pkg"]\n\n'
        '[[contracts]]\nname = "No cycles"\ntype = "acyclic"\npackages = ["pkg"]\n'
    )
    write_tree(tmp_path, files)

    def report(seed: str) -> str:
        completed = subprocess.run(
            [sys.executable, "-m", "archgraph.cli", "check", str(tmp_path), "--no-cache", "--format", "json"],
            capture_output=True, text=True, check=False,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert completed.returncode == 1, completed.stderr
        return completed.stdout

    first = report("1")
    assert '"code": "AG142"' in first  # more cycles than are listed: which ones is the question
    assert report("2") == first
