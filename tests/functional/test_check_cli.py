"""`archgraph check` and `archgraph why` end to end: CliRunner over fixture trees, real grimp."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import run_cli, write_tree

from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import build_model

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "agent_backend"

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/api/__init__.py": "",
    "pkg/api/views.py": "import pkg.core.models\n",
    "pkg/core/__init__.py": "",
    "pkg/core/models.py": "",
}
LAYERS = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["pkg"]
layers = ["api", "core"]
{extra}
"""
INDEPENDENT = """
[[contracts]]
id = "independent"
name = "Independent"
type = "independence"
modules = ["pkg.api.views", "pkg.core.models"]
"""
UPWARD = {"pkg/core/models.py": '"""Models."""\nimport pkg.api.views\n'}

SCENARIOS: dict[str, dict[str, str | bytes]] = {
    "kept": {**PACKAGE, "contracts/arch.toml": LAYERS.format(extra="")},
    "broken": {**PACKAGE, **UPWARD, "contracts/arch.toml": LAYERS.format(extra="")},
    "warning": {
        **PACKAGE,
        **UPWARD,
        "contracts/arch.toml": LAYERS.format(extra='severity = "warning"'),
    },
    "two-contracts": {
        **PACKAGE,
        "contracts/arch.toml": LAYERS.format(extra="") + INDEPENDENT,
    },
    "config-error": {
        **PACKAGE,
        "contracts/arch.toml": LAYERS.format(extra='layres = ["x"]'),
    },
    "no-match": {
        **PACKAGE,
        "contracts/arch.toml": LAYERS.format(extra="").replace('"core"]', '"domain"]'),
    },
    "unused-ignore": {
        **PACKAGE,
        "contracts/arch.toml": LAYERS.format(extra='ignore_imports = ["pkg.core -> pkg.api"]'),
    },
    "unparsable": {
        **PACKAGE,
        "pkg/broken.py": "def f(:\n",
        "contracts/arch.toml": LAYERS.format(extra=""),
    },
    "pyproject": {
        **PACKAGE,
        **UPWARD,
        "pyproject.toml": LAYERS.format(extra="")
        .replace("[archgraph]", '[project]\nname = "demo"\n\n[tool.archgraph]')
        .replace("[[contracts]]", "[[tool.archgraph.contracts]]"),
    },
    "no-contracts": dict(PACKAGE),
}


def scenario(tmp_path: Path, name: str) -> Path:
    return write_tree(tmp_path / name, SCENARIOS[name])


@pytest.mark.parametrize(
    ("name", "args", "exit_code"),
    [
        ("kept", [], 0),
        ("broken", [], 1),
        ("warning", [], 0),  # a broken warning-severity contract never fails the run
        ("pyproject", [], 1),
        ("two-contracts", [], 1),
        ("two-contracts", ["--contract", "layers"], 0),
        ("two-contracts", ["--contract", "independent"], 1),
        ("two-contracts", ["--contract", "layers", "--contract", "independent"], 1),
        ("config-error", [], 2),
        ("no-match", [], 2),
        ("unused-ignore", [], 0),
        ("unused-ignore", ["--strict"], 0),
        ("unparsable", [], 0),
        ("unparsable", ["--strict"], 2),
        ("no-contracts", [], 2),
        ("kept", ["--format", "json"], 0),
        ("broken", ["--format", "json"], 1),
        ("broken", ["-p", "pkg"], 1),
    ],
)
def test_exit_codes(tmp_path: Path, name: str, args: list[str], exit_code: int) -> None:
    root = scenario(tmp_path, name)
    code, _stdout, _stderr = run_cli(["check", root, "--no-cache", *args])
    assert code == exit_code


def test_kept_and_broken_text_reports(tmp_path: Path) -> None:
    code, stdout, stderr = run_cli(["check", scenario(tmp_path, "broken"), "--no-cache"])
    assert code == 1 and stderr == ""
    assert "BROKEN  Layers  [layers, id=layers]" in stdout
    assert "- pkg.core.models -> pkg.api.views" in stdout
    assert "pkg/core/models.py:2" in stdout
    assert stdout.endswith("Contracts: 0 kept, 1 broken (1 violations).\n")


