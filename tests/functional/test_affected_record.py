"""`check --affected REV` reuses the last full run's recorded result while the tree says the same
to every contract, and checks the whole tree again otherwise, in real git repositories.

Each test compares the report with that of a run on a fresh cache folder (a full check, whose
record is of no use to it), and tells which path was taken by the record file: a run that
reuses it leaves it as it was; a full run writes it again."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from archgraph.usecases.affected_record import RECORD_NAME, load_record, positions, save_record
from tests.helpers import git, run_cli, write_tree
from tests.layered_shop import contracts

CONTRACTS = contracts()  # the layered shop's one layers contract

SHOP = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.services import orders\n",
    "shop/api/admin.py": "",
    "shop/services/__init__.py": "from . import billing\n",
    "shop/services/orders.py": "from shop.data import store\n\n\ndef place():\n    return store\n",
    "shop/services/billing.py": "",
    "shop/services/refunds.py": (
        "from ..data import store as kept\nfrom . import billing, orders\n"
        "from .billing import *  # noqa\nimport shop.data.store, shop.data\n"
    ),
    "shop/data/__init__.py": "",
    "shop/data/store.py": "",
    "shop/data/legacy.py": "from shop.api import admin  # known, committed\n",
    "contracts/architecture.toml": CONTRACTS,
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed project in a subdirectory of its repository (which ignores the cache
    folder), checked once with `--affected`, which records the run in the cache folder."""
    repo = tmp_path / "repo"
    write_tree(repo / "project", {**SHOP, "../.gitignore": ".archgraph_cache/\n"})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "shop")
    affected(repo / "project")
    assert record_of(repo / "project").exists()
    return repo


def record_of(project: Path) -> Path:
    return project / ".archgraph_cache" / RECORD_NAME


def version(file: Path) -> tuple[int, int, int]:
    """Which write of the file this is (an atomic write is a new inode)."""
    status = file.stat()
    return status.st_ino, status.st_mtime_ns, status.st_size


def affected(project: Path, *args: str, fmt: str = "json") -> tuple[int, str]:
    code, stdout, stderr = run_cli(["check", project, "--affected", "HEAD", "--format", fmt, *args])
    assert code in (0, 1), stderr
    return code, stdout


def reference(project: Path, fmt: str = "json") -> tuple[int, str]:
    """The same report from a full check: a cache folder of its own (outside the repository),
    made afresh."""
    folder = project.parent.parent / "reference-cache"
    shutil.rmtree(folder, ignore_errors=True)
    return affected(project, "--cache-dir", str(folder), fmt=fmt)


def violations(report: str) -> list[tuple[str, str]]:
    data: dict[str, Any] = json.loads(report)
    return [(v["importer"], v["imported"]) for c in data["contracts"] for v in c["violations"]]


def assert_reused(project: Path) -> None:
    """The next `--affected` run takes the recorded result, and reports what a full run does."""
    before = version(record_of(project))
    for fmt in ("json", "text"):
        assert affected(project, fmt=fmt) == reference(project, fmt)
    assert version(record_of(project)) == before


def assert_checked_again(project: Path) -> tuple[int, str]:
    """The next `--affected` run checks the tree (and records it again), reporting what a full
    run does; then a run on the new record reuses it."""
    before = version(record_of(project))
    found = affected(project)
    assert version(record_of(project)) != before
    assert found == reference(project)
    assert_reused(project)
    return found


def test_an_edit_that_changes_no_import_reuses_the_recorded_result(repo: Path) -> None:
    project = repo / "project"
    orders = project / "shop/services/orders.py"
    orders.write_text(orders.read_text().replace("return store", "return store  # the store"))
    assert_reused(project)
    # Edited again (a file that already differed from HEAD at the record), and a package
    # whose relative import names its own parts.
    orders.write_text(orders.read_text() + "\n\nVALUE = 1\n")
    init = project / "shop/services/__init__.py"
    init.write_text(init.read_text() + "# billing comes first\n")
    refunds = project / "shop/services/refunds.py"
    refunds.write_text(refunds.read_text() + "\n\ndef refund(order):\n    return kept\n")
    assert_reused(project)


