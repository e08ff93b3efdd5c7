"""`archgraph init` on a generated backend, as a user runs it: production first.

The backend: a root package holding one app and its tests; the app has 14 subpackages in six
layers, tests inside it (a tests package, test modules beside production ones, a tests package
inside a plugin container) and beside it; a registry class imported from five packages of the app,
directly, through its package and through a legacy re-export shim, and by tests; two competing
production tool dispatchers, and test doubles that tests import more than either.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path, PurePosixPath

import pytest

from archgraph.codes import ALLOWED_MODULES_MATCH_NOTHING, UNMATCHED_IGNORE
from tests.helpers import run_cli, write_tree

# Top to bottom: each package's `m` imports the `m` of every package one layer down.
LAYERS = (
    ("admin", "api", "cli"),
    ("jobs", "services"),
    ("agents", "dispatch", "tools"),
    ("events", "legacy"),
    ("models", "registry"),
    ("core", "utils"),
)
PLUGINS = ("files", "math", "search")  # app.tools.<plugin>: import core only, never each other

DISPATCHER = """\
class {name}:
    def dispatch(self, request):
        return request

    def list_tools(self):
        return []
"""

REGISTRY = """\
class AgentRegistry:
    def register(self, agent):
        self.agent = agent

    def get(self, name):
        return self.agent
"""


def backend_tree(root: Path, *, cycle: bool) -> dict[str, str]:
    """Write the backend under root; `cycle`: plant core -> api, an upward import that closes
    an import cycle between the app's children. Returns the files written."""
    files: dict[str, str] = {
        "backend/__init__.py": "",
        "backend/conftest.py": "import backend.app.core.m\n",
        "backend/app/__init__.py": "",
    }
    for level, packages in enumerate(LAYERS):
        below = LAYERS[level + 1] if level + 1 < len(LAYERS) else ()
        for package in packages:
            files[f"backend/app/{package}/__init__.py"] = ""
            files[f"backend/app/{package}/m.py"] = "".join(f"import backend.app.{p}.m\n" for p in below)
    for plugin in PLUGINS:
        files[f"backend/app/tools/{plugin}/__init__.py"] = ""
        files[f"backend/app/tools/{plugin}/plugin.py"] = "import backend.app.core.m\n"
    files |= {
        # The registry: defined once, re-exported by its package and by a legacy shim.
        "backend/app/registry/agent_registry.py": REGISTRY,
        "backend/app/registry/__init__.py": "from .agent_registry import AgentRegistry\n",
        "backend/app/legacy/registry.py": "from backend.app.registry.agent_registry import AgentRegistry\n",
        "backend/app/api/routes.py": "from backend.app.registry import AgentRegistry\n",
        "backend/app/api/responses.py": "",
        "backend/app/admin/panel.py": "from backend.app.legacy.registry import AgentRegistry\n",
        "backend/app/services/agent_service.py": "from backend.app.registry.agent_registry import AgentRegistry\n",
        "backend/app/jobs/worker.py": (
            "from backend.app.legacy.registry import AgentRegistry\n"
            "from backend.app.dispatch.fast import FastToolDispatcher\n"
        ),
        "backend/app/agents/supervisor.py": (
            "import backend.app.registry.agent_registry as ar\n\n\n"
            "def build():\n    return ar.AgentRegistry()\n"
        ),
        # Two competing production dispatchers: the fast one is imported three times.
        "backend/app/dispatch/fast.py": DISPATCHER.format(name="FastToolDispatcher"),
        "backend/app/dispatch/legacy.py": DISPATCHER.format(name="LegacyToolDispatcher"),
        "backend/app/services/chat.py": "from backend.app.dispatch.fast import FastToolDispatcher\n",
        "backend/app/services/tasks.py": "from backend.app.dispatch.fast import FastToolDispatcher\n",
        "backend/app/services/old.py": "from backend.app.dispatch.legacy import LegacyToolDispatcher\n",
        "backend/app/core/errors.py": "import backend.app.api.responses\n" if cycle else "",
        # Tests inside the app: a double five test modules import, upward imports, the registry.
        "backend/app/tests/__init__.py": "",
        "backend/app/tests/conftest.py": "from backend.app.tests.fakes import FakeToolDispatcher\n",
        "backend/app/tests/fakes.py": DISPATCHER.format(name="FakeToolDispatcher"),
        "backend/app/tests/test_registry.py": (
            "from backend.app.legacy.registry import AgentRegistry\n"
            "from backend.app.registry.agent_registry import AgentRegistry as Registry\n"
        ),
        **{
            f"backend/app/tests/test_fake_{n}.py": "from backend.app.tests.fakes import FakeToolDispatcher\n"
            for n in range(5)
        },
        "backend/app/services/test_services.py": "import backend.app.api.routes\nimport backend.app.services.m\n",
        "backend/app/tools/tests/__init__.py": "",
        "backend/app/tools/tests/test_plugins.py": (
            "import backend.app.tools.search.plugin\nimport backend.app.tools.math.plugin\n"
            "import backend.app.api.m\n"
        ),
        # Tests beside the app.
        "backend/tests/__init__.py": "",
        "backend/tests/test_api.py": "import backend.app.api.routes\nfrom backend.app.registry import AgentRegistry\n",
        "backend/tests/test_dispatch.py": DISPATCHER.format(name="StubToolDispatcher"),
    }
    write_tree(root, files)
    return files


