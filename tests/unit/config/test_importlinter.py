"""Reading import-linter configuration: INI and TOML forms, translation, errors, discovery."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from archgraph.config import importlinter
from archgraph.diagnostics import ConfigurationError
from archgraph.usecases.project import RunOptions, load_project

INI = """
[importlinter]
root_packages =
    shop
    tools
include_external_packages = True

[importlinter:contract:layers]
name = Layers
type = layers
containers =
    shop
    shop.**.feature
layers =
    api
    a : b
    (legacy) | core
exhaustive = true
exhaustive_ignores = tests
ignore_imports =
    shop.core -> shop.api
    shop.*.x -> shop.**

[importlinter:contract:forbidden]
name = Forbidden
type = forbidden
source_modules = shop.core
forbidden_modules =
    shop.api
    requests
    shop.*
allow_indirect_imports = True
unmatched_ignore_imports_alerting = warn
ignore_imports = shop.core.a -> shop.api.b
broken_contract_guidance = Use the service layer.

[importlinter:contract:independence]
name = Independence
type = independence
modules =
    shop.a
    shop.plugins.*

[importlinter:contract:protected]
name = Protected
type = protected
protected_modules = shop.db
allowed_importers =
    shop.repositories
    shop.*.repositories
as_packages = True

[importlinter:contract:acyclic]
name = Acyclic
type = acyclic_siblings
ancestors = shop
skip_descendants = shop.vendored
"""

EXPECTED_TABLES = [
    {
        "type": "layers",
        "name": "Layers",
        "id": "layers",
        "layers": ["api", "a : b", "(legacy) | core"],
        "containers": ["shop", "(shop.*.**.feature)"],
        "exhaustive": True,
        "exhaustive_ignores": ["tests"],
        "ignore_imports": ["shop.core -> shop.api", "shop.*.x -> shop.*.**"],
        "ignore_imports_exact": True,
        "unmatched_ignore_imports": "error",
    },
    {
        "type": "forbidden",
        "name": "Forbidden",
        "id": "forbidden",
        "source_modules": ["shop.core"],
        "forbidden_modules": ["shop.api", "(requests)", "(shop.*)"],
        "allow_indirect_imports": True,
        "unmatched_ignore_imports": "warning",
        "ignore_imports": ["shop.core.a -> shop.api.b"],
        "ignore_imports_exact": True,
    },
    {
        "type": "independence",
        "name": "Independence",
        "id": "independence",
        "modules": ["shop.a", "(shop.plugins.*)"],
    },
    {
        "type": "protected",
        "name": "Protected",
        "id": "protected",
        "modules": ["shop.db"],
        "allowed_importers": ["shop.repositories", "(shop.*.repositories)"],
    },
    {
        "type": "acyclic",
        "name": "Acyclic",
        "id": "acyclic",
        "packages": ["shop"],
        "depth": 10,
        "skip_descendants": ["shop.vendored"],
    },
]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_ini_contracts_translate_to_archgraph_tables_with_import_linters_meaning(
    tmp_path: Path,
) -> None:
    translation = importlinter.translate([write(tmp_path / ".importlinter", INI)])

    assert [dict(c.table.data) for c in translation.contracts] == EXPECTED_TABLES
    assert translation.settings == {
        "root_packages": ["shop", "tools"],
        "include_external_packages": True,
        "exclude_type_checking_imports": False,
        "include_namespace_dirs": False,
    }
    forbidden = translation.contracts[1]
    assert any("Use the service layer." in note for note in forbidden.notes)
    config = translation.config()
    assert config.source_format == "import-linter"
    assert config.settings.root_packages == ("shop", "tools")
    # Positions point into the import-linter file, under archgraph's key names too.
    protected = config.contracts[3].at
    assert protected.key == "importlinter:contract:protected"
    assert protected.lines["modules"] == protected.lines["protected_modules"] == 47


def test_the_toml_form_translates_the_same(tmp_path: Path) -> None:
    pyproject = write(
        tmp_path / "pyproject.toml",
        """
        [tool.importlinter]
        root_package = "shop"
        exclude_type_checking_imports = true

        [[tool.importlinter.contracts]]
        id = "layers"
        name = "Layers"
        type = "layers"
        layers = ["shop.api", "shop.a : shop.b", "(shop.legacy)"]
        exhaustive = false

        [[tool.importlinter.contracts]]
        name = "Acyclic"
        type = "acyclic_siblings"
        ancestors = ["shop"]
        depth = 2
        """,
    )

    translation = importlinter.translate([pyproject])

    assert [dict(c.table.data) for c in translation.contracts] == [
        {
            "type": "layers",
            "name": "Layers",
            "id": "layers",
            "layers": ["shop.api", "shop.a : shop.b", "(shop.legacy)"],
            "exhaustive": False,
        },
        {"type": "acyclic", "name": "Acyclic", "packages": ["shop"], "depth": 2},
    ]
    assert translation.settings["exclude_type_checking_imports"] is True
    assert translation.settings["root_packages"] == ["shop"]


def test_every_problem_is_reported_at_once_with_file_section_key_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "setup.cfg",
        """
        [importlinter]
        root_package = shop
        contract_types = mine: shop.lint.Mine
        show_timing = true

        [importlinter:contract:one]
        name = One
        type = layers
        layers =
            a | b : c
        exhausive = true

        [importlinter:contract:two]
        name = Two
        type = forbidden
        source_modules = shop.a
        forbidden_modules =
            django.db
            requests
        as_packages = False
        allow_indirect_imports = maybe

        [importlinter:contract:three]
        name = Three
        type = private_module

        [importlinter:contract:four]
        type = layer
        """,
    )

    with pytest.raises(ConfigurationError) as raised:
        importlinter.translate([path])

    found = [(e.key, e.line, e.suggestion) for e in raised.value.errors]
    assert found == [
        ("importlinter.show_timing", 5, "show_timings"),
        ("importlinter.contract_types", 4, None),
        ("importlinter:contract:one.exhausive", 12, "exhaustive"),
        ("importlinter:contract:one.layers", 10, None),
        ("importlinter:contract:two.forbidden_modules", 18, None),
        ("importlinter:contract:two.allow_indirect_imports", 22, None),
        ("importlinter:contract:two.as_packages", 21, None),
        ("importlinter:contract:three.type", 26, "private_modules"),
        ("importlinter:contract:four", 28, None),  # no name
        ("importlinter:contract:four.type", 29, "layers"),
    ]
    messages = "\n".join(str(e) for e in raised.value.errors)
    for expected in (
        "setup.cfg:4: importlinter.contract_types: custom import-linter contract types",
        "setup.cfg:5: importlinter.show_timing: unrecognized option (did you mean 'show_timings'?)",
        ("setup.cfg:12: importlinter:contract:one.exhausive: unrecognized option "
        "(did you mean 'exhaustive'?)"),
        ("setup.cfg:18: importlinter:contract:two.forbidden_modules: 'django.db' is an external "
        "package: forbidding it needs include_external_packages = true"),
        ("setup.cfg:22: importlinter:contract:two.allow_indirect_imports: could not parse a "
        "boolean from 'maybe'"),
        "setup.cfg:21: importlinter:contract:two.as_packages: as_packages = false is not supported",
        ("setup.cfg:26: importlinter:contract:three.type: unknown import-linter contract type "
        "'private_module'"),
        ("setup.cfg:29: importlinter:contract:four.type: unknown import-linter contract type "
        "'layer'"),
    ):
        assert expected in messages
    assert "(did you mean 'layers'?)" in messages


def test_layer_syntax_errors_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".importlinter",
        """
        [importlinter]
        root_package = shop

        [importlinter:contract:one]
        name = One
        type = layers
        layers =
            a | b : c
            d | d
        """,
    )

    with pytest.raises(ConfigurationError) as raised:
        importlinter.translate([path])

    assert [str(e) for e in raised.value.errors] == [
        (f"{path.as_posix()}:8: importlinter:contract:one.layers: 'a | b : c': a layer cannot mix "
        "independent ('|') and non-independent (':') elements")
    ]


def test_an_external_subpackage_cannot_be_forbidden(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".importlinter",
        """
        [importlinter]
        root_package = shop
        include_external_packages = true

        [importlinter:contract:one]
        name = One
        type = forbidden
        source_modules = shop
        forbidden_modules = django.db
        """,
    )

    with pytest.raises(ConfigurationError, match="subpackages of external packages are not valid"):
        importlinter.translate([path])


def test_discovery_follows_import_linters_order(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", "[metadata]\nname = shop\n")
    write(tmp_path / "pyproject.toml", '[tool.importlinter]\nroot_package = "shop"\n')
    assert importlinter.discover(tmp_path) == tmp_path / "pyproject.toml"

    write(tmp_path / ".importlinter", "[importlinter]\nroot_package = shop\n")
    assert importlinter.discover(tmp_path) == tmp_path / ".importlinter"

    write(tmp_path / "setup.cfg", "[importlinter]\nroot_package = shop\n")
    assert importlinter.discover(tmp_path) == tmp_path / "setup.cfg"


CONTRACT = """
[importlinter]
root_package = shop

