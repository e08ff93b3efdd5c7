"""The migration ratchet: record violations, then fail only on new ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from archgraph.cli import main
from tests.shop import ALL_CONTRACTS, SETTINGS, write_shop


def invoke(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(main, list(args))
    return outcome.exit_code, outcome.stdout, outcome.stderr


def check_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, stdout, stderr = invoke("check", str(root), "--no-cache", "--format", "json", *args)
    assert stderr == ""
    return code, json.loads(stdout)


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["contracts"]}


def test_known_violations_pass_new_ones_fail_and_stale_ones_are_reported(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "project")
    baseline = tmp_path / "baseline.json"

    code, stdout, _ = invoke("baseline", str(root), str(baseline), "--no-cache")
    assert code == 0
    recorded = json.loads(baseline.read_text())
    assert stdout.startswith(f"archgraph: recorded {sum(e['count'] for e in recorded['violations'])} violation(s)")

    assert check_json(root)[0] == 1  # without the baseline the contracts are broken
    code, report = check_json(root, "--baseline", str(baseline))
    assert code == 0
    assert report["baseline"]["new"] == 0 and report["baseline"]["fixed"] == 0

    # Fix the direct layer violation (billing now uses the data layer) and add a new one.
    (root / "shop/services/billing.py").write_text("from shop.data import store\n")
    (root / "shop/data/store.py").write_text(
        "import shop.utils.helpers\nfrom shop.utils import text\nfrom shop.services import orders\n"
    )
    code, report = check_json(root, "--baseline", str(baseline))

    assert code == 1
    layers = by_id(report)["layers"]
    assert layers["baseline"] == {"new": 1, "known": 1, "fixed": 1}
    (new,) = [v for v in layers["violations"] if v["baseline"] == "new"]
    assert (new["importer"], new["imported"], new["line"]) == ("shop.data.store", "shop.services.orders", 3)
    assert [(f["importer"], f["imported"]) for f in layers["fixed"]] == [
        ("shop.services.billing", "shop.api.views")
    ]
    totals = report["baseline"]
    assert totals["new"] == sum(c["baseline"]["new"] for c in report["contracts"])
    assert totals["fixed"] == sum(len(c["fixed"]) for c in report["contracts"])

    code, text, _ = invoke("check", str(root), "--no-cache", "--baseline", str(baseline))
    assert code == 1
    assert "baseline: 1 new, 1 known, 1 stale" in text


def test_the_baseline_setting_is_used_unless_told_otherwise(tmp_path: Path) -> None:
    contracts = ALL_CONTRACTS.replace(SETTINGS, SETTINGS + 'baseline = "archgraph-baseline.json"\n')
    root = write_shop(tmp_path, contracts)

    code, stdout, _ = invoke("baseline", str(root), "--no-cache")
    assert code == 0
    assert (root / "archgraph-baseline.json").is_file()
    assert str(root / "archgraph-baseline.json") in stdout

    assert check_json(root)[0] == 0
    assert check_json(root, "--no-baseline")[0] == 1


def test_a_corrupt_baseline_is_a_usage_error_with_where_and_what(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "project")
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"version": 1,\n "violations": [\n  {"contract": "layers",}\n]}\n')

    code, stdout, stderr = invoke("check", str(root), "--no-cache", "--baseline", str(baseline))

    assert code == 2
    assert stdout == ""
    assert f"{baseline.as_posix()}:3:" in stderr
    assert "not a valid baseline file (invalid JSON" in stderr
    assert "archgraph baseline" in stderr


def test_a_missing_baseline_file_is_a_usage_error(tmp_path: Path) -> None:
    root = write_shop(tmp_path)

    code, _, stderr = invoke("check", str(root), "--no-cache", "--baseline", str(tmp_path / "nope.json"))

    assert code == 2
    assert "baseline file not found" in stderr


def test_recording_needs_a_file_and_a_sound_configuration(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "project")

    code, _, stderr = invoke("baseline", str(root), "--no-cache")
    assert code == 2
    assert "no baseline file: pass FILE, or set baseline" in stderr

    contracts = SETTINGS + '[[contracts]]\nname = "x"\ntype = "forbidden"\nsource_modules = ["shop.nope"]\nforbidden_modules = ["shop.api"]\n'
    write_shop(root, contracts)
    target = tmp_path / "baseline.json"
    code, _, stderr = invoke("baseline", str(root), str(target), "--no-cache")
    assert code == 2
    assert "not writing the baseline" in stderr and "shop.nope" in stderr
    assert not target.exists()


def test_baseline_and_no_baseline_together_is_a_usage_error(tmp_path: Path) -> None:
    root = write_shop(tmp_path)

    code, _, stderr = invoke("check", str(root), "--baseline", "b.json", "--no-baseline")

    assert code == 2
    assert "either --baseline FILE or --no-baseline" in stderr
