"""`archgraph families` on a generated backend shaped like the ones architects ask about.

An `app` package with 13 subpackages that import each other (not plugins), tests inside the
package, and the patterns a team wants counted: `BaseTool` defined 3 times, `ClickHouseService`
twice, a `DispatcherFactory` twice (once in a legacy shim), 6 production `*ToolDispatcher`s (one
built inside a method), `AgentRegistry` 3 times (canonical, a shadowing subclass, a fallback in
`except ImportError:`) beside `MetricRegistry` and `HealthRegistry`, and a `MockWebSocketManager`
in many test modules. Then the same check on Home Assistant's shape: integrations side by side.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import write_tree

from archgraph.cli import main
from archgraph.families.class_cache import cached_class_model
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import read_sources

DISPATCH = """
    def register_tool(self, name, handler):
        self._tools[name] = handler

    def dispatch(self, name, **arguments):
        return self._tools[name](**arguments)
"""
TOOL = """
    def run(self, **arguments): ...

    def describe(self): ...
"""
CLICKHOUSE = """
    def query(self, sql): ...

    def insert(self, table, rows): ...
"""
FACTORY = """
    def create(self, name): ...

    def tools(self): ...
"""
REGISTRY = """
    def register(self, name, item): ...

    def get(self, name): ...
"""
WEBSOCKET = """
    async def send_json(self, data): ...

    async def close(self): ...
