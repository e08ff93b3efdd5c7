"""Governed and respecting import sites per contract type.

The expected numbers are worked out by hand from the imports listed in tests/shop.py. The
contracts are checked against the shop's imports built in memory (tests/helpers.py,
model_from_edges), and once end to end: the shop on disk, its contract file, a full run.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from helpers import Imported, model_from_edges
from helpers import contract as contract_from_table

from archgraph.results import ContractResult
from archgraph.usecases.check import run
from archgraph.usecases.project import RunOptions
from tests.shop import SHOP_EDGES, write_shop


def check_one(
    contract: str, edges: Mapping[str, Sequence[Imported]] = SHOP_EDGES
) -> ContractResult:
    """The contract (a TOML table's body) checked against the shop's imports."""
    model = model_from_edges(edges, root_packages=("shop",))
    return contract_from_table(**tomllib.loads(contract)).check(model)


@pytest.mark.parametrize(
    ("contract", "governed", "respecting"),
    [
        pytest.param(
            # Leaving a layer: imports 1, 2, 3, 4, 6. Violating: 3 (direct) and 4 (first import
            # of data -> utils -> services).
            'name = "l"\ntype = "layers"\ncontainers = ["shop"]\nlayers = ["api", "services", "data"]',
            5,
            3,
            id="layers",
        ),
        pytest.param(
            # An ignored import is not ruled on: 3 leaves the count.
            'name = "l"\ntype = "layers"\ncontainers = ["shop"]\nlayers = ["api", "services", "data"]\n'
            'ignore_imports = ["shop.services.billing -> shop.api.views"]',
            4,
            3,
            id="layers-ignore",
        ),
        pytest.param(
            # Leaving shop.data: 4 and 6; 4 starts the chain to shop.api.
            'name = "f"\ntype = "forbidden"\nsource_modules = ["shop.data"]\nforbidden_modules = ["shop.api"]',
            2,
            1,
            id="forbidden",
        ),
        pytest.param(
            # Direct imports only: neither 4 nor 6 imports shop.api.
            'name = "f"\ntype = "forbidden"\nsource_modules = ["shop.data"]\n'
            'forbidden_modules = ["shop.api"]\nallow_indirect_imports = true',
            2,
            2,
            id="forbidden-direct-only",
        ),
        pytest.param(
            # Leaving shop.api: 1; leaving shop.data: 4, 6. Chains start with 1 and 4.
            'name = "i"\ntype = "independence"\nmodules = ["shop.api", "shop.data"]',
            3,
            1,
            id="independence",
        ),
        pytest.param(
            # Imports of the store from outside it: 2 (allowed) and 8 (not).
            'name = "p"\ntype = "protected"\nmodules = ["shop.data.store"]\n'
            'allowed_importers = ["shop.services.orders"]',
            2,
            1,
            id="protected",
        ),
        pytest.param(
            # Between shop's children: all eight; only cli's (7, 8) are on no cycle.
            'name = "a"\ntype = "acyclic"\npackages = ["shop"]',
            8,
            2,
            id="acyclic",
        ),
        pytest.param(
            # shop.utils.text imports nothing: nothing to rule on is full compliance.
            'name = "f"\ntype = "forbidden"\nsource_modules = ["shop.utils.text"]\n'
            'forbidden_modules = ["shop.api"]',
            0,
            0,
            id="nothing-governed",
        ),
    ],
)
def test_governed_and_respecting_import_sites(
    contract: str, governed: int, respecting: int
) -> None:
    result = check_one(contract)

    assert (result.governed, result.respecting) == (governed, respecting)
    expected = 1.0 if governed == 0 else respecting / governed
    assert result.compliance == pytest.approx(expected)


def test_every_violation_starts_at_a_governed_site(tmp_path: Path) -> None:
    """So that `governed - respecting` counts exactly the sites the report points at."""
    from tests.shop import ALL_CONTRACTS  # noqa: PLC0415

    root = write_shop(tmp_path, ALL_CONTRACTS)
    result = run(root, RunOptions(use_cache=False))

    assert {c.contract_id for c in result.contracts if c.violations} == {
        "layers", "data-not-api", "api-data-independent", "store-protected", "no-cycles",
    }
    for contract in result.contracts:
        assert contract.governed is not None and contract.respecting is not None
        violating = contract.governed - contract.respecting
        first_imports = {v.site for v in contract.violations}
        assert 0 < len(first_imports) <= violating, contract.contract_id
        assert 0 <= contract.compliance < 1  # type: ignore[operator]


def test_fixing_a_violation_moves_its_site_from_violating_to_respecting() -> None:
    layers = 'name = "l"\ntype = "layers"\ncontainers = ["shop"]\nlayers = ["api", "services", "data"]'
    before = check_one(layers)
    # billing now imports the data layer instead of the API: still a governed import, now legal.
    after = check_one(layers, {**SHOP_EDGES, "shop.services.billing": ["shop.data.store"]})

    assert (before.governed, before.respecting) == (5, 3)
    assert (after.governed, after.respecting) == (5, 4)
