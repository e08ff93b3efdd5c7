"""`archgraph audit` on a generated backend: one scorecard per concept, figures that follow a
stated formula, test code counted apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli, write_tree

DISPATCHER_METHODS = "    def dispatch(self, tool):\n        pass\n\n    def register(self, tool):\n        pass\n"

CONTRACTS = """
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "registry"
name = "AgentRegistry only through app.core"
type = "protected"
symbols = ["app.registry.AgentRegistry"]
allowed_importers = ["app.core", "app.agents.registry"]
"""


def backend(with_contract: bool = True) -> dict[str, str]:
    files = {
        "app/__init__.py": "",
        "app/registry.py": "class AgentRegistry:\n    def get(self, name):\n        pass\n",
        # A same-name subclass shadowing the canonical class, and a fallback stub.
        "app/agents/__init__.py": "",
        "app/agents/registry.py": "from app import registry\n\n\nclass AgentRegistry(registry.AgentRegistry):\n    pass\n",
        "app/legacy/__init__.py": "",
        "app/legacy/fallback.py": (
            "try:\n    from app.registry import AgentRegistry\nexcept ImportError:\n"
            "    class AgentRegistry:\n        def get(self, name):\n            return None\n"
        ),
        "app/core/__init__.py": "",
        "app/core/boot.py": "from app.registry import AgentRegistry\n\nREGISTRY = AgentRegistry()\n",
        "app/services/__init__.py": "",
        "app/services/chat.py": "from app.registry import AgentRegistry\n\nregistry = AgentRegistry()\n",
        "app/services/typed.py": (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.registry import AgentRegistry\n"
        ),
        "app/api/__init__.py": "",
        "app/api/agents.py": "from app.agents.registry import AgentRegistry\n",
        # Three production tool dispatchers doing one job; no contract names them.
        "app/tools/__init__.py": "",
        "app/tools/unified.py": f"class UnifiedToolDispatcher:\n{DISPATCHER_METHODS}",
        "app/tools/local.py": f"class LocalToolDispatcher:\n{DISPATCHER_METHODS}",
        "app/routes/__init__.py": "",
        "app/routes/remote.py": f"class RemoteToolDispatcher:\n{DISPATCHER_METHODS}",
        "app/routes/a.py": "from app.tools.unified import UnifiedToolDispatcher\n\nd = UnifiedToolDispatcher()\n",
        "app/routes/b.py": "from app.tools.unified import UnifiedToolDispatcher\n",
        "app/routes/c.py": "from app.tools.unified import UnifiedToolDispatcher\n",
        "app/routes/d.py": "from app.tools.local import LocalToolDispatcher\n\nd = LocalToolDispatcher()\n",
        # Tests inside the package: a test double and imports, counted apart.
        "app/tests/__init__.py": "",
        "app/tests/doubles.py": f"class MockToolDispatcher:\n{DISPATCHER_METHODS}",
        "app/tests/test_registry.py": "from app.registry import AgentRegistry\nfrom app.agents.registry import AgentRegistry as A\n",
        "app/tests/test_tools.py": (
            "from app.tools.unified import UnifiedToolDispatcher\nfrom app.tools.local import LocalToolDispatcher\n"
            "from app.tests.doubles import MockToolDispatcher\n"
        ),
    }
    if with_contract:
        files["contracts/architecture.toml"] = CONTRACTS
    return files


def audit_json(root: Path, *extra: str) -> dict:
    code, out, err = run_cli(["audit", root, "--format", "json", "--no-cache", *extra])
    assert code == 0, err
    return json.loads(out)


def card(document: dict, concept: str) -> dict:
    return next(c for c in document["scorecards"] if c["concept"] == concept)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write_tree(tmp_path, backend())
    return tmp_path


def test_a_protected_symbol_scorecard(tree: Path) -> None:
    registry = card(audit_json(tree), "AgentRegistry")
    assert registry["source"] == "protected" and registry["contract"] == "registry"
    assert registry["canonical"] == "app.registry.AgentRegistry"
    # app.core.boot imports it as allowed; chat, typed and api.agents (which takes the shadow)
    # bypass it; the two test imports, and the modules defining the other two, are left out.
    assert (registry["canonical_sites"], registry["bypassing_sites"], registry["test_sites"]) == (1, 3, 2)
    assert registry["compliance"] == pytest.approx(1 / 4)
    assert {s["importer"]: s["import_kind"] for s in registry["bypassing"]} == {
        "app.api.agents": "runtime",
        "app.services.chat": "runtime",
        "app.services.typed": "type_checking",
    }
    classes = {i["class"]: i for i in registry["implementations"]}
    assert set(classes) == {"app.registry.AgentRegistry", "app.agents.registry.AgentRegistry", "app.legacy.fallback.AgentRegistry"}
    assert classes["app.registry.AgentRegistry"]["standing"] == "canonical"
    assert classes["app.agents.registry.AgentRegistry"]["built_on"] == "app.registry.AgentRegistry"
    assert classes["app.legacy.fallback.AgentRegistry"]["standing"] == "competing"
    assert classes["app.legacy.fallback.AgentRegistry"]["line"] == 4
    assert classes["app.legacy.fallback.AgentRegistry"]["definition"] == "fallback"
    assert classes["app.agents.registry.AgentRegistry"]["definition"] == "shadow"
    assert classes["app.registry.AgentRegistry"]["instantiations"] == 2  # boot and chat
    assert registry["competing_implementations"] == 1  # the fallback; the shadow is built on it


def test_a_family_found_without_configuration(tree: Path) -> None:
    document = audit_json(tree)
    tools = card(document, "ToolDispatcher")
    assert tools["source"] == "family" and tools["contract"] is None
    # The production root production code imports most; never the test double.
    assert tools["canonical"] == "app.tools.unified.UnifiedToolDispatcher"
    standings = {i["class"]: i["standing"] for i in tools["implementations"]}
    assert standings["app.tools.local.LocalToolDispatcher"] == "competing"
    assert standings["app.routes.remote.RemoteToolDispatcher"] == "competing"
    assert standings.get("app.tests.doubles.MockToolDispatcher", "exempt") == "exempt"
    assert (tools["canonical_sites"], tools["bypassing_sites"], tools["test_sites"]) == (3, 1, 3)
    assert tools["competing_implementations"] == 2
    # Overall: the same formula over every concept's sites.
    assert document["canonical_sites"] == sum(c["canonical_sites"] for c in document["scorecards"])
    assert document["compliance"] == pytest.approx(
        document["canonical_sites"] / (document["canonical_sites"] + document["bypassing_sites"])
    )
    assert "canonical sites / (canonical sites + bypassing sites)" in document["formula"]


def test_fixing_or_rerouting_a_bypassing_import_raises_compliance(tree: Path) -> None:
    before = audit_json(tree)
    (tree / "app/services/chat.py").write_text("")  # removed
    removed = audit_json(tree)
    (tree / "app/routes/d.py").write_text("from app.tools.unified import UnifiedToolDispatcher\n")  # rerouted
    rerouted = audit_json(tree)
    (tree / "app/routes/e.py").write_text("from app.routes.remote import RemoteToolDispatcher\n")  # added
    added = audit_json(tree)
    assert card(removed, "AgentRegistry")["compliance"] > card(before, "AgentRegistry")["compliance"]
    assert card(rerouted, "ToolDispatcher")["compliance"] > card(removed, "ToolDispatcher")["compliance"]
    assert card(rerouted, "ToolDispatcher")["compliance"] == 1.0
    assert card(added, "ToolDispatcher")["compliance"] < card(rerouted, "ToolDispatcher")["compliance"]
    assert before["compliance"] < removed["compliance"] < rerouted["compliance"]
    assert added["compliance"] < rerouted["compliance"]


def test_no_configuration_needed_and_every_format(tmp_path: Path) -> None:
    write_tree(tmp_path, backend(with_contract=False))
    code, out, err = run_cli(["audit", tmp_path, "-p", "app", "--no-cache"])
    assert code == 0, err
    assert "ToolDispatcher  (found by families)" in out
    assert "canonical  app.tools.unified.UnifiedToolDispatcher" in out
    assert "formula: compliance = canonical sites / (canonical sites + bypassing sites)" in out
    assert "MockToolDispatcher" not in out.split("ToolDispatcher  (found by families)")[1].split("competing")[0]
    code, markdown, _ = run_cli(["audit", tmp_path, "-p", "app", "--no-cache", "--format", "markdown"])
    assert code == 0 and "| ToolDispatcher | found by families | `app.tools.unified.UnifiedToolDispatcher` | 2 |" in markdown
    page = tmp_path / "audit.html"
    code, _, err = run_cli(["audit", tmp_path, "-p", "app", "--no-cache", "--format", "html", "-o", page])
    assert code == 0, err
    html = page.read_text()
    assert '<section id="audit"' in html and "<script" not in html


def test_fail_under_gates_ci(tree: Path) -> None:
    code, _out, err = run_cli(["audit", tree, "--no-cache", "--fail-under", "90"])
    assert code == 1 and "below 90%" in err
    assert run_cli(["audit", tree, "--no-cache", "--fail-under", "10"])[0] == 0


def test_names_from_the_tree_cannot_write_to_the_log(tmp_path: Path) -> None:
    write_tree(tmp_path, backend(with_contract=False))
    (tmp_path / "app/routes/evil.py").write_text("from app.tools.local import LocalToolDispatcher\n# \x1b[31m\n")
    code, out, _ = run_cli(["audit", tmp_path, "-p", "app", "--no-cache", "--max-sites", "0"])
    assert code == 0 and "\x1b" not in out


def test_the_html_report_has_the_audit_and_the_matrix_under_its_security_policy(tree: Path) -> None:
    import base64  # noqa: PLC0415
    import hashlib  # noqa: PLC0415
    import re  # noqa: PLC0415

    page = tree / "report.html"
    code, _out, err = run_cli(["report", tree, "--no-cache", "-o", page, "--engine", "graphviz-pure"])
    assert code == 0, err
    html = page.read_text()
    assert 'id="families-section"' in html and 'id="audit"' in html
    assert "AgentRegistry" in html.split('id="audit"')[1].split("</section>")[0]
    assert 'class="archgraph-matrix"' in html
    # The matrix's style is part of the page's one style element, whose hash the policy names:
    # a style of its own would be blocked.
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and ".archgraph-matrix" in styles[0]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src &#x27;sha256-{digest}&#x27;" in html  # the attribute is HTML-escaped