"""
SUBPACKAGES = (
    "admin", "agents", "api", "config", "core", "db", "legacy", "middleware", "models", "routes",
    "schemas", "services", "utils", "workers",
)  # and `tests`
TEST_DOUBLE_MODULES = 7


def backend_files() -> dict[str, str]:
    files: dict[str, str] = {"app/__init__.py": "", "app/main.py": "from app.routes import api\n"}
    for name in SUBPACKAGES:
        files[f"app/{name}/__init__.py"] = ""
    # The subpackages use each other, as an application's do.
    files["app/config/settings.py"] = "DEBUG = False\n"
    files["app/utils/text.py"] = "from app.config import settings\n"
    files["app/models/agent.py"] = "from app.utils import text\n"
    files["app/schemas/agent.py"] = "from app.models import agent\n"
    files["app/db/session.py"] = "from app.models import agent\nfrom app.config import settings\n"
    files["app/middleware/auth.py"] = "from app.core import registry\n"
    files["app/api/v1.py"] = "from app.schemas import agent\nfrom app.services import chat\n"
    files["app/routes/api.py"] = "from app.agents import registry\nfrom app.api import v1\n"
    files["app/services/chat.py"] = "from app.db import session\nfrom app.core import registry\n"
    files["app/admin/panel.py"] = "from app.services import chat\n"
    # BaseTool x3, ClickHouseService x2, DispatcherFactory x2 (one in a legacy shim)
    files["app/core/tools.py"] = f"class BaseTool:{TOOL}"
    files["app/agents/tools.py"] = f"class BaseTool:{TOOL}"
    files["app/services/tool_base.py"] = f"class BaseTool:{TOOL}"
    files["app/db/clickhouse.py"] = f"class ClickHouseService:{CLICKHOUSE}"
    files["app/services/clickhouse.py"] = f"class ClickHouseService:{CLICKHOUSE}"
    files["app/core/dispatch.py"] = f"class DispatcherFactory:{FACTORY}"
    files["app/legacy/shim.py"] = f"from app.core import dispatch\n\n\nclass DispatcherFactory:{FACTORY}"
    # Six production tool dispatchers, one built inside a method; a test fake beside them.
    files["app/core/dispatcher.py"] = f"class UnifiedToolDispatcher:{DISPATCH}"
    files["app/agents/dispatcher.py"] = f"class AgentToolDispatcher:{DISPATCH}"
    files["app/admin/dispatch.py"] = f"class AdminToolDispatcher:{DISPATCH}"
    files["app/routes/dispatch.py"] = f"class RouteToolDispatcher:{DISPATCH}"
    files["app/legacy/dispatch.py"] = f"class LegacyToolDispatcher:{DISPATCH}"
    files["app/workers/runner.py"] = (
        "class Runner:\n"
        "    def build_dispatcher(self):\n"
        "        class MinimalToolDispatcher:\n"
        "            def register_tool(self, name, handler): ...\n"
        "\n"
        "            def dispatch(self, name, **arguments): ...\n"
        "\n"
        "        return MinimalToolDispatcher()\n"
        "\n"
        "    class Meta:\n"  # a bare nested namespace: settings, not an implementation
        "        ordering = 1\n"
    )
    files["app/tests/__init__.py"] = ""
    files["app/tests/conftest.py"] = ""
    files["app/tests/test_dispatch.py"] = f"class FakeToolDispatcher:{DISPATCH}"
    # AgentRegistry x3 (canonical, shadowing subclass, fallback) beside other registries.
    files["app/core/registry.py"] = f"class AgentRegistry:{REGISTRY}\n    def list_agents(self): ...\n"
    files["app/agents/registry.py"] = (
        f"from app.core import registry\n\n\nclass AgentRegistry(registry.AgentRegistry):{REGISTRY}"
    )
    files["app/services/registry_compat.py"] = (
        "try:\n"
        "    from app.core.registry import AgentRegistry\n"
        "except ImportError:\n"
        f"    class AgentRegistry:{REGISTRY.replace(chr(10) + '    ', chr(10) + '        ')}"
    )
    files["app/core/metrics.py"] = f"class MetricRegistry:{REGISTRY}"
    files["app/services/health.py"] = f"class HealthRegistry:{REGISTRY}"
    # One test double in many test modules, some in a tests folder deeper in the package.
    for index in range(TEST_DOUBLE_MODULES - 2):
        files[f"app/tests/test_ws_{index}.py"] = f"class MockWebSocketManager:{WEBSOCKET}"
    files["app/services/tests/__init__.py"] = ""
    files["app/services/tests/test_chat.py"] = f"class MockWebSocketManager:{WEBSOCKET}"
    files["app/agents/test_agents.py"] = f"class MockWebSocketManager:{WEBSOCKET}"
    return files


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("backend"), backend_files())


def families(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["families", str(root), "-p", "app", "--no-cache", *args])
    assert result.exit_code == 0, result.output
    return result.output


def families_json(root: Path, *args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(families(root, "--format", "json", *args))
    return document


def duplicate(document: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [d for d in document["duplicates"] if d["name"] == name]
    return found


def family(document: dict[str, Any], concept: str) -> dict[str, Any]:
    (found,) = [f for f in document["families"] if f["concept"] == concept]
    return found


def finding_lines(output: str, headline: str) -> list[str]:
    """A text finding: its headline (containing `headline`) and its detail lines."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*\d+\. \[", line) and headline in line)
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"\s*\d+\. \[", lines[i]) or not lines[i]),
        len(lines),
    )
    return lines[start:end]


def test_an_applications_own_subpackages_compete(backend: Path) -> None:
    document = families_json(backend)
    assert duplicate(document, "BaseTool")["count"] == 3
    assert [d["module"] for d in duplicate(document, "BaseTool")["definitions"]] == [
        "app.agents.tools", "app.core.tools", "app.services.tool_base",
    ]
    assert duplicate(document, "ClickHouseService")["count"] == 2
    factories = duplicate(document, "DispatcherFactory")
    assert [d["module"] for d in factories["definitions"]] == ["app.core.dispatch", "app.legacy.shim"]
    assert factories["canonical"] == "app.core.dispatch.DispatcherFactory"


