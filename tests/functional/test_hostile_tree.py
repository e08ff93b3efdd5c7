"""A hostile tree (a pull request anyone can open) must not make a broken contract pass: each
test builds the input for real and checks what a user notices, the exit code and the diagnostic
with file and line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )

    code, report = check_json(root, "--cache-dir", str(cache))
    assert code == 1
    (contract,) = report["contracts"]
    assert [v["chain"][0]["importer"] for v in contract["violations"]] == ["pkg.api"]


@pytest.mark.parametrize(
    "encoding", ["cp437", "cp850", "mac_roman", "hp_roman8", "big5hkscs", "utf-7"]
)
def test_a_file_in_an_encoding_python_accepts_is_analysed(tmp_path: Path, encoding: str) -> None:
    """grimp's scanner knows none of these; the file was dropped as a "syntax error"."""
    source = f"# -*- coding: {encoding} -*-\nimport pkg.secret\nNAME = 'café'\n"
    root = write_tree(tmp_path, {**BASE, "pkg/api.py": source.encode(encoding)})
    assert source.encode(encoding) != source.encode("utf-8")
    compile(source.encode(encoding), "api.py", "exec")  # Python reads it

    code, report = check_json(root, "--no-cache", "--strict")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [
        (s["importer"], s["imported"], s["lines"])
        for v in contract["violations"]
        for s in v["chain"]
    ] == [("pkg.api", "pkg.secret", [2])]
    assert diagnostics(report) == []


def test_a_name_python_normalises_is_the_name_it_imports(tmp_path: Path) -> None:
    """`from pkg import ｓecret` imports pkg.secret: Python reads names in NFKC (PEP 3131)."""
    root = write_tree(tmp_path, {**BASE, "pkg/api.py": "from pkg import ｓecret\n"})
    code, report = check_json(root, "--no-cache")
    assert code == 1
    (contract,) = report["contracts"]
    assert [v["chain"][0]["lines"] for v in contract["violations"]] == [[1]]


PROTECTED_SYMBOL = """
    [archgraph]
    root_packages = ["pkg"]

    [[contracts]]
    name = "Only the vault obtains Secret"
    id = "secret"
    type = "protected"
    symbols = ["pkg.secret.Secret"]
    allowed_importers = ["pkg.vault"]
"""


def test_a_protected_symbol_imported_under_a_fullwidth_spelling_is_a_violation(
    tmp_path: Path,
) -> None:
    files = {**BASE, "contracts/arch.toml": PROTECTED_SYMBOL, "pkg/vault.py": ""}
    files["pkg/api.py"] = "from pkg.secret import Ｓecret\n\nSecret = Ｓecret\n"
    root = write_tree(tmp_path, files)
    code, report = check_json(root, "--no-cache")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [(v["file"], v["line"]) for v in contract["violations"]] == [("pkg/api.py", 1)]


SINGLE = """
    [archgraph]
    root_packages = ["pkg"]

    [[contracts]]
    name = "One dispatcher"
    id = "dispatcher"
    type = "single-implementation"
    concept = "*ToolDispatcher"
    canonical = "pkg.base.BaseToolDispatcher"
"""


def test_a_class_named_with_fullwidth_letters_is_the_class_python_defines(tmp_path: Path) -> None:
    """`class RogueToolＤispatcher` defines RogueToolDispatcher."""
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": "class BaseToolDispatcher:\n    def dispatch(self): ...\n",
            "pkg/rogue.py": "class RogueToolＤispatcher:\n    def dispatch(self): ...\n",
            "contracts/arch.toml": SINGLE,
        },
    )
    code, report = check_json(root, "--no-cache")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [(v["file"], v["line"]) for v in contract["violations"]] == [("pkg/rogue.py", 1)]
    assert "RogueToolDispatcher" in contract["violations"][0]["message"]


@pytest.mark.parametrize("folder", ["node_modules", "__pycache__"])
def test_a_package_named_like_a_folder_of_tools_is_analysed(tmp_path: Path, folder: str) -> None:
    """Both names are identifiers: `import pkg.node_modules.leak` works."""
    files = {
        **BASE,
        "pkg/api.py": f"import pkg.{folder}.leak\n",
        f"pkg/{folder}/__init__.py": "",
        f"pkg/{folder}/leak.py": "import pkg.secret\n",
    }
    root = write_tree(tmp_path, files)
    code, report = check_json(root, "--no-cache", "--strict")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [[s["importer"] for s in v["chain"]] for v in contract["violations"]] == [
        ["pkg.api", f"pkg.{folder}.leak"]
    ]


