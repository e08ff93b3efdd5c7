"""The compliance table and baseline counts in the text and JSON reports."""

from __future__ import annotations

import json

import pytest

from archgraph.report.json import render_json
from archgraph.report.text import format_percent, render_text
from archgraph.results import RunResult


@pytest.mark.parametrize(
    ("share", "shown"),
    [(None, "-"), (0.0, "0.0%"), (0.6, "60.0%"), (2 / 3, "66.6%"), (0.99999, "99.9%"), (1.0, "100.0%")],
)
def test_percentages_never_round_up_to_full_compliance(share: float | None, shown: str) -> None:
    assert format_percent(share) == shown


def test_the_summary_table_has_a_row_per_contract(shop_result: RunResult) -> None:
    text = render_text(shop_result)
    table = text[text.index("Summary:") :].splitlines()

    assert table[1].split() == [
        "contract", "type", "status", "governed", "respecting", "violating", "exempt", "violations",
        "compliance",
    ]
    rows = {line.split()[0]: line.split()[1:] for line in table[2 : 2 + len(shop_result.contracts)]}
    assert rows["layers"] == ["layers", "broken", "5", "3", "2", "0", "2", "60.0%"]
    assert rows["no-cycles"] == ["acyclic", "broken", "8", "2", "6", "0", "2", "25.0%"]
    for row in rows.values():  # governed = respecting + violating
        assert int(row[2]) == int(row[3]) + int(row[4])
    assert table[2 + len(shop_result.contracts)].startswith("  compliance = respecting / (respecting + violating)")


def test_with_a_baseline_the_report_separates_new_known_and_stale(baselined_result: RunResult) -> None:
    text = render_text(baselined_result)
    layers = text[text.index("[layers, id=layers]") : text.index("[forbidden")]

    assert "baseline: 1 new, 1 known, 1 stale" in layers
    assert "1 new violation(s):\n    - shop.services.billing -> shop.api.views" in layers
    assert "1 known violation(s), recorded in the baseline:" in layers
    assert "    - shop.data.old -> shop.api.old" in layers
    assert "1 stale baseline entry (fixed: recorded, no longer found; prune with `archgraph baseline --prune`)" in layers
    header = text[text.index("Summary:") :].splitlines()[1].split()
    assert header[-4:] == ["new", "known", "stale", "compliance"]
    assert text.rstrip().endswith("known; 1 stale baseline entries).")


def test_json_carries_governed_compliance_and_baseline(
    shop_result: RunResult, baselined_result: RunResult
) -> None:
    plain = json.loads(render_json(shop_result))
    baselined = json.loads(render_json(baselined_result))

    layers = plain["contracts"][0]
    assert (layers["governed"], layers["respecting"], layers["compliance"]) == (5, 3, 0.6)
    assert plain["baseline"] is None and layers["baseline"] is None
    assert {v["baseline"] for v in layers["violations"]} == {None}

    layers = baselined["contracts"][0]
    assert layers["baseline"] == {"new": 1, "known": 1, "fixed": 1}
    assert sorted(v["baseline"] for v in layers["violations"]) == ["known", "new"]
    assert layers["fixed"] == [
        {
            "contract": "layers",
            "code": "AG101",
            "importer": "shop.data.old",
            "imported": "shop.api.old",
            "symbol": None,
            "message": None,
        }
    ]
    total = len(baselined_result.violations)
    assert baselined["baseline"] == {
        "file": "baseline.json", "new": 1, "known": total - 1, "fixed": 1, "fail_on_stale": False
    }
    assert baselined["summary"]["exit_code"] == 1
