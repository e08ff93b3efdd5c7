"""Selectors (`<stdlib>`, `<third_party>`, `<tests>`) in contract module lists and a contract's
`exclude_modules`, on real trees through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, write_tree

SETTINGS = """\
[archgraph]
root_packages = ["app"]
include_external_packages = true
"""


def write_app(root: Path, contracts: str, settings: str = SETTINGS, **extra: str) -> Path:
    """app.core imports os and requests; app.api imports app.core; the tests import pytest,
    requests and app.api; app/check_db.py is test code only by the pytest configuration."""
    return write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/core.py": "import os\nimport requests\n",
            "app/api.py": "import app.core\n",
            "app/tests/__init__.py": "",
            "app/tests/test_api.py": "import pytest\nimport requests\nimport app.api\n",
            "app/check_db.py": "import sqlalchemy\nimport app.core\n",
            "contracts/arch.toml": settings + contracts,
            **extra,
        },
    )


def check_json(root: Path) -> tuple[int, dict[str, Any]]:
    code, stdout, stderr = run_cli(["check", root, "--no-cache", "--format", "json"])
    assert stdout, stderr
    return code, json.loads(stdout)


def sites(contract: dict[str, Any]) -> list[str]:
    return [f"{v['importer']} -> {v['imported']}" for v in contract["violations"]]


TESTS_USE_NO_THIRD_PARTY = """
[[contracts]]
name = "Tests use no third-party package"
id = "tests-plain"
type = "forbidden"
source_modules = ["<tests>"]
forbidden_modules = ["<third_party>"]
"""


def test_tests_and_third_party_selectors_in_a_forbidden_contract(tmp_path: Path) -> None:
    root = write_app(tmp_path, TESTS_USE_NO_THIRD_PARTY)

    code, report = check_json(root)

    assert code == 1
    (contract,) = report["contracts"]
    # app.tests imports pytest and requests, and reaches requests again through app.api and
    # app.core. app.check_db is not test code here.
    assert sorted(sites(contract)) == [
        "app.tests.test_api -> pytest",
        "app.tests.test_api -> requests",
        "app.tests.test_api -> requests",
    ]
    assert sorted(len(v["chain"]) for v in contract["violations"]) == [1, 1, 3]


def test_the_tests_selector_follows_the_pytest_configuration(tmp_path: Path) -> None:
    root = write_app(
        tmp_path,
        TESTS_USE_NO_THIRD_PARTY,
        **{"pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n'},
    )

    code, report = check_json(root)

    assert code == 1
    (contract,) = report["contracts"]
    assert sorted(sites(contract)) == [
        "app.check_db -> requests",
        "app.check_db -> sqlalchemy",
        "app.tests.test_api -> pytest",
        "app.tests.test_api -> requests",
        "app.tests.test_api -> requests",
    ]


def test_stdlib_and_a_named_package_is_one_line(tmp_path: Path) -> None:
    contracts = """
[[contracts]]
name = "The core may import only the standard library and pydantic"
type = "allowlist"
source_modules = ["app.core"]
allowed_external = ["<stdlib>", "pydantic"]
"""
    root = write_app(tmp_path, contracts)

    code, report = check_json(root)

    assert code == 1
    (contract,) = report["contracts"]
    assert sites(contract) == ["app.core -> requests"]


def test_a_selector_that_selects_nothing(tmp_path: Path) -> None:
    contracts = """