def test_installed_packages_inside_a_package_are_reported(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {**BASE, "pkg/api.py": "", "pkg/site-packages/evil/__init__.py": "import pkg.secret\n"},
    )
    code, report = check_json(root, "--no-cache")
    assert code == 0
    assert diagnostics(report) == [
        (codes.INSTALLED_PACKAGES_SKIPPED.code, "pkg/site-packages", None)
    ]


def test_a_module_file_beside_its_package_is_shadowed(tmp_path: Path) -> None:
    """Python imports the package `pkg/api/`, never `pkg/api.py`."""
    root = write_tree(
        tmp_path,
        {
            **BASE,
            "pkg/api.py": "",
            "pkg/api/__init__.py": "import pkg.secret\n",
        },
    )
    code, report = check_json(root, "--no-cache")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [(v["file"], v["line"]) for v in contract["violations"]] == [("pkg/api/__init__.py", 1)]
    assert diagnostics(report) == [(codes.SHADOWED_MODULE.code, "pkg/api.py", None)]


def test_a_directory_without_init_beside_a_module_file_is_shadowed(tmp_path: Path) -> None:
    """A namespace portion comes last: `import pkg.api` loads `pkg/api.py`."""
    root = write_tree(
        tmp_path, {**BASE, "pkg/api.py": "import pkg.secret\n", "pkg/api/extra.py": ""}
    )
    code, report = check_json(root, "--no-cache")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [(v["file"], v["line"]) for v in contract["violations"]] == [("pkg/api.py", 1)]
    assert diagnostics(report) == [(codes.SHADOWED_MODULE.code, "pkg/api", None)]


def test_a_compiled_module_without_source_is_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**BASE, "pkg/api.py": "", "pkg/hidden.pyc": b"\x00\x01"})
    code, report = check_json(root, "--no-cache", "--strict")
    assert code == 2
    assert diagnostics(report) == [(codes.SOURCELESS_MODULE.code, "pkg/hidden.pyc", None)]


def test_a_file_over_max_file_bytes_has_its_imports_analysed_and_is_reported(tmp_path: Path) -> None:
    big = "import pkg.secret\n" + "class Filler:\n    pass\n" * 200
    config = FORBIDDEN.replace('root_packages = ["pkg"]', 'root_packages = ["pkg"]\nmax_file_bytes = 1000')
    root = write_tree(tmp_path, {**BASE, "pkg/api.py": big, "contracts/arch.toml": config})
    code, report = check_json(root, "--no-cache")
    assert code == 1, report
    assert diagnostics(report) == [(codes.FILE_TOO_LARGE.code, "pkg/api.py", None)]
    code, stdout, stderr = run_cli(["families", str(root), "--no-cache", "--format", "json"])
    assert code == 0 and "Traceback" not in stderr
    assert "Filler" not in stdout


@pytest.mark.parametrize("value", ["0", "-5", '"big"'])
def test_max_file_bytes_must_be_a_positive_integer(tmp_path: Path, value: str) -> None:
    config = FORBIDDEN.replace('root_packages = ["pkg"]', f'root_packages = ["pkg"]\nmax_file_bytes = {value}')
    root = write_tree(tmp_path, {**BASE, "pkg/api.py": "", "contracts/arch.toml": config})
    code, _stdout, stderr = run_cli(["check", str(root), "--no-cache"])
    assert code == 2
    assert "contracts/arch.toml:4: archgraph.max_file_bytes" in stderr, stderr


def test_a_module_that_sets_type_checking_itself_keeps_its_guarded_imports(tmp_path: Path) -> None:
    config = FORBIDDEN.replace(
        'root_packages = ["pkg"]', 'root_packages = ["pkg"]\n    exclude_type_checking_imports = true'
    )
    api = "TYPE_CHECKING = True\nif TYPE_CHECKING:\n    import pkg.secret\n"
    root = write_tree(
        tmp_path,
        {
            **BASE,
            "contracts/arch.toml": config,
            "pkg/api.py": api,
            # typing's constant: the guarded import is left out, as configured
            "pkg/other.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.secret\n",
        },
    )
    for _run in range(2):  # cold, then warm from the cache
        code, report = check_json(root, "--cache-dir", str(tmp_path / "cache"))
        assert code == 1, report
        (contract,) = report["contracts"]
        assert [(v["chain"][0]["importer"], v["chain"][0]["lines"]) for v in contract["violations"]] == [
            ("pkg.api", [3])
        ]
        assert diagnostics(report) == [(codes.TYPE_CHECKING_ASSIGNED.code, "pkg/api.py", 1)]


