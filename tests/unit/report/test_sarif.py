"""SARIF 2.1.0: valid against the official schema, one rule per contract, one result per violation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from archgraph import codes
from archgraph.diagnostics import Diagnostic, Severity
from archgraph.report.sarif import render_sarif
from archgraph.results import RunResult

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)


def sarif(result: RunResult) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_sarif(result))
    return document


@pytest.mark.parametrize("fixture", ["shop_result", "baselined_result"])
def test_the_log_validates_against_the_sarif_2_1_0_schema(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    result = request.getfixturevalue(fixture)

    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(sarif(result))


def test_one_rule_per_contract_and_one_result_per_violation(shop_result: RunResult) -> None:
    (run,) = sarif(shop_result)["runs"]
    rules = run["tool"]["driver"]["rules"]
    contract_ids = [c.contract_id for c in shop_result.contracts]

    assert [rule["id"] for rule in rules[: len(contract_ids)]] == contract_ids
    violation_results = [r for r in run["results"] if r["ruleId"] in contract_ids]
    assert len(violation_results) == len(shop_result.violations)
    for sarif_result in run["results"]:
        assert rules[sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"]


def test_results_point_at_the_importing_line_relative_to_path(shop_result: RunResult) -> None:
    (run,) = sarif(shop_result)["runs"]
    layers = [r for r in run["results"] if r["ruleId"] == "layers"]
    direct = next(r for r in layers if "shop.services.billing -> shop.api.views" in r["message"]["text"])

    physical = direct["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "shop/services/billing.py", "uriBaseId": "PROJECTROOT"}
    assert physical["region"] == {"startLine": 3}
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"] == shop_result.root.as_uri() + "/"


def test_severity_maps_to_level(shop_result: RunResult) -> None:
    (run,) = sarif(shop_result)["runs"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}

    assert levels["layers"] == "error"
    assert levels["odd:id,with%stuff"] == "warning"


def test_scan_diagnostics_are_results_under_their_code(shop_result: RunResult) -> None:
    (run,) = sarif(shop_result)["runs"]
    unparsable = [r for r in run["results"] if r["ruleId"] == "AG201"]

    assert len(unparsable) == 1
    assert unparsable[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/broken.py"
    assert any(rule["id"] == "AG201" for rule in run["tool"]["driver"]["rules"])
    # Info diagnostics (cycle-breaking hints) are notifications, not results.
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {n["descriptor"]["id"] for n in notes} == {"AG141"}


def test_baseline_state_and_stable_fingerprints(
    shop_result: RunResult, baselined_result: RunResult
) -> None:
    (plain,) = sarif(shop_result)["runs"]
    (baselined,) = sarif(baselined_result)["runs"]
    states = [r.get("baselineState") for r in baselined["results"] if "partialFingerprints" in r]

    assert all("baselineState" not in r for r in plain["results"])
    assert states.count("new") == 1
    assert states.count("unchanged") == len(shop_result.violations) - 1
    fingerprints = [r["partialFingerprints"] for r in plain["results"] if "partialFingerprints" in r]
    assert fingerprints == [
        r["partialFingerprints"] for r in baselined["results"] if "partialFingerprints" in r
    ]
    assert len({f["archgraphViolation/v1"] for f in fingerprints}) == len(fingerprints)


def test_rules_carry_the_compliance(shop_result: RunResult) -> None:
    (run,) = sarif(shop_result)["runs"]
    layers_rule = run["tool"]["driver"]["rules"][0]

    assert layers_rule["properties"]["governed"] == 5
    assert layers_rule["properties"]["compliance"] == pytest.approx(0.6)


def test_code_rules_take_their_title_help_and_level_from_the_table_of_codes(
    shop_result: RunResult,
) -> None:
    (run,) = sarif(shop_result)["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    entry = codes.UNPARSABLE_FILE

    assert rules[entry.code] == {
        "id": entry.code,
        "name": "FileCannotBeParsed",
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": entry.help},
        "help": {"text": entry.help, "markdown": entry.help},
        "defaultConfiguration": {"level": "warning"},
    }


def test_a_code_the_table_does_not_know_still_gets_a_valid_rule(shop_result: RunResult) -> None:
    # A contract type from a plugin may bring codes of its own.
    foreign = Diagnostic("AG399", Severity.ERROR, "a plugin's configuration problem")
    result = shop_result._replace(diagnostics=(*shop_result.diagnostics, foreign))
    document = sarif(result)
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}

    assert rules["AG399"] == {
        "id": "AG399",
        "name": "AG399",
        "shortDescription": {"text": "archgraph configuration problem AG399"},
    }
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
