"""Allow-list contracts on real trees through the CLI: what a source may import, the nearest
allowed module each violation names, compliance, every report format, configuration mistakes."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import run_cli, write_tree

SETTINGS = """\
[archgraph]
root_packages = ["app"]
include_external_packages = true
"""

DOMAIN_ONLY_PORTS = """
[[contracts]]
name = "The domain imports only the ports"
id = "domain"
type = "allowlist"
source_modules = ["app.domain"]
allowed_modules = ["app.ports"]
allowed_external = ["<stdlib>", "pydantic"]
"""


def write_app(root: Path, contracts: str, settings: str = SETTINGS) -> Path:
    """app.domain imports: its own module, a port, the standard library, pydantic (all allowed),
    requests, app.infra.db (which app.ports.repo imports) and app.utils (not allowed)."""
    return write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/domain/__init__.py": "",
            "app/domain/model.py": (
                "import os\n"
                "import json\n"
                "import requests\n"
                "import pydantic\n"
                "from app.ports import repo\n"
                "from app.infra import db\n"
                "from app.domain import rules\n"
                "import app.utils\n"
                "import app.legacy\n"
            ),
            "app/domain/rules.py": "import collections\n",
            "app/ports/__init__.py": "",
            "app/ports/repo.py": "from app.infra import db\n",
            "app/ports/util.py": "",
            "app/infra/__init__.py": "",
            "app/infra/db.py": "import sqlite3\nimport sqlalchemy\n",
            "app/utils.py": "",
            "app/legacy.py": "",
            "contracts/arch.toml": settings + contracts,
        },
    )


def violations(root: Path) -> dict[str, dict[str, object]]:
    code, stdout, _ = run_cli(["check", root, "--no-cache", "--format", "json"])
    assert code == 1
    (contract,) = json.loads(stdout)["contracts"]
    return {f"{v['importer']} -> {v['imported']}": v for v in contract["violations"]}


def test_sources_may_import_only_their_own_modules_and_the_allowed_ones(tmp_path: Path) -> None:
    root = write_app(tmp_path, DOMAIN_ONLY_PORTS)

    found = violations(root)

    assert sorted(found) == [
        "app.domain.model -> app.infra.db",
        "app.domain.model -> app.legacy",
        "app.domain.model -> app.utils",
        "app.domain.model -> requests",
    ]
    db = found["app.domain.model -> app.infra.db"]
    assert db["code"] == "AG111"
    assert (db["file"], db["line"]) == ("app/domain/model.py", 6)
    assert db["alternative"] == "app.ports.repo, which imports it"
    assert db["message"] == (
        "app.domain may import only its allow-list, not app.infra.db"
        " (nearest allowed: app.ports.repo, which imports it)"
    )
    # No allowed module imports app.utils: the closest allowed name is offered instead.
    assert found["app.domain.model -> app.utils"]["alternative"] == "app.ports.util, the closest by name"
    # Nothing allowed imports app.legacy or is named like it: no alternative is made up.
    assert found["app.domain.model -> app.legacy"]["alternative"] is None
    assert found["app.domain.model -> app.legacy"]["message"] == (
        "app.domain may import only its allow-list, not app.legacy"
    )
    assert found["app.domain.model -> requests"]["alternative"] is None


def test_compliance_counts_every_import_leaving_a_source(tmp_path: Path) -> None:
    root = write_app(tmp_path, DOMAIN_ONLY_PORTS)

    code, stdout, _ = run_cli(["check", root, "--no-cache", "--format", "json"])

    (contract,) = json.loads(stdout)["contracts"]
    # Leaving app.domain: os, json, requests, pydantic, app.ports.repo, app.infra.db, app.utils,
    # app.legacy from model and collections from rules; app.domain.rules is its own (not
    # governed). Four of them are not allowed.
    assert (contract["governed"], contract["respecting"]) == (9, 5)
    assert code == 1


def test_allow_all_external_and_the_allowed_external_packages(tmp_path: Path) -> None:
    all_external = DOMAIN_ONLY_PORTS.replace(
        'allowed_external = ["<stdlib>", "pydantic"]', "allow_all_external = true"
    )
    root = write_app(tmp_path / "all", all_external)
    assert sorted(violations(root)) == [
        "app.domain.model -> app.infra.db",
        "app.domain.model -> app.legacy",
        "app.domain.model -> app.utils",
    ]

    only_named = DOMAIN_ONLY_PORTS.replace('"<stdlib>", "pydantic"', '"os", "json", "requests"')
    root = write_app(tmp_path / "named", only_named)
    assert sorted(violations(root)) == [
        "app.domain.model -> app.infra.db",
        "app.domain.model -> app.legacy",
        "app.domain.model -> app.utils",
        "app.domain.model -> pydantic",
        "app.domain.rules -> collections",
    ]


def test_a_kept_allow_list(tmp_path: Path) -> None:
    kept = DOMAIN_ONLY_PORTS.replace('["app.ports"]', '["app.ports", "app.infra", "app.utils", "app.legacy"]')
    kept = kept.replace('"pydantic"', '"pydantic", "requests"')
    root = write_app(tmp_path, kept)

    code, stdout, _ = run_cli(["check", root, "--no-cache"])

    assert code == 0, stdout
    assert "kept" in stdout


def test_every_report_format_names_the_import_and_the_nearest_allowed_module(
    tmp_path: Path,
) -> None:
    root = write_app(tmp_path, DOMAIN_ONLY_PORTS)
    out = tmp_path / "reports"
    formats = ["text", "json", "sarif", "junit", "github", "markdown"]

    code, _, _ = run_cli(
        ["check", root, "--no-cache", *[f"--format={f}" for f in formats], "--output-dir", out]
    )

    assert code == 1
    text = (out / "report.txt").read_text()
    assert (
        "    - app.domain.model -> app.infra.db\n"
        "        app/domain/model.py:6\n"
        "        nearest allowed: app.ports.repo, which imports it\n"
    ) in text
    assert re.search(r"\n  domain +allowlist +broken +9 +5 +4 +0 +4 +55\.5%\n", text)
    expected = "nearest allowed: app.ports.repo, which imports it"
    sarif = json.loads((out / "report.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert any(
        r["ruleId"] == "domain" and expected in r["message"]["text"] and "app.infra.db" in r["message"]["text"]
        for r in results
    )
    assert expected in (out / "report.github.txt").read_text()
    assert expected in (out / "report.md").read_text()
    junit = ET.parse(out / "report.junit.xml").getroot()
    assert expected in ET.tostring(junit, encoding="unicode")


CONFIG_MISTAKES = [
    (
        'allowed_modules = ["app.ports", "<stdlb>"]',
        "contracts[0].allowed_modules: item 2: unknown selector '<stdlb>' (known: <stdlib>,"
        " <third_party>, <tests>) (did you mean '<stdlib>'?)",
    ),
    (
        'allowed_modules = ["app.ports"]\nallow_all_external = true',
        "contracts[0].allowed_external: allow_all_external = true allows every external"
        " package already; remove one of the two",
    ),
    (
        'allowed_modules = ["app.ports"]\nallowd_external = ["x"]',
        "contracts[0].allowd_external: unknown key (did you mean 'allowed_external'?)",
    ),
]


@pytest.mark.parametrize(("line", "error"), CONFIG_MISTAKES)
def test_configuration_mistakes_are_named_at_their_file_line_and_key(
    tmp_path: Path, line: str, error: str
) -> None:
    root = write_app(tmp_path, DOMAIN_ONLY_PORTS.replace('allowed_modules = ["app.ports"]', line))

    code, _, stderr = run_cli(["check", root, "--no-cache"])

    assert code == 2
    written = (root / "contracts/arch.toml").read_text().splitlines()
    key = error.split(":")[0].rpartition(".")[2]
    number = next(n for n, text in enumerate(written, start=1) if text.startswith(key))
    assert f"contracts/arch.toml:{number}: {error}" in stderr


def test_without_external_packages_in_the_graph_the_allow_list_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    settings = SETTINGS.replace("include_external_packages = true", "")
    root = write_app(tmp_path, DOMAIN_ONLY_PORTS, settings=settings)

    code, _, stderr = run_cli(["check", root, "--no-cache"])

    assert code == 2
    assert (
        "contracts/arch.toml:11: contracts[0].allowed_external: needs the external packages in"
        " the graph, which has them only with include_external_packages = true in the settings"
    ) in stderr
    assert "or set allow_all_external = true" in stderr

    # Allowing every external package needs none of them in the graph.
    every = DOMAIN_ONLY_PORTS.replace(
        'allowed_external = ["<stdlib>", "pydantic"]', "allow_all_external = true"
    )
    write_app(tmp_path, every, settings=settings)
    code, stdout, _ = run_cli(["check", root, "--no-cache", "--format", "json"])
    assert code == 1
    (contract,) = json.loads(stdout)["contracts"]
    assert [v["imported"] for v in contract["violations"]] == [
        "app.infra.db",
        "app.legacy",
        "app.utils",
    ]
