"""Production first for contract results: violations whose importer is test code are marked
`in_tests`, counted apart in every format, and fail the run unless `test_violations = "report"`
(a contract that names test code itself still fails on it). End to end through the CLI, over
trees with their tests inside the package (tests/ folders, conftest.py, test_*.py beside
production modules), on real grimp."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, write_tree

TREE = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/api/views.py": "import app.core.models\n",
    "app/core/__init__.py": "",
    "app/core/models.py": "",
    "app/core/secrets.py": "class Key:\n    pass\n",
    "app/core/dispatch.py": "class Dispatcher:\n    pass\n",
    # Test code beside production: pytest's default python_files, and conftest.py.
    "app/core/conftest.py": "import app.api.views\n",
    "app/core/test_models.py": '"""Tests."""\nfrom app.api import views\n',
    # A tests package inside the application.
    "app/tests/__init__.py": "",
    "app/tests/helpers.py": "",
    "app/tests/unit/__init__.py": "",
    "app/tests/unit/test_api.py": (
        "import app.tests.helpers\nfrom app.core.secrets import Key\n"
    ),
    "app/tests/fakes.py": "\n\nclass FakeDispatcher:\n    pass\n",
}
UPWARD_IN_PRODUCTION = {"app/core/models.py": "import app.api.views\n"}

SETTINGS = """
[archgraph]
root_packages = ["app"]
{setting}
"""
LAYERS = """
[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["app"]
layers = ["api", "core"]
{extra}
"""
SYMBOL = """
[[contracts]]
id = "key"
name = "Key only from core"
type = "protected"
symbols = ["app.core.secrets.Key"]
allowed_importers = ["app.core"]
"""
SINGLE = """
[[contracts]]
id = "dispatcher"
name = "One dispatcher"
type = "single-implementation"
concept = "*Dispatcher"
canonical = "app.core.dispatch.Dispatcher"
"""


def project(tmp_path: Path, *contracts: str, setting: str = "", files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "project"
    config = SETTINGS.format(setting=setting) + "".join(contracts)
    write_tree(root, {**TREE, **(files or {}), "contracts/arch.toml": config})
    return root


def check(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(["check", str(root), "--no-cache", *args])


def check_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, stdout, _ = check(root, "--format", "json", *args)
    return code, json.loads(stdout)


def contract(report: dict[str, Any], contract_id: str) -> dict[str, Any]:
    return next(c for c in report["contracts"] if c["id"] == contract_id)


def importers(entry: dict[str, Any]) -> list[tuple[str | None, bool]]:
    return [(v["importer"], v["in_tests"]) for v in entry["violations"]]


def test_violations_in_test_code_are_marked_listed_last_and_fail_by_default(tmp_path: Path) -> None:
    root = project(tmp_path, LAYERS.format(extra=""), files=UPWARD_IN_PRODUCTION)

    code, report = check_json(root)

    assert code == 1
    layers = contract(report, "layers")
    # Production first, then test code (conftest.py, test_*.py beside production).
    assert importers(layers) == [
        ("app.core.models", False),
        ("app.core.conftest", True),
        ("app.core.test_models", True),
    ]
    assert layers["counts"] == {"violations": 3, "in_production": 1, "in_tests": 2, "reported_only": 0}
    assert [v["reported_only"] for v in layers["violations"]] == [False, False, False]
    summary = report["summary"]
    assert (summary["violations"], summary["violations_in_production"], summary["violations_in_tests"]) == (3, 1, 2)


def test_fail_still_fails_a_contract_whose_only_violations_are_in_tests(tmp_path: Path) -> None:
    root = project(tmp_path, LAYERS.format(extra=""), setting='test_violations = "fail"')

    code, stdout, _ = check(root)

    assert code == 1
    assert "BROKEN  Layers" in stdout
    assert "2 violation(s), 2 in test code:" in stdout
    assert "- app.core.conftest -> app.api.views (test code)" in stdout
    assert "(2 violations; 0 in production, 2 in test code)." in stdout


def test_report_keeps_a_contract_whose_only_violations_are_in_tests_and_still_shows_them(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, LAYERS.format(extra=""), setting='test_violations = "report"')

    code, stdout, _ = check(root)

    assert code == 0
    assert "KEPT    Layers" in stdout
    assert "- app.core.conftest -> app.api.views (test code, reported only)" in stdout
    assert "- app.core.test_models -> app.api.views (test code, reported only)" in stdout
    assert 'reported only (test_violations = "report"): kept with notes' in stdout
    assert "layers    layers  kept" in stdout and "in tests" in stdout  # the summary table
    assert "(2 violations; 0 in production, 2 in test code, 2 of them reported only)." in stdout
    code, report = check_json(root)
    assert code == 0
    layers = contract(report, "layers")
    assert layers["status"] == "kept"
    assert layers["counts"] == {"violations": 2, "in_production": 0, "in_tests": 2, "reported_only": 2}


def test_report_does_not_excuse_violations_in_production(tmp_path: Path) -> None:
    root = project(
        tmp_path, LAYERS.format(extra=""), setting='test_violations = "report"', files=UPWARD_IN_PRODUCTION
    )

    code, stdout, _ = check(root)

    assert code == 1
    assert "BROKEN  Layers" in stdout
    assert "- app.core.models -> app.api.views\n" in stdout
    assert "2 violation(s) in test code reported only" in stdout


@pytest.mark.parametrize(
    ("setting", "own", "expected"),
    [
        ('test_violations = "report"', 'test_violations = "fail"', 1),
        ('test_violations = "fail"', 'test_violations = "report"', 0),
        ("", 'test_violations = "report"', 0),
    ],
)
def test_a_contract_table_overrides_the_setting(
    tmp_path: Path, setting: str, own: str, expected: int
) -> None:
    root = project(tmp_path, LAYERS.format(extra=own), setting=setting)

    code, report = check_json(root)

    assert code == expected
    assert contract(report, "layers")["counts"]["in_tests"] == 2


def test_class_and_symbol_findings_in_test_modules_are_in_tests(tmp_path: Path) -> None:
    root = project(tmp_path, SYMBOL, SINGLE)

    code, report = check_json(root)
    assert code == 1
    key = contract(report, "key")
    assert importers(key) == [("app.tests.unit.test_api", True)]
    dispatcher = contract(report, "dispatcher")
    # A class has no chain: its location says where it is.
    assert [(v["file"], v["in_tests"]) for v in dispatcher["violations"]] == [
        ("app/tests/fakes.py", True)
    ]

    root = project(tmp_path, SYMBOL, SINGLE, setting='test_violations = "report"')
    code, report = check_json(root)
    assert code == 0
    assert [c["status"] for c in report["contracts"]] == ["kept", "kept"]
    assert report["summary"]["reported_only"] == 2


def test_pytest_configuration_decides_what_is_test_code(tmp_path: Path) -> None:
    """`python_files` of the project's pytest configuration, not only the default globs."""
    files = {
        "app/core/check_views.py": "import app.api.views\n",
        "pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n',
    }
    root = project(tmp_path, LAYERS.format(extra=""), files=files)

    _, report = check_json(root)

    in_tests = dict(importers(contract(report, "layers")))
    assert in_tests["app.core.check_views"] is True
    assert in_tests["app.core.test_models"] is False  # no longer a test file by this configuration


EXPLICIT_INDEPENDENCE = """
[[contracts]]
id = "test-helpers"
name = "Unit tests do not use the shared helpers"
type = "independence"
modules = ["app.tests.unit", "app.tests.helpers"]
"""
EXPLICIT_FORBIDDEN = """
[[contracts]]
id = "tests-no-secrets"
name = "Tests do not touch secrets"
type = "forbidden"
source_modules = ["app.tests"]
forbidden_modules = ["app.core.secrets"]
"""

# Names test code only: its importer lies outside the module it names, and still fails.
EXPLICIT_PROTECTED = """
[[contracts]]
id = "helpers-private"
name = "Test helpers are private to app.tests.helpers"
type = "protected"
modules = ["app.tests.helpers"]
"""


@pytest.mark.parametrize("explicit", [EXPLICIT_INDEPENDENCE, EXPLICIT_FORBIDDEN, EXPLICIT_PROTECTED])
def test_a_contract_that_names_test_code_itself_fails_on_it_even_with_report(
    tmp_path: Path, explicit: str
) -> None:
    root = project(tmp_path, explicit, LAYERS.format(extra=""), setting='test_violations = "report"')

    code, report = check_json(root)

    assert code == 1
    governing, layers = report["contracts"]
    assert governing["status"] == "broken"
    assert importers(governing) == [("app.tests.unit.test_api", True)]
    assert governing["counts"]["reported_only"] == 0
    # The contract that names production modules only is still relaxed.
    assert layers["status"] == "kept"
    assert layers["counts"]["reported_only"] == 2


@pytest.mark.parametrize(
    ("where", "setting"),
    [
        ("archgraph", 'test_violations = "reprot"'),
        ("contracts[0]", ""),
    ],
)
def test_a_malformed_value_is_a_configuration_error(tmp_path: Path, where: str, setting: str) -> None:
    own = 'test_violations = "reprot"' if where.startswith("contracts") else ""
    root = project(tmp_path, LAYERS.format(extra=own), setting=setting)

    code, stdout, stderr = check(root)

    assert code == 2
    assert stdout == ""
    config = (root / "contracts" / "arch.toml").as_posix()
    assert f"{config}:" in stderr
    assert f"{where}.test_violations: expected one of 'fail', 'report'" in stderr
    assert "(did you mean 'report'?)" in stderr


def test_every_format_counts_test_code_apart(tmp_path: Path) -> None:
    root = project(
        tmp_path, LAYERS.format(extra=""), setting='test_violations = "report"', files=UPWARD_IN_PRODUCTION
    )

    code, sarif_text, _ = check(root, "--format", "sarif")
    assert code == 1
    run = json.loads(sarif_text)["runs"][0]
    counts = ("violations", "violations_in_production", "violations_in_tests", "reported_only")
    assert {key: run["properties"][key] for key in counts} == {
        "violations": 3,
        "violations_in_production": 1,
        "violations_in_tests": 2,
        "reported_only": 2,
    }
    results = [(r["properties"]["importer"], r["properties"]["in_tests"], r["level"]) for r in run["results"]]
    assert results == [
        ("app.core.models", False, "error"),
        ("app.core.conftest", True, "note"),
        ("app.core.test_models", True, "note"),
    ]
    assert run["tool"]["driver"]["rules"][0]["properties"]["violations_in_tests"] == 2

    _, junit_text, _ = check(root, "--format", "junit")
    suite = ET.fromstring(junit_text).find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (properties["violations_in_production"], properties["violations_in_tests"]) == ("1", "2")
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "1 violation(s) of layers (layers); 2 more in test code reported only"
    assert "app.core.conftest" not in (failure.text or "")  # they do not fail: in system-out
    assert "app.core.conftest -> app.api.views (test code, reported only)" in (
        suite.findtext("testcase/system-out") or ""
    )

    _, markdown, _ = check(root, "--format", "markdown")
    assert "| contract | type | status | compliance | violations | in tests |" in markdown
    assert "| 3 | 2 |" in markdown
    assert "Violations: 1 in production, 2 in test code, 2 of them reported only." in markdown

    _, github, _ = check(root, "--format", "github")
    lines = github.splitlines()
    # File paths are relative to the working directory (GitHub's checkout).
    assert lines[0].startswith("::error file=")
    assert "app/core/models.py,line=1,title=archgraph layers (AG101)::" in lines[0]
    assert lines[1].startswith("::notice file=")
    assert "app/core/conftest.py,line=1,title=archgraph layers (AG101) (test code)::" in lines[1]
    assert lines[1].endswith("(test code, reported only)")
    assert "(3 violations: 1 in production, 2 in test code, 2 of them reported only)" in lines[-1]


def test_without_test_violations_the_human_formats_are_unchanged(tmp_path: Path) -> None:
    root = project(tmp_path, LAYERS.format(extra=""), files={
        "app/core/conftest.py": "", "app/core/test_models.py": "", **UPWARD_IN_PRODUCTION
    })

    _, stdout, _ = check(root)

    assert "in test" not in stdout
    assert "1 violation(s):" in stdout


def test_baseline_keys_are_unchanged_and_known_test_violations_stay_known(tmp_path: Path) -> None:
    root = project(tmp_path, LAYERS.format(extra=""), files=UPWARD_IN_PRODUCTION)
    baseline = tmp_path / "baseline.json"

    code, _, _ = run_cli(["baseline", str(root), str(baseline), "--no-cache"])
    assert code == 0
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    assert "in_tests" not in json.dumps(recorded)
    assert sorted(e["importer"] for e in recorded["violations"]) == [
        "app.core.conftest",
        "app.core.models",
        "app.core.test_models",
    ]

    code, report = check_json(root, "--baseline", str(baseline))
    assert code == 0
    layers = contract(report, "layers")
    assert [(v["importer"], v["in_tests"], v["baseline"]) for v in layers["violations"]] == [
        ("app.core.models", False, "known"),
        ("app.core.conftest", True, "known"),
        ("app.core.test_models", True, "known"),
    ]
    assert layers["counts"]["in_tests"] == 2


def test_the_html_report_counts_test_code_apart(tmp_path: Path) -> None:
    root = project(tmp_path, LAYERS.format(extra=""), files=UPWARD_IN_PRODUCTION)
    page = tmp_path / "report.html"

    code, _, _ = run_cli(["report", str(root), "--no-cache", "-o", str(page)])

    assert code == 0
    html = page.read_text(encoding="utf-8")
    assert "3 violations (1 in production, 2 in test code)." in html
    assert "<th>in tests</th>" in html
    assert html.count('<li class="violation in-tests"') == 2
    assert html.count('<span class="test-code">(test code)</span>') == 2
