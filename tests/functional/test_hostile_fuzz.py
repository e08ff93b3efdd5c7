"""Random hostile trees: whatever a pull request adds beside a broken contract, the run still says
it is broken, reads and writes nothing outside the tree, and lets no text from the tree start a
workflow command in a CI log.

Each example is a small package whose forbidden import breaks a contract, plus a random choice
of what the hardening issue found (links out of the tree, to a secret and to a folder outside;
a cache folder that is a link, or cache files linked to devices; merge-conflict markers; coding
declarations CPython accepts; folder and file names holding newlines and `::error` commands;
names Python normalises; a module beside its package; a compiled module without source). The
invariants are checked for `check` in every report format and for `families`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archgraph.cli import main
from archgraph.scan import audit, facts_cache, import_cache

pytestmark = pytest.mark.slow

SECRET = "TOP-SECRET-TOKEN-7f3a"
INJECTED = "::error title=PWNED::owned"
CONTRACTS = """\
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "no-db-in-api"
name = "The API does not import the database"
type = "forbidden"
source_modules = ["pkg.api"]
forbidden_modules = ["pkg.db"]
"""
BASE = {
    "pkg/__init__.py": "",
    "pkg/api.py": "from pkg import db\n",
    "pkg/db.py": "class Session:\n    pass\n",
    "contracts/arch.toml": CONTRACTS,
}


def link_to_secret(root: Path, outside: Path) -> None:
    os.symlink(outside / "secret.py", root / "pkg" / "creds.py")


def link_to_outside_folder(root: Path, outside: Path) -> None:
    os.symlink(outside, root / "pkg" / "elsewhere")


def link_to_the_file_system_root(root: Path, _outside: Path) -> None:
    os.symlink("/", root / "pkg" / "everything")


def cache_folder_linked_outside(root: Path, outside: Path) -> None:
    if not (root / ".archgraph_cache").exists():  # the other cache ingredient made a folder
        os.symlink(outside, root / ".archgraph_cache")


def cache_files_linked_to_devices(root: Path, _outside: Path) -> None:
    cache = root / ".archgraph_cache"
    cache.mkdir(exist_ok=True)
    for name in (import_cache.CACHE_NAME, facts_cache.CACHE_NAME, audit.AUDIT_CACHE_NAME):
        os.symlink("/dev/zero", cache / name)


def conflict_markers(root: Path, _outside: Path) -> None:
    (root / "pkg" / "merged.py").write_text("<<<<<<< HEAD\nimport os\n=======\n>>>>>>> x\n")


def foreign_encoding(root: Path, _outside: Path) -> None:
    (root / "pkg" / "legacy.py").write_bytes(
        b"# -*- coding: cp437 -*-\nfrom pkg import db\nNAME = '\x80\x81'\n"
    )


def injected_folder_name(root: Path, _outside: Path) -> None:
    folder = root / "pkg" / f"evil\n{INJECTED}\n"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "mod.py").write_text("import pkg.db\n")


def injected_file_name(root: Path, _outside: Path) -> None:
    (root / "pkg" / f"x\n{INJECTED}\n.py").write_text("import pkg.db\n")


def normalised_names(root: Path, _outside: Path) -> None:
    (root / "pkg" / "wide.py").write_text("from pkg.db import Ｓession\n")


def module_beside_its_package(root: Path, _outside: Path) -> None:
    (root / "pkg" / "tools").mkdir()
    (root / "pkg" / "tools" / "__init__.py").write_text("")
    (root / "pkg" / "tools.py").write_text("import pkg.db\n")


def compiled_without_source(root: Path, _outside: Path) -> None:
    (root / "pkg" / "ghost.pyc").write_bytes(b"\x00" * 16)


INGREDIENTS = [
    link_to_secret,
    link_to_outside_folder,
    link_to_the_file_system_root,
    cache_folder_linked_outside,
    cache_files_linked_to_devices,
    conflict_markers,
    foreign_encoding,
    injected_folder_name,
    injected_file_name,
    normalised_names,
    module_beside_its_package,
    compiled_without_source,
]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below `folder` (not following links): size and mtime."""
    found = {}
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            status = os.lstat(os.path.join(directory, name))
            found[os.path.join(directory, name)] = (status.st_size, status.st_mtime_ns)
    return found


def invoke(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(arguments))
    return result.exit_code, result.output


@settings(
    max_examples=int(os.environ.get("ARCHGRAPH_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(chosen=st.sets(st.sampled_from(INGREDIENTS), min_size=1, max_size=5))
def test_a_hostile_tree_never_hides_a_broken_contract(tmp_path_factory: pytest.TempPathFactory, chosen: set) -> None:  # type: ignore[type-arg]
    base = tmp_path_factory.mktemp("fuzz")
    root, outside = base / "project", base / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(f"TOKEN = ({SECRET!r}\n")  # unparsable on purpose
    (outside / "sentinel.txt").write_text("untouched\n")
    for relative, text in BASE.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    for ingredient in sorted(chosen, key=lambda f: f.__name__):
        ingredient(root, outside)
    before = snapshot(outside)
    names = ", ".join(sorted(f.__name__ for f in chosen))
    for format_name in ("text", "json", "github", "sarif", "junit", "markdown"):
        code, output = invoke("check", str(root), "--format", format_name)
        assert code == 1, f"{names}: {format_name}: exit {code}\n{output[-3000:]}"
        assert "Traceback" not in output and "internal error" not in output, (names, output[-3000:])
        assert SECRET not in output, (names, format_name)
        assert not any(line.startswith(INJECTED) for line in output.splitlines()), (names, format_name)
    code, output = invoke("families", str(root))
    assert code == 0, (names, output[-3000:])
    assert SECRET not in output and "Traceback" not in output
    assert not any(line.startswith(INJECTED) for line in output.splitlines()), names
    assert snapshot(outside) == before, names  # nothing outside written, replaced or removed
