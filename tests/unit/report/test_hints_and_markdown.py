"""A contract's `hint` under each of its violations in every format; the Markdown summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from archgraph.baseline import Baseline, apply_baseline
from archgraph.diagnostics import ViolationKey
from archgraph.report.formats import FORMATS
from archgraph.report.github import render_github
from archgraph.report.json import render_json
from archgraph.report.junit import render_junit
from archgraph.report.markdown import render_markdown
from archgraph.report.sarif import render_sarif
from archgraph.report.text import render_text
from archgraph.results import RunResult
from archgraph.usecases.check import run
from archgraph.usecases.project import RunOptions
from tests.helpers import run_cli
from tests.shop import ALL_CONTRACTS, write_shop
from tests.unit.report.test_sarif import SCHEMA

HINT = "use shop.services.facade.get('api') instead"
WITH_HINT = ALL_CONTRACTS.replace(
    'layers = ["api", "services", "data"]',
    f'layers = ["api", "services", "data"]\nhint = "{HINT}"',
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shop(tmp_path_factory.mktemp("hinted"), WITH_HINT)


@pytest.fixture(scope="module")
def hinted(root: Path) -> RunResult:
    return run(root, RunOptions(use_cache=False))


def test_the_hint_reaches_the_result_of_its_contract_only(hinted: RunResult) -> None:
    hints = {c.contract_id: c.hint for c in hinted.contracts}
    assert hints["layers"] == HINT
    assert {h for i, h in hints.items() if i != "layers"} == {None}


def test_text_shows_the_hint_under_each_violation(hinted: RunResult) -> None:
    text = render_text(hinted)
    layers = text[text.index("[layers, id=layers]") : text.index("[forbidden")]
    count = len(next(c for c in hinted.contracts if c.contract_id == "layers").violations)

    assert count == 2
    assert layers.count(f"hint: {HINT}") == count
    assert f"shop/services/billing.py:3\n        hint: {HINT}\n" in layers
    assert "hint:" not in text[text.index("[forbidden") :].split("Diagnostics")[0]


def test_json_has_the_hint_on_the_contract_and_each_violation(hinted: RunResult) -> None:
    contracts = {c["id"]: c for c in json.loads(render_json(hinted))["contracts"]}

    assert contracts["layers"]["hint"] == HINT
    assert {v["hint"] for v in contracts["layers"]["violations"]} == {HINT}
    assert contracts["no-cycles"]["hint"] is None


def test_sarif_gives_the_rule_help_and_stays_valid(hinted: RunResult) -> None:
    document = json.loads(render_sarif(hinted))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}

    assert rules["layers"]["help"] == {"text": HINT, "markdown": HINT}
    assert "help" not in rules["no-cycles"]


def test_github_annotations_and_junit_failures_carry_the_hint(hinted: RunResult) -> None:
    annotations = [line for line in render_github(hinted).splitlines() if "archgraph layers" in line]
    assert len(annotations) == 2
    assert all(line.endswith(f"%0Ahint: {HINT}") for line in annotations)

    junit = render_junit(hinted)
    failure = re.search(r'<failure message="2 violation\(s\) of layers.*?</failure>', junit, re.DOTALL)
    assert failure is not None and failure.group().count(f"hint: {HINT}") == 2


def test_a_hint_that_is_not_a_string_is_a_configuration_error(tmp_path: Path) -> None:
    root = write_shop(tmp_path, WITH_HINT.replace(f'hint = "{HINT}"', "hint = 3"))

    code, _stdout, stderr = run_cli(["check", root, "--no-cache"])

    assert code == 2
    assert "contracts[0].hint: expected a string, got integer 3" in stderr


# --- markdown ---------------------------------------------------------------------------


def test_markdown_has_a_table_sections_for_broken_contracts_and_linked_violations(
    hinted: RunResult, root: Path
) -> None:
    markdown = render_markdown(hinted, workspace=root)

    assert markdown.startswith("## archgraph: 5 of 5 contracts broken\n")
    assert "| contract | type | status | compliance | violations |" in markdown
    assert "| `layers` Layers | layers | ❌ broken | 60.0% | 2 |" in markdown
    assert "| `api-data-independent` API and data are independent | independence | ❌ broken |" in markdown
    layers = markdown[markdown.index("### Layers (`layers`)") : markdown.index("### Data does not")]
    assert "> **Hint:** use shop.services.facade.get('api') instead" in layers
    assert (
        "- [`shop/services/billing.py:3`](shop/services/billing.py#L3) "
        "`shop.services.billing` → `shop.api.views`: shop.services (lower layer) imports "
        "shop.api (higher layer)"
    ) in layers
    assert markdown.rstrip().endswith("Exit code 1: the run fails (5 contract(s) fail it).")


def test_markdown_lists_the_first_violations_and_counts_the_rest(hinted: RunResult, root: Path) -> None:
    markdown = render_markdown(hinted, workspace=root, limit=1)
    layers = markdown[markdown.index("### Layers (`layers`)") : markdown.index("### Data does not")]

    assert len(re.findall(r"^- \[", layers, re.MULTILINE)) == 1
    assert "- … and 1 more (see the full report)" in layers


def test_markdown_with_a_baseline_counts_new_known_and_stale(hinted: RunResult, root: Path) -> None:
    known = [v.key for v in hinted.violations if v.contract != "layers"]
    gone = ViolationKey("layers", "AG101", "shop.data.old", "shop.api.old")
    result = apply_baseline(hinted, Baseline.of([*known, gone]), Path("baseline.json"))

    markdown = render_markdown(result, workspace=root)

    assert "| contract | type | status | compliance | violations | new | known | stale |" in markdown
    assert "| `layers` Layers | layers | ❌ broken | 60.0% | 2 | 2 | 0 | 1 |" in markdown
    assert "| `no-cycles` No cycles | acyclic | ✅ kept |" in markdown
    assert "baseline `baseline.json`" in markdown
    assert "### No cycles" not in markdown  # kept contracts get no section


def test_markdown_escapes_names_and_paths_outside_the_workspace_stay_relative_to_path(
    shop_result: RunResult,
) -> None:
    markdown = render_markdown(shop_result, workspace=Path("/somewhere/else"))

    assert (
        '| `odd:id,with%stuff` Odd \\<name> & "quotes", 100% \\]\\]> sure: yes | forbidden '
        "| ⚠️ broken (warning) |"
    ) in markdown
    assert "Severity warning: reported, does not fail the run." in markdown
    assert "](shop/services/billing.py#L3)" in markdown


def test_markdown_is_a_registered_format(root: Path, tmp_path: Path) -> None:
    assert FORMATS["markdown"].file_name == "report.md"

    code, stdout, _ = run_cli(["check", root, "--no-cache", "--format", "markdown"])
    assert code == 1 and stdout.startswith("## archgraph: 5 of 5 contracts broken")

    code, _stdout, _ = run_cli(
        ["check", root, "--no-cache", "--format", "markdown", "--format", "json", "--output-dir", tmp_path]
    )
    assert code == 1 and (tmp_path / "report.md").read_text().startswith("## archgraph")
