"""The archgraph contract features import-linter configurations need, in archgraph's own syntax.

Real trees, real grimp: `:` siblings, optional layers and patterns, exact ignores, the level of
unmatched ignores, acyclic depth, protected modules' own parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archgraph.diagnostics import ConfigurationError, ExitCode
from archgraph.model import LayerSpec
from archgraph.results import RunResult
from archgraph.usecases.check import run
from archgraph.usecases.project import RunOptions
from tests.helpers import write_tree

TREE = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "import shop.core.models\n",
    "shop/core/__init__.py": "",
    "shop/core/models.py": "import shop.core.utils\n",
    "shop/core/utils.py": "import shop.api.views\n",  # core (lower) imports api (higher)
    "shop/plugins/__init__.py": "",
    "shop/plugins/alpha.py": "import shop.plugins.beta\n",
    "shop/plugins/beta.py": "",
    "shop/ring/__init__.py": "",
    "shop/ring/inner/__init__.py": "",
    **{f"shop/ring/inner/m{i}.py": f"import shop.ring.inner.m{(i + 1) % 10}\n" for i in range(10)},
}


def check(tmp_path: Path, contracts: str) -> RunResult:
    config = f'[archgraph]\nroot_packages = ["shop"]\n\n{contracts}'
    write_tree(tmp_path, {**TREE, "contracts/architecture.toml": config})
    return run(tmp_path, RunOptions(use_cache=False))


def verdict(result: RunResult) -> list[tuple[str, bool]]:
    return [(c.contract_id, c.kept) for c in result.contracts]


def test_colon_siblings_may_import_each_other_bar_siblings_may_not(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        [[contracts]]
        id = "together"
        name = "together"
        type = "layers"
        containers = ["shop.plugins"]
        layers = ["alpha : beta", "(gone)"]

        [[contracts]]
        id = "apart"
        name = "apart"
        type = "layers"
        containers = ["shop.plugins"]
        layers = ["alpha | beta", "(gone)"]
        """,
    )

    assert verdict(result) == [("together", True), ("apart", False)]
    assert result.contracts[1].violations[0].message == (
        "shop.plugins.alpha imports shop.plugins.beta; they are independent siblings in one layer"
    )


def test_layer_syntax() -> None:
    layer = LayerSpec.parse(" a : (b) ")
    assert layer == LayerSpec(("a", "b"), independent=False, optional=frozenset({"b"}))
    assert str(layer) == "a : (b)"
    assert LayerSpec.read("a | b : c") == (
        "'a | b : c' mixes '|' (independent) and ':' (non-independent) siblings"
    )
    assert LayerSpec.read("a | a") == "'a' is repeated in the layer 'a | a'"


def test_a_missing_layer_is_an_error_in_every_container_unless_optional(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/api/api/__init__.py": ""})  # shop.api has no core
    result = check(
        tmp_path,
        """
        [[contracts]]
        id = "both"
        name = "both"
        type = "layers"
        containers = ["shop", "shop.api"]
        layers = ["api", "core", "(plugins)"]
        """,
    )

    assert result.exit_code is ExitCode.USAGE
    messages = [d.message for d in result.contracts[0].diagnostics]
    assert messages == ["layers: 'shop.api.core' matches no module in the graph"]


def test_optional_patterns_may_match_nothing(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        [[contracts]]
        id = "optional"
        name = "optional"
        type = "forbidden"
        source_modules = ["shop.plugins", "(shop.gone.*)"]
        forbidden_modules = ["(shop.api.missing)"]

        [[contracts]]
        id = "required"
        name = "required"
        type = "forbidden"
        source_modules = ["shop.plugins"]
        forbidden_modules = ["shop.api.missing"]
        """,
    )

    assert verdict(result) == [("optional", True), ("required", False)]
    assert result.exit_code is ExitCode.USAGE


def test_exact_ignores_name_modules_not_their_descendants(tmp_path: Path) -> None:
    contract = """
        [[contracts]]
        id = "{id}"
        name = "{id}"
        type = "layers"
        containers = ["shop"]
        layers = ["api", "core"]
        ignore_imports = ["{ignore}"]
        ignore_imports_exact = {exact}
        unmatched_ignore_imports = "none"
    """
    result = check(
        tmp_path,
        contract.format(id="package-ignore", ignore="shop.core -> shop.api", exact="false")
        + contract.format(id="exact-package-ignore", ignore="shop.core -> shop.api", exact="true")
        + contract.format(
            id="exact-module-ignore", ignore="shop.core.utils -> shop.api.views", exact="true"
        ),
    )

    assert verdict(result) == [
        ("package-ignore", True),
        ("exact-package-ignore", False),
        ("exact-module-ignore", True),
    ]
    assert not result.contracts[1].diagnostics  # "none": an unmatched ignore is not reported


@pytest.mark.parametrize(
    ("level", "expected_exit_code", "severity"),
    [("error", ExitCode.USAGE, "error"), ("warning", ExitCode.OK, "warning")],
)
def test_an_unmatched_ignore_is_reported_at_the_chosen_level(
    tmp_path: Path, level: str, expected_exit_code: ExitCode, severity: str
) -> None:
    result = check(
        tmp_path,
        f"""
        [[contracts]]
        id = "ignores"
        name = "ignores"
        type = "independence"
        modules = ["shop.api", "shop.plugins"]
        ignore_imports = ["shop.plugins -> shop.api"]
        unmatched_ignore_imports = "{level}"
        """,
    )

    assert result.exit_code is expected_exit_code
    [diagnostic] = result.contracts[0].diagnostics
    assert (diagnostic.code, diagnostic.severity.value) == ("AG311", severity)


def test_acyclic_depth_and_skip_descendants(tmp_path: Path) -> None:
    contract = """
        [[contracts]]
        id = "{id}"
        name = "{id}"
        type = "acyclic"
        packages = ["shop.ring"]
        {extra}
    """
    result = check(
        tmp_path,
        contract.format(id="shallow", extra="")
        + contract.format(id="deep", extra="depth = 1")
        + contract.format(id="skipped", extra='depth = 3\nskip_descendants = ["shop.ring.inner"]'),
    )

    assert verdict(result) == [("shallow", True), ("deep", False), ("skipped", True)]
    # The ring is ten modules long, beyond max_cycle_length (8): it is still reported.
    [violation] = result.contracts[1].violations
    assert len(violation.chain) == 10


def test_protected_modules_may_use_their_own_parts_only(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        [[contracts]]
        id = "protected"
        name = "protected"
        type = "protected"
        modules = ["shop.core.models", "shop.core.utils"]
        allowed_importers = ["shop.api"]
        """,
    )

    [violation] = result.contracts[0].violations
    assert (violation.importer, violation.imported) == ("shop.core.models", "shop.core.utils")


def test_exhaustive_ignores_and_nested_layers(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        [[contracts]]
        id = "exhaustive"
        name = "exhaustive"
        type = "layers"
        containers = ["shop"]
        layers = ["api", "core"]
        exhaustive = true
        exhaustive_ignores = ["plugins"]
        ignore_imports = ["shop.core -> shop.api"]
        """,
    )
    [violation] = result.contracts[0].violations
    assert violation.message == "shop.ring is not in any layer (the contract is exhaustive)"

    with pytest.raises(ConfigurationError, match="layer 'shop.core' contains layer 'shop.core.utils'"):
        check(
            tmp_path,
            """
            [[contracts]]
            name = "nested"
            type = "layers"
            layers = ["shop.core", "shop.core.utils"]
            """,
        )
