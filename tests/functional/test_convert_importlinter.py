"""`archgraph convert-importlinter` and `archgraph check --from-importlinter` on the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from archgraph.cli import main
from tests.helpers import write_tree

TREE = {
    "shop/__init__.py": "",
    "shop/api.py": "import shop.core\n",
    "shop/core.py": "",
    ".importlinter": """
        [importlinter]
        root_package = shop

        [importlinter:contract:layers]
        name = Layers
        type = layers
        containers = shop
        layers =
            api
            core
        ignore_imports = shop.core -> shop.api
        unmatched_ignore_imports_alerting = warn
        broken_contract_guidance = Move shared code down to core.
    """,
}

EXPECTED = """\
# Converted from import-linter configuration (.importlinter) by
# `archgraph convert-importlinter`; `archgraph check` gives the same verdicts.

[archgraph]
root_packages = ["shop"]
# import-linter (grimp) skips directories without __init__.py inside packages; set true to let
# archgraph analyze them (it may find new imports)
include_namespace_dirs = false

# broken_contract_guidance (archgraph does not show it): Move shared code down to core.
[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
layers = ["api", "core"]
containers = ["shop"]
ignore_imports = ["shop.core -> shop.api"]
unmatched_ignore_imports = "warning"
ignore_imports_exact = true
"""


def test_convert_writes_contracts_that_archgraph_checks(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    runner = CliRunner()

    converted = runner.invoke(main, ["convert-importlinter", str(tmp_path)])
    target = tmp_path / "contracts" / "architecture.toml"

    assert converted.exit_code == 0, converted.output
    assert target.read_text(encoding="utf-8") == EXPECTED
    checked = runner.invoke(main, ["check", str(tmp_path), "--no-cache"])
    assert checked.exit_code == 0, checked.output
    assert "KEPT    Layers  [layers, id=layers]" in checked.output
    # The unmatched ignore is a warning, as `unmatched_ignore_imports_alerting = warn` asked.
    assert "warning AG311: ignore_imports entry 'shop.core -> shop.api' matches no import" in (
        checked.output
    )
    assert "AG330" not in checked.output  # the archgraph file is read now


def test_convert_never_overwrites_without_force(tmp_path: Path) -> None:
    write_tree(tmp_path, {**TREE, "contracts/architecture.toml": "# mine\n"})
    runner = CliRunner()

    refused = runner.invoke(main, ["convert-importlinter", str(tmp_path)])
    assert refused.exit_code == 2
    assert "exists; pass --force" in refused.output
    assert (tmp_path / "contracts" / "architecture.toml").read_text() == "# mine\n"

    forced = runner.invoke(main, ["convert-importlinter", str(tmp_path / ".importlinter"), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "contracts" / "architecture.toml").read_text() == EXPECTED


def test_convert_to_stdout(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)

    result = CliRunner().invoke(main, ["convert-importlinter", str(tmp_path), "-o", "-"])

    assert result.exit_code == 0
    assert result.output == EXPECTED
    assert not (tmp_path / "contracts").exists()


def test_check_reads_import_linter_configuration_and_says_so(tmp_path: Path) -> None:
    write_tree(tmp_path, {**TREE, "shop/core.py": "import shop.api\n"})

    result = CliRunner().invoke(main, ["check", str(tmp_path), "--no-cache"])

    assert result.exit_code == 0, result.output  # the exact ignore keeps the contract
    assert "info AG330: contracts read from import-linter configuration .importlinter" in (
        result.output
    )


def test_from_importlinter_without_its_configuration_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/__init__.py": ""})

    result = CliRunner().invoke(main, ["check", str(tmp_path), "--from-importlinter"])

    assert result.exit_code == 2
    assert "no import-linter configuration under" in result.output


PRIVATE_TREE = {
    "shop/__init__.py": "",
    "shop/orders/__init__.py": "from shop.orders._pricing import price\n",
    "shop/orders/_pricing.py": "def price():\n    pass\n\n\ndef _rounded():\n    pass\n",
    "shop/orders/checkout.py": "from shop.orders._pricing import _rounded\n",  # same package
    "shop/api.py": "from shop.orders._pricing import price\nfrom shop.orders import checkout\n",
    ".importlinter": """
        [importlinter]
        root_package = shop

        [importlinter:contract:private]
        name = Private modules stay in their package
        type = private_modules
    """,
}


def test_private_modules_become_a_private_contract_on_modules(tmp_path: Path) -> None:
    write_tree(tmp_path, PRIVATE_TREE)
    runner = CliRunner()

    direct = runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--from-importlinter"])
    converted = runner.invoke(main, ["convert-importlinter", str(tmp_path)])
    written = (tmp_path / "contracts" / "architecture.toml").read_text(encoding="utf-8")
    checked = runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--format", "json"])

    assert converted.exit_code == 0, converted.output
    assert 'type = "private"\nnames = false\n' in written
    assert "any module of the parent package may import its private module" in written
    assert checked.exit_code == direct.exit_code == 1
    assert "- shop.api -> shop.orders._pricing\n" in direct.stdout
    assert '"imported": "shop.orders._pricing"' in checked.stdout
    assert "shop.orders.checkout" not in direct.stdout
