"""`pytest --archgraph`: every contract is a test item; real pytest runs over real trees."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import write_tree

pytest_plugins = ["pytester"]

TREE = {
    "shop/__init__.py": "",
    "shop/api.py": "import shop.services\n",
    "shop/services.py": "import shop.domain\n",
    "shop/domain.py": "import shop.api\n",  # lower layer imports the top one
    "shop/plugins/__init__.py": "",
    "shop/plugins/alpha.py": "",
    "shop/plugins/beta.py": "",
    "tests/test_plain.py": "def test_plain():\n    assert True\n",
}
CONTRACTS = """
[archgraph]
root_packages = ["shop"]

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["shop"]
layers = ["api", "services", "domain"]

[[contracts]]
id = "plugins-independent"
name = "Plugins are independent"
type = "independence"
modules = ["shop.plugins.alpha", "shop.plugins.beta"]

[[contracts]]
id = "no-cycles"
name = "No cycles"
type = "acyclic"
packages = ["shop"]

[[contracts]]
id = "advisory"
name = "Domain is pure (advisory)"
type = "forbidden"
severity = "warning"
source_modules = ["shop.domain"]
forbidden_modules = ["shop.api"]
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    return write_tree(pytester.path, {**TREE, "contracts/architecture.toml": CONTRACTS})


def test_each_contract_is_an_item_that_fails_with_its_report(
    pytester: pytest.Pytester, project: Path
) -> None:
    result = pytester.runpytest("--archgraph", "-p", "no:cacheprovider", "-v")

    result.assert_outcomes(passed=3, failed=2, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*contracts/architecture.toml::layers FAILED*",
            "*contracts/architecture.toml::plugins-independent PASSED*",
            "*BROKEN  Layers  [[]layers, id=layers[]]*",
            "*- shop.domain -> shop.api*",
            "*BROKEN  No cycles*",
        ]
    )
    # The advisory contract is broken, but only warns.
    result.stdout.fnmatch_lines(["*ArchgraphContractWarning*Domain is pure (advisory)*"])


def test_k_selects_contracts_by_id(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest("--archgraph", "-p", "no:cacheprovider", "-k", "independent")

    result.assert_outcomes(passed=1, deselected=4)


def test_x_stops_at_the_first_broken_contract(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest("--archgraph", "-p", "no:cacheprovider", "-x", "-k", "not plain")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*stopping after 1 failures*"])


def test_junitxml_records_contracts_and_their_reports(
    pytester: pytest.Pytester, project: Path
) -> None:
    report = pytester.path / "junit.xml"
    pytester.runpytest("--archgraph", "-p", "no:cacheprovider", f"--junitxml={report}")

    cases = {case.get("name"): case for case in ET.parse(report).iter("testcase")}
    assert set(cases) == {"layers", "plugins-independent", "no-cycles", "advisory", "test_plain"}
    failure = cases["layers"].find("failure")
    assert failure is not None
    assert "shop.domain -> shop.api" in (failure.text or "") + failure.get("message", "")
    assert cases["plugins-independent"].find("failure") is None


@pytest.mark.slow  # seconds: a pytest run in a subprocess
def test_without_the_option_the_plugin_adds_nothing_and_imports_nothing(
    pytester: pytest.Pytester, project: Path
) -> None:
    write_tree(
        pytester.path,
        {
            "tests/test_imports.py": """
                import sys

                def test_archgraph_was_not_imported():
                    assert "archgraph.usecases.check" not in sys.modules
                    assert "grimp" not in sys.modules
            """,
        },
    )

    # A subprocess: in this process archgraph is long imported.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "tests")

    result.assert_outcomes(passed=2)
    assert "archgraph.pytest_plugin" in pytester.runpytest_subprocess("--trace-config", "--co").stdout.str()


def test_import_linter_configuration_is_checked_too(pytester: pytest.Pytester) -> None:
    write_tree(
        pytester.path,
        {
            **TREE,
            ".importlinter": """
                [importlinter]
                root_package = shop

                [importlinter:contract:layers]
                name = Layers
                type = layers
                containers = shop
                layers =
                    api
                    services
                    domain
            """,
        },
    )

    result = pytester.runpytest("--archgraph", "-p", "no:cacheprovider", "-k", "layers")

    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(["FAILED .importlinter::layers - BROKEN  Layers*"])


def test_a_configuration_error_is_a_collection_error(pytester: pytest.Pytester) -> None:
    bad = CONTRACTS.replace('source_modules = ["shop.domain"]', 'source_module = ["shop.domain"]')
    other = pytester.path / "elsewhere"
    write_tree(other, {**TREE, "contracts/architecture.toml": bad})

    result = pytester.runpytest("--archgraph", f"--archgraph-path={other}", "-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*source_module: unknown key (did you mean 'source_modules'?)*"])
