"""GitHub Actions workflow commands, escaped as the runner expects."""

from __future__ import annotations

from pathlib import Path

from archgraph.report.github import escape_data, escape_property, render_github, workflow_command
from archgraph.results import RunResult


def test_data_escapes_percent_and_line_breaks() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_a_command_with_properties() -> None:
    line = workflow_command("error", "x\ny", {"file": "a,b.py", "line": 3, "col": None, "title": "t: 1"})

    assert line == "::error file=a%2Cb.py,line=3,title=t%3A 1::x%0Ay"


def test_one_annotation_per_violation_at_its_line(shop_result: RunResult) -> None:
    lines = render_github(shop_result).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]

    assert len(errors) == sum(
        len(c.violations) for c in shop_result.contracts if c.severity.value == "error"
    )
    assert (
        "::error file=shop/services/billing.py,line=3,title=archgraph layers (AG101)::"
        "shop.services.billing -> shop.api.views: shop.services (lower layer) imports shop.api"
        " (higher layer)"
    ) in lines
    assert any(line.startswith("::warning file=shop/broken.py,line=1,") for line in lines)
    assert lines[-1].startswith("archgraph: 0 kept, 6 broken")


def test_awkward_contract_ids_are_escaped_in_titles(shop_result: RunResult) -> None:
    warnings = [
        line for line in render_github(shop_result).splitlines() if "odd" in line
    ]

    # Two chains from shop.cli into shop.data (one direct, one through the API and services).
    assert [line.split("::")[1] for line in warnings] == [
        "warning file=shop/cli.py,line=1,title=archgraph odd%3Aid%2Cwith%25stuff (AG110)",
        "warning file=shop/cli.py,line=2,title=archgraph odd%3Aid%2Cwith%25stuff (AG110)",
    ]


def test_paths_are_made_relative_to_the_workspace(shop_result: RunResult) -> None:
    workspace = shop_result.root.parent

    text = render_github(shop_result, workspace)

    assert f"file={shop_result.root.name}/shop/services/billing.py,line=3" in text


def test_paths_outside_the_workspace_stay_absolute(shop_result: RunResult) -> None:
    text = render_github(shop_result, Path("/nonexistent/elsewhere"))

    assert f"file={escape_property((shop_result.root / 'shop/services/billing.py').as_posix())}" in text


def test_known_violations_are_counted_not_annotated(baselined_result: RunResult) -> None:
    lines = render_github(baselined_result).splitlines()

    assert len([line for line in lines if line.startswith("::error ")]) == 1
    known = len(baselined_result.violations) - 1
    assert f"::notice title=archgraph baseline::{known} known violation(s) recorded in the baseline are not annotated" in lines
