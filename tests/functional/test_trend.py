"""`archgraph trend` on a real git repository whose commits add and fix violations."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from helpers import run_cli, write_tree

from archgraph.trend import trend
from archgraph.trend.history import Checkout, locate
from archgraph.trend.measure import FACTS_BY_CONTENT_NAME
from archgraph.trend.points import Trend
from archgraph.trend.report import (
    render_trend_csv,
    render_trend_html,
    render_trend_json,
    render_trend_svg,
)
from archgraph.usecases.project import RunOptions

LAYERS_CONTRACT = """
[archgraph]
root_packages = ["shop"]

[[contracts]]
id = "layers"
name = "api above services above core"
type = "layers"
containers = ["shop"]
layers = ["api", "services", "core"]
"""
# Today's contracts add one the old commits never had: history is judged by today's rules.
TODAYS_CONTRACTS = LAYERS_CONTRACT + """
[[contracts]]
id = "api-no-payments"
name = "The api does not call payments"
type = "forbidden"
source_modules = ["shop.api"]
forbidden_modules = ["shop.payments"]
"""


def notifier(name: str) -> str:
    return f"class {name}:\n    def send(self, message):\n        pass\n\n    def close(self):\n        pass\n"


# (subject, files written (None: deleted)); the shop package appears in the second commit.
HISTORY: list[tuple[str, Mapping[str, str | None]]] = [
    ("Readme only", {"README.md": "shop\n"}),
    (
        "Layered shop",
        {
            "contracts/architecture.toml": LAYERS_CONTRACT,
            "shop/__init__.py": "",
            "shop/api/__init__.py": "",
            "shop/api/views.py": "from shop.services import orders\n",
            "shop/services/__init__.py": "",
            "shop/services/orders.py": "from shop.core import models\n",
            "shop/services/audit.py": "",
            "shop/services/sms.py": notifier("SmsNotifier"),
            "shop/core/__init__.py": "",
            "shop/core/models.py": "",
            "shop/core/notifiers.py": notifier("EmailNotifier"),
        },
    ),
    ("Audit reads the api views", {"shop/services/audit.py": "from shop.api import views\n"}),
    (
        "Payments, called from the api; push notifications",
        {
            "shop/payments.py": "",
            "shop/api/views.py": "from shop.services import orders\nfrom shop import payments\n",
            "shop/api/push.py": notifier("PushNotifier"),
        },
    ),
    ("Audit no longer reads the api", {"shop/services/audit.py": ""}),
    ("Docs", {"README.md": "shop, layered\n"}),
    (
        "Payments behind the services; no SMS",
        {
            "contracts/architecture.toml": TODAYS_CONTRACTS,
            "shop/api/views.py": "from shop.services import orders\n",
            "shop/services/sms.py": None,
        },
    ),
]

# Per commit: modules, (violations, governed, compliance) per contract (None: n/a), the
# Notifier family's independent implementations (None: not competing).
EXPECTED: list[tuple[int | None, tuple[int, int, float] | None, tuple[int, int, float] | None, int | None]] = [
    (None, None, None, None),
    (10, (0, 2, 1.0), None, 2),
    (10, (1, 3, 2 / 3), None, 2),
    (12, (1, 4, 0.75), (1, 2, 0.5), 3),
    (12, (0, 3, 1.0), (1, 2, 0.5), 3),
    (12, (0, 3, 1.0), (1, 2, 0.5), 3),
    (11, (0, 2, 1.0), (0, 1, 1.0), 2),
]


def git(repository: Path, *arguments: str, environment: Mapping[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments],
        cwd=repository,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(environment or {})},
    ).stdout


def build_history(repository: Path, history: list[tuple[str, Mapping[str, str | None]]]) -> list[str]:
    """Commit each step (dated a day apart); the shas, oldest first."""
    repository.mkdir(parents=True, exist_ok=True)
    git(repository, "init", "-q", "-b", "main")
    shas = []
    for day, (subject, files) in enumerate(history, start=1):
        for relative, content in files.items():
            if content is None:
                git(repository, "rm", "-q", relative)
            else:
                write_tree(repository, {relative: content})
        git(repository, "add", "-A")
        date = f"2024-01-{day:02d}T12:00:00+00:00"
        git(repository, "commit", "-q", "-m", subject,
            environment={"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date})
        shas.append(git(repository, "rev-parse", "HEAD").strip())
    return shas


def numbers(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The EXPECTED shape, read from the JSON document."""
    found = []
    for commit in document["commits"]:
        contracts = commit["contracts"]
        per_contract = []
        for contract_id in ("layers", "api-no-payments"):
            entry = contracts[contract_id]
            per_contract.append(
                None if entry["unavailable"] else
                (entry["violations"], entry["governed"], pytest.approx(entry["compliance"]))
            )
        family = commit["families"].get("Notifier")
        found.append((commit["modules"], *per_contract, family["implementations"] if family else None))
    return found


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("shop")
    return root, build_history(root, HISTORY)


