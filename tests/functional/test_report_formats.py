"""`archgraph check --format ... --output/--output-dir` over a real tree."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from archgraph.cli import main
from tests.shop import write_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shop(tmp_path_factory.mktemp("shop"))


def invoke(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(main, list(args))
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_several_formats_in_one_run_each_to_its_file(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    formats = ["text", "json", "sarif", "junit", "github"]

    code, stdout, stderr = invoke(
        "check", str(shop), "--no-cache", *[f"--format={f}" for f in formats], "--output-dir", str(out)
    )

    assert code == 1
    assert stdout == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "report.github.txt", "report.json", "report.junit.xml", "report.sarif", "report.txt",
    ]
    assert "Summary:" in (out / "report.txt").read_text()
    assert json.loads((out / "report.json").read_text())["summary"]["exit_code"] == 1
    assert json.loads((out / "report.sarif").read_text())["version"] == "2.1.0"
    assert ET.parse(out / "report.junit.xml").getroot().tag == "testsuites"
    assert (out / "report.github.txt").read_text().startswith("::error ")
    for name in formats:
        assert f"wrote {name} report to" in stderr


def test_one_format_goes_to_stdout_or_to_output(shop: Path, tmp_path: Path) -> None:
    code, stdout, _ = invoke("check", str(shop), "--no-cache", "--format", "junit")
    assert code == 1
    assert ET.fromstring(stdout.encode()).tag == "testsuites"

    target = tmp_path / "nested" / "archgraph.sarif"
    code, stdout, _ = invoke("check", str(shop), "--no-cache", "--format", "sarif", "-o", str(target))
    assert (code, stdout) == (1, "")
    assert json.loads(target.read_text())["runs"][0]["tool"]["driver"]["name"] == "archgraph"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json", "--format", "sarif"], "2 formats (json, sarif) need --output-dir DIR"),
        (["--format", "json", "-o", "x.json", "--output-dir", "d"], "either --output FILE or --output-dir"),
        (["--format", "yaml"], "Invalid value for '--format'"),
    ],
)
def test_impossible_output_combinations_are_usage_errors(
    shop: Path, args: list[str], message: str
) -> None:
    code, stdout, stderr = invoke("check", str(shop), "--no-cache", *args)

    assert code == 2
    assert message in stderr
    assert stdout == ""
