"""Baselines that stay honest: stale entries are reported, can fail the run, and are pruned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import run_cli
from tests.shop import ALL_CONTRACTS, SETTINGS, write_shop

LAYERS_ONLY = SETTINGS + """
[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["shop"]
layers = ["api", "services", "data"]
"""


def recorded(tmp_path: Path, contracts: str = LAYERS_ONLY) -> tuple[Path, Path]:
    root = write_shop(tmp_path / "project", contracts)
    baseline = tmp_path / "baseline.json"
    code, _stdout, stderr = run_cli(["baseline", root, baseline, "--no-cache"])
    assert code == 0, stderr
    return root, baseline


def entries(baseline: Path) -> list[tuple[str, str, str, int]]:
    document = json.loads(baseline.read_text())
    return [(e["contract"], e["importer"], e["imported"], e["count"]) for e in document["violations"]]


def check_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, stdout, stderr = run_cli(["check", root, "--no-cache", "--format", "json", *args])
    assert code in (0, 1), stderr
    return code, json.loads(stdout)


def fix_billing(root: Path) -> None:
    """services.billing stops importing the API (data -> utils -> billing remains)."""
    (root / "shop/services/billing.py").write_text("from shop.data import store\n")


def test_stale_entries_are_reported_and_fail_the_run_only_when_asked(tmp_path: Path) -> None:
    root, baseline = recorded(tmp_path)
    fix_billing(root)

    code, text, _ = run_cli(["check", root, "--no-cache", "--baseline", baseline])
    assert code == 0
    assert "baseline: 0 new, 1 known, 1 stale" in text
    assert (
        "  1 stale baseline entry (fixed: recorded, no longer found; prune with "
        "`archgraph baseline --prune`):\n    - shop.services.billing -> shop.api.views\n"
    ) in text

    code, text, _ = run_cli(["check", root, "--no-cache", "--baseline", baseline, "--fail-on-stale"])
    assert code == 1
    assert "BROKEN  Layers" in text
    assert "1 stale entry breaks this contract (fail_on_stale)" in text

    code, report = check_json(root, "--baseline", str(baseline), "--fail-on-stale")
    assert report["baseline"]["fail_on_stale"] is True and report["contracts"][0]["status"] == "broken"

    # The setting does the same as the flag.
    write_shop(root, LAYERS_ONLY.replace(SETTINGS, SETTINGS + "fail_on_stale = true\n"))
    fix_billing(root)
    assert check_json(root, "--baseline", str(baseline))[0] == 1


def test_prune_removes_stale_entries_only_and_never_adds_new_ones(tmp_path: Path) -> None:
    root, baseline = recorded(tmp_path)
    assert entries(baseline) == [
        ("layers", "shop.data.store", "shop.services.billing", 1),  # through shop.utils.helpers
        ("layers", "shop.services.billing", "shop.api.views", 1),
    ]
    # Fix both, and add a new violation, which prune must not record.
    (root / "shop/services/billing.py").write_text("")
    (root / "shop/utils/helpers.py").write_text("")
    (root / "shop/data/store.py").write_text("from shop.services import orders\n")

    code, stdout, stderr = run_cli(["baseline", "--prune", root, baseline, "--no-cache"])

    assert code == 0, stderr
    assert stdout.splitlines() == [
        f"archgraph: pruned 2 stale entries from {baseline}; 0 violation(s) remain recorded",
        "  - layers AG101: shop.data.store -> shop.services.billing",
        "  - layers AG101: shop.services.billing -> shop.api.views",
    ]
    assert entries(baseline) == []
    code, report = check_json(root, "--baseline", str(baseline))
    assert code == 1 and report["baseline"]["new"] == 1  # data.store -> services.orders: still new

    before = baseline.read_bytes()
    code, stdout, _ = run_cli(["baseline", "--prune", root, baseline, "--no-cache"])
    assert code == 0
    assert stdout == f"archgraph: nothing to prune in {baseline}; 0 violation(s) recorded\n"
    assert baseline.read_bytes() == before


def test_prune_lowers_a_count_to_what_still_occurs_and_drops_removed_contracts(tmp_path: Path) -> None:
    root, baseline = recorded(tmp_path)
    document = json.loads(baseline.read_text())
    document["violations"][1]["count"] = 3  # recorded three times, occurs once
    document["violations"].append(
        {"contract": "gone", "code": "AG101", "importer": "a", "imported": "b", "count": 1}
    )
    baseline.write_text(json.dumps(document))

    code, stdout, _ = run_cli(["baseline", "--prune", root, baseline, "--no-cache"])

    assert code == 0
    assert stdout.splitlines()[1:] == [
        "  - gone AG101: a -> b",
        "  - layers AG101: shop.services.billing -> shop.api.views (x2)",
    ]
    assert entries(baseline) == [
        ("layers", "shop.data.store", "shop.services.billing", 1),
        ("layers", "shop.services.billing", "shop.api.views", 1),
    ]


def test_an_ignore_that_matches_nothing_fails_under_fail_on_stale(tmp_path: Path) -> None:
    contracts = ALL_CONTRACTS.replace(
        'layers = ["api", "services", "data"]',
        'layers = ["api", "services", "data"]\nignore_imports = ["shop.*.ghost -> shop.api.views"]',
    )
    root = write_shop(tmp_path, contracts)
    (root / "shop/services/billing.py").write_text("")  # the layers contract is kept otherwise
    (root / "shop/data/store.py").write_text("from shop.utils import text\n")

    code, report = check_json(root, "--contract", "layers")
    assert code == 0
    (layers,) = report["contracts"]
    assert [d["code"] for d in layers["diagnostics"]] == ["AG311"]
    # Where to remove it: the contract file, at the `ignore_imports` key.
    written = (root / "contracts/architecture.toml").read_text().splitlines()
    line = next(i for i, text in enumerate(written, start=1) if text.startswith("ignore_imports"))
    stale = layers["diagnostics"][0]
    assert (stale["file"], stale["line"]) == ("contracts/architecture.toml", line)
    code, text, _ = run_cli(["check", root, "--no-cache", "--contract", "layers"])
    assert f"contracts/architecture.toml:{line}" in text

    code, report = check_json(root, "--contract", "layers", "--fail-on-stale")
    assert code == 1 and report["contracts"][0]["status"] == "broken"
    code, junit, _ = run_cli(["check", root, "--no-cache", "--contract", "layers", "--fail-on-stale", "--format", "junit"])
    assert code == 1 and 'message="1 stale entry breaks this contract (fail_on_stale)" type="AG311"' in junit