@pytest.fixture(scope="module")
def measured(repository: tuple[Path, list[str]]) -> Trend:
    root, _shas = repository
    return trend(root, "main")


def test_each_commit_is_judged_by_todays_contracts(
    measured: Trend, repository: tuple[Path, list[str]]
) -> None:
    _root, shas = repository
    document = json.loads(render_trend_json(measured))
    assert [c["sha"] for c in document["commits"]] == shas
    assert [c["subject"] for c in document["commits"]] == [subject for subject, _ in HISTORY]
    assert document["commits"][1]["date"] == "2024-01-02T12:00:00+00:00"
    assert numbers(document) == [
        (modules, *(None if c is None else (c[0], c[1], pytest.approx(c[2])) for c in (layers, forbidden)), family)
        for modules, layers, forbidden, family in EXPECTED
    ]
    assert [c["id"] for c in document["contracts"]] == ["layers", "api-no-payments"]
    assert document["judged_by"]["config_files"] == ["contracts/architecture.toml"]
    assert "today's contracts" in document["judged_by"]["note"]


def test_a_commit_without_the_package_and_a_contract_naming_a_missing_module_are_na(
    measured: Trend,
) -> None:
    readme_only, layered = measured.points[0], measured.points[1]
    assert readme_only.unavailable is not None and "root package(s) not found: shop" in readme_only.unavailable
    assert f"under the tree of {readme_only.commit.sha[:10]}" in readme_only.unavailable  # not a temporary path
    assert readme_only.modules is None and all(not c.available for c in readme_only.contracts)
    forbidden = layered.contract("api-no-payments")
    assert forbidden is not None and forbidden.violations is None
    assert forbidden.unavailable == "forbidden_modules: 'shop.payments' matches no module in the graph"
    assert layered.unavailable is None


def test_a_commit_that_changes_no_python_file_shares_the_numbers_of_the_one_before(
    measured: Trend, repository: tuple[Path, list[str]]
) -> None:
    _root, shas = repository
    docs = measured.points[5]
    assert docs.same_as == shas[4]
    assert docs.commit.subject == "Docs"
    assert [p.same_as for p in measured.points].count(None) == len(shas) - 1


def test_family_sizes_follow_the_history(measured: Trend) -> None:
    assert [p.family("Notifier") for p in measured.points][3] is not None
    three = measured.points[3].family("Notifier")
    assert three is not None and (three.implementations, three.roots, three.classes) == (3, 3, 3)
    assert measured.concepts == ("Notifier",)


def test_csv_has_one_row_per_commit_and_one_column_per_metric(
    measured: Trend, repository: tuple[Path, list[str]]
) -> None:
    _root, shas = repository
    rows = list(csv.DictReader(io.StringIO(render_trend_csv(measured))))
    assert list(rows[0]) == [
        "sha", "date", "subject", "modules", "scan_problems", "unavailable",
        "violations:layers", "new:layers", "fixed:layers", "compliance:layers",
        "violations:api-no-payments", "new:api-no-payments", "fixed:api-no-payments",
        "compliance:api-no-payments",
        "implementations:Notifier", "roots:Notifier", "classes:Notifier",
    ]
    assert [r["sha"] for r in rows] == shas
    assert [r["violations:layers"] for r in rows] == ["n/a", "0", "1", "1", "0", "0", "0"]
    assert [r["compliance:layers"] for r in rows] == [
        "n/a", "1.000000", "0.666667", "0.750000", "1.000000", "1.000000", "1.000000",
    ]
    assert [r["violations:api-no-payments"] for r in rows] == ["n/a", "n/a", "n/a", "1", "1", "1", "0"]
    # Against the commit before where the contract was judged; empty at the first such commit.
    assert [r["new:layers"] for r in rows] == ["n/a", "", "1", "0", "0", "0", "0"]
    assert [r["fixed:layers"] for r in rows] == ["n/a", "", "0", "0", "1", "0", "0"]
    assert [r["new:api-no-payments"] for r in rows] == ["n/a", "n/a", "n/a", "", "0", "0", "0"]
    assert [r["fixed:api-no-payments"] for r in rows] == ["n/a", "n/a", "n/a", "", "0", "0", "1"]
    assert [r["modules"] for r in rows] == ["n/a", "10", "10", "12", "12", "12", "11"]
    assert [r["implementations:Notifier"] for r in rows] == ["", "2", "2", "3", "3", "3", "2"]
    assert rows[0]["unavailable"].startswith("root package(s) not found: shop")


