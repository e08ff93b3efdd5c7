"""JUnit XML parses back, escapes everything, and agrees with the exit code per contract."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from archgraph.diagnostics import Violation
from archgraph.report.junit import render_junit
from archgraph.results import RunResult


def cases(result: RunResult) -> dict[str, ET.Element]:
    root = ET.fromstring(render_junit(result).encode("utf-8"))
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_one_testcase_per_contract_with_failures_listing_violations(shop_result: RunResult) -> None:
    root = ET.fromstring(render_junit(shop_result).encode("utf-8"))
    suite = root.find("testsuite")
    found = cases(shop_result)

    assert suite is not None
    assert len(found) == len(shop_result.contracts) + 1  # plus the scan's diagnostics
    failure = found["Layers [layers]"].find("failure")
    assert failure is not None and failure.text is not None
    assert "shop.services.billing -> shop.api.views" in failure.text
    assert "shop/services/billing.py:3" in failure.text
    assert failure.get("type") == "AG101"
    assert suite.get("failures") == "5"  # five error-severity contracts broken
    assert suite.get("errors") == "0"


def test_awkward_names_survive_the_round_trip(shop_result: RunResult) -> None:
    name = 'Odd <name> & "quotes", 100% ]]> sure: yes [odd:id,with%stuff]'

    case = cases(shop_result)[name]

    # severity = "warning": broken but not failing, like the exit code.
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None and out.text is not None
    assert "does not fail the run" in out.text
    assert "shop.cli -> shop.data.store" in out.text


def test_characters_xml_cannot_carry_are_made_visible(shop_result: RunResult) -> None:
    contract = shop_result.contracts[0]
    odd = replace(contract, name="bell\x07 and escape\x1b[0m", violations=(
        Violation("AG101", "layers", "nul \x00 in a message"),
    ))

    found = cases(shop_result._replace(contracts=(odd,)))

    (case,) = [c for n, c in found.items() if n.startswith("bell")]
    assert case.get("name") == "bell\\x07 and escape\\x1b[0m [layers]"
    failure = case.find("failure")
    assert failure is not None and "nul \\x00 in a message" in (failure.text or "")


def test_known_violations_do_not_fail_their_testcase(baselined_result: RunResult) -> None:
    found = cases(baselined_result)

    layers = found["Layers [layers]"]
    failure = layers.find("failure")
    assert failure is not None
    assert "1 violation(s)" in (failure.get("message") or "")
    out = layers.find("system-out")
    assert out is not None and "known violation(s), recorded in the baseline" in (out.text or "")
    assert "shop.data.old -> shop.api.old" in (out.text or "")  # fixed since the baseline
    assert found["No cycles [no-cycles]"].find("failure") is None


def test_scan_problems_fail_only_under_strict(shop_result: RunResult) -> None:
    lenient = cases(shop_result)["scan diagnostics"]
    strict = cases(shop_result._replace(strict=True))["scan diagnostics"]

    assert lenient.find("error") is None
    assert "AG201" in (lenient.findtext("system-out") or "")
    error = strict.find("error")
    assert error is not None and error.get("type") == "AG201"