def test_a_symlinked_module_added_by_the_change_is_in_the_affected_scope(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path, check=True, capture_output=True,
        )

    write_tree(tmp_path, {**BASE, "pkg/api.py": ""})
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    write_tree(tmp_path, {"shared/leak.py": "import pkg.secret\n"})
    (tmp_path / "pkg/api.py").unlink()
    (tmp_path / "pkg/api.py").symlink_to("../shared/leak.py")
    git("add", "-A")
    git("commit", "-q", "-m", "change")

    code, report = check_json(tmp_path, "--no-cache", "--affected", "HEAD~1")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [v["chain"][0]["importer"] for v in contract["violations"]] == ["pkg.api"]


def test_names_that_are_not_utf8_are_reported_and_the_rest_is_checked(tmp_path: Path) -> None:
    """Hardening item 16 (check): a non-UTF-8 file or folder name ended the run with an
    internal error (grimp's scanner panicked on the name); now it is left out, said so with
    the name escaped, and the broken contract is still broken."""
    root = write_tree(tmp_path, {**BASE, "pkg/api.py": "import pkg.secret\n"})
    os.makedirs(os.fsencode(root / "pkg") + b"/caf\xe9")
    (Path(os.fsdecode(os.fsencode(root / "pkg") + b"/caf\xe9")) / "__init__.py").write_text("")
    Path(os.fsdecode(os.fsencode(root / "pkg") + b"/b\xe9.py")).write_text("import pkg.secret\n")
    code, report = check_json(root, "--no-cache")
    assert code == 1
    assert ("AG204", "pkg/b\\xe9.py", None) in diagnostics(report)
    assert ("AG204", "pkg/caf\\xe9", None) in diagnostics(report)
    text_code, stdout, stderr = run_cli(["check", str(root), "--no-cache"])
    assert text_code == 1 and "Traceback" not in stderr and "pkg/b\\xe9.py" in stdout


def test_directories_nested_beyond_the_walk_are_reported_not_a_crash(tmp_path: Path) -> None:
    """Hardening item 16 (check): folder nesting deeper than about 1,000 levels ended the run
    with a RecursionError; the walk now stops at 200 levels and says where."""
    root = write_tree(tmp_path, {**BASE, "pkg/api.py": "import pkg.secret\n"})
    top = os.fsencode(root / "pkg")
    deep = top
    try:
        for _level in range(1100):
            deep += b"/d"
            os.mkdir(deep)
            with open(deep + b"/__init__.py", "wb"):
                pass
        code, report = check_json(root, "--no-cache")
        assert code == 1
        deep_notes = [d for d in report["diagnostics"] if d["code"] == codes.NESTED_TOO_DEEP.code]
        assert len(deep_notes) == 1 and deep_notes[0]["file"].count("/d") == 200
        assert report["summary"]["modules"] >= 200
    finally:
        # Bottom up, without recursion: pytest's own clean-up (shutil.rmtree) of an old
        # temporary folder recurses once a level and would fail on this tree.
        while deep != top:
            os.remove(deep + b"/__init__.py")
            os.rmdir(deep)
            deep = deep.rsplit(b"/", 1)[0]


def test_a_dynamic_import_spelled_in_fullwidth_letters_is_the_import_python_runs(
    tmp_path: Path,
) -> None:
    """`ｉmportlib.ｉmport_module("pkg.secret")` calls importlib.import_module (NFKC): the audit
    reads that file as Python does, while a file whose only such letters are in strings and
    comments is read as it is."""
    config = FORBIDDEN.replace("]\n", "]\n    include_dynamic_imports = true\n", 1)
    root = write_tree(
        tmp_path,
        {
            **BASE,
            "contracts/arch.toml": config,
            "pkg/api.py": "import importlib\n\nSECRET = ｉmportlib.ｉmport_module('pkg.secret')\n",
            "pkg/notes.py": "# ｓecret is not a name here\nTEXT = 'ｉmport_module(\"pkg.secret\")'\n",
        },
    )
    code, report = check_json(root, "--no-cache")
    assert code == 1, report
    (contract,) = report["contracts"]
    assert [(v["file"], v["line"]) for v in contract["violations"]] == [("pkg/api.py", 3)]
    assert [d["code"] for d in report["diagnostics"]] == [codes.DYNAMIC_IMPORT.code]