def test_json_is_stable(measured: Trend) -> None:
    text = render_trend_json(measured)
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def svg_ids(svg: str) -> set[str]:
    tree = ElementTree.fromstring(svg)  # raises if the SVG does not parse
    return {element.get("id", "") for element in tree.iter()}


def test_svg_parses_and_has_a_series_per_contract_and_family(measured: Trend) -> None:
    svg = render_trend_svg(measured)
    ids = svg_ids(svg)
    for contract_id in ("layers", "api-no-payments"):
        assert f"violations:{contract_id}" in ids
        assert f"compliance:{contract_id}" in ids
    assert "implementations:Notifier" in ids
    assert render_trend_svg(measured) == svg  # the same trend gives the same file


def test_html_embeds_the_chart_and_the_table_offline(measured: Trend) -> None:
    page = render_trend_html(measured)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "src=\"http" not in page and "href=\"http" not in page
    chart = page[page.index("<svg"): page.index("</svg>") + len("</svg>")]
    assert {"violations:layers", "compliance:api-no-payments"} <= svg_ids(chart)
    assert page.count("<tr>") == 1 + len(HISTORY)  # header + one row per commit
    assert "1 (+1, -0) · 66.6%" in page  # violations (new, fixed) · compliance, rounded down as in the text report
    assert "judged by today&#x27;s contracts" in page