def test_an_added_upward_import_is_reported(repo: Path) -> None:
    project = repo / "project"
    store = project / "shop/data/store.py"
    store.write_text("from shop.services import billing\n")
    code, report = assert_checked_again(project)
    assert code == 1
    assert ("shop.data.store", "shop.services.billing") in violations(report)


def test_an_import_moved_to_another_line_is_checked_again(repo: Path) -> None:
    project = repo / "project"
    legacy = project / "shop/data/legacy.py"
    legacy.write_text("\n" + legacy.read_text())  # the violation's line is now 2
    _code, report = assert_checked_again(project)
    assert '"line": 2' in report.replace(" ", "").replace('"line":2', '"line": 2')


def test_a_file_changed_and_changed_back_is_compared_again(repo: Path) -> None:
    project = repo / "project"
    store = project / "shop/data/store.py"
    store.write_text("from shop.api import views\n")
    _code, report = assert_checked_again(project)  # recorded with the new violation
    assert ("shop.data.store", "shop.api.views") in violations(report)
    git(repo, "checkout", "--", "project/shop/data/store.py")  # back to HEAD's content
    _code, report = assert_checked_again(project)
    assert ("shop.data.store", "shop.api.views") not in violations(report)


def test_a_deleted_file_is_checked_again(repo: Path) -> None:
    project = repo / "project"
    (project / "shop/data/legacy.py").unlink()
    code, report = assert_checked_again(project)
    assert code == 0 and violations(report) == []


def test_a_new_untracked_file_is_checked_again(repo: Path) -> None:
    project = repo / "project"
    (project / "shop/data/extra.py").write_text("from shop.api import admin\n")
    _code, report = assert_checked_again(project)
    assert ("shop.data.extra", "shop.api.admin") in violations(report)


def test_a_new_ignored_module_is_checked_again(repo: Path) -> None:
    project = repo / "project"
    (repo / ".gitignore").write_text(".archgraph_cache/\ngenerated.py\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore generated code")
    affected(project)  # another commit: checked and recorded
    (project / "shop/data/generated.py").write_text("from shop.api import views\n")
    # git does not call an ignored file a change: its violation is outside the scope, counted.
    _code, report = assert_checked_again(project)
    assert json.loads(report)["contracts"][0]["out_of_scope"] == 2  # legacy's, generated's
    # Its imports changed: checked again as well (it now imports from its own layer).
    (project / "shop/data/generated.py").write_text("from shop.data import store\n")
    _code, report = assert_checked_again(project)
    assert json.loads(report)["contracts"][0]["out_of_scope"] == 1


def test_a_changed_configuration_is_checked_again(repo: Path) -> None:
    project = repo / "project"
    contracts = project / "contracts/architecture.toml"
    contracts.write_text(contracts.read_text().replace('"api", "services", "data"', '"api", "data"'))
    _code, report = assert_checked_again(project)
    assert json.loads(report)["affected"]["configuration_changed"] is True


def test_a_checkout_of_another_commit_is_checked_again(repo: Path) -> None:
    project = repo / "project"
    git(repo, "checkout", "-q", "-b", "feature")
    (project / "shop/data/store.py").write_text("from shop.api import views\n")
    git(repo, "commit", "-q", "-am", "store uses views")
    affected(project)  # recorded at the feature's commit
    git(repo, "checkout", "-q", "-")  # back: store.py as committed first, no edit to see
    _code, report = assert_checked_again(project)
    assert ("shop.data.store", "shop.api.views") not in violations(report)


