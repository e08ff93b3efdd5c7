"""A hostile tree (a pull request anyone can open) must not make a broken contract pass: each
test builds the input for real and checks what a user notices, the exit code and the diagnostic
with file and line."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, write_tree

from archgraph import codes

FORBIDDEN = """
    [archgraph]
    root_packages = ["pkg"]

    [[contracts]]
    name = "The API does not reach the secret"
    id = "no-secret"
    type = "forbidden"
    source_modules = ["pkg.api"]
    forbidden_modules = ["pkg.secret"]
"""
BASE = {
    "pkg/__init__.py": "",
    "pkg/secret.py": "class Secret:\n    pass\n",
    "pkg/other.py": "",
    "contracts/arch.toml": FORBIDDEN,
}


def check_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, stdout, stderr = run_cli(["check", str(root), "--format", "json", *args])
    assert "Traceback" not in stderr, stderr
    return code, json.loads(stdout)


def diagnostics(report: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    """(code, file, line) of the scan's diagnostics."""
    return [(d["code"], d["file"], d["line"]) for d in report["diagnostics"]]


def test_a_file_replaced_by_same_size_content_with_the_old_mtime_is_read_again(
    tmp_path: Path,
) -> None:
    """`cp -p`, rsync and tar restore the mtime: the caches must still see the new imports."""
    root = write_tree(tmp_path / "project", {**BASE, "pkg/api.py": "import pkg.other \n"})
    cache = tmp_path / "cache"
    code, _report = check_json(root, "--cache-dir", str(cache))
    assert code == 0
    target = root / "pkg/api.py"
    before = target.stat()
    replacement = write_tree(tmp_path / "incoming", {"api.py": "import pkg.secret\n"}) / "api.py"
    assert replacement.stat().st_size == before.st_size
    shutil.copy2(replacement, target)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    code, report = check_json(root, "--cache-dir", str(cache))
    assert code == 1
    (contract,) = report["contracts"]
    assert [v["chain"][0]["importer"] for v in contract["violations"]] == ["pkg.api"]