def test_config_error_names_file_key_and_line_on_stderr(tmp_path: Path) -> None:
    root = scenario(tmp_path, "config-error")
    code, stdout, stderr = run_cli(["check", root, "--no-cache"])
    assert code == 2 and stdout == ""
    file = (root / "contracts/arch.toml").as_posix()
    assert f"{file}:11: contracts[0].layres: unknown key (did you mean 'layers'?)" in stderr


def test_pattern_matching_nothing_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    code, stdout, _stderr = run_cli(
        ["check", scenario(tmp_path, "no-match"), "--no-cache", "--format", "json"]
    )
    assert code == 2
    (contract,) = json.loads(stdout)["contracts"]
    assert contract["status"] == "error"  # a configuration error, not a broken contract
    assert [(d["code"], d["message"]) for d in contract["diagnostics"]] == [
        ("AG310", "layers: 'pkg.domain' matches no module in the graph")
    ]


def test_contract_option_selects_in_order_and_once(tmp_path: Path) -> None:
    root = scenario(tmp_path, "two-contracts")
    args = ["--contract", "independent", "--contract", "layers", "--contract", "independent"]
    code, stdout, _stderr = run_cli(["check", root, "--no-cache", "--format", "json", *args])
    assert code == 1
    assert [c["id"] for c in json.loads(stdout)["contracts"]] == ["independent", "layers"]


def test_unknown_contract_id_suggests_the_closest(tmp_path: Path) -> None:
    root = scenario(tmp_path, "two-contracts")
    code, stdout, stderr = run_cli(["check", root, "--no-cache", "--contract", "layer"])
    assert code == 2 and stdout == ""
    assert stderr == (
        "archgraph: error: unknown contract id 'layer' (did you mean 'layers'?);"
        " known ids: independent, layers\n"
    )


def test_strict_turns_scan_diagnostics_into_exit_2(tmp_path: Path) -> None:
    root = scenario(tmp_path, "unparsable")
    code, stdout, _stderr = run_cli(["check", root, "--no-cache", "--strict", "--format", "json"])
    assert code == 2
    report = json.loads(stdout)
    assert [c["status"] for c in report["contracts"]] == ["kept"]
    assert [(d["code"], d["file"], d["line"]) for d in report["diagnostics"]] == [
        ("AG201", "pkg/broken.py", 1)
    ]


def test_config_option_replaces_discovery(tmp_path: Path) -> None:
    root = scenario(tmp_path, "broken")
    other = write_tree(tmp_path, {"other.toml": LAYERS.format(extra='severity = "warning"')})
    code, _stdout, _stderr = run_cli(
        ["check", root, "--no-cache", "--config", other / "other.toml"]
    )
    assert code == 0
    code, _stdout, stderr = run_cli(
        ["check", root, "--no-cache", "--config", tmp_path / "nope.toml"]
    )
    assert code == 2 and "configuration file not found" in stderr


