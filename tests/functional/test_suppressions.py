"""Inline suppressions (`# archgraph: ignore[ID] -- reason`) and the relevance of exemptions:
end to end through the CLI over real trees and real grimp, in every report format where they
show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import run_cli, write_tree

SETTINGS = """
[archgraph]
root_packages = ["app"]
"""
LAYERS = """
[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["app"]
layers = ["api", "core"]
{extra}
"""
FORBIDDEN = """
[[contracts]]
id = "no-api-in-util"
name = "util does not use the api"
type = "forbidden"
source_modules = ["app.util"]
forbidden_modules = ["app.api"]
"""
BASE = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/api/views.py": "import app.core.models\n",
    "app/core/__init__.py": "",
    "app/core/models.py": "",
    "app/core/rules.py": "",
    "app/util.py": "",
}


def project(tmp_path: Path, files: dict[str, str], extra: str = "", contracts: str = "") -> Path:
    config = SETTINGS + LAYERS.format(extra=extra) + contracts
    write_tree(tmp_path, {**BASE, **files, "archgraph.toml": config})
    return tmp_path


def check(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(["check", str(root), "--config", str(root / "archgraph.toml"), *args])


def check_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, stdout, _ = check(root, "--format", "json", *args)
    return code, json.loads(stdout)


def contract(report: dict[str, Any], contract_id: str) -> dict[str, Any]:
    return next(c for c in report["contracts"] if c["id"] == contract_id)


UPWARD = "import app.api.views  # archgraph: ignore[layers] -- models must notify the views, #42\n"


def test_a_suppression_with_a_reason_keeps_the_import_out_of_the_contract(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/core/models.py": UPWARD, "app/core/rules.py": "import app.api.views\n"})
    code, stdout, _ = check(root)
    # The unsuppressed import in rules.py still breaks the contract; the one in models.py not.
    assert code == 1
    assert "app.core.rules -> app.api.views" in stdout
    assert "app.core.models -> app.api.views" not in stdout
    assert "1 inline suppression(s) keep imports out of it (--show-suppressed lists them)" in stdout

    code, stdout, _ = check(root, "--show-suppressed")
    assert "  1 inline suppression(s) keep imports out of it:" in stdout
    assert "    app/core/models.py:1: app.core.models -> app.api.views" in stdout
    assert "      reason: models must notify the views, #42" in stdout

    code, report = check_json(root)
    layers = contract(report, "layers")
    assert layers["suppressed_count"] == 1
    assert layers["suppressed"] == [
        {
            "file": "app/core/models.py",
            "line": 1,
            "reason": "models must notify the views, #42",
            "imports": [{"importer": "app.core.models", "imported": "app.api.views"}],
        }
    ]
    assert report["summary"]["suppressed"] == 1
    # Out of the compliance denominator: views -> models and rules -> views remain governed.
    assert (layers["governed"], layers["respecting"]) == (2, 1)

    _, markdown, _ = check(root, "--format", "markdown")
    assert "1 inline suppression(s)" in markdown


def test_the_suppressed_import_alone_keeps_the_contract(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/core/models.py": UPWARD})
    code, stdout, _ = check(root)
    assert code == 0 and "KEPT    Layers" in stdout
    assert "AG341" not in stdout


def test_a_parenthesised_from_block_is_suppressed_by_its_first_line(tmp_path: Path) -> None:
    models = (
        "from app.api.views import (  # archgraph: ignore[layers] -- until the split, #7\n"
        "    render,\n"
        "    notify,\n"
        ")\n"
    )
    root = project(tmp_path, {"app/core/models.py": models})
    code, stdout, _ = check(root, "--show-suppressed")
    assert code == 0, stdout
    assert "app/core/models.py:1: app.core.models -> app.api.views" in stdout


def test_a_suppression_on_a_later_line_of_the_block_suppresses_nothing(tmp_path: Path) -> None:
    models = (
        "from app.api.views import (\n"
        "    render,  # archgraph: ignore[layers] -- misplaced\n"
        ")\n"
    )
    root = project(tmp_path, {"app/core/models.py": models})
    code, stdout, _ = check(root)
    assert code == 1
    assert "app/core/models.py:2: warning AG341" in stdout
    assert "put it on the first line of the import statement" in stdout


def test_a_suppression_names_only_its_own_contracts(tmp_path: Path) -> None:
    util = "import app.api.views  # archgraph: ignore[layers] -- wrong contract\n"
    root = project(tmp_path, {"app/util.py": util}, contracts=FORBIDDEN)
    code, report = check_json(root)
    assert code == 1
    forbidden = contract(report, "no-api-in-util")
    assert [v["importer"] for v in forbidden["violations"]] == ["app.util"]
    assert forbidden["suppressed_count"] == 0
    # The layers contract has nothing for it to suppress: util is in no layer.
    assert [d["code"] for d in contract(report, "layers")["diagnostics"]] == ["AG341"]

    write_tree(root, {"app/util.py": "import app.api.views  # archgraph: ignore[layers, no-api-in-util] -- both\n"})
    code, report = check_json(root)
    assert contract(report, "no-api-in-util")["suppressed_count"] == 1
    assert code == 0  # the stale suppression of `layers` is a warning, not a failure


def test_a_suppression_without_a_reason_is_a_configuration_error_at_its_line(tmp_path: Path) -> None:
    models = "\n\nimport app.api.views  # archgraph: ignore[layers]\n"
    root = project(tmp_path, {"app/core/models.py": models})
    code, stdout, _ = check(root)
    assert code == 2
    assert "app/core/models.py:3: error AG340: the suppression gives no reason" in stdout
    code, stdout, _ = check(root, "--format", "json")
    assert code == 2
    [problem] = [d for d in json.loads(stdout)["diagnostics"] if d["code"] == "AG340"]
    assert (problem["file"], problem["line"], problem["severity"]) == ("app/core/models.py", 3, "error")

    write_tree(root, {"app/core/models.py": "import app.api.views  # archgraph: ignore -- no id\n"})
    code, stdout, _ = check(root)
    assert code == 2 and "app/core/models.py:1: error AG340: the suppression names no contract" in stdout


def test_an_unknown_contract_id_is_rejected_with_a_did_you_mean(tmp_path: Path) -> None:
    models = "import app.api.views  # archgraph: ignore[layres] -- typo\n"
    root = project(tmp_path, {"app/core/models.py": models})
    code, stdout, _ = check(root)
    assert code == 2
    assert "app/core/models.py:1: error AG340: the suppression names an unknown contract id 'layres'" in stdout
    assert "did you mean 'layers'?" in stdout
    # Checking one contract still knows every configured id.
    root_forbidden = project(tmp_path, {"app/core/models.py": UPWARD}, contracts=FORBIDDEN)
    code, stdout, _ = check(root_forbidden, "--contract", "no-api-in-util")
    assert code == 0 and "AG340" not in stdout


def test_a_suppression_that_suppresses_nothing_is_stale(tmp_path: Path) -> None:
    # views -> models goes down the layers: allowed, so there is nothing to suppress.
    views = "import app.core.models  # archgraph: ignore[layers] -- left from the migration\n"
    root = project(tmp_path, {"app/api/views.py": views})
    code, stdout, _ = check(root)
    assert code == 0
    assert (
        "app/api/views.py:1: warning AG341: the suppression of contract 'layers' suppresses nothing"
        in stdout
    )
    code, stdout, _ = check(root, "--fail-on-stale")
    assert code == 1 and "1 stale entry breaks this contract" in stdout
    _, report = check_json(root)
    assert contract(report, "layers")["suppressed_count"] == 0
    _, github, _ = check(root, "--format", "github")
    assert "app/api/views.py,line=1,title=archgraph layers (AG341)::" in github


def test_the_mark_in_a_string_is_not_a_suppression(tmp_path: Path) -> None:
    models = 'import app.api.views\nNOTE = "# archgraph: ignore[layers] -- not a comment"\n'
    root = project(tmp_path, {"app/core/models.py": models})
    code, stdout, _ = check(root)
    assert code == 1 and "app.core.models -> app.api.views" in stdout


def test_an_edited_file_is_read_again_and_a_warm_run_agrees(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/core/models.py": UPWARD})
    assert check(root)[0] == 0
    assert check(root)[0] == 0  # from the cache
    write_tree(root, {"app/core/models.py": "import app.api.views\n\n"})
    code, stdout, _ = check(root)
    assert code == 1 and "app.core.models -> app.api.views" in stdout
    write_tree(root, {"app/core/models.py": UPWARD})
    assert check(root)[0] == 0


def test_text_from_the_tree_is_escaped_in_every_output(tmp_path: Path) -> None:
    models = "import app.api.views  # archgraph: ignore[layers] -- \x1b[2J::error::owned ##[x]\n"
    root = project(tmp_path, {"app/core/models.py": models})
    code, stdout, _ = check(root, "--show-suppressed")
    assert code == 0
    assert "\x1b" not in stdout and "\\x1b[2J::error::owned ##\\x5bx]" in stdout
    _, report = check_json(root)
    assert contract(report, "layers")["suppressed"][0]["reason"] == "\x1b[2J::error::owned ##[x]"
    bad = "import app.api.views  # archgraph: ignore[\u202elayers] -- x\n"
    write_tree(root, {"app/core/models.py": bad})
    code, stdout, _ = check(root)
    assert code == 2 and "\u202e" not in stdout and "'\\u202elayers'" in stdout


# --- ignore_imports entries that match imports but change nothing ------------------------


def test_an_ignore_that_changes_nothing_is_reported_at_its_key(tmp_path: Path) -> None:
    # views -> models is allowed by the layers: ignoring it changes nothing.
    extra = 'ignore_imports = ["app.api.views -> app.core.models"]'
    root = project(tmp_path, {}, extra=extra)
    code, stdout, _ = check(root)
    assert code == 0
    assert (
        "archgraph.toml:11: warning AG342: ignore_imports entry 'app.api.views -> app.core.models'"
        " changes nothing in the contract's result" in stdout
    )
    code, stdout, _ = check(root, "--fail-on-stale")
    assert code == 1
    _, report = check_json(root)
    [note] = contract(report, "layers")["diagnostics"]
    assert (note["code"], note["file"], note["line"]) == ("AG342", "archgraph.toml", 11)


def test_an_ignore_outside_the_contract_scope_is_named_so(tmp_path: Path) -> None:
    extra = 'ignore_imports = ["app.util -> app.api.views"]'
    files = {"app/util.py": "import app.api.views\n", "app/core/rules.py": "import app.api.views\n"}
    root = project(tmp_path, files, extra=extra, contracts=FORBIDDEN.replace(
        'forbidden_modules = ["app.api"]', 'forbidden_modules = ["app.api"]\nallow_indirect_imports = true'
    ))
    code, report = check_json(root)
    notes = contract(report, "layers")["diagnostics"]
    assert [n["code"] for n in notes] == ["AG342"]
    assert "matches only imports outside the contract's scope" in notes[0]["message"]


def test_an_ignore_that_hides_a_violation_is_not_reported(tmp_path: Path) -> None:
    extra = 'ignore_imports = ["app.core.models -> app.api.views"]'
    root = project(tmp_path, {"app/core/models.py": "import app.api.views\n"}, extra=extra)
    code, stdout, _ = check(root, "--fail-on-stale")
    assert code == 0, stdout
    assert "AG342" not in stdout and "AG311" not in stdout


def test_an_ignore_needed_only_beside_another_one_is_relevant(tmp_path: Path) -> None:
    # Two routes from util to the api, each closed by one ignore: without either one, its
    # route is open again, so both are relevant.
    files = {
        "app/util.py": "import app.core.models\nimport app.core.rules\n",
        "app/core/models.py": "import app.api.views\n",
        "app/core/rules.py": "import app.api.views\n",
        "app/api/views.py": "",
    }
    forbidden = FORBIDDEN + 'ignore_imports = ["app.util -> app.core.models", "app.util -> app.core.rules"]\n'
    root = project(tmp_path, files, contracts=forbidden)
    _, report = check_json(root)
    result = contract(report, "no-api-in-util")
    assert result["violations"] == []
    assert [d["code"] for d in result["diagnostics"]] == []


def test_a_baseline_is_not_recorded_while_a_suppression_is_invalid(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/core/models.py": "import app.api.views  # archgraph: ignore[layers]\n"})
    code, _, stderr = run_cli(
        ["baseline", str(root), str(root / "known.json"), "--config", str(root / "archgraph.toml")]
    )
    assert code == 2
    assert "app/core/models.py:1: the suppression gives no reason" in stderr
    assert not (root / "known.json").exists()


SYMBOL = """
[[contracts]]
id = "key"
name = "Key only from core"
type = "protected"
symbols = ["app.core.rules.Key"]
allowed_importers = ["app.core"]
"""


def test_a_protected_symbol_import_is_suppressed_on_its_line(tmp_path: Path) -> None:
    files = {
        "app/core/rules.py": "class Key:\n    pass\n",
        "app/util.py": "from app.core.rules import Key  # archgraph: ignore[key] -- the CLI prints it\n",
        "app/api/views.py": "from app.core.rules import Key\n",
    }
    root = project(tmp_path, files, contracts=SYMBOL)
    code, report = check_json(root)
    key = contract(report, "key")
    assert [v["importer"] for v in key["violations"]] == ["app.api.views"]
    assert [s["file"] for s in key["suppressed"]] == ["app/util.py"]
    assert (key["governed"], key["respecting"]) == (1, 0)


def test_a_directive_after_another_comment_counts_and_quoted_prose_does_not(tmp_path: Path) -> None:
    models = (
        "import app.api.views  # noqa: E402  # archgraph: ignore[layers] -- after noqa\n"
        "# Write `# archgraph: ignore[layers]` on the line to keep an import out.\n"
    )
    root = project(tmp_path, {"app/core/models.py": models})
    code, stdout, _ = check(root, "--show-suppressed")
    assert code == 0, stdout
    assert "app/core/models.py:1: app.core.models -> app.api.views" in stdout
    assert "AG340" not in stdout and "AG341" not in stdout
