"""Compliance and configuration errors end to end: real trees on disk, the CLI, real grimp."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, write_tree

CONFIG = """
[archgraph]
root_packages = ["app"]
include_namespace_dirs = {namespace}

{contracts}
"""
PROTECTED = """
[[contracts]]
id = "registry"
name = "The store is reached through the registry"
type = "protected"
modules = ["app.registry.store"]
allowed_importers = ["app.registry"]
"""


def registry_tree(root: Path, bypassing: int, through_registry: int) -> Path:
    """12 services: the first `bypassing` import the store directly (violations), the next
    `through_registry` import the registry instead (the permitted path), the others neither."""
    files: dict[str, str] = {
        "app/__init__.py": "",
        "app/registry/__init__.py": "from app.registry.store import Store\n",
        "app/registry/store.py": "class Store:\n    pass\n",
        "app/services/__init__.py": "",
        "contracts/arch.toml": CONFIG.format(namespace="false", contracts=PROTECTED),
    }
    for index in range(12):
        if index < bypassing:
            text = "from app.registry.store import Store\n"
        elif index < bypassing + through_registry:
            text = "from app.registry import Store\n"
        else:
            text = ""
        files[f"app/services/s{index:02}.py"] = text
    return write_tree(root, files)


def contract_json(root: Path, *more: str) -> dict[str, Any]:
    _code, stdout, _stderr = run_cli(["check", root, "--no-cache", "--format", "json", *more])
    (contract,) = json.loads(stdout)["contracts"]
    return contract  # type: ignore[no-any-return]


def test_removing_violating_imports_raises_compliance(tmp_path: Path) -> None:
    """10 services bypass the registry, 2 go through it; 5 bypasses removed: compliance rises."""
    before = contract_json(registry_tree(tmp_path / "before", bypassing=10, through_registry=2))
    after = contract_json(registry_tree(tmp_path / "after", bypassing=5, through_registry=2))

    assert (before["respecting"], before["violating"], before["exempt"]) == (2, 10, 1)
    assert (after["respecting"], after["violating"], after["exempt"]) == (2, 5, 1)
    assert before["governed"] == before["respecting"] + before["violating"]
    assert after["compliance"] > before["compliance"]
    assert before["compliance"] == pytest.approx(2 / 12)
    assert after["compliance"] == pytest.approx(2 / 7)
    assert "respecting / (respecting + violating)" in before["compliance_formula"]


def test_twelve_violations_five_removed_or_rerouted(tmp_path: Path) -> None:
    """The issue's numbers: 12 violating imports; removing 5 or rerouting them through the
    registry raises compliance, never lowers it."""
    files = {
        "app/__init__.py": "",
        "app/registry/__init__.py": "from app.registry.store import Store\n",
        "app/registry/store.py": "class Store:\n    pass\n",
        "app/web.py": "from app.registry import Store\n",  # the permitted path
        "contracts/arch.toml": CONFIG.format(namespace="false", contracts=PROTECTED),
    }
    twelve = {f"app/services/s{i:02}.py": "import app.registry.store\n" for i in range(12)}
    seven = {f"app/services/s{i:02}.py": "import app.registry.store\n" for i in range(7)}
    rerouted = {**seven, **{f"app/services/s{i:02}.py": "import app.registry\n" for i in range(7, 12)}}
    services = {"app/services/__init__.py": ""}

    start = contract_json(write_tree(tmp_path / "start", {**files, **services, **twelve}))
    removed = contract_json(write_tree(tmp_path / "removed", {**files, **services, **seven}))
    moved = contract_json(write_tree(tmp_path / "moved", {**files, **services, **rerouted}))

    assert (start["violating"], start["respecting"]) == (12, 1)
    assert (removed["violating"], removed["respecting"]) == (7, 1)
    assert (moved["violating"], moved["respecting"]) == (7, 6)
    assert start["compliance"] < removed["compliance"] < moved["compliance"]


ACYCLIC = """
[[contracts]]
id = "no-cycles"
name = "No cycles"
type = "acyclic"
packages = ["app"]
max_cycle_length = {length}
"""


def test_acyclic_compliance_is_the_same_for_any_max_cycle_length(tmp_path: Path) -> None:
    """A 2-cycle and a 4-cycle through the same children, and imports on no cycle."""
    files = {
        "app/__init__.py": "",
        "app/a.py": "import app.b\nimport app.e\n",
        "app/b.py": "import app.a\nimport app.c\n",
        "app/c.py": "import app.d\n",
        "app/d.py": "import app.a\nimport app.e\n",
        "app/e.py": "",
    }
    results = []
    for length in (2, 8):
        root = write_tree(
            tmp_path / f"len{length}",
            {**files, "contracts/arch.toml": CONFIG.format(namespace="false", contracts=ACYCLIC.format(length=length))},
        )
        results.append(contract_json(root))
    short, long = results

    # Governed: the 7 imports between children; on a cycle: a->b, b->a, b->c, c->d, d->a.
    assert (short["governed"], short["respecting"], short["violating"]) == (7, 2, 5)
    assert (long["governed"], long["respecting"], long["compliance"]) == (7, 2, short["compliance"])
    assert len(short["violations"]) < len(long["violations"])  # the display differs, not the figure


MISSING = """
[[contracts]]
id = "missing"
name = "Plugins stay apart"
type = "independence"
modules = ["app.plugins", "app.core"]
"""


def missing_tree(root: Path, namespace: bool) -> Path:
    return write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/core.py": "",
            "app/plugin.py": "",  # close in spelling: the old did-you-mean
            "app/plugins/alpha.py": "import app.core\n",  # no __init__.py: a namespace directory
            "contracts/arch.toml": CONFIG.format(
                namespace="true" if namespace else "false", contracts=MISSING
            ),
        },
    )


@pytest.mark.parametrize("format_name", ["text", "json", "sarif", "junit", "markdown", "github"])
def test_a_contract_naming_a_missing_module_is_a_configuration_error(tmp_path: Path, format_name: str) -> None:
    root = missing_tree(tmp_path, namespace=False)

    code, stdout, _stderr = run_cli(["check", root, "--no-cache", "--format", format_name])

    assert code == 2
    expected = {
        "text": "ERROR   Plugins stay apart",
        "json": '"status": "error"',
        "sarif": '"status": "error"',
        "junit": "missing: error",
        "markdown": "error (configuration)",
        "github": "1 in error (configuration)",
    }[format_name]
    assert expected in stdout
    assert "include_namespace_dirs = true" in stdout or format_name in {"github", "markdown"}


def test_the_hint_names_include_namespace_dirs_not_a_close_module(tmp_path: Path) -> None:
    contract = contract_json(missing_tree(tmp_path, namespace=False))

    assert contract["status"] == "error"
    (diagnostic,) = contract["diagnostics"]
    assert diagnostic["code"] == "AG310"
    assert "app.plugin'" not in diagnostic["hint"]  # not a did-you-mean to an unrelated module
    assert diagnostic["hint"] == (
        "app/plugins is a directory without __init__.py (a namespace package); "
        "set include_namespace_dirs = true to analyze it"
    )


def test_a_module_inside_a_skipped_namespace_directory_gets_the_hint(tmp_path: Path) -> None:
    root = missing_tree(tmp_path, namespace=False)
    (root / "contracts/arch.toml").write_text(
        CONFIG.format(namespace="false", contracts=MISSING.replace('"app.plugins"', '"app.plugins.alpha"'))
    )
    contract = contract_json(root)

    assert contract["status"] == "error"
    assert contract["diagnostics"][0]["hint"].startswith("app/plugins is a directory without __init__.py")


def test_with_namespace_dirs_included_the_module_exists(tmp_path: Path) -> None:
    code, stdout, _stderr = run_cli(
        ["check", missing_tree(tmp_path, namespace=True), "--no-cache", "--format", "json"]
    )

    assert code == 1  # app.plugins.alpha imports app.core: broken, checked
    (contract,) = json.loads(stdout)["contracts"]
    assert contract["status"] == "broken"


def test_a_missing_module_that_is_no_directory_keeps_the_did_you_mean(tmp_path: Path) -> None:
    root = missing_tree(tmp_path, namespace=False)
    (root / "contracts/arch.toml").write_text(
        CONFIG.format(namespace="false", contracts=MISSING.replace("app.plugins", "app.plugn"))
    )
    contract = contract_json(root)

    assert contract["status"] == "error"
    assert contract["diagnostics"][0]["hint"] == "did you mean 'app.plugin'?"


def test_the_html_report_shows_the_error_status(tmp_path: Path) -> None:
    root = missing_tree(tmp_path, namespace=False)
    output = tmp_path / "report.html"

    code, _stdout, _stderr = run_cli(["report", root, "--no-cache", "-o", output])

    assert code == 0
    page = output.read_text()
    assert re.search(r'<tr class="contract error"[^>]*><td class="status">error</td>', page)


def test_a_symbol_in_a_skipped_namespace_directory_gets_the_same_hint(tmp_path: Path) -> None:
    root = missing_tree(tmp_path, namespace=False)
    (root / "contracts/arch.toml").write_text(
        CONFIG.format(
            namespace="false",
            contracts='[[contracts]]\nid = "alpha"\nname = "Alpha"\ntype = "protected"\n'
            'symbols = ["app.plugins.alpha.Thing"]\n',
        )
    )
    code, stdout, _stderr = run_cli(["check", root, "--no-cache", "--format", "json"])

    assert code == 2
    (contract,) = json.loads(stdout)["contracts"]
    assert contract["status"] == "error"
    assert contract["diagnostics"][0]["hint"] == (
        "app/plugins is a directory without __init__.py (a namespace package); "
        "set include_namespace_dirs = true to analyze it"
    )
