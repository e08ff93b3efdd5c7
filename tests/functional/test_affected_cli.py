"""`check --affected REV`: only violations the changes since REV can have caused, in a real git
repository; the verdicts equal a full run restricted by hand to the modules in scope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import git, run_cli, write_tree
from tests.layered_shop import contracts

CONTRACTS = contracts()  # the layered shop's one layers contract

SHOP = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.services import orders\n",
    "shop/api/admin.py": "",
    "shop/services/__init__.py": "",
    "shop/services/orders.py": "from shop.data import store\n",
    "shop/services/billing.py": "",
    "shop/data/__init__.py": "",
    "shop/data/store.py": "",
    # Already there before the change, in a module the change does not reach.
    "shop/data/legacy.py": "from shop.api import admin\n",
    "contracts/architecture.toml": CONTRACTS,
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose project lives in a subdirectory (paths from git are repo-relative)."""
    write_tree(tmp_path / "project", SHOP)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "shop")
    return tmp_path


def check(project: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, stdout, stderr = run_cli(["check", project, "--format", "json", *args])
    assert code in (0, 1), stderr
    return code, json.loads(stdout)


def violations(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(v["importer"], v["imported"]) for c in report["contracts"] for v in c["violations"]]


def test_affected_reports_what_a_full_run_restricted_by_hand_reports(repo: Path) -> None:
    project = repo / "project"
    # A new violation in a changed file, and one in a file git does not track yet.
    (project / "shop/data/store.py").write_text("from shop.services import billing\n")
    (project / "shop/data/extra.py").write_text("from shop.api import admin\n")

    full_code, full = check(project)
    code, affected = check(project, "--affected", "HEAD")

    # By hand: the changed modules, and the modules importing them (orders imports store,
    # views imports orders). shop.data.legacy imports only shop.api.admin: out of scope.
    by_hand = {"shop.data.store", "shop.data.extra", "shop.services.orders", "shop.api.views"}
    assert sorted(violations(full)) == [
        ("shop.data.extra", "shop.api.admin"),
        ("shop.data.legacy", "shop.api.admin"),
        ("shop.data.store", "shop.services.billing"),
    ]
    assert violations(affected) == [v for v in violations(full) if v[0] in by_hand]
    assert (code, full_code) == (1, 1)
    assert affected["affected"] == {
        "since": "HEAD",
        "changed_files": 2,
        "changed_modules": ["shop.data.extra", "shop.data.store"],
        "modules_in_scope": 4,
        "total_modules": full["summary"]["modules"],
        "configuration_changed": False,
    }
    assert affected["contracts"][0]["out_of_scope"] == 1
    code, text, _ = run_cli(["check", project, "--affected", "HEAD"])
    assert "Affected since HEAD: 2 changed file(s), 2 changed module(s); 4 of 11 modules in scope" in text
    assert "(1 violation(s) outside the affected scope not shown)" in text


def test_exit_code_follows_the_violations_in_scope_after_a_fix(repo: Path) -> None:
    project = repo / "project"
    (project / "shop/data/store.py").write_text("from shop.services import billing\n")
    (project / "shop/data/extra.py").write_text("from shop.api import admin\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two violations")
    (project / "shop/data/store.py").write_text("")  # fixed, not committed yet

    assert check(project)[0] == 1  # extra and legacy still break the contract
    code, affected = check(project, "--affected", "HEAD")
    assert code == 0 and violations(affected) == []
    assert affected["affected"]["changed_modules"] == ["shop.data.store"]

    # Since the commit before: extra was added (in scope, still broken), store was fixed.
    # (extra imports only shop.api.admin, so the fix of store alone leaves it out of scope.)
    code, affected = check(project, "--affected", "HEAD~1")
    assert code == 1
    assert violations(affected) == [("shop.data.extra", "shop.api.admin")]


def test_a_changed_contract_file_puts_every_module_in_scope(repo: Path) -> None:
    project = repo / "project"
    contracts = project / "contracts/architecture.toml"
    contracts.write_text(contracts.read_text().replace('name = "Layers"', 'name = "Layers!"'))

    full_code, full = check(project)
    code, affected = check(project, "--affected", "HEAD")

    assert (code, violations(affected)) == (full_code, violations(full))
    assert affected["affected"]["configuration_changed"] is True
    assert affected["affected"]["modules_in_scope"] == full["summary"]["modules"]


def test_the_cache_the_run_writes_is_not_a_change(repo: Path) -> None:
    project = repo / "project"
    run_cli(["check", project])  # writes project/.archgraph_cache, untracked and not ignored
    code, stdout, _ = run_cli(["check", project, "--affected", "HEAD"])
    assert code == 0
    assert "Affected since HEAD: 0 changed file(s), 0 changed module(s); 0 of 10 modules" in stdout


def test_an_unknown_revision_or_no_repository_is_a_usage_error(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    code, _stdout, stderr = run_cli(["check", repo / "project", "--affected", "no-such-rev"])
    assert code == 2 and "--affected: `git diff --name-only` failed" in stderr

    elsewhere = write_tree(tmp_path_factory.mktemp("plain"), SHOP)
    code, _stdout, stderr = run_cli(["check", elsewhere, "--affected", "HEAD"])
    assert code == 2 and "not a git repository" in stderr.lower()


def test_a_violation_without_imports_is_in_scope_through_its_file(repo: Path) -> None:
    project = repo / "project"
    contracts = project / "contracts/architecture.toml"
    # An unlisted child committed before (out of scope), then a new one (in scope).
    write_tree(project, {"shop/old_child.py": "", "shop/new_child.py": ""})
    git(repo, "add", "project/shop/old_child.py")
    git(repo, "commit", "-q", "-m", "old child")
    contracts.write_text(CONTRACTS + "exhaustive = true\n")
    git(repo, "add", "-A", ":!project/shop/new_child.py")
    git(repo, "commit", "-q", "-m", "exhaustive")

    code, affected = check(project, "--affected", "HEAD")

    messages = [v["message"] for c in affected["contracts"] for v in c["violations"]]
    assert code == 1
    assert messages == ["shop.new_child is not in any layer (the contract is exhaustive)"]
    assert affected["contracts"][0]["out_of_scope"] == 2  # legacy -> admin, and old_child