[[contracts]]
name = "No tests at all here"
type = "forbidden"
source_modules = ["<tests>"]
forbidden_modules = ["app.core"]
"""
    root = write_tree(
        tmp_path,
        {"app/__init__.py": "", "app/core.py": "", "contracts/arch.toml": SETTINGS + contracts},
    )

    code, stdout, _ = run_cli(["check", root, "--no-cache"])

    assert code == 2
    assert "source_modules: '<tests>' matches no module in the graph" in stdout
    assert "hint: the analyzed code has no test code; write '(<tests>)' if that is expected" in stdout

    (root / "contracts/arch.toml").write_text(SETTINGS + contracts.replace('"<tests>"', '"(<tests>)"'))
    code, stdout, _ = run_cli(["check", root, "--no-cache"])
    assert code == 0, stdout


@pytest.mark.parametrize(
    ("contracts", "settings", "error"),
    [
        (
            TESTS_USE_NO_THIRD_PARTY.replace('["<tests>"]', '["<test>"]'),
            SETTINGS,
            ":9: contracts[0].source_modules: item 1: unknown selector '<test>' (known: <stdlib>,"
            " <third_party>, <tests>) (did you mean '<tests>'?)",
        ),
        (
            TESTS_USE_NO_THIRD_PARTY,
            SETTINGS.replace("include_external_packages = true", ""),
            ":10: contracts[0].forbidden_modules: needs the external packages in the graph, which"
            " has them only with include_external_packages = true in the settings",
        ),
        (
            "",
            SETTINGS + 'exclude = ["<tests>"]\n',
            ":4: archgraph.exclude: <tests>: exclude takes module names; selectors belong in the"
            " module lists of contracts",
        ),
        (
            '\n[[contracts]]\nname = "c"\ntype = "acyclic"\npackages = ["app"]\n'
            'exclude_modules = ["app.tests"]\n',
            SETTINGS,
            ":9: contracts[0].exclude_modules: acyclic contracts do not take exclude_modules",
        ),
        (
            '\n[[contracts]]\nname = "c"\ntype = "forbidden"\nsource_modules = ["app.api"]\n'
            'forbidden_modules = ["app.core"]\nexclude_modules = ["app.tests"]\nexclud_modules = []\n',
            SETTINGS,
            ":11: contracts[0].exclud_modules: unknown key (did you mean 'exclude_modules'?)",
        ),
        (
            '\n[[contracts]]\nname = "c"\ntype = "single-implementation"\nconcept = "*Repo"\n'
            'canonical = "app.core.Repo"\nallowed_modules = ["<tests>"]\n',
            SETTINGS,
            ":10: contracts[0].allowed_modules: <tests>: a single-implementation contract takes"
            " module names, not selectors",
        ),
    ],
)
def test_configuration_mistakes_name_file_line_and_key(
    tmp_path: Path, contracts: str, settings: str, error: str
) -> None:
    root = write_app(tmp_path, contracts, settings=settings)

    code, _, stderr = run_cli(["check", root, "--no-cache"])

    assert code == 2
    assert f"contracts/arch.toml{error}" in stderr


# --- exclude_modules -------------------------------------------------------------------------

LAYERED = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/api/views.py": "import app.bridge\n",
    "app/api/legacy.py": "import app.db\n",
    "app/api/handlers.py": "import app.db.session\n",
    "app/bridge.py": "import app.db.session\n",
    "app/db/__init__.py": "",
    "app/db/session.py": "",
    "app/db/compat.py": "",
}

API_NOT_DB = """
[[contracts]]
name = "The api does not reach the database"
id = "api-db"
type = "forbidden"
source_modules = ["app.api"]
forbidden_modules = ["app.db"]
"""


def test_excluded_modules_are_out_of_scope_but_chains_pass_through_them(tmp_path: Path) -> None:
    write_tree(tmp_path, {**LAYERED, "contracts/arch.toml": SETTINGS + API_NOT_DB})
    code, report = check_json(tmp_path)
    assert code == 1
    (before,) = report["contracts"]
    assert sites(before) == [
        "app.api.handlers -> app.db.session",
        "app.api.legacy -> app.db",
        "app.api.views -> app.db.session",
    ]
    assert (before["governed"], before["respecting"]) == (3, 0)

    excluding = API_NOT_DB + 'exclude_modules = ["app.api.legacy", "app.bridge"]\n'
    (tmp_path / "contracts/arch.toml").write_text(SETTINGS + excluding)
    code, report = check_json(tmp_path)

    assert code == 1
    (after,) = report["contracts"]
    # app.api.legacy is out of scope; the chain views -> bridge -> db.session goes through the
    # excluded app.bridge and is still found.
    assert sites(after) == ["app.api.handlers -> app.db.session", "app.api.views -> app.db.session"]
    assert [len(v["chain"]) for v in after["violations"]] == [1, 2]
    assert (after["governed"], after["respecting"]) == (2, 0)

    code, stdout, _ = run_cli(["check", tmp_path, "--no-cache"])
    assert "app.api.legacy" not in stdout
    assert re.search(r"\n  api-db +forbidden +broken +2 +0 +2 +0 +2 +0\.0%\n", stdout)


def test_excluding_the_target_end_of_a_chain(tmp_path: Path) -> None:
    excluding = API_NOT_DB + 'exclude_modules = ["app.db.session"]\n'
    write_tree(tmp_path, {**LAYERED, "contracts/arch.toml": SETTINGS + excluding})

    code, report = check_json(tmp_path)

    assert code == 1
    (contract,) = report["contracts"]
    assert sites(contract) == ["app.api.legacy -> app.db"]


def test_exclude_the_tests_from_a_layers_contract(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/api/__init__.py": "import app.core\n",
        "app/core/__init__.py": "",
        "app/core/tests/__init__.py": "",
        "app/core/tests/test_core.py": "import app.api\n",
        "app/core/service.py": "import app.api\n",
    }
    layers = '\n[[contracts]]\nname = "layers"\ntype = "layers"\nlayers = ["app.api", "app.core"]\n'
    write_tree(tmp_path, {**files, "contracts/arch.toml": SETTINGS + layers})
    _, report = check_json(tmp_path)
    assert sites(report["contracts"][0]) == [
        "app.core.service -> app.api",
        "app.core.tests.test_core -> app.api",
    ]

    excluding = layers + 'exclude_modules = ["<tests>"]\n'
    (tmp_path / "contracts/arch.toml").write_text(SETTINGS + excluding)
    code, report = check_json(tmp_path)

    assert code == 1
    assert sites(report["contracts"][0]) == ["app.core.service -> app.api"]


def test_an_excluded_module_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    excluding = API_NOT_DB + 'exclude_modules = ["app.api.legcy"]\n'
    write_tree(tmp_path, {**LAYERED, "contracts/arch.toml": SETTINGS + excluding})

    code, stdout, _ = run_cli(["check", tmp_path, "--no-cache"])

    assert code == 2
    assert "exclude_modules: 'app.api.legcy' matches no module in the graph" in stdout
    assert "did you mean 'app.api.legacy'?" in stdout


def test_an_excluded_module_does_not_hide_another_that_breaks_the_same_route(
    tmp_path: Path,
) -> None:
    # app.core.a and app.core.b reach app.api through the same middle module: one route, shown
    # by its first head. Excluding app.core.a must leave app.core.b's chain reported.
    files = {
        "app/__init__.py": "",
        "app/api.py": "",
        "app/helpers.py": "import app.api\n",
        "app/core/__init__.py": "",
        "app/core/a.py": "import app.helpers\n",
        "app/core/b.py": "import app.helpers\n",
    }
    layers = (
        '\n[[contracts]]\nname = "layers"\ntype = "layers"\nlayers = ["app.api", "app.core"]\n'
        'exclude_modules = ["app.core.a"]\n'
    )
    write_tree(tmp_path, {**files, "contracts/arch.toml": SETTINGS + layers})

    code, report = check_json(tmp_path)

    assert code == 1
    (contract,) = report["contracts"]
    assert sites(contract) == ["app.core.b -> app.api"]
    assert [step["importer"] for step in contract["violations"][0]["chain"]] == [
        "app.core.b",
        "app.helpers",
    ]
    assert (contract["governed"], contract["respecting"]) == (1, 0)


def test_an_excluded_module_is_governed_by_no_contract_that_excludes_it(tmp_path: Path) -> None:
    excluding = API_NOT_DB + 'exclude_modules = ["app.api.legacy"]\n'
    write_tree(tmp_path, {**LAYERED, "contracts/arch.toml": SETTINGS + excluding})

    _, report = check_json(tmp_path)

    assert "app.api.legacy" in report["ungoverned_modules"]
    assert "app.api.views" not in report["ungoverned_modules"]