def test_cli_writes_each_format_and_leaves_the_working_tree_and_index_alone(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    build_history(root, HISTORY)
    # A dirty working tree: staged, modified and untracked changes must all survive.
    write_tree(root, {"shop/core/models.py": "from shop.api import views\n", "notes.txt": "wip\n"})
    git(root, "add", "shop/core/models.py")
    write_tree(root, {"shop/services/audit.py": "import shop.api\n"})

    def state() -> tuple[str, ...]:
        stamps = sorted(
            (str(p.relative_to(root)), p.stat().st_mtime_ns)
            for p in root.rglob("*") if ".git" not in p.parts and p.is_file()
        )
        return (
            git(root, "status", "--porcelain=v2", "--branch", "--untracked-files=all"),
            git(root, "diff"), git(root, "diff", "--cached"), git(root, "worktree", "list"),
            git(root, "rev-parse", "HEAD"), git(root, "ls-files", "--stage"), repr(stamps),
        )

    before = state()
    for suffix in ("json", "csv", "svg", "html"):
        code, out, err = run_cli(["trend", root, "--revs", "main~5..main", "-o", tmp_path / f"trend.{suffix}"])
        assert code == 0, err
        assert out == f"wrote {tmp_path / f'trend.{suffix}'} (5 commits)\n"
    assert state() == before
    document = json.loads((tmp_path / "trend.json").read_text())
    assert [c["contracts"]["layers"]["violations"] for c in document["commits"]] == [1, 1, 0, 0, 0]
    assert ElementTree.parse(tmp_path / "trend.svg").getroot().tag.endswith("svg")
    assert (tmp_path / "trend.csv").read_text().count("\n") == 6


def test_every_samples_the_range_and_keeps_the_last_commit(repository: tuple[Path, list[str]]) -> None:
    root, shas = repository
    sampled = trend(root, "main", every=3)
    assert [p.commit.sha for p in sampled.points] == [shas[0], shas[3], shas[6]]
    assert sampled.commits_in_range == 7 and sampled.every == 3
    assert [p.contract("layers").violations for p in sampled.points] == [None, 1, 0]  # type: ignore[union-attr]
    every_four = trend(root, "main", every=4)
    assert [p.commit.sha for p in every_four.points] == [shas[0], shas[4], shas[6]]


def test_the_shared_cache_changes_no_number(measured: Trend, repository: tuple[Path, list[str]]) -> None:
    root, _shas = repository
    cold = trend(root, "main", RunOptions(use_cache=False))
    assert render_trend_json(cold) == render_trend_json(measured)


def test_config_option_replaces_todays_contracts(repository: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, shas = repository
    config = write_tree(tmp_path, {"only-layers.toml": LAYERS_CONTRACT}) / "only-layers.toml"
    code, _out, err = run_cli(
        ["trend", root, "--revs", f"{shas[1]}..main", "--config", config, "-o", tmp_path / "t.json", "--quiet"]
    )
    assert code == 0, err
    document = json.loads((tmp_path / "t.json").read_text())
    assert [c["id"] for c in document["contracts"]] == ["layers"]
    assert len(document["commits"]) == 5  # the range excludes its start


def test_the_checkout_writes_only_python_files_and_rewrites_only_changed_ones(
    repository: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = repository
    with Checkout(locate(root), tmp_path) as checkout:
        assert checkout.switch(shas[1])
        written = sorted(p.relative_to(checkout.root).as_posix() for p in checkout.root.rglob("*") if p.is_file())
        assert written == sorted(p for p, content in HISTORY[1][1].items() if p.endswith(".py"))
        models = checkout.root / "shop" / "core" / "models.py"
        audit = checkout.root / "shop" / "services" / "audit.py"
        models_stamp, audit_stamp = models.stat().st_mtime_ns, audit.stat().st_mtime_ns
        time.sleep(0.05)  # longer than the file system's clock tick: a rewrite would get a new mtime
        assert checkout.switch(shas[2])
        assert models.stat().st_mtime_ns == models_stamp  # unchanged: the caches keyed by it still hit
        assert audit.read_text() == "from shop.api import views\n"
        assert audit.stat().st_mtime_ns > audit_stamp
        assert checkout.switch(shas[4]) and not checkout.switch(shas[5])  # shas[5] changes docs only
        assert checkout.switch(shas[6])
        assert not (checkout.root / "shop" / "services" / "sms.py").exists()
        assert checkout.switch(shas[0])
        assert list(checkout.directory.iterdir()) == []  # no Python file: no folder left either


def test_a_switch_compared_ahead_or_not_writes_the_same_files(
    repository: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """`then` lets git compare the next pair of commits meanwhile; a different next commit
    than announced is compared then and there."""
    root, shas = repository
    order = [shas[1], shas[2], shas[4], shas[6], shas[2], shas[1]]
    announced = [shas[2], shas[0], shas[6], shas[2], None, None]  # the second one is wrong

    def contents(checkout: Checkout) -> dict[str, str]:
        return {p.relative_to(checkout.directory).as_posix(): p.read_text()
                for p in checkout.directory.rglob("*.py")}

    with Checkout(locate(root), tmp_path / "ahead") as ahead, Checkout(locate(root), tmp_path / "plain") as plain:
        for sha, then in zip(order, announced, strict=True):
            assert ahead.switch(sha, then=then) == plain.switch(sha)
            assert contents(ahead) == contents(plain)


def linked_to(tree: Path, root: Path, path: str, user_path: str) -> bool:
    return (tree / path).stat().st_ino == (root / user_path).stat().st_ino


def test_the_first_commit_links_what_the_working_tree_holds_unchanged_and_never_writes_into_it(
    tmp_path: Path,
) -> None:
    """Files the working tree holds as the commit has them are hard-linked, not copied; a
    modified file, or one git is told not to look at, is written from git's objects. A later
    commit replaces a linked file: the user's file keeps its bytes, inode and mtime."""
    root = tmp_path / "repo"
    shas = build_history(root, HISTORY)
    write_tree(root, {"shop/core/models.py": "# work in progress\n"})  # modified
    write_tree(root, {"shop/services/orders.py": "# hidden from git\n"})  # modified, and ...
    git(root, "update-index", "--assume-unchanged", "shop/services/orders.py")  # ... assumed not
    os.utime(root / "shop/api/views.py", ns=(1, 1))  # the index's stat data is stale: same bytes
    git(root, "mv", "shop/core/notifiers.py", "shop/core/mail.py")  # a staged rename
    user_files = {p: (root / p).stat() for p in ("shop/api/views.py", "shop/services/audit.py")}
    with Checkout(locate(root), tmp_path / "checkout") as checkout:
        checkout.switch(shas[6])
        tree = checkout.root
        assert not linked_to(tree, root, "shop/core/notifiers.py", "shop/core/mail.py")
        assert (tree / "shop/core/notifiers.py").read_text() == notifier("EmailNotifier")

        def linked(path: str) -> bool:
            return (tree / path).stat().st_ino == (root / path).stat().st_ino

        assert linked("shop/api/views.py") and linked("shop/services/audit.py")
        assert "shop/api/views.py" in git(root, "diff-files", "--name-only")  # index not refreshed
        assert not linked("shop/core/models.py") and (tree / "shop/core/models.py").read_text() == ""
        assert not linked("shop/services/orders.py")
        assert (tree / "shop/services/orders.py").read_text() == "from shop.core import models\n"
        checkout.switch(shas[2])  # views.py and audit.py differ there
        assert (tree / "shop/services/audit.py").read_text() == "from shop.api import views\n"
        assert not linked("shop/services/audit.py")
    for path, before in user_files.items():
        after = (root / path).stat()
        assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert (root / "shop/services/audit.py").read_text() == ""
    assert (root / "shop/api/views.py").read_text() == "from shop.services import orders\n"


def test_errors_are_usage_errors(repository: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _shas = repository
    code, _out, err = run_cli(["trend", root, "--revs", "nope..main", "-o", tmp_path / "t.json"])
    assert code == 2 and "git rev-list failed" in err
    code, _out, err = run_cli(["trend", root, "--revs", "main..main", "-o", tmp_path / "t.json"])
    assert code == 2 and "no commits in 'main..main'" in err
    code, _out, err = run_cli(["trend", root, "--revs", "main", "-o", tmp_path / "t.txt"])
    assert code == 2 and "cannot tell the format" in err
    outside = write_tree(tmp_path / "plain", {"contracts/a.toml": LAYERS_CONTRACT, "shop/__init__.py": ""})
    code, _out, err = run_cli(["trend", outside, "--revs", "HEAD", "-o", tmp_path / "t.json"])
    assert code == 2 and "not inside a git repository" in err


def test_a_project_in_a_subfolder_and_first_parent(tmp_path: Path) -> None:
    """PATH below the repository's top (a monorepo); --first-parent skips a merged branch's commits."""
    root = tmp_path / "mono"
    build_history(root, [
        ("Service", {"svc/contracts/architecture.toml": LAYERS_CONTRACT, **{
            f"svc/{path}": text for path, text in HISTORY[1][1].items() if path.startswith("shop/")}}),
        ("Unrelated tool", {"tools/shop/__init__.py": "", "tools/shop/api/__init__.py": "import shop.core\n"}),
    ])
    git(root, "checkout", "-q", "-b", "feature")
    write_tree(root, {"svc/shop/services/audit.py": "from shop.api import views\n"})
    git(root, "commit", "-q", "-am", "Feature: audit reads the api")
    write_tree(root, {"svc/shop/services/audit.py": ""})
    git(root, "commit", "-q", "-am", "Feature: audit fixed")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")

    full = trend(root / "svc", "main")
    assert [p.commit.subject for p in full.points] == [
        "Service", "Unrelated tool", "Feature: audit reads the api", "Feature: audit fixed", "Merge feature",
    ]
    assert [p.contract("layers").violations for p in full.points] == [0, 0, 1, 0, 0]  # type: ignore[union-attr]
    # tools/ is outside svc/: its commit changes nothing the scan reads.
    assert full.points[1].same_as == full.points[0].commit.sha
    assert [p.modules for p in full.points] == [10, 10, 10, 10, 10]

    mainline = trend(root / "svc", "main", first_parent=True)
    assert [p.commit.subject for p in mainline.points] == ["Service", "Unrelated tool", "Merge feature"]
    assert mainline.first_parent


# Each commit changes what the last one's analysis could be reused for: a re-export that moves
# two unchanged classes to another family, an import that changes no class, a comment.
RE_EXPORT_HISTORY: list[tuple[str, Mapping[str, str | None]]] = [
    (
        "Notifiers",
        {
            "contracts/architecture.toml": LAYERS_CONTRACT,
            "shop/__init__.py": "",
            "shop/bases.py": "class Notifier:\n    def send(self):\n        pass\n\n\n"
            "class Sender:\n    def send(self):\n        pass\n",
            "shop/core/__init__.py": "from shop.bases import Notifier as Base\n",
            "shop/core/email.py": "from shop.core import Base\n\n\nclass EmailNotifier(Base):\n"
            "    def send(self):\n        pass\n",
            "shop/core/sms.py": "from . import Base\n\n\nclass SmsNotifier(Base):\n    def send(self):\n        pass\n",
            "shop/api/__init__.py": "",
            "shop/api/push.py": "from shop.bases import Sender\n\n\nclass PushNotifier(Sender):\n"
            "    def send(self):\n        pass\n",
            "shop/services/__init__.py": "",
        },
    ),
    ("Core notifiers are senders", {"shop/core/__init__.py": "from shop.bases import Sender as Base\n"}),
    ("Core reads the api", {"shop/core/sms.py": "from . import Base\n\n\nclass SmsNotifier(Base):\n"
                            "    def send(self):\n        pass\nfrom shop.api import push\n"}),
    ("Comment", {"shop/core/email.py": "from shop.core import Base\n\n\nclass EmailNotifier(Base):\n"
                 "    def send(self):\n        pass\n# email\n"}),
    # The same imports between modules, on other lines: the contracts' numbers are reused.
    ("Import moved", {"shop/core/sms.py": "from shop.api import push\nfrom . import Base\n\n\n"
                      "class SmsNotifier(Base):\n    def send(self):\n        pass\n"}),
    ("Layers fixed", {"shop/core/sms.py": "from . import Base\n\n\nclass SmsNotifier(Base):\n"
                      "    def send(self):\n        pass\n"}),
]


def test_what_one_commit_leaves_for_the_next_changes_no_number(tmp_path: Path) -> None:
    """The trend reuses the last commit's facts, class model and families; `--no-cache`
    analyzes each commit from scratch, and both must agree on every number."""
    root = tmp_path / "repository"
    build_history(root, RE_EXPORT_HISTORY)
    carried = trend(root, "main")
    scratch = trend(root, "main", RunOptions(use_cache=False))
    assert render_trend_json(carried) == render_trend_json(scratch)
    notifiers = [p.family("Notifier") for p in carried.points]
    # The re-export alone takes EmailNotifier and SmsNotifier (unchanged files) out from
    # under the Notifier base: four roots instead of two.
    assert [(f.roots, f.classes) if f else None for f in notifiers] == [(2, 4), *[(4, 4)] * 5]
    assert [p.contract("layers").violations for p in carried.points] == [0, 0, 1, 1, 1, 0]  # type: ignore[union-attr]


SYMBOL_CONTRACT = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "registry"
name = "Only the registry imports AgentRegistry"
type = "protected"
symbols = ["pkg.registry.AgentRegistry"]
allowed_importers = ["pkg.registry"]
"""


def test_a_symbol_rule_is_judged_again_when_only_the_imported_name_changes(tmp_path: Path) -> None:
    """pkg.user imports from pkg.registry in every commit: the module pair stays, the name does
    not. A contract that reads names is never reused on the strength of the module graph."""
    root = tmp_path / "repository"
    build_history(root, [
        ("Registry", {
            "contracts/architecture.toml": SYMBOL_CONTRACT,
            "pkg/__init__.py": "",
            "pkg/registry.py": "class AgentRegistry:\n    pass\n\n\nDEFAULT_TIMEOUT = 3\n",
            "pkg/user.py": "from pkg.registry import AgentRegistry\n",
        }),
        ("Through the timeout only", {"pkg/user.py": "from pkg.registry import DEFAULT_TIMEOUT\n"}),
        ("Back", {"pkg/user.py": "from pkg.registry import AgentRegistry as Registry\n"}),
    ])
    measured = trend(root, "main")
    assert [p.contract("registry").violations for p in measured.points] == [1, 0, 1]  # type: ignore[union-attr]


FORBID_B = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "no-b"
name = "m does not import b"
type = "forbidden"
source_modules = ["pkg.m"]
forbidden_modules = ["pkg.b"]
"""


def test_a_file_rewritten_at_once_with_the_same_size_gets_a_new_mtime(tmp_path: Path) -> None:
    """The caches key a file's version by (size, mtime), and file systems with a coarse clock
    (whole seconds on some) can give two quick rewrites of one size the same mtime. So the
    checkout stamps each switch's files itself: one mtime per switch, 1 ms or more apart."""
    root = tmp_path / "repository"
    shas = build_history(root, [
        ("a", {"pkg/__init__.py": "", "pkg/m.py": "import pkg.a\n", "pkg/n.py": "import pkg.a\n",
               "pkg/a.py": "", "pkg/b.py": "", "contracts/c.toml": FORBID_B}),
        ("b", {"pkg/m.py": "import pkg.b\n", "pkg/n.py": "import pkg.b\n"}),
        ("a again", {"pkg/m.py": "import pkg.a\n", "pkg/n.py": "import pkg.a\n"}),
    ])
    with Checkout(locate(root), tmp_path / "checkout") as checkout:
        stamps = []
        for sha in [*shas, shas[1], shas[2]]:
            checkout.switch(sha)
            written = {(checkout.root / "pkg" / name).stat().st_mtime_ns for name in ("m.py", "n.py")}
            stamps.append(written)
        later = stamps[1:]  # the first switch writes new files: any mtime will do
        assert all(len(written) == 1 for written in later)
        times = [min(written) for written in later]
        assert all(b - a >= 1_000_000 for a, b in itertools.pairwise(times))
    measured = trend(root, "main")
    assert [p.contract("no-b").violations for p in measured.points] == [0, 1, 0]  # type: ignore[union-attr]


def test_a_later_trend_reads_file_facts_by_content_instead_of_parsing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archgraph.scan.facts as facts_module  # noqa: PLC0415

    root = tmp_path / "shop"
    build_history(root, HISTORY)
    parse_batch = facts_module._parse_batch
    parsed: list[str] = []

    def counted(batch: Any, *args: Any, **kwargs: Any) -> Any:  # the real parser, counted
        parsed.extend(path for _module, path in batch)
        return parse_batch(batch, *args, **kwargs)

    monkeypatch.setattr(facts_module, "_parse_batch", counted)

    def run(revisions: str = "main") -> tuple[str, int]:
        parsed.clear()
        return render_trend_json(trend(root, revisions)), len(parsed)

    first, parsed_first = run()
    assert parsed_first >= 11  # every file of the shop, and the versions that changed
    assert (root / ".git" / "archgraph" / FACTS_BY_CONTENT_NAME).is_file()  # not in the working tree
    second, parsed_second = run()
    assert (second, parsed_second) == (first, 0)
    # A new commit: only its new file content is parsed; the numbers are those of a cold trend.
    write_tree(root, {"shop/core/models.py": "class Order:\n    pass\n"})
    git(root, "commit", "-qam", "Orders")
    third, parsed_third = run()
    assert parsed_third == 1
    assert third == render_trend_json(trend(root, "main", RunOptions(use_cache=False)))
    # A trend over fewer commits keeps what a longer one found (room for two trees' files).
    _, parsed_short = run("main~1..main")
    assert parsed_short == 0
    assert run() == (third, 0)


def test_a_module_that_is_a_link_follows_its_target_from_commit_to_commit(tmp_path: Path) -> None:
    """shop/alias.py links to shop/real.py: a commit that rewrites only real.py changes both
    modules (the checkout never writes the link), in this run and the next."""
    root = tmp_path / "shop"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_tree(root, {**dict(HISTORY[1][1]), "shop/real.py": "import shop.core.models\n"})
    os.symlink("real.py", root / "shop" / "alias.py")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "A module and its alias")
    write_tree(root, {"shop/real.py": "import shop.api.views\n" + notifier("PagerNotifier")})
    git(root, "commit", "-qam", "The alias too imports the api and has a notifier")
    cold = trend(root, "main", RunOptions(use_cache=False))
    # PagerNotifier read twice, through real.py and alias.py: a concept of its own.
    (pagers,) = [f for f in cold.points[-1].families or () if f.concept == "PagerNotifier"]
    assert pagers.implementations == 2
    for _run in ("first", "again: facts kept by content"):
        assert render_trend_json(trend(root, "main", RunOptions(cache_dir=tmp_path / "kept"))) == (
            render_trend_json(cold)
        )
