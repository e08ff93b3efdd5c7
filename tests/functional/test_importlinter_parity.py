"""archgraph gives import-linter's verdicts on import-linter's configuration.

Each test runs the real `lint-imports` (installed with the test extra) as a subprocess on a real
tree, then archgraph on the same configuration, read directly (`--from-importlinter`) and after
`convert-importlinter`, and compares kept/broken per contract.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import importlinter
import pytest
from click.testing import CliRunner

from archgraph.cli import main
from archgraph.usecases.check import run
from archgraph.usecases.convert import convert_importlinter
from archgraph.usecases.project import RunOptions
from tests.helpers import write_tree

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
VERDICT = re.compile(r"^(?P<name>.+) (?P<status>KEPT|BROKEN)( \(\d+ ignored imports?\))?$")

# A small shop: layers api > services > domain, with planted problems.
SHOP = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "import shop.services.orders\nimport shop.domain.model\n",
    "shop/api/billing_view.py": "from shop.services import billing\n",
    "shop/services/__init__.py": "",
    "shop/services/orders.py": "from shop.domain import model\n",
    "shop/services/billing.py": "import shop.domain\nimport requests\n",
    "shop/domain/__init__.py": "",
    "shop/domain/model.py": "import json\nimport shop.domain.rules\n",
    "shop/domain/rules.py": "from shop.api import views\n",  # the layer violation
    "shop/plugins/__init__.py": "",
    "shop/plugins/alpha.py": "import shop.plugins.beta\n",
    "shop/plugins/beta.py": "",
    "shop/plugins/gamma.py": "import shop.nest\n",  # the package, none of its descendants
    "shop/nest/__init__.py": "",
    "shop/nest/inner/__init__.py": "",
    "shop/nest/inner/x.py": "import shop.nest.inner.y\n",
    "shop/nest/inner/y.py": "import shop.nest.inner.x\n",  # a cycle two levels down
    "requests/__init__.py": "",  # an external package, importable for import-linter
}

SHOP_CONTRACTS = """
[importlinter]
root_package = shop
include_external_packages = True

[importlinter:contract:layers-broken]
name = layers broken
type = layers
containers = shop
layers =
    api
    services
    domain

[importlinter:contract:layers-ignored]
name = layers kept by an exact ignore
type = layers
containers = shop
layers =
    api
    services
    domain
ignore_imports =
    shop.domain.rules -> shop.api.views

[importlinter:contract:layers-ignore-is-exact]
name = layers broken although a package ignore would cover it
type = layers
containers = shop
layers =
    api
    services
    domain
ignore_imports = shop.domain -> shop.api
unmatched_ignore_imports_alerting = none

[importlinter:contract:layers-wildcard-ignore]
name = layers kept by a recursive wildcard ignore
type = layers
containers = shop
layers =
    api
    services
    domain
ignore_imports = shop.domain.** -> shop.api.**

[importlinter:contract:siblings-independent]
name = independent siblings broken
type = layers
containers = shop.plugins
layers =
    alpha | beta
    (missing)

[importlinter:contract:siblings-not-independent]
name = non-independent siblings kept
type = layers
layers =
    shop.plugins.alpha : shop.plugins.beta
    (shop.missing)

[importlinter:contract:exhaustive]
name = exhaustive layers broken
type = layers
containers = shop
layers =
    api
    services
    domain
exhaustive = true
ignore_imports = shop.domain.rules -> shop.api.views

[importlinter:contract:exhaustive-ignores]
name = exhaustive layers kept with ignores
type = layers
containers = shop
layers =
    api
    services
    domain
exhaustive = true
exhaustive_ignores =
    plugins
    nest
ignore_imports = shop.domain.rules -> shop.api.views

[importlinter:contract:forbidden-indirect]
name = forbidden indirect broken
type = forbidden
source_modules = shop.services.orders
forbidden_modules = shop.api

[importlinter:contract:forbidden-direct-only]
name = forbidden direct only kept
type = forbidden
source_modules = shop.services.orders
forbidden_modules = shop.api
allow_indirect_imports = true