def test_a_record_that_is_not_this_trees_is_not_used(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A record brought from another checkout (committed, unpacked) names files of that
    checkout: a clone with an upward import and the original's record checks its tree."""
    project = repo / "project"
    clone = tmp_path_factory.mktemp("clone")
    git(clone, "clone", "-q", str(repo), ".")
    (clone / "project/shop/data/store.py").write_text("from shop.api import views\n")
    shutil.copytree(project / ".archgraph_cache", clone / "project/.archgraph_cache")
    code, report = affected(clone / "project")
    assert ("shop.data.store", "shop.api.views") in violations(report)
    assert (code, report) == reference(clone / "project")


def test_a_damaged_record_is_a_miss(repo: Path) -> None:
    project = repo / "project"
    record = record_of(project)
    record.write_bytes(record.read_bytes()[:-40])
    assert_checked_again(project)
    record.write_bytes(b"\0" * 64)
    assert_checked_again(project)


def test_a_record_is_not_followed_through_a_link(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = repo / "project"
    elsewhere = tmp_path_factory.mktemp("elsewhere") / RECORD_NAME
    shutil.move(str(record_of(project)), elsewhere)
    os.symlink(elsewhere, record_of(project))
    (project / "shop/data/store.py").write_text("from shop.services import billing\n")
    code, report = affected(project)
    assert (code, report) == reference(project)
    assert ("shop.data.store", "shop.services.billing") in violations(report)
    assert record_of(project).is_symlink()  # left alone: never written through


def test_a_record_brought_to_the_same_place_is_not_used(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The same commit cloned at the same place, with the record of the first checkout put in
    its cache folder: nothing differs from HEAD and every path is the same, but the record
    names files of the other checkout (their inode and change time), so the tree is checked."""
    moved = tmp_path_factory.mktemp("moved") / "repo"
    shutil.move(str(repo), moved)
    git(repo.parent, "clone", "-q", str(moved), repo.name)
    shutil.copytree(moved / "project/.archgraph_cache", repo / "project/.archgraph_cache")
    assert_checked_again(repo / "project")


def test_an_import_that_becomes_type_checking_only_is_checked_again(repo: Path) -> None:
    """Same line, same text: only the kind of the import changed (its violation shows it)."""
    project = repo / "project"
    legacy = project / "shop/data/legacy.py"
    legacy.write_text("import typing\n\nfrom shop.api import admin\n")
    affected(project)  # recorded with the import at line 3, a runtime one
    legacy.write_text("import typing\nif typing.TYPE_CHECKING:\n    from shop.api import admin\n")
    _code, report = assert_checked_again(project)
    kinds = [v["import_kind"] for c in json.loads(report)["contracts"] for v in c["violations"]]
    assert kinds == ["type_checking"]


def test_a_record_whose_positions_lead_nowhere_is_a_miss(repo: Path) -> None:
    """Well-formed, but a module's importer is past the end of the modules: not used (and no
    internal error later, when the scope is worked out)."""
    project = repo / "project"
    folder = project / ".archgraph_cache"
    record = load_record(folder)
    assert record is not None
    broken = positions([1_000_000] * (len(record.importers) // 4))
    save_record(folder, dataclasses.replace(record, importers=broken))
    (project / "shop/data/store.py").write_text("# a comment, no import\n")
    assert_checked_again(project)


def test_files_outside_the_packages_come_and_go_unread(repo: Path) -> None:
    """Notes, reports, data beside the code: the scan never looks at them (the configuration
    is compared by its content), so the recorded result stands."""
    project = repo / "project"
    (project / "notes.txt").write_text("remember the layers\n")
    (repo / "scratch.py").write_text("import shop.api\n")  # outside the package's folder
    assert_reused(project)
    (repo / "scratch.py").unlink()
    assert_reused(project)
    # A Python file in the package's folder is a module: checked again.
    (project / "shop/scratch.py").write_text("")
    assert_checked_again(project)


def test_without_a_cache_folder_nothing_is_recorded_or_read(repo: Path) -> None:
    project = repo / "project"
    shutil.rmtree(project / ".archgraph_cache")
    (project / "shop/data/store.py").write_text("from shop.services import billing\n")
    code, report = affected(project, "--no-cache")
    assert (code, report) == reference(project)
    assert not (project / ".archgraph_cache").exists()
