"""Production first in `archgraph families`: left-out test code is not even read, and test doubles
sway none of production's findings (the canonical class, the trend's figures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import git, run_cli, write_tree

from archgraph.model.sources import FEW_TESTS
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import read_sources


def dispatcher(name: str, base: str = "") -> str:
    return (
        f"class {name}{f'({base})' if base else ''}:\n"
        "    def dispatch(self, tool):\n        return tool\n\n"
        "    def register(self, tool):\n        pass\n\n\n"
    )


# Two competing dispatchers. Production builds on Zeta; the test doubles subclass Alpha (which
# would also win a tie, by name): counting them made Alpha the canonical one.
TREE = {
    "app/__init__.py": "",
    "app/alpha.py": dispatcher("AlphaToolDispatcher"),
    "app/zeta.py": dispatcher("ZetaToolDispatcher"),
    "app/buffered.py": "from app.zeta import ZetaToolDispatcher\n\n\n"
    + dispatcher("BufferedZetaToolDispatcher", "ZetaToolDispatcher"),
    # A production helper built on a test helper (Django's `staticfiles.testing` on `django.test`).
    "app/testing.py": "from app.tests.helpers import BaseFixture\n\n\n"
    "class LiveFixture(BaseFixture):\n    def start(self):\n        pass\n",
    "app/tests/__init__.py": "",
    "app/tests/helpers.py": "class BaseFixture:\n    def setup(self):\n        pass\n",
    "app/tests/test_dispatch.py": "from app.alpha import AlphaToolDispatcher\n\n\n"
    + dispatcher("FakeAlphaToolDispatcher", "AlphaToolDispatcher")
    + dispatcher("StubAlphaToolDispatcher", "AlphaToolDispatcher"),
    # Nothing production imports: with the test code left out, it is not read at all.
    "app/tests/test_broken.py": "def broken(:\n    pass\n",
}


def written(tmp_path: Path, tree: dict[str, str], few_tests: bool) -> Path:
    """The tree, or the tree among 40 more production modules: few test modules are read with
    the rest in one pass (`FEW_TESTS`), which must change nothing a user sees."""
    padding = {f"app/plain{index}.py": "" for index in range(40)} if few_tests else {}
    assert (4 * FEW_TESTS < len(tree) + len(padding)) == few_tests
    return write_tree(tmp_path, {**tree, **padding})


@pytest.fixture(params=["many tests", "few tests"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return written(tmp_path, TREE, request.param == "few tests")


def families(root: Path, *args: str) -> dict[str, Any]:
    code, out, err = run_cli(["families", str(root), "-p", "app", "--no-cache", "--format", "json", *args])
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def dispatchers(document: dict[str, Any]) -> dict[str, Any]:
    (found,) = [f for f in document["families"] if f["concept"] == "ToolDispatcher"]
    return found


def test_left_out_test_code_is_counted_in_modules_and_not_read(root: Path) -> None:
    document = families(root)
    assert document["test_code"] == {"modules": 4, "classes": None, "included": False}
    # Not reported, whether read or not: what production's model is made of is the same.
    assert not any("test_broken" in (d.get("file") or "") for d in document["diagnostics"])
    code, text, _err = run_cli(["families", str(root), "-p", "app", "--no-cache"])
    assert code == 0
    assert text.splitlines()[-1] == "Left out test code: 4 test modules (--include-tests brings them back)."
    # Brought back, the test code is read: its syntax error is reported, its classes counted.
    included = families(root, "--include-tests")
    assert included["test_code"] == {"modules": 4, "classes": 3, "included": True}
    assert any(
        d["code"] == "AG216" and d["file"] == "app/tests/test_broken.py" for d in included["diagnostics"]
    ), included["diagnostics"]


@pytest.mark.parametrize("few_tests", [False, True])
def test_a_broken_test_helper_that_production_imports_is_reported(tmp_path: Path, few_tests: bool) -> None:
    broken_helper = TREE["app/tests/helpers.py"] + "\n\ndef unfinished(:\n    pass\n"
    root = written(tmp_path, {**TREE, "app/tests/helpers.py": broken_helper}, few_tests)
    reported = {(d["code"], d["file"]) for d in families(root)["diagnostics"]}
    # Its problem is production's (LiveFixture's base comes from it); test_broken's is not.
    assert reported == {("AG216", "app/tests/helpers.py")}


def test_a_base_class_from_a_test_helper_that_production_imports_is_still_resolved(root: Path) -> None:
    sources = read_sources(root, RunOptions(packages=("app",), use_cache=False))[2].sources
    production = sources.production_class_model
    assert production.get("app.testing.LiveFixture").bases == ("app.tests.helpers.BaseFixture",)  # type: ignore[union-attr]
    assert production.get("app.tests.helpers.BaseFixture") is None  # read, but test code
    assert all(c.module not in sources.test_modules for c in production.classes)
    assert "app.tests.test_broken" not in production.modules


def test_test_doubles_do_not_choose_the_canonical_class(root: Path) -> None:
    for extra in ((), ("--include-tests",)):
        family = dispatchers(families(root, *extra))
        assert family["independent_implementations"] == 2
        assert family["canonical"] == "app.zeta.ZetaToolDispatcher", extra


def test_the_trend_counts_families_as_families_does(tmp_path: Path) -> None:
    # pytest's `testpaths` make app/checks test code: `families` leaves its dispatcher out, and
    # so must the trend's figure for the same tree.
    tree = {
        **TREE,
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["app/checks"]\n',
        "app/checks/__init__.py": "",
        "app/checks/doubles.py": dispatcher("RecordingToolDispatcher"),
        "contracts/architecture.toml": '[archgraph]\nroot_packages = ["app"]\n\n[[contracts]]\n'
        'id = "no-cycles"\nname = "No cycles"\ntype = "acyclic"\npackages = ["app"]\n',
    }
    root = write_tree(tmp_path / "repo", tree)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tree")
    output = tmp_path / "trend.json"
    code, _out, err = run_cli(["trend", str(root), "--revs", "main", "--no-cache", "-o", str(output)])
    assert code == 0, err
    (point,) = json.loads(output.read_text())["commits"]
    assert point["families"]["ToolDispatcher"]["implementations"] == 2
    assert dispatchers(families(root))["independent_implementations"] == 2