[importlinter:contract:forbidden-external]
name = forbidden external broken
type = forbidden
source_modules = shop.services
forbidden_modules =
    requests
    absentpackage

[importlinter:contract:forbidden-wildcards]
name = forbidden wildcards kept
type = forbidden
source_modules =
    shop.plugins.*
    shop.*.nothing
forbidden_modules = shop.api.**

[importlinter:contract:forbidden-recursive-wildcard]
name = forbidden recursive wildcard kept
type = forbidden
source_modules = shop.plugins.gamma
forbidden_modules = shop.nest.**

[importlinter:contract:independence-broken]
name = independence broken
type = independence
modules =
    shop.plugins.alpha
    shop.plugins.beta

[importlinter:contract:independence-kept]
name = independence kept
type = independence
modules =
    shop.api
    shop.nest
    shop.absent.*

[importlinter:contract:protected-broken]
name = protected broken
type = protected
protected_modules = shop.domain.model
allowed_importers = shop.services

[importlinter:contract:protected-kept]
name = protected kept
type = protected
protected_modules = shop.services.billing
allowed_importers =
    shop.api.billing_view
    shop.*.not_there

[importlinter:contract:protected-siblings]
name = protected siblings broken
type = protected
protected_modules =
    shop.nest.inner.x
    shop.nest.inner.y
allowed_importers = shop.api

[importlinter:contract:acyclic-deep]
name = acyclic siblings broken deep down
type = acyclic_siblings
ancestors = shop.nest

[importlinter:contract:acyclic-shallow]
name = acyclic siblings kept at depth zero
type = acyclic_siblings
ancestors = shop.nest
depth = 0

[importlinter:contract:acyclic-skipped]
name = acyclic siblings kept when skipped
type = acyclic_siblings
ancestors = shop.nest
skip_descendants = shop.nest.inner
"""


def lint_imports(root: Path, *args: str) -> tuple[int, dict[str, bool], str]:
    """Run import-linter on root; its exit code, kept/broken by contract name, and output."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(root),
        "COLUMNS": "250",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    completed = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    verdicts = {}
    for line in output.splitlines():
        match = VERDICT.match(line.strip())
        if match:
            verdicts[match["name"]] = match["status"] == "KEPT"
    return completed.returncode, verdicts, output


def archgraph_verdicts(root: Path, options: RunOptions) -> dict[str, bool]:
    result = run(root, options)
    return {contract.name: contract.kept for contract in result.contracts}


def assert_same_verdicts(root: Path, *il_args: str, config_file: Path | None = None) -> dict[str, bool]:
    exit_code, expected, output = lint_imports(root, *il_args)
    assert expected, output  # import-linter ran and reported its contracts
    files = (config_file,) if config_file else ()
    direct = archgraph_verdicts(root, RunOptions(files, use_cache=False, from_importlinter=True))
    assert direct == expected

    converted = root / "converted.toml"
    converted.write_text(convert_importlinter(root, files), encoding="utf-8")
    assert archgraph_verdicts(root, RunOptions((converted,), use_cache=False)) == expected
    assert exit_code == (0 if all(expected.values()) else 1)
    return expected


def test_every_contract_type_kept_and_broken_like_import_linter(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SHOP, ".importlinter": SHOP_CONTRACTS})

    verdicts = assert_same_verdicts(tmp_path)

    # The scenario really exercises both outcomes of every contract type.
    assert len(verdicts) == SHOP_CONTRACTS.count("[importlinter:contract:")
    assert verdicts["layers broken"] is False
    assert verdicts["layers kept by an exact ignore"] is True
    assert verdicts["layers broken although a package ignore would cover it"] is False
    assert verdicts["non-independent siblings kept"] is True
    assert verdicts["independent siblings broken"] is False
    assert verdicts["protected siblings broken"] is False
    assert verdicts["acyclic siblings broken deep down"] is False
    assert verdicts["acyclic siblings kept at depth zero"] is True
    assert verdicts["forbidden recursive wildcard kept"] is True  # `**` is one or more segments
    kinds_kept = {verdicts[name] for name in verdicts if name.startswith("forbidden")}
    assert kinds_kept == {True, False}