def test_every_production_tool_dispatcher_counts_the_nested_one_too(backend: Path) -> None:
    document = families_json(backend, "--concept", "*ToolDispatcher")
    dispatchers = family(document, "ToolDispatcher")
    assert dispatchers["independent_implementations"] == 6
    implementations = [root["qualname"] for group in dispatchers["implementations"] for root in group]
    assert implementations == [
        "app.admin.dispatch.AdminToolDispatcher",
        "app.agents.dispatcher.AgentToolDispatcher",
        "app.core.dispatcher.UnifiedToolDispatcher",
        "app.legacy.dispatch.LegacyToolDispatcher",
        "app.routes.dispatch.RouteToolDispatcher",
        "app.workers.runner.Runner.build_dispatcher.MinimalToolDispatcher",
    ]
    nested = dispatchers["implementations"][-1][0]
    assert (nested["definition_kind"], nested["file"], nested["line"]) == ("nested", "app/workers/runner.py", 3)
    # The headline counts what is listed under it: six numbered implementations.
    lines = finding_lines(families(backend, "--concept", "*ToolDispatcher"), "ToolDispatcher:")
    assert "ToolDispatcher: 6 independent implementations" in lines[0]
    numbered = [line for line in lines[1:] if re.match(r"\s+\d+\) ", line)]
    assert len(numbered) == 6
    assert "app.workers.runner.Runner.build_dispatcher.MinimalToolDispatcher (nested)  app/workers/runner.py:3" in numbered[-1]


def test_a_bare_nested_namespace_is_not_a_class_of_any_family(backend: Path) -> None:
    assert "Meta" not in json.dumps(families_json(backend, "--min-size", "1"))


def test_agent_registry_is_its_own_concept_with_each_definition_said_for_what_it_is(backend: Path) -> None:
    document = families_json(backend)
    # `Registry` alone does not merge the unrelated registries with the three AgentRegistry.
    others = family(document, "Registry")
    assert [c["qualname"] for c in others["classes"]] == [
        "app.core.metrics.MetricRegistry", "app.services.health.HealthRegistry",
    ]
    named = duplicate(document, "AgentRegistry")
    assert named["count"] == 2  # the shadowing subclass extends the canonical one
    assert named["canonical"] == "app.core.registry.AgentRegistry"
    assert [(d["qualname"], d["definition_kind"]) for d in named["definitions"]] == [
        ("app.core.registry.AgentRegistry", "primary"),
        ("app.services.registry_compat.AgentRegistry", "fallback"),
    ]
    assert [(d["qualname"], d["definition_kind"]) for d in named["shadows"]] == [
        ("app.agents.registry.AgentRegistry", "shadow"),
    ]
    registries = family(document, "AgentRegistry")  # its own concept, as a family too
    assert [(c["qualname"], c["definition_kind"]) for c in registries["classes"]] == [
        ("app.agents.registry.AgentRegistry", "shadow"),
        ("app.core.registry.AgentRegistry", "primary"),
        ("app.services.registry_compat.AgentRegistry", "fallback"),
    ]
    assert registries["independent_implementations"] == 2
    lines = finding_lines(families(backend), "AgentRegistry is defined")
    assert lines[0].endswith("and 1 same-name subclass shadows it")
    assert "app.services.registry_compat.AgentRegistry (fallback)  app/services/registry_compat.py:4" in lines[2]
    assert "app.agents.registry.AgentRegistry (shadow)  app/agents/registry.py:4" in lines[3]


def test_a_class_carrying_the_duplicated_name_as_its_tail_joins_its_concept(tmp_path: Path) -> None:
    files = backend_files()
    files["app/legacy/registry.py"] = f"class LegacyAgentRegistry:{REGISTRY}"
    registries = family(families_json(write_tree(tmp_path, files)), "AgentRegistry")
    assert [c["qualname"] for c in registries["classes"]] == [
        "app.agents.registry.AgentRegistry",
        "app.core.registry.AgentRegistry",
        "app.legacy.registry.LegacyAgentRegistry",
        "app.services.registry_compat.AgentRegistry",
    ]
    assert registries["independent_implementations"] == 3 == len(registries["implementations"])
    assert registries["canonical"] == "app.core.registry.AgentRegistry"
    kinds = {c["qualname"]: c["definition_kind"] for c in registries["classes"]}
    assert kinds["app.agents.registry.AgentRegistry"] == "shadow"
    assert kinds["app.services.registry_compat.AgentRegistry"] == "fallback"


def test_test_code_is_left_out_and_counted(backend: Path) -> None:
    output = families(backend)
    assert "MockWebSocketManager" not in output and "FakeToolDispatcher" not in output
    # app.tests, its conftest, 5 test_ws_*, test_dispatch; app.services.tests and its test_chat;
    # app.agents.test_agents.
    assert output.splitlines()[-1] == (
        "Left out test code: 11 test modules (--include-tests brings them back)."
    )
    assert families_json(backend)["test_code"] == {"modules": 11, "classes": None, "included": False}


