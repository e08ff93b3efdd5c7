"""Real runs over the shop tree, shared by the renderer tests (scanning once per module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgraph.baseline import Baseline, apply_baseline
from archgraph.diagnostics import ViolationKey
from archgraph.results import RunResult
from archgraph.usecases.check import run
from archgraph.usecases.project import RunOptions
from tests.shop import ALL_CONTRACTS, write_shop

# A contract whose name and id need escaping in every format, and a file that cannot be parsed.
AWKWARD = ALL_CONTRACTS + '''
[[contracts]]
id = "odd:id,with%stuff"
name = "Odd <name> & \\"quotes\\", 100% ]]> sure: yes"
type = "forbidden"
severity = "warning"
source_modules = ["shop.cli"]
forbidden_modules = ["shop.data"]
'''


@pytest.fixture(scope="module")
def shop_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_shop(tmp_path_factory.mktemp("shop"), AWKWARD)
    (root / "shop" / "broken.py").write_text("def broken(:\n    pass\n")
    return root


@pytest.fixture(scope="module")
def shop_result(shop_root: Path) -> RunResult:
    return run(shop_root, RunOptions(use_cache=False))


@pytest.fixture(scope="module")
def baselined_result(shop_result: RunResult) -> RunResult:
    """Every violation known except the layers contract's direct one; one extra entry fixed."""
    keys = [v.key for v in shop_result.violations if not (v.contract == "layers" and not v.is_indirect)]
    gone = ViolationKey("layers", "AG101", "shop.data.old", "shop.api.old")
    return apply_baseline(shop_result, Baseline.of([*keys, gone]), Path("baseline.json"))
