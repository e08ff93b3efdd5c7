"""Configuration: TOML text in files -> Settings and contracts, or the exact ConfigErrors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import write_tree

from archgraph.config import Config, Settings, discover
from archgraph.diagnostics import ArchgraphError, ConfigError, ConfigurationError, Severity
from archgraph.model import LayerSpec, ModuleExpr
from archgraph.rules import Contract
from archgraph.usecases.project import RunOptions, load_project, require_contracts

KNOWN = "acyclic, allowlist, forbidden, independence, layers, private, protected, single-implementation"


def load_configuration(
    root: Path, files: Sequence[Path] = (), only: Sequence[str] = ()
) -> tuple[Config, tuple[Contract, ...]]:
    """What `check` reads: the configuration and the chosen contracts."""
    options = RunOptions(config_files=tuple(files), contract_ids=tuple(only))
    project = require_contracts(load_project(root, options))
    return project.config, project.contracts


def errors_of(root: Path, files: dict[str, str], *chosen: str) -> list[ConfigError]:
    """Write the files, load them (all, or `chosen`), and return every ConfigError raised."""
    write_tree(root, files)
    paths = [root / name for name in (chosen or files)]
    with pytest.raises(ConfigurationError) as raised:
        load_configuration(root, paths)
    return list(raised.value.errors)


def test_valid_file_gives_settings_and_typed_contracts(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "contracts/arch.toml": """
                [archgraph]
                root_packages = ["app"]
                source_roots = ["src"]
                exclude = ["app.generated"]
                include_external_packages = true

                [[contracts]]
                name = "Layered Architecture!"
                type = "layers"
                containers = ["app"]
                layers = ["api | admin", "services", "core"]
                severity = "warning"
                ignore_imports = ["app.core.x -> app.api"]
            """
        },
    )
    config, contracts = load_configuration(tmp_path)
    assert config.settings == Settings(
        root_packages=("app",),
        source_roots=("src",),
        exclude=(ModuleExpr("app.generated"),),
        include_external_packages=True,
    )
    assert config.files == (tmp_path / "contracts/arch.toml",)
    (layers,) = contracts
    assert layers.id == "layered-architecture"  # the default id is the slug of the name
    assert layers.severity is Severity.WARNING
    assert layers.layers == (  # type: ignore[attr-defined]
        LayerSpec(("api", "admin")),
        LayerSpec(("services",)),
        LayerSpec(("core",)),
    )
    assert [str(i) for i in layers.ignore_imports] == ["app.core.x -> app.api"]


def test_unknown_keys_at_every_level(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "arch.toml": """
                [archgraph]
                root_packages = ["app"]
                exclud = ["x"]

                [[contract]]
                name = "typo in the table name"

                [[contracts]]
                name = "L"
                type = "layers"
                layres = ["a", "b"]
            """
        },
    )
    file = tmp_path / "arch.toml"
    assert errors == [
        ConfigError(file, "archgraph.exclud", "unknown key", line=3, suggestion="exclude"),
        ConfigError(
            file,
            "contract",
            "unknown top-level key (expected [archgraph] and [[contracts]])",
            line=5,
            suggestion="contracts",
        ),
        ConfigError(file, "contracts[0]", "missing required key 'layers'", line=8),
        ConfigError(file, "contracts[0].layres", "unknown key", line=11, suggestion="layers"),
    ]
    assert (
        str(errors[0])
        == f"{file.as_posix()}:3: archgraph.exclud: unknown key (did you mean 'exclude'?)"
    )


def test_wrong_types(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "arch.toml": """
                [archgraph]
                include_external_packages = "yes"
                root_packages = "app"

                [[contracts]]
                name = "L"
                type = "layers"
                layers = 3
                exhaustive = 1
                containers = ["app.my-pkg"]

                [[contracts]]
                name = "P"
                type = "protected"
                modules = [1]
                severity = "warn"
            """
        },
    )
    file = tmp_path / "arch.toml"
    assert errors == [
        ConfigError(
            file,
            "archgraph.include_external_packages",
            "expected true or false, got string 'yes'",
            line=2,
        ),
        ConfigError(file, "contracts[0].layers", "expected an array, got integer", line=8),
        ConfigError(
            file, "contracts[0].exhaustive", "expected true or false, got integer 1", line=9
        ),
        ConfigError(
            file,
            "contracts[0].containers",
            "item 1: 'app.my-pkg' is not a dotted module name (segment 'my-pkg')",
            line=10,
        ),
        ConfigError(file, "contracts[1].modules", "item 1: expected a module name string", line=15),
        ConfigError(
            file,
            "contracts[1].severity",
            "expected one of 'error', 'warning', 'info', got string 'warn'",
            line=16,
            suggestion="warning",
        ),
    ]


def test_unknown_and_missing_contract_type(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "arch.toml": """
                [[contracts]]
                name = "F"
                type = "forbiden"

                [[contracts]]
                name = "no type"
                modules = ["a", "b"]
            """
        },
    )
    file = tmp_path / "arch.toml"
    assert errors == [
        ConfigError(
            file,
            "contracts[0].type",
            f"unknown contract type 'forbiden' (known: {KNOWN})",
            line=3,
            suggestion="forbidden",
        ),
        ConfigError(file, "contracts[1]", f"missing required key 'type' (one of: {KNOWN})", line=5),
    ]


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "contracts/a.toml": """
                [[contracts]]
                name = "Core is pure"
                type = "independence"
                modules = ["app.a", "app.b"]
            """,
            "contracts/b.toml": """
                # the same id, spelt differently
                [[contracts]]
                id = "core-is-pure"
                name = "Another"
                type = "acyclic"
                packages = ["app"]
            """,
        },
    )
    first = (tmp_path / "contracts/a.toml").as_posix()
    assert errors == [
        ConfigError(
            tmp_path / "contracts/b.toml",
            "contracts[0].id",
            f"duplicate contract id 'core-is-pure' (also in {first}:1); give each contract a unique id",
            line=3,
        )
    ]


def test_invalid_toml_has_line_and_column(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {"arch.toml": '[archgraph]\nroot_packages = ["app"]\n[[contracts]]\nname = x\n'},
    )
    assert errors == [
        ConfigError(tmp_path / "arch.toml", "", "invalid TOML: Invalid value", line=4, column=8)
    ]
    assert str(errors[0]).endswith("arch.toml:4:8: invalid TOML: Invalid value")


def test_invalid_toml_at_end_of_file_points_at_the_last_line(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, {"arch.toml": '[archgraph]\nroot_packages = ["app"\n'})
    assert errors == [
        ConfigError(tmp_path / "arch.toml", "", "invalid TOML: Unclosed array", line=2)
    ]


def test_empty_contract_file(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, {"contracts/empty.toml": "# nothing yet\n"})
    assert errors == [
        ConfigError(
            tmp_path / "contracts/empty.toml", "", "the file defines no settings and no contracts"
        )
    ]


def test_conflicting_settings_across_files(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "contracts/a.toml": '[archgraph]\nroot_packages = ["app"]\ninclude_namespace_dirs = false\n',
            "contracts/b.toml": (
                '[archgraph]\ninclude_namespace_dirs = false\nroot_packages = ["other"]\n'
            ),
        },
    )
    first = (tmp_path / "contracts/a.toml").as_posix()
    assert errors == [
        ConfigError(
            tmp_path / "contracts/b.toml",
            "archgraph.root_packages",
            f"conflicts with the value set in {first}:2",
            line=3,
        )
    ]


def test_settings_from_several_files_merge_when_they_agree(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "contracts/a.toml": '[archgraph]\nroot_packages = ["app"]\n',
            "contracts/b.toml": (
                '[archgraph]\nroot_packages = ["app"]\nexclude_type_checking_imports = true\n'
                '[[contracts]]\nname = "c"\ntype = "acyclic"\npackages = ["app"]\n'
            ),
        },
    )
    config, contracts = load_configuration(tmp_path)
    assert config.settings.root_packages == ("app",)
    assert config.settings.exclude_type_checking_imports is True
    assert [c.id for c in contracts] == ["c"]


def test_pyproject_table_keys_are_dotted_from_tool(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "demo"

                [tool.archgraph]
                root_pakages = ["app"]

                [[tool.archgraph.contracts]]
                name = "n"
                type = "acyclic"
                packages = ["app"]
                max_cycle_lenght = 3
            """
        },
    )
    file = tmp_path / "pyproject.toml"
    assert errors == [
        ConfigError(
            file, "tool.archgraph.root_pakages", "unknown key", line=5, suggestion="root_packages"
        ),
        ConfigError(
            file,
            "tool.archgraph.contracts[0].max_cycle_lenght",
            "unknown key",
            line=11,
            suggestion="max_cycle_length",
        ),
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Settings problems do not hide contract problems, nor one file's another's."""
    errors = errors_of(
        tmp_path,
        {
            "contracts/a.toml": "[archgraph]\nfoo = 1\n[[contracts]]\nname = 'x'\n",
            "contracts/b.toml": "[[contracts]]\nname = 'y'\ntype = 'acyclic'\npackages = ['a']\nbar = 2\n",
        },
    )
    assert [(e.file.name, e.key, e.line) for e in errors] == [
        ("a.toml", "archgraph.foo", 2),
        ("a.toml", "contracts[0]", 3),
        ("b.toml", "contracts[0].bar", 5),
    ]


def test_contract_rules_tying_fields_together(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "arch.toml": """
                [[contracts]]
                name = "one layer"
                type = "layers"
                layers = ["app.a"]
                exhaustive = true

                [[contracts]]
                name = "twice"
                type = "layers"
                layers = ["a", "b | a"]
                containers = ["app"]

                [[contracts]]
                name = "alone"
                type = "independence"
                modules = ["app.a"]
            """
        },
    )
    file = tmp_path / "arch.toml"
    assert errors == [
        ConfigError(
            file, "contracts[0].layers", "a layers contract needs at least two layers", line=4
        ),
        ConfigError(file, "contracts[0].exhaustive", "exhaustive = true needs containers", line=5),
        ConfigError(file, "contracts[1].layers", "'a' is listed in more than one layer", line=10),
        ConfigError(
            file,
            "contracts[2].modules",
            "an independence contract needs at least two modules",
            line=16,
        ),
    ]


def test_discovery_reads_contracts_dir_then_pyproject(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "contracts/b.toml": '[[contracts]]\nname = "b"\ntype = "acyclic"\npackages = ["app"]\n',
            "contracts/a.toml": '[[contracts]]\nname = "a"\ntype = "acyclic"\npackages = ["app"]\n',
            "contracts/notes.txt": "not a contract file",
            "pyproject.toml": (
                '[tool.archgraph]\nroot_packages = ["app"]\n'
                '[[tool.archgraph.contracts]]\nname = "p"\ntype = "acyclic"\npackages = ["app"]\n'
            ),
        },
    )
    assert discover(tmp_path) == [
        tmp_path / "contracts/a.toml",
        tmp_path / "contracts/b.toml",
        tmp_path / "pyproject.toml",
    ]
    _config, contracts = load_configuration(tmp_path)
    assert [c.id for c in contracts] == ["a", "b", "p"]


def test_pyproject_without_archgraph_table_is_not_a_configuration(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n'})
    with pytest.raises(ArchgraphError, match="no contracts found under"):
        load_configuration(tmp_path)


def test_explicit_files_replace_discovery(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "contracts/broken.toml": "this is not toml",
            "elsewhere.toml": '[[contracts]]\nname = "e"\ntype = "acyclic"\npackages = ["app"]\n',
        },
    )
    _config, contracts = load_configuration(tmp_path, [tmp_path / "elsewhere.toml"])
    assert [c.id for c in contracts] == ["e"]
    with pytest.raises(ArchgraphError, match="configuration file not found: .*missing.toml"):
        load_configuration(tmp_path, [tmp_path / "missing.toml"])


def test_unknown_contract_id_suggests_the_closest(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"arch.toml": '[[contracts]]\nname = "no cycles"\ntype = "acyclic"\npackages = ["app"]\n'},
    )
    _config, contracts = load_configuration(tmp_path, [tmp_path / "arch.toml"], ["no-cycles"])
    assert [c.id for c in contracts] == ["no-cycles"]
    with pytest.raises(ArchgraphError) as raised:
        load_configuration(tmp_path, [tmp_path / "arch.toml"], ["no-cycle"])
    assert str(raised.value) == (
        "unknown contract id 'no-cycle' (did you mean 'no-cycles'?); known ids: no-cycles"
    )


def test_lines_are_found_with_blanks_inside_table_headers(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        {
            "arch.toml": """
                [ archgraph ]  # settings
                root_packages = ["app"]

                [[contracts]]
                name = "first"
                type = "acyclic"
                packages = ["app"]

                [[ contracts ]]
                name = "second"
                type = "acyclic"
                packages = 3
            """
        },
    )
    # Line 12, not line 7 where the first contract's `packages` is.
    assert [(e.key, e.line) for e in errors] == [("contracts[1].packages", 12)]


ID_RULE = (
    "is not a valid contract id: 1 to 100 printable characters, no spaces, quotes,"
    " backslashes or < > &, not starting with '-'"
)


@pytest.mark.parametrize(
    "bad_id", ["has space", "new\nline", 'quo"te', "<b>", "a&b", "back\\slash", "-option", "", "x" * 101]
)
def test_contract_ids_that_reports_and_shells_would_have_to_escape_are_rejected(
    tmp_path: Path, bad_id: str
) -> None:
    import json  # noqa: PLC0415

    errors = errors_of(
        tmp_path,
        {
            "arch.toml": f"""
                [[contracts]]
                name = "Cycles"
                type = "acyclic"
                id = {json.dumps(bad_id)}
                packages = ["app"]
            """
        },
    )
    assert errors == [
        ConfigError(tmp_path / "arch.toml", "contracts[0].id", f"{bad_id!r} {ID_RULE}", line=4)
    ]


@pytest.mark.parametrize("good_id", ["layers", "layers.1", "my_contract", "odd:id,with%stuff", "évil{x}"])
def test_contract_ids_may_hold_other_printable_characters(tmp_path: Path, good_id: str) -> None:
    import json  # noqa: PLC0415

    write_tree(
        tmp_path,
        {"arch.toml": f'[[contracts]]\nname = "C"\ntype = "acyclic"\nid = {json.dumps(good_id)}\npackages = ["app"]\n'},
    )
    _config, contracts = load_configuration(tmp_path, [tmp_path / "arch.toml"])
    assert [c.id for c in contracts] == [good_id]


def test_a_name_needs_no_id_rules_its_slug_is_the_id(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"arch.toml": '[[contracts]]\nname = "<b> \\"Ünï\\"\\n & co"\ntype = "acyclic"\npackages = ["app"]\n'},
    )
    _config, contracts = load_configuration(tmp_path, [tmp_path / "arch.toml"])
    assert [c.id for c in contracts] == ["b-n-co"]
