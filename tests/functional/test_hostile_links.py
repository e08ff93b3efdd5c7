"""Links committed in the analysed tree are followed only within the source roots.

A pull request can commit `pkg/creds.py -> ~/.git-credentials`, a folder link to `/` or to
site-packages, or a link into `.git`. Such a link is reported (AG212) and what it points at is
never read: nothing of it reaches any report, and a link to `/` is not walked.
"""

from __future__ import annotations

import json
import os
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import run_cli, write_tree

from archgraph import codes
from archgraph.cli import main

SECRET = "https://ci-bot:ghp_SECRET0123456789@github.com"
CONTRACT = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
name = "core below api"
type = "layers"
layers = ["pkg.api", "pkg.core"]
"""
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


def project(root: Path) -> Path:
    return write_tree(
        root,
        {
            "pkg/__init__.py": "",
            "pkg/api.py": "import pkg.core\n",
            "pkg/core.py": "",
            "contracts/arch.toml": CONTRACT,
        },
    )


def every_report(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run check with every report format written to files, from the checkout (as CI does);
    the exit code and everything a user or a log could see."""
    monkeypatch.chdir(root)
    arguments = ["check", ".", "--no-cache", "--output-dir", "reports"]
    code, stdout, stderr = run_cli([*arguments, *(a for f in FORMATS for a in ("--format", f))])
    written = "".join(path.read_text("utf-8") for path in sorted((root / "reports").iterdir()))
    return code, stdout + stderr + written


def reported_links(root: Path) -> set[str]:
    data = json.loads((root / "reports" / "report.json").read_text("utf-8"))
    return {d["file"] for d in data["diagnostics"] if d["code"] == codes.LINK_LEAVES_ROOTS.code}


def test_a_module_linked_to_a_file_outside_is_reported_and_never_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = write_tree(tmp_path / "home", {".git-credentials": SECRET + "\n"})
    root = project(tmp_path / "checkout")
    os.symlink(home / ".git-credentials", root / "pkg" / "creds.py")
    # Inside the checkout, but in a hidden folder the walk never enters (actions/checkout keeps
    # the token in .git/config).
    write_tree(root, {".git/config": f"[remote]\nurl = {SECRET}\n"})
    os.symlink("../.git/config", root / "pkg" / "gitconfig.py")

    code, seen = every_report(root, monkeypatch)

    assert code == 0
    assert "ghp_SECRET" not in seen and "Traceback" not in seen
    assert reported_links(root) == {"pkg/creds.py", "pkg/gitconfig.py"}
    assert codes.UNPARSABLE_FILE.code not in seen


def test_folder_links_to_the_file_system_root_and_site_packages_are_not_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "checkout")
    os.symlink("/", root / "pkg" / "everything")
    os.symlink(sysconfig.get_paths()["purelib"], root / "pkg" / "vendor")

    code, seen = every_report(root, monkeypatch)

    assert code == 0, seen
    assert "RecursionError" not in seen and "Traceback" not in seen
    assert reported_links(root) == {"pkg/everything", "pkg/vendor"}
    data = json.loads((root / "reports" / "report.json").read_text("utf-8"))
    assert data["summary"]["modules"] == 3  # pkg, pkg.api, pkg.core: nothing of the links


def test_links_within_the_source_roots_are_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "checkout")
    write_tree(root, {"shared/helpers.py": "import pkg.api\n"})  # "." is a source root
    os.symlink("../shared/helpers.py", root / "pkg" / "helpers.py")
    os.symlink("core.py", root / "pkg" / "alias.py")

    code, _seen = every_report(root, monkeypatch)

    assert code == 0
    assert reported_links(root) == set()
    data = json.loads((root / "reports" / "report.json").read_text("utf-8"))
    assert data["summary"]["modules"] == 5


def test_a_source_root_linked_out_of_the_project_is_not_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`src -> /somewhere` committed where the default source roots look: not searched."""
    elsewhere = write_tree(
        tmp_path / "elsewhere",
        {"pkg/__init__.py": "", "pkg/api.py": "", "pkg/core.py": SECRET + "\n"},
    )
    root = write_tree(tmp_path / "checkout", {"contracts/arch.toml": CONTRACT})
    os.symlink(elsewhere, root / "src")
    monkeypatch.chdir(root)

    code, stdout, stderr = run_cli(["check", ".", "--no-cache", "--format", "json"])

    assert code == 2
    assert "ghp_SECRET" not in stdout + stderr and "Traceback" not in stderr
    assert "root package(s) not found: pkg" in stderr
    assert "source root src is a symbolic link out of" in stderr


def test_a_package_folder_linked_out_of_the_source_roots_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = write_tree(tmp_path / "elsewhere", {"pkg/__init__.py": "", "pkg/core.py": SECRET + "\n"})
    root = write_tree(tmp_path / "checkout", {"contracts/arch.toml": CONTRACT})
    os.symlink(elsewhere / "pkg", root / "pkg")
    monkeypatch.chdir(root)

    code, stdout, stderr = run_cli(["check", ".", "--no-cache", "--format", "json"])

    assert "ghp_SECRET" not in stdout + stderr and "Traceback" not in stderr
    data = json.loads(stdout)
    assert {d["file"] for d in data["diagnostics"] if d["code"] == codes.LINK_LEAVES_ROOTS.code} == {"pkg"}
    assert code == 2  # the contract's modules are not there: a configuration error, not a pass


def test_contract_and_baseline_files_linked_out_of_the_project_are_not_read(tmp_path: Path) -> None:
    """The tree names its contract files and, through the `baseline` setting, its baseline:
    a committed link from either to a secret, or to /dev/zero, is refused (exit 2, saying
    which file) and never read: no key of the secret is quoted, nothing reads forever."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.toml").write_text('[archgraph]\nsecret_token = "TOP-SECRET-7f3a"\n')
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "contracts").mkdir()
    os.symlink(outside / "secret.toml", root / "contracts" / "evil.toml")
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache"])
    assert result.exit_code == 2, result.output
    assert "evil.toml" in result.output and "link that leads out of the project" in result.output
    assert "secret_token" not in result.output and "TOP-SECRET" not in result.output

    (root / "contracts" / "evil.toml").unlink()
    (root / "contracts" / "arch.toml").write_text(
        '[archgraph]\nroot_packages = ["pkg"]\nbaseline = "baseline.json"\n\n'
        '[[contracts]]\nname = "No cycles"\ntype = "acyclic"\npackages = ["pkg"]\n'
    )
    os.symlink("/dev/zero", root / "baseline.json")
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache"])
    assert result.exit_code == 2, result.output
    assert "baseline.json" in result.output and "not read" in result.output


def test_a_contract_file_that_is_a_named_pipe_is_an_error_not_a_hang(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "contracts").mkdir()
    os.mkfifo(root / "contracts" / "pipe.toml")
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache"])
    assert result.exit_code == 2, result.output
    assert "pipe.toml" in result.output and "not a regular file" in result.output