def test_the_same_contracts_in_pyproject_toml(tmp_path: Path) -> None:
    pyproject = """
        [tool.importlinter]
        root_packages = ["shop"]
        include_external_packages = true

        [[tool.importlinter.contracts]]
        id = "layers"
        name = "layers with an exact ignore"
        type = "layers"
        containers = ["shop"]
        layers = ["api", "services", "domain"]
        ignore_imports = ["shop.domain.rules -> shop.api.views"]

        [[tool.importlinter.contracts]]
        name = "forbidden external"
        type = "forbidden"
        source_modules = ["shop.services"]
        forbidden_modules = ["requests"]

        [[tool.importlinter.contracts]]
        name = "independent plugins"
        type = "independence"
        modules = ["shop.plugins.alpha", "shop.plugins.beta"]

        [[tool.importlinter.contracts]]
        name = "acyclic"
        type = "acyclic_siblings"
        ancestors = ["shop"]
        depth = 1
    """
    write_tree(tmp_path, {**SHOP, "pyproject.toml": pyproject})

    verdicts = assert_same_verdicts(tmp_path)

    assert verdicts == {
        "layers with an exact ignore": True,
        "forbidden external": False,
        "independent plugins": False,
        "acyclic": False,  # api -> services -> domain -> api among shop's children
    }


def copy_of_import_linter(tmp_path: Path) -> Path:
    source = Path(importlinter.__file__).parent
    shutil.copytree(source, tmp_path / "importlinter", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


# import-linter's own contracts, as in its repository's .importlinter.
IMPORT_LINTER_OWN = """
[importlinter]
root_package = importlinter

[importlinter:contract:layers]
name=Layered architecture
type=layers
containers =
    importlinter
layers=
    cli
    api
    contracts
    configuration
    adapters
    application
    domain
exhaustive = true

[importlinter:contract:acyclic]
name=All packages are acyclic
type=acyclic_siblings
ancestors = importlinter
"""


def test_import_linters_own_configuration_on_its_own_source(tmp_path: Path) -> None:
    root = copy_of_import_linter(tmp_path)
    write_tree(root, {".importlinter": IMPORT_LINTER_OWN})

    verdicts = assert_same_verdicts(root)

    assert set(verdicts) == {"Layered architecture", "All packages are acyclic"}


def test_import_linters_own_configuration_without_exhaustiveness_from_an_explicit_file(
    tmp_path: Path,
) -> None:
    root = copy_of_import_linter(tmp_path)
    config = IMPORT_LINTER_OWN.replace("exhaustive = true", "exhaustive = false")
    write_tree(root, {"lint/rules.ini": config})

    verdicts = assert_same_verdicts(
        root, "--config", "lint/rules.ini", config_file=root / "lint" / "rules.ini"
    )

    assert "Layered architecture" in verdicts


@pytest.mark.parametrize(
    ("contract", "expected_message"),
    [
        # An ignore that matches nothing fails the run (import-linter's default alerting).
        (
            ("type = independence\nmodules =\n    shop.plugins\n    shop.nest\n"
            "ignore_imports = shop.nest -> shop.plugins"),
            "matches no import",
        ),
        # A layer that does not exist, and is not optional.
        ("type = layers\ncontainers = shop\nlayers =\n    api\n    ghost", "shop.ghost"),
        # An allowed importer that does not exist.
        (
            "type = protected\nprotected_modules = shop.domain\nallowed_importers = shop.ghost",
            "shop.ghost",
        ),
        # An internal forbidden module that does not exist.
        ("type = forbidden\nsource_modules = shop.api\nforbidden_modules = shop.ghost", "shop.ghost"),
    ],
)
def test_configurations_import_linter_rejects_fail_in_archgraph_too(
    tmp_path: Path, contract: str, expected_message: str
) -> None:
    config = f"[importlinter]\nroot_package = shop\n\n[importlinter:contract:c]\nname = c\n{contract}\n"
    write_tree(tmp_path, {**SHOP, ".importlinter": config})

    il_exit_code, _verdicts, _output = lint_imports(tmp_path)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--no-cache"])

    assert il_exit_code == 1
    assert result.exit_code == 2, result.output
    assert expected_message in result.output
