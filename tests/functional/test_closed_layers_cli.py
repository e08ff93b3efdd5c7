"""Closed layers (`closed = [...]` on a layers contract), end to end: real tree, real CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import run_cli, write_tree

TREE = {
    "app/__init__.py": "",
    "app/high/__init__.py": "",
    "app/high/direct.py": "import app.low.store\n",  # skips mid
    "app/high/through.py": "import app.mid.service\n",  # goes through mid: fine
    "app/high/around.py": "import app.utils\n",  # skips mid by a chain through app.utils
    "app/mid/__init__.py": "",
    "app/mid/service.py": "import app.low.store\n",
    "app/low/__init__.py": "",
    "app/low/store.py": "",
    "app/utils.py": "\n\nfrom app.low import store\n",
}


def contract(closed: str) -> str:
    return f"""\
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["app"]
layers = ["high", "mid", "low"]
{closed}
"""


def tree(tmp_path: Path, closed: str = 'closed = ["mid"]') -> Path:
    return write_tree(tmp_path, {**TREE, "contracts/layers.toml": contract(closed)})


def test_an_open_middle_layer_may_be_skipped(tmp_path: Path) -> None:
    code, out, _ = run_cli(["check", tree(tmp_path, closed=""), "--no-cache"])

    assert code == 0, out
    assert "KEPT" in out


def test_skipping_a_closed_layer_is_a_violation_direct_and_by_a_chain(tmp_path: Path) -> None:
    root = tree(tmp_path)

    code, out, _ = run_cli(["check", root, "--no-cache"])
    json_code, report, _ = run_cli(["check", root, "--no-cache", "--format", "json"])

    assert code == json_code == 1
    assert (
        "    - app.high.direct -> app.low.store\n"
        "        app.high imports app.low; it skips the closed layer app.mid\n"
        "        app/high/direct.py:1\n"
    ) in out
    assert "- app.high imports app.low; it skips the closed layer app.mid (2 imports)" in out
    assert "app.high.through" not in out  # through the closed layer: allowed
    violations = json.loads(report)["contracts"][0]["violations"]
    assert [(v["code"], v["importer"], v["imported"], v["line"]) for v in violations] == [
        ("AG103", "app.high.around", "app.low.store", 1),
        ("AG103", "app.high.direct", "app.low.store", 1),
    ]
    assert {v["message"] for v in violations} == {
        "app.high imports app.low; it skips the closed layer app.mid"
    }
    assert [step["importer"] for step in violations[0]["chain"]] == ["app.high.around", "app.utils"]


@pytest.mark.parametrize(
    ("output_format", "read"),
    [
        ("sarif", lambda text: json.loads(text)["runs"][0]["results"][0]["message"]["text"]),
        ("junit", lambda text: ET.fromstring(text).find(".//failure").text),  # type: ignore[union-attr]
        ("markdown", lambda text: text),
        ("github", lambda text: text),
    ],
)
def test_every_format_names_the_skipped_layer(tmp_path: Path, output_format: str, read: object) -> None:
    code, out, _ = run_cli(["check", tree(tmp_path), "--no-cache", "--format", output_format])

    assert code == 1
    assert callable(read)
    assert "skips the closed layer app.mid" in read(out)


def test_html_report_names_the_skipped_layer(tmp_path: Path) -> None:
    root = tree(tmp_path)
    page = tmp_path / "report.html"

    code, _out, err = run_cli(["report", root, "--no-cache", "-o", page, "--engine", "graphviz-pure"])

    assert code == 0, err
    assert "skips the closed layer app.mid" in page.read_text(encoding="utf-8")


def test_a_closed_layer_that_is_no_layer_is_a_configuration_error(tmp_path: Path) -> None:
    root = tree(tmp_path, closed='closed = ["midd"]')

    code, out, err = run_cli(["check", root, "--no-cache"])

    assert code == 2
    assert (
        "contracts/layers.toml:10: contracts[0].closed: 'midd' is not one of the layers "
        "(high, mid, low) (did you mean 'mid'?)"
    ) in err.replace(str(root) + "/", "")
    assert out == ""


def test_a_closed_sibling_layer_closes_its_whole_layer(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **TREE,
            "app/other/__init__.py": "",
            "contracts/layers.toml": contract('closed = ["other"]').replace(
                '"mid", "low"', '"mid | other", "low"'
            ),
        },
    )

    code, out, _ = run_cli(["check", root, "--no-cache", "--format", "json"])

    assert code == 1
    messages = {v["message"] for v in json.loads(out)["contracts"][0]["violations"]}
    assert messages == {"app.high imports app.low; it skips the closed layer app.mid | app.other"}