def test_include_tests_ranks_test_findings_after_every_production_one(backend: Path) -> None:
    document = families_json(backend, "--include-tests")
    doubles = duplicate(document, "MockWebSocketManager")
    assert doubles["count"] == TEST_DOUBLE_MODULES and doubles["in_tests"]
    assert all(d["in_tests"] for d in doubles["definitions"])
    assert [d["in_tests"] for d in document["duplicates"]][-1] is True
    assert not any(d["in_tests"] for d in document["duplicates"][:-1])
    output = families(backend, "--include-tests")
    headlines = [line for line in output.splitlines() if re.match(r"\s*\d+\. \[", line)]
    marked = [line for line in headlines if ", test code]" in line]
    assert marked == headlines[-2:]  # the test double's family and its duplicate name, last
    assert "MockWebSocketManager: 7 independent implementations" in marked[0]
    assert "MockWebSocketManager is defined in 7 modules" in marked[1]
    dispatchers = finding_lines(output, "ToolDispatcher:")
    assert "ToolDispatcher: 7 independent implementations" in dispatchers[0]
    assert any("app.tests.test_dispatch.FakeToolDispatcher (test)" in line for line in dispatchers)
    assert output.splitlines()[-1] == (
        "Test code included: 8 classes in 11 test modules; its findings come after production's."
    )


# --- plugins: Home Assistant's shape ------------------------------------------------------------

FLOW = """
    async def async_step_init(self, user_input=None): ...

    async def async_step_user(self, user_input=None): ...
"""


def integrations(import_each_other: bool) -> dict[str, str]:
    """12 integrations that subclass a shared `sensor` base, each with its own flow handler."""
    files = {
        "ha/__init__.py": "",
        "ha/components/__init__.py": "",
        "ha/components/sensor/__init__.py": "class SensorEntity:\n    def update(self): ...\n",
    }
    for index in range(12):
        neighbour = f"from ha.components.p{(index + 1) % 12} import sensor as other\n" if import_each_other else ""
        files[f"ha/components/p{index}/__init__.py"] = ""
        files[f"ha/components/p{index}/sensor.py"] = (
            f"from ha.components.sensor import SensorEntity\n{neighbour}\n\n"
            f"class P{index}Sensor(SensorEntity):\n    def update(self): ...\n"
        )
        files[f"ha/components/p{index}/config_flow.py"] = f"class OptionsFlowHandler:{FLOW}"
    return files


def test_integrations_side_by_side_are_plugins_that_do_not_compete(tmp_path: Path) -> None:
    write_tree(tmp_path, integrations(import_each_other=False))
    result = CliRunner().invoke(main, ["families", str(tmp_path), "-p", "ha", "--no-cache", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["duplicates"] == []


def test_subpackages_that_import_each_other_are_no_plugins(tmp_path: Path) -> None:
    write_tree(tmp_path, integrations(import_each_other=True))
    result = CliRunner().invoke(main, ["families", str(tmp_path), "-p", "ha", "--no-cache", "--format", "json"])
    assert result.exit_code == 0, result.output
    (handlers,) = json.loads(result.output)["duplicates"]
    assert (handlers["name"], handlers["count"]) == ("OptionsFlowHandler", 12)


def test_a_warm_run_reads_the_same_from_the_class_cache(backend: Path, tmp_path: Path) -> None:
    cold = families(backend, "--format", "json")

    def cached() -> str:
        result = CliRunner().invoke(
            main, ["families", str(backend), "-p", "app", "--cache-dir", str(tmp_path), "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        return result.output

    assert cached() == cold
    assert cached() == cold
    # The model read back from the cache is the one built: fallbacks, the subpackages' imports.
    options = RunOptions(packages=("app",), cache_dir=tmp_path)
    sources = read_sources(backend, options)[2].sources
    warm = cached_class_model(sources, tmp_path, production=True)
    assert warm is not sources.production_class_model  # a miss returns the built one
    assert warm == sources.production_class_model
    assert warm.sibling_imported and any(c.fallback for c in warm.classes)
