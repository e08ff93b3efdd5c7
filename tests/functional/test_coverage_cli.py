"""Coverage: the modules no contract governs, counted in every report format, listed in JSON,
and failing the run under `require_coverage`. Real trees, real CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import run_cli, write_tree

TREE = {
    "app/__init__.py": "",
    "app/web/__init__.py": "",
    "app/web/views.py": "import app.domain.model\n",
    "app/domain/__init__.py": "",
    "app/domain/model.py": "",
    "app/cli.py": "import app.web.views\n",  # in no contract
    "app/tests/__init__.py": "",
    "app/tests/test_views.py": "import app.web.views\n",  # in no contract, test code
}

LAYERS = """\
[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["app"]
layers = ["web", "domain"]
"""


def tree(tmp_path: Path, settings: str = "", contracts: str = LAYERS, **files: str) -> Path:
    toml = f'[archgraph]\nroot_packages = ["app"]\n{settings}\n{contracts}'
    return write_tree(tmp_path, {**TREE, **files, "contracts/arch.toml": toml})


def check(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(["check", root, "--no-cache", *args])


def test_json_lists_the_ungoverned_modules_and_counts_them(tmp_path: Path) -> None:
    code, out, _ = check(tree(tmp_path), "--format", "json")

    assert code == 0
    report = json.loads(out)
    # `app` holds ungoverned modules, so its __init__ is not governed by its children either.
    assert report["ungoverned_modules"] == ["app", "app.cli", "app.tests", "app.tests.test_views"]
    summary = report["summary"]
    assert (summary["ungoverned"], summary["ungoverned_in_tests"], summary["coverage_failure"]) == (
        4, 2, None
    )


def test_a_package_all_of_whose_modules_are_governed_is_governed(tmp_path: Path) -> None:
    contracts = LAYERS + (
        '\n[[contracts]]\nid = "cli"\nname = "Only the CLI is the entry"\ntype = "protected"\n'
        'modules = ["app.cli"]\n'
        '\n[[contracts]]\nid = "tests"\nname = "Tests stay apart"\ntype = "forbidden"\n'
        'source_modules = ["app.domain"]\nforbidden_modules = ["app.tests"]\n'
    )

    code, out, _ = check(tree(tmp_path, contracts=contracts), "--format", "json")

    assert code == 0
    assert json.loads(out)["ungoverned_modules"] == []


def test_text_counts_them_without_listing_them(tmp_path: Path) -> None:
    code, out, _ = check(tree(tmp_path))

    assert code == 0
    assert "Coverage: 4 of 8 modules governed by no contract (2 of them test code).\n" in out
    assert "app.cli" not in out


def test_require_coverage_fails_the_run_naming_the_production_modules(tmp_path: Path) -> None:
    root = tree(tmp_path, settings="require_coverage = true")

    code, out, _ = check(root)
    json_code, report, _ = check(root, "--format", "json")

    assert code == json_code == 1
    assert (
        "Coverage: 4 of 8 modules governed by no contract (2 of them test code).\n"
        "require_coverage: 2 production module(s) governed by no contract: the run fails:\n"
        "  app\n"
        "  app.cli\n"
    ) in out
    assert "KEPT" in out  # the contracts are kept: coverage alone fails the run
    summary = json.loads(report)["summary"]
    assert summary["coverage_failure"] == "require_coverage: 2 production module(s) governed by no contract"
    assert summary["exit_code"] == 1


def test_require_coverage_passes_when_only_test_code_is_ungoverned(tmp_path: Path) -> None:
    contracts = LAYERS + (
        '\n[[contracts]]\nid = "cli"\nname = "CLI"\ntype = "protected"\nmodules = ["app.cli"]\n'
    )
    root = tree(tmp_path, settings="require_coverage = true", contracts=contracts)

    code, out, _ = check(root)

    assert code == 0, out
    assert "Coverage: 2 of 8 modules governed by no contract (2 of them test code).\n" in out


def read_sarif(text: str) -> str:
    run = json.loads(text)["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    return json.dumps(run["properties"]) + " ".join(n["message"]["text"] for n in notes)


def read_junit(text: str) -> str:
    suites = ET.fromstring(text)
    case = suites.find(".//testcase[@name='coverage']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    return f"{failure.get('message')} {failure.text}"


@pytest.mark.parametrize(
    ("output_format", "read", "count"),
    [
        ("sarif", read_sarif, '"ungoverned_modules": ["app", "app.cli", "app.tests", "app.tests.test_views"]'),
        ("junit", read_junit, "app.tests.test_views  (test code)"),
        ("markdown", lambda text: text.replace("\\_", "_"), "4 of 8 modules governed by no contract (2 of them test code)"),
        ("github", str, "4 of 8 modules governed by no contract (2 of them test code)"),
    ],
)
def test_every_format_counts_them_and_says_why_the_run_fails(
    tmp_path: Path, output_format: str, read: object, count: str
) -> None:
    code, out, _ = check(tree(tmp_path, settings="require_coverage = true"), "--format", output_format)

    assert code == 1
    assert callable(read)
    shown = read(out)
    assert count in shown
    assert "require_coverage: 2 production module(s) governed by no contract" in shown
    assert "app.cli" in shown


def test_the_sarif_of_a_coverage_failure_is_valid_sarif(tmp_path: Path) -> None:
    code, out, _ = check(tree(tmp_path, settings="require_coverage = true"), "--format", "sarif")

    assert code == 1
    schema_file = Path(__file__).resolve().parents[1] / "fixtures" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.loads(out))
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert invocation["exitCode"] == 1
    assert invocation["toolExecutionNotifications"][-1]["level"] == "error"


def test_html_report_counts_them(tmp_path: Path) -> None:
    root = tree(tmp_path, settings="require_coverage = true")
    page = tmp_path / "report.html"

    code, _out, err = run_cli(["report", root, "--no-cache", "-o", page, "--engine", "graphviz-pure"])

    assert code == 0, err
    text = page.read_text(encoding="utf-8")
    assert "4 of 8 modules governed by no contract (2 of them test code)" in text
    assert "require_coverage: 2 production module(s) governed by no contract: the run fails" in text


def test_checking_some_contracts_reports_no_coverage(tmp_path: Path) -> None:
    code, out, _ = check(tree(tmp_path, settings="require_coverage = true"), "--contract", "layers",
                         "--format", "json")

    assert code == 0
    report = json.loads(out)
    assert report["ungoverned_modules"] is None
    assert report["summary"]["ungoverned"] is None


def test_a_misspelt_setting_is_a_configuration_error(tmp_path: Path) -> None:
    code, _out, err = check(tree(tmp_path, settings="require_coverag = true"))

    assert code == 2
    assert "contracts/arch.toml:3: archgraph.require_coverag: unknown key" in err
    assert "did you mean 'require_coverage'?" in err
