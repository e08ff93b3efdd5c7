"""Issue 17's generated backend, end to end: one tree with the patterns of its points 1-6, and
the counts each command gives on it (families, check in every summary, audit, init)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, write_tree

from tests.functional.test_families_backend import backend_files

CONTRACTS = """
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "registry"
name = "AgentRegistry only through app.core"
type = "protected"
symbols = ["app.core.registry.AgentRegistry"]
allowed_importers = ["app.core", "app.agents.registry", "app.services.registry_compat"]

[[contracts]]
id = "one-dispatcher"
name = "One tool dispatcher"
type = "single-implementation"
concept = "*ToolDispatcher"
canonical = "app.core.dispatcher.UnifiedToolDispatcher"
"""

# Twelve production modules import AgentRegistry around app.core: 8 under TYPE_CHECKING, 2 in a
# function, 2 at module level; and 20 test modules do too.
TYPED = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.core.registry import AgentRegistry\n"
IN_FUNCTION = "def registry():\n    from app.core.registry import AgentRegistry\n    return AgentRegistry()\n"
RUNTIME = "from app.core.registry import AgentRegistry\n\nREGISTRY = AgentRegistry()\n"
IMPORTERS = {
    **{f"app/api/typed_{i}.py": TYPED for i in range(8)},
    **{f"app/routes/lazy_{i}.py": IN_FUNCTION for i in range(2)},
    **{f"app/workers/eager_{i}.py": RUNTIME for i in range(2)},
    **{f"app/tests/test_registry_{i}.py": RUNTIME for i in range(20)},
}


@pytest.fixture
def backend(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {**backend_files(), **IMPORTERS, "contracts/architecture.toml": CONTRACTS})


def check(root: Path) -> dict[str, Any]:
    code, out, err = run_cli(["check", root, "--no-cache", "--format", "json"])
    assert code == 1, err
    document: dict[str, Any] = json.loads(out)
    return document


def contract(document: dict[str, Any], contract_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in document["contracts"] if c["id"] == contract_id)
    return found


def test_point_4_violations_in_test_code_are_counted_apart(backend: Path) -> None:
    registry = contract(check(backend), "registry")
    violations = registry["violations"]
    assert len(violations) == 32
    assert sum(v["in_tests"] for v in violations) == 20
    # Production first: the 12 production violations are listed before the 20 in tests.
    assert [v["in_tests"] for v in violations] == [False] * 12 + [True] * 20


def test_point_6_every_site_says_its_import_kind(backend: Path) -> None:
    registry = contract(check(backend), "registry")
    production = [v for v in registry["violations"] if not v["in_tests"]]
    kinds = sorted(v["import_kind"] for v in production)
    assert kinds == ["function"] * 2 + ["runtime"] * 2 + ["type_checking"] * 8
    code, out, _ = run_cli(["why", "app.api.typed_0", "app.core.registry", backend, "--no-cache"])
    assert code == 0 and "type_checking" in out


def test_point_5_fixing_violations_never_lowers_compliance(backend: Path) -> None:
    before = contract(check(backend), "registry")
    for i in range(5):  # 5 of the 12 production sites are fixed
        (backend / f"app/api/typed_{i}.py").write_text("")
    after = contract(check(backend), "registry")
    assert len(after["violations"]) == len(before["violations"]) - 5
    assert after["compliance"] > before["compliance"]


def test_the_audit_scorecards(backend: Path) -> None:
    code, out, err = run_cli(["audit", backend, "--no-cache", "--format", "json"])
    assert code == 0, err
    document = json.loads(out)
    cards = {c["concept"]: c for c in document["scorecards"]}
    registry = cards["AgentRegistry"]
    assert (registry["canonical_sites"], registry["bypassing_sites"], registry["test_sites"]) == (0, 12, 20)
    definitions = {i["class"]: i["definition"] for i in registry["implementations"]}
    assert definitions["app.agents.registry.AgentRegistry"] == "shadow"
    assert definitions["app.services.registry_compat.AgentRegistry"] == "fallback"
    dispatchers = cards["*ToolDispatcher"]
    # Six production implementations (one built inside a method); the test fake is exempt.
    assert dispatchers["competing_implementations"] == 5
    assert dispatchers["canonical"] == "app.core.dispatcher.UnifiedToolDispatcher"
    standing = {i["class"]: i["standing"] for i in dispatchers["implementations"]}
    assert standing["app.workers.runner.Runner.build_dispatcher.MinimalToolDispatcher"] == "competing"
    assert standing["app.tests.test_dispatch.FakeToolDispatcher"] == "exempt"


def test_init_proposes_no_contract_for_tests_and_no_test_double_as_canonical(backend: Path) -> None:
    (backend / "contracts/architecture.toml").unlink()
    code, out, err = run_cli(["init", backend, "-p", "app", "--no-cache", "--dry-run"])
    assert code == 0, err
    assert "app.tests" not in [line.split("=")[-1].strip() for line in out.splitlines() if "modules" in line]
    assert "Fake" not in "".join(line for line in out.splitlines() if line.startswith("canonical"))
    assert "Mock" not in "".join(line for line in out.splitlines() if line.startswith("canonical"))