def is_test_file(path: str) -> bool:
    """The test files of the tree, by the conventions the tree follows (an oracle for the count)."""
    name = PurePosixPath(path).name
    return "/tests/" in path or name.startswith("test_") or name == "conftest.py"


def module_of(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


STATUS = re.compile(r"^  today: (kept|broken)(?:, (\d+) violation\(s\))?.* \[id=([\w.-]+)\]$")


def statuses_agree(stdout: str, checked: dict[str, dict]) -> dict[str, tuple[str, int]]:
    """The status and violation count init printed for each contract, asserted equal to what
    `check` (JSON, by contract id) finds."""
    printed = {m[3]: (m[1], int(m[2] or 0)) for line in stdout.splitlines() if (m := STATUS.match(line))}
    assert printed == {id_: (c["status"], len(c["violations"])) for id_, c in checked.items()}
    return printed


@pytest.mark.parametrize("cycle", [False, True], ids=["acyclic", "cycle"])
def test_init_proposes_production_contracts_that_check_agrees_with(tmp_path: Path, cycle: bool) -> None:
    files = backend_tree(tmp_path, cycle=cycle)
    test_modules = {module_of(path) for path in files if is_test_file(path)}

    code, stdout, stderr = run_cli(["init", tmp_path, "--no-cache"])

    assert code == 0, stderr
    document = tomllib.loads((tmp_path / "contracts/architecture.toml").read_text())
    contracts = {c["id"]: c for c in document["contracts"]}
    assert [c["type"] for c in document["contracts"]] == [
        "layers", "independence", "single-implementation", "protected", "acyclic"
    ]

    # Layers among the app's parts, never `app | tests`; test code has no layer.
    assert "backend: holds only backend.app and test code, so the parts are the children of backend.app" in stdout
    assert contracts["layers"]["containers"] == ["backend.app"]
    assert contracts["layers"]["layers"] == [" | ".join(layer) for layer in LAYERS]
    assert contracts["layers"]["exhaustive_ignores"] == ["tests"]
    # The test code inside the layers (`tests`, in none, is not governed anyway).
    exempt = ["backend.app.services.test_services -> backend", "backend.app.tools.tests -> backend"]
    assert contracts["layers"]["ignore_imports"] == exempt
    assert f"test code: {len(test_modules)} test module(s) left out of every proposal" in stdout
    header = (tmp_path / "contracts/architecture.toml").read_text().partition("\n\n")[0].replace("\n# ", " ")
    assert f"Test code ({len(test_modules)} modules) has no contract here and is exempted" in header

    # Independence of the plugins, without their tests (which import two of them).
    assert contracts["backend-app-tools-independent"] == {
        "id": "backend-app-tools-independent",
        "name": "Independent parts of backend.app.tools",
        "type": "independence",
        "modules": [f"backend.app.tools.{p}" for p in PLUGINS],
    }

    # One dispatcher: the production root most imported, never the double tests import most.
    assert contracts["single-tool-dispatcher"] == {
        "id": "single-tool-dispatcher",
        "name": "One ToolDispatcher implementation",
        "type": "single-implementation",
        "concept": "*ToolDispatcher",
        "canonical": "backend.app.dispatch.fast.FastToolDispatcher",
        "allowed_modules": ["backend.app.tests", "backend.tests"],
    }
    assert "2 independent implementations in production code" in stdout

    # The registry, imported from five packages of the app directly, through its package and the shim.
    assert contracts["protected-agent-registry"] == {
        "id": "protected-agent-registry",
        "name": "Only the canonical path imports AgentRegistry",
        "type": "protected",
        "symbols": ["backend.app.registry.agent_registry.AgentRegistry"],
        "allowed_importers": ["backend.app.registry", "backend.app.legacy.registry"],
        # Its package re-exports it: the canonical path (a legacy shim is not).
        "replacement": "backend.app.registry.AgentRegistry",
        "ignore_imports": ["backend.app.tests -> backend", "backend.tests -> backend"],
    }
    assert (
        "protected (backend.app.registry.agent_registry.AgentRegistry): imported at 7 production "
        "import sites in 7 packages, 3 of them through re-exports "
        "(backend.app.legacy.registry, backend.app.registry)"
    ) in stdout
    assert contracts["no-cycles"]["packages"] == ["backend.app"]

    # `check` of the written file: what a user sees next.
    code, report, stderr = run_cli(["check", tmp_path, "--no-cache", "--format", "json"])
    assert code == 1, stderr  # the dispatcher and the registry contracts are broken today
    checked = {c["id"]: c for c in json.loads(report)["contracts"]}
    assert set(checked) == set(contracts)
    for contract in checked.values():
        # Every test exemption matches something, and nothing is misconfigured.
        codes = {d["code"] for d in contract["diagnostics"]}
        assert not codes & {UNMATCHED_IGNORE.code, ALLOWED_MODULES_MATCH_NOTHING.code}, contract["id"]
        assert all(d["severity"] != "error" for d in contract["diagnostics"]), contract["id"]
        for violation in contract["violations"]:
            assert violation.get("importer", "") not in test_modules
            assert not is_test_file(violation["file"])

    # Every status init prints is the one `check` finds, violation count included.
    printed = statuses_agree(stdout, checked)
    assert printed["layers"] == (("broken", 1) if cycle else ("kept", 0))
    assert printed["no-cycles"][0] == ("broken" if cycle else "kept")
    assert printed["backend-app-tools-independent"] == ("kept", 0)
    assert printed["single-tool-dispatcher"] == ("broken", 1)
    # The shim and the package re-export are allowed, and so is taking it from the package
    # (the replacement): the sites that bypass both remain.
    assert printed["protected-agent-registry"] == ("broken", 4)
    # Of the 7 production sites init counted, the 2 re-exporters are allowed importers (exempt,
    # beside the ignored test imports): 4 bypass both, 1 takes it from the replacement.
    registry = checked["protected-agent-registry"]
    assert (registry["governed"], registry["respecting"], registry["violating"]) == (5, 1, 4)
    assert registry["exempt"] >= 2
    if cycle:
        assert "no import cycle" not in stdout
        assert "acyclic (backend.app): its children import each other in cycles today" in stdout
        (upward,) = checked["layers"]["violations"]
        assert (upward["importer"], upward["imported"]) == ("backend.app.core.errors", "backend.app.api.responses")
    else:
        assert "acyclic (backend.app): no import cycle between its children today" in stdout
    assert "The 3 subpackages of backend.app.tools import none of the others today: files, math, search" in stdout


def test_init_follows_the_pytest_configuration_and_proposes_nothing_for_a_test_root(tmp_path: Path) -> None:
    """`e2e` is test code because pytest's testpaths names it; `checks` is a root of tests."""
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["shop/e2e", "checks"]\n',
            "shop/__init__.py": "",
            "shop/app/__init__.py": "",
            "shop/app/web/__init__.py": "",
            "shop/app/web/views.py": "import shop.app.orders.service\n",
            "shop/app/orders/__init__.py": "",
            "shop/app/orders/service.py": "import shop.app.db.session\n",
            "shop/app/db/__init__.py": "",
            "shop/app/db/session.py": "",
            "shop/e2e/__init__.py": "",
            "shop/e2e/flows.py": "import shop.app.web.views\nimport shop.app.db.session\n",
            "checks/__init__.py": "",
            "checks/smoke.py": "import shop.app.web.views\n",
        },
    )

    code, stdout, stderr = run_cli(["init", tmp_path, "-p", "shop", "-p", "checks", "--no-cache"])

    assert code == 0, stderr
    document = tomllib.loads((tmp_path / "contracts/architecture.toml").read_text())
    (layers, acyclic) = document["contracts"]
    assert layers["containers"] == ["shop.app"] and layers["layers"] == ["web", "orders", "db"]
    assert "exhaustive_ignores" not in layers and "ignore_imports" not in layers
    assert acyclic["packages"] == ["shop.app"]
    assert "shop: holds only shop.app and test code, so the parts are the children of shop.app" in stdout
    assert "test code: 4 test module(s) left out of every proposal" in stdout
    assert "not proposed: checks: test code, so no contract for it" in stdout
    assert "no import cycle between its children today\n  today: kept [id=no-cycles]" in stdout
    code, _report, stderr = run_cli(["check", tmp_path, "--no-cache"])
    assert code == 0, stderr


def test_test_code_no_contract_can_name_is_left_as_it_is_and_said_so_by_the_status(tmp_path: Path) -> None:
    """A test folder named `my-tests` cannot be written in ignore_imports: the file stays valid,
    and the upward import of its test module shows in both init's status and check's."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/ui/__init__.py": "",
            "app/ui/view.py": "import app.core\n",
            "app/core/__init__.py": "",
            "app/core/my-tests/__init__.py": "",
            "app/core/my-tests/test_view.py": "import app.ui.view\n",
        },
    )

    code, stdout, stderr = run_cli(["init", tmp_path, "--no-cache"])

    assert code == 0, stderr
    document = tomllib.loads((tmp_path / "contracts/architecture.toml").read_text())
    assert all("ignore_imports" not in contract for contract in document["contracts"])
    code, report, stderr = run_cli(["check", tmp_path, "--no-cache", "--format", "json"])
    assert code == 1, stderr
    printed = statuses_agree(stdout, {c["id"]: c for c in json.loads(report)["contracts"]})
    assert printed == {"layers": ("broken", 1), "no-cycles": ("broken", 1)}
    assert "no production import points upward; `check` lists what breaks the contract" in stdout
    assert "no import cycle" not in stdout
