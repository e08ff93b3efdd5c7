"""`archgraph families` and the single-implementation contract, end to end on the demo codebase."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import write_tree

from archgraph.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agent_backend"
DISPATCHERS = "app.services.tool_dispatcher.ToolDispatcher"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def families_json(*args: str) -> dict[str, Any]:
    code, output = invoke("families", str(EXAMPLE), "--no-cache", "--format", "json", *args)
    assert code == 0, output
    document: dict[str, Any] = json.loads(output)
    return document


def test_families_text_shows_every_planted_problem_most_suspicious_first() -> None:
    code, output = invoke("families", str(EXAMPLE), "--no-cache")
    assert code == 0
    headlines = [line for line in output.splitlines() if line[:1].isdigit()]
    assert headlines == [
        ("1. [competing] ToolDispatcher: 7 independent implementations (no common base class) "
        "sharing dispatch, list_tools, register_tool, shutdown"),
        ("2. [wrapper] LegacyToolDispatcher wraps UnifiedToolDispatcher: 4 of its 4 public methods "
        "forward to self._inner"),
        ("3. [duplicate] ToolDispatcher is defined in 2 modules, with no common base class; both define "
        "dispatch, list_tools, register_tool"),
        ("4. [parallel] AdminDispatcherFactory and BaseDispatcherFactory are parallel hierarchies: "
        "2 subclasses mirror each other by name"),
        ("5. [competing] DispatcherFactory: 2 independent implementations (no common base class) "
        "sharing create, tools"),
    ]
    assert "app/services/legacy/merge_leftover.py:12: warning AG216" in output
    assert "└ app.core.tools.unified_tool_dispatcher.UnifiedToolDispatcher" in output


def test_families_json_is_stable_and_complete() -> None:
    document = families_json()
    assert sorted(document) == [
        "diagnostics", "duplicates", "families", "parallel_hierarchies", "test_code", "version", "wrappers",
    ]
    assert document["test_code"] == {"modules": 0, "classes": 0, "included": False}
    assert document["version"] == 1
    dispatchers = document["families"][0]
    assert dispatchers["concept"] == "ToolDispatcher"
    assert dispatchers["roots"] == [
        "app.admin.tools.admin_tool_dispatcher.AdminToolDispatcher",
        "app.agents.supervisor.tool_dispatcher.SupervisorToolDispatcher",
        "app.api.legacy.tool_dispatcher.ToolDispatcher",
        "app.core.tools.base.BaseToolDispatcher",
        "app.services.execution.request_scoped_tool_dispatcher.RequestScopedToolDispatcher",
        "app.services.legacy.legacy_tool_dispatcher.LegacyToolDispatcher",
        DISPATCHERS,
    ]
    unified = next(c for c in dispatchers["classes"] if c["qualname"].endswith("UnifiedToolDispatcher"))
    assert unified == {
        "qualname": "app.core.tools.unified_tool_dispatcher.UnifiedToolDispatcher",
        "module": "app.core.tools.unified_tool_dispatcher",
        "file": "app/core/tools/unified_tool_dispatcher.py",
        "line": 21,
        "definition_kind": "primary",
        "in_tests": False,
        "bases": ["app.core.tools.base.BaseToolDispatcher"],
    }
    assert dispatchers["independent_implementations"] == 7 == len(dispatchers["implementations"])
    assert dispatchers["canonical"] == "app.core.tools.base.BaseToolDispatcher"
    assert dispatchers["unimplemented_interfaces"] == []
    primary = {"definition_kind": "primary", "in_tests": False}
    assert document["duplicates"] == [
        {
            "name": "ToolDispatcher",
            "count": 2,
            "definitions": [
                {"qualname": "app.api.legacy.tool_dispatcher.ToolDispatcher", "module": "app.api.legacy.tool_dispatcher", "file": "app/api/legacy/tool_dispatcher.py", "line": 10, **primary},
                {"qualname": DISPATCHERS, "module": "app.services.tool_dispatcher", "file": "app/services/tool_dispatcher.py", "line": 10, **primary},
            ],
            "shadows": [],
            "canonical": DISPATCHERS,  # not the one in a legacy package: the shorter path
            "in_tests": False,
        }
    ]
    assert document["wrappers"] == [
        {
            "qualname": "app.services.legacy.legacy_tool_dispatcher.LegacyToolDispatcher",
            "wraps": "app.core.tools.unified_tool_dispatcher.UnifiedToolDispatcher",
            "forwarded_methods": ["dispatch", "list_tools", "register_tool", "shutdown"],
            "in_tests": False,
        }
    ]
    assert document["parallel_hierarchies"] == [
        {
            "left": "app.admin.dispatch.factories.AdminDispatcherFactory",
            "right": "app.services.dispatch.factories.BaseDispatcherFactory",
            "pairs": [
                ["app.admin.dispatch.factories.AdminBatchDispatcherFactory", "app.services.dispatch.factories.BatchDispatcherFactory"],
                ["app.admin.dispatch.factories.AdminChatDispatcherFactory", "app.services.dispatch.factories.ChatDispatcherFactory"],
            ],
            "in_tests": False,
        }
    ]
    assert families_json() == document  # deterministic


def test_options_narrow_the_report() -> None:
    only_factories = families_json("--concept", "*Factory")
    assert [f["concept"] for f in only_factories["families"]] == ["DispatcherFactory"]
    assert only_factories["duplicates"] == [] and only_factories["wrappers"] == []
    without_api = families_json("--exclude", "app.api", "--exclude", "legacy")
    assert without_api["duplicates"] == [] and without_api["wrappers"] == []
    assert len(without_api["families"][0]["roots"]) == 5
    assert [f["concept"] for f in families_json("--min-size", "7")["families"]] == ["ToolDispatcher"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-size", "0"], "0 is not in the range x>=1"),
        (["--exclude", "app..x"], "--exclude 'app..x'"),
        (["--format", "xml"], "'xml' is not one of"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, output = invoke("families", str(EXAMPLE), "--no-cache", *args)
    assert code == 2
    assert message in output


def test_a_package_without_findings_says_so(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/m.py": "class A: ...\nclass B(A): ...\n"})
    code, output = invoke("families", str(tmp_path), "-p", "pkg", "--no-cache")
    assert code == 0
    assert output.splitlines()[-1] == "No duplicates, competing implementations, parallel hierarchies or wrappers."


def test_check_reports_the_single_implementation_contract(tmp_path: Path) -> None:
    code, output = invoke(
        "check", str(EXAMPLE), "--contract", "one-tool-dispatcher", "--format", "json",
        "--cache-dir", str(tmp_path),
    )
    assert code == 1
    (result,) = json.loads(output)["contracts"]
    assert (result["governed"], result["compliance"]) == (8, 0.25)
    assert [(v["code"], v["file"], v["line"]) for v in result["violations"]] == [
        ("AG160", "app/admin/tools/admin_tool_dispatcher.py", 19),
        ("AG160", "app/agents/supervisor/tool_dispatcher.py", 9),
        ("AG160", "app/services/execution/request_scoped_tool_dispatcher.py", 31),
        ("AG161", "app/services/legacy/legacy_tool_dispatcher.py", 10),
        ("AG162", "app/api/legacy/tool_dispatcher.py", 10),
        ("AG162", "app/services/tool_dispatcher.py", 10),
    ]


def test_a_misspelled_canonical_class_is_a_configuration_error(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/tools.py": "class UnifiedToolDispatcher: ...\nclass OtherToolDispatcher: ...\n",
            "contracts/architecture.toml": """
                [archgraph]
                root_packages = ["app"]

                [[contracts]]
                name = "One tool dispatcher"
                type = "single-implementation"
                concept = "*ToolDispatcher"
                canonical = "app.tool.UnifiedToolDispatcher"
            """,
        },
    )
    code, output = invoke("check", str(tmp_path), "--no-cache")
    assert code == 2
    assert "AG314: canonical: class 'app.tool.UnifiedToolDispatcher' is not defined" in output
    assert "did you mean 'app.tools.UnifiedToolDispatcher'?" in output


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_families_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """The collector is left as it was: cyclic garbage made before is still collected, and
    objects frozen by someone else stay frozen."""
    import gc  # noqa: PLC0415
    import weakref  # noqa: PLC0415

    from archgraph.families.usecases import families  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415

    root = write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "class A:\n    pass\n"})
    cycle = _Cycle()
    alive = weakref.ref(cycle)
    del cycle
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        families(root, RunOptions(packages=("pkg",), use_cache=False))
        assert (gc.isenabled(), gc.get_freeze_count()) == (True, frozen)
    finally:
        gc.unfreeze()
    families(root, RunOptions(packages=("pkg",), use_cache=False))
    assert (gc.isenabled(), gc.get_freeze_count()) == (True, 0)
    gc.collect()
    assert alive() is None


def test_a_warm_run_gives_the_kept_report_only_for_the_same_files_and_question(tmp_path: Path) -> None:
    tree = tmp_path / "backend"
    shutil.copytree(EXAMPLE, tree, ignore=shutil.ignore_patterns(".archgraph_cache"))
    cache = tmp_path / "cache"

    def cached(*args: str) -> str:
        code, output = invoke("families", str(tree), "--cache-dir", str(cache), *args)
        assert code == 0, output
        return output

    def fresh(*args: str) -> str:
        code, output = invoke("families", str(tree), "--no-cache", *args)
        assert code == 0, output
        return output

    questions = [(), ("--format", "json"), ("--concept", "*Factory*"), ("--include-tests", "--min-size", "3")]
    for question in questions:
        assert cached(*question) == fresh(*question)  # cold: the report is kept
    assert (cache / "families.marshal").is_file()
    for question in questions:
        assert cached(*question) == fresh(*question)  # warm: each question its own report
    before = cached()
    extra = tree / "app" / "services" / "extra_dispatcher.py"
    extra.write_text(
        "class ExtraToolDispatcher:\n"
        "    def dispatch(self): ...\n    def list_tools(self): ...\n"
        "    def register_tool(self): ...\n    def shutdown(self): ...\n"
    )
    after = cached()
    assert after == fresh() != before
    assert "ExtraToolDispatcher" in after