IMPORT_KINDS = ["runtime", "type_checking", "function", "lazy"]
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "contracts", "diagnostics", "summary"],
    "properties": {
        "version": {"const": 1},
        "contracts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "type", "status", "severity", "violations"],
                "properties": {
                    "status": {"enum": ["kept", "broken", "error"]},
                    "severity": {"enum": ["error", "warning"]},
                    "violations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["importer", "imported", "file", "line", "chain", "import_kind"],
                            "properties": {
                                "file": {"type": ["string", "null"], "pattern": "^[^\\\\]*$"},
                                "line": {"type": ["integer", "null"]},
                                "import_kind": {"enum": [*IMPORT_KINDS, None]},
                                "chain": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["lines", "import_kind", "import_kinds"],
                                        "properties": {
                                            "import_kind": {"enum": IMPORT_KINDS},
                                            "import_kinds": {
                                                "type": "array",
                                                "items": {"enum": IMPORT_KINDS},
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "diagnostics": {
            "type": "array",
            "items": {"type": "object", "required": ["file", "line", "message"]},
        },
        "summary": {
            "type": "object",
            "required": ["modules", "imports", "kept", "broken", "violations"],
            "properties": {
                key: {"type": "integer"}
                for key in ("modules", "imports", "kept", "broken", "violations")
            },
        },
    },
}


def test_json_report_shape_and_order(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **SCENARIOS["two-contracts"],
            "pkg/core/models.py": "import pkg.api.views\n",
            "pkg/core/rules.py": "import pkg.api\nimport pkg.api.views\n",
            "pkg/z_broken.py": "<<<<<<< HEAD\n",
            "pkg/a_broken.py": "def f(:\n",
        },
    )
    code, stdout, stderr = run_cli(["check", root, "--no-cache", "--format", "json"])
    assert code == 1 and stderr == ""
    report = json.loads(stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    # Keys sorted, two-space indent, one trailing newline: stable for diffs.
    assert stdout == json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    layers, independent = report["contracts"]  # in configuration order
    assert (layers["id"], layers["status"], independent["status"]) == ("layers", "broken", "broken")
    assert [(v["importer"], v["imported"], v["file"], v["line"]) for v in layers["violations"]] == [
        ("pkg.core.models", "pkg.api.views", "pkg/core/models.py", 1),
        ("pkg.core.rules", "pkg.api", "pkg/core/rules.py", 1),
        ("pkg.core.rules", "pkg.api.views", "pkg/core/rules.py", 2),
    ]
    assert layers["violations"][0]["chain"] == [
        {
            "importer": "pkg.core.models",
            "imported": "pkg.api.views",
            "line": 1,
            "lines": [1],
            "import_kind": "runtime",
            "import_kinds": ["runtime"],
        }
    ]
    assert [(d["code"], d["file"], d["line"]) for d in report["diagnostics"]] == [
        ("AG201", "pkg/a_broken.py", 1),
        ("AG201", "pkg/z_broken.py", 1),
    ]
    summary = report["summary"]
    assert (summary["kept"], summary["broken"], summary["violations"]) == (0, 2, 5)
    assert (summary["modules"], summary["imports"]) == (8, 4)


def test_output_file(tmp_path: Path) -> None:
    root = scenario(tmp_path, "broken")
    _code, expected, _stderr = run_cli(["check", root, "--no-cache", "--format", "json"])
    target = tmp_path / "reports" / "arch.json"
    code, stdout, _stderr = run_cli(
        ["check", root, "--no-cache", "--format", "json", "--output", target]
    )
    assert code == 1 and stdout == ""
    assert target.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_output_is_deterministic_cold_and_warm(tmp_path: Path, output_format: str) -> None:
    root = scenario(tmp_path, "unparsable")
    (root / "pkg/core/models.py").write_text("import pkg.api.views\n")
    args = ["check", root, "--format", output_format, "--cache-dir", tmp_path / "cache"]
    runs = [run_cli(args) for _ in range(3)]  # cold, warm, warm
    assert runs[0] == runs[1] == runs[2]
    assert runs[0][0] == 1
    assert (tmp_path / "cache").is_dir() and not (root / ".archgraph_cache").exists()


def test_cache_defaults_to_path_and_no_cache_writes_nothing(tmp_path: Path) -> None:
    root = scenario(tmp_path, "kept")
    run_cli(["check", root, "--no-cache"])
    assert not (root / ".archgraph_cache").exists()
    run_cli(["check", root])
    assert (root / ".archgraph_cache").is_dir()


# --- the bundled example ---------------------------------------------------------------


@pytest.fixture(scope="module")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    cache = tmp_path_factory.mktemp("example-cache")
    code, stdout, _stderr = run_cli(["check", EXAMPLE, "--format", "json", "--cache-dir", cache])
    return code, json.loads(stdout)


def test_example_contracts(example_report: tuple[int, dict[str, Any]]) -> None:
    code, report = example_report
    assert code == 1
    assert {c["id"]: c["status"] for c in report["contracts"]} == {
        "layers": "broken",
        "core-is-pure": "broken",
        "api-admin-independent": "kept",
        "registry-module-protected": "broken",
        "no-cycles": "broken",
        "agent-registry-symbol": "broken",
        "one-tool-dispatcher": "broken",
    }
    by_id = {c["id"]: c for c in report["contracts"]}
    assert [(v["importer"], v["imported"]) for v in by_id["core-is-pure"]["violations"]] == [
        ("app.core.errors", "app.api.responses")
    ]
    assert [
        (v["importer"], v["imported"], v["file"], v["line"]) for v in by_id["layers"]["violations"]
    ] == [
        (
            "app.agents.base",
            "app.services.execution.request_scoped_tool_dispatcher",
            "app/agents/base.py",
            8,
        ),
        (
            "app.agents.supervisor.hooks",
            "app.services.notifications",
            "app/agents/supervisor/hooks.py",
            7,
        ),
        ("app.core.errors", "app.api.responses", "app/core/errors.py", 5),
    ]
    bypasses = {v["importer"] for v in by_id["registry-module-protected"]["violations"]}
    assert bypasses == {
        "app.admin.agents",  # inside a function
        "app.admin.settings",
        "app.api.legacy.tool_dispatcher",  # import ... as ar
        "app.api.routes.agents",  # an alias
        "app.api.routes.chat",
        "app.api.routes.health",
        "app.services.agent_service",  # a relative import
        "app.services.session_service",  # under TYPE_CHECKING
    }
    cycles = by_id["no-cycles"]
    assert any(
        "app.agents -> app.services -> app.agents" in v["message"] for v in cycles["violations"]
    )
    assert {d["code"] for d in cycles["diagnostics"]} == {"AG141"}


def test_example_diagnostics_and_namespace_module(
    example_report: tuple[int, dict[str, Any]], tmp_path: Path
) -> None:
    _code, report = example_report
    assert [(d["code"], d["file"], d["line"]) for d in report["diagnostics"]] == [
        ("AG201", "app/services/legacy/merge_leftover.py", 12)
    ]
    assert report["summary"]["namespace_modules"] == 1
    _config, outcome, _notes = build_model(EXAMPLE, RunOptions(use_cache=False))
    assert outcome.model.namespace_modules == {"app.core.tools"}
    assert "app.core.tools.unified_tool_dispatcher" in outcome.model.modules
    assert outcome.model.importers_of("app.core.tools.unified_tool_dispatcher") >= {
        "app.agents.base",
        "app.api.routes.tools",
    }
    code, stdout, _stderr = run_cli(
        [
            "why",
            "app.api.routes.tools",
            "app.core.tools.unified_tool_dispatcher",
            EXAMPLE,
            "--no-cache",
        ]
    )
    assert code == 0
    assert "app.api.routes.tools -> app.core.tools.unified_tool_dispatcher  (line 8)" in stdout


# --- why -------------------------------------------------------------------------------


def test_why_shows_the_chain_with_lines(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **SCENARIOS["kept"],
            "pkg/api/views.py": "import pkg.helpers\n",
            "pkg/helpers.py": "# helpers\nfrom pkg.core import models\n",
        },
    )
    code, stdout, stderr = run_cli(["why", "pkg.api", "pkg.core", root, "--no-cache"])
    assert (code, stderr) == (0, "")
    assert stdout == (
        "1 shortest chain(s) from pkg.api to pkg.core:\n"
        "1. pkg.api.views -> pkg.helpers -> pkg.core.models\n"
        "     pkg.api.views -> pkg.helpers  (line 1)\n"
        "     pkg.helpers -> pkg.core.models  (line 2)\n"
    )


def test_why_without_a_chain_exits_1(tmp_path: Path) -> None:
    code, stdout, _stderr = run_cli(
        ["why", "pkg.core", "pkg.api", scenario(tmp_path, "kept"), "--no-cache"]
    )
    assert code == 1
    assert stdout == "pkg.core does not import pkg.api, directly or indirectly.\n"


def test_why_unknown_module_exits_2_with_a_suggestion(tmp_path: Path) -> None:
    code, stdout, stderr = run_cli(
        ["why", "pkg.apii", "pkg.core", scenario(tmp_path, "kept"), "--no-cache"]
    )
    assert code == 2 and stdout == ""
    assert (
        stderr
        == "archgraph: error: module 'pkg.apii' is not in the graph (did you mean 'pkg.api'?)\n"
    )


def test_why_between_a_package_and_its_own_module(tmp_path: Path) -> None:
    """grimp refuses package-wide chains between nested modules; archgraph asks module to module."""
    root = write_tree(
        tmp_path, {**SCENARIOS["kept"], "pkg/api/__init__.py": "from pkg.api import views\n"}
    )
    code, stdout, stderr = run_cli(["why", "pkg.api", "pkg.api.views", root, "--no-cache"])
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[1] == "1. pkg.api -> pkg.api.views"
    code, _stdout, _stderr = run_cli(["why", "pkg.api.views", "pkg.api", root, "--no-cache"])
    assert code == 1
    code, _stdout, stderr = run_cli(["why", "pkg.api", "pkg.api", root, "--no-cache"])
    assert code == 2 and "is both the importer and the imported module" in stderr