[importlinter:contract:one]
name = One
type = independence
modules =
    shop.a
    shop.b
"""


def test_archgraph_contracts_win_and_import_linter_is_the_fallback(tmp_path: Path) -> None:
    write(tmp_path / ".importlinter", CONTRACT)
    assert load_project(tmp_path).config.source_format == "import-linter"

    # Settings alone are not contracts: import-linter's are still used.
    write(tmp_path / "pyproject.toml", '[tool.archgraph]\nroot_packages = ["shop"]\n')
    assert load_project(tmp_path).config.source_format == "import-linter"

    write(
        tmp_path / "contracts" / "architecture.toml",
        '[[contracts]]\nname = "Mine"\ntype = "acyclic"\npackages = ["shop"]\n',
    )
    assert load_project(tmp_path).config.source_format == "archgraph"
    forced = load_project(tmp_path, RunOptions(from_importlinter=True)).config
    assert forced.source_format == "import-linter"
    assert [t.data["name"] for t in forced.contracts] == ["One"]


def test_a_file_without_contracts_is_an_error_as_in_import_linter(tmp_path: Path) -> None:
    path = write(tmp_path / ".importlinter", "[importlinter]\nroot_package = shop\n")

    with pytest.raises(ConfigurationError, match="no import-linter contracts found"):
        importlinter.translate([path])


def test_rendered_toml_reads_back_as_the_same_tables(tmp_path: Path) -> None:
    translation = importlinter.translate([write(tmp_path / ".importlinter", INI)])

    document = tomllib.loads(importlinter.render_toml(translation))

    assert document["contracts"] == EXPECTED_TABLES
    assert document["archgraph"] == {
        "root_packages": ["shop", "tools"],
        "include_external_packages": True,
        "include_namespace_dirs": False,
    }
