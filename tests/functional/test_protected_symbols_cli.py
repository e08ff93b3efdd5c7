"""`archgraph check` with symbol-level protected contracts, end to end (real scan, real CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archgraph.cli import main
from archgraph.usecases.check import run
from archgraph.usecases.project import RunOptions
from tests.helpers import write_tree

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agent_backend"
REGISTRY = "app.agents.supervisor.agent_registry.AgentRegistry"

TREE = {
    "pkg/__init__.py": "",
    "pkg/registry.py": "class AgentRegistry:\n    pass\n\n\nDEFAULT_TIMEOUT = 3\n",
    "pkg/user.py": "from pkg.registry import AgentRegistry as Registry\n",
    "pkg/settings.py": "from pkg.registry import DEFAULT_TIMEOUT\n",
}


def contracts_toml(symbols: str, extra: str = "") -> str:
    return f"""\
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "registry"
name = "Only the registry imports AgentRegistry"
type = "protected"
symbols = [{symbols}]
allowed_importers = ["pkg.registry"]
{extra}"""


def check(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache", *args])
    return result.exit_code, result.output


def test_violation_text_and_json(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**TREE, "contracts/c.toml": contracts_toml('"pkg.registry.AgentRegistry"')})

    code, text = check(root)
    json_code, output = check(root, "--format", "json")

    assert code == json_code == 1
    assert "- pkg.user imports pkg.registry.AgentRegistry as Registry\n        pkg/user.py:1\n" in text
    assert "pkg.settings" not in text
    contract = json.loads(output)["contracts"][0]
    assert contract["governed"] == 1
    assert contract["compliance"] == 0.0
    (violation,) = contract["violations"]
    assert (violation["code"], violation["symbol"], violation["alias"], violation["via"]) == (
        "AG131", "pkg.registry.AgentRegistry", "Registry", []
    )
    assert (violation["file"], violation["line"], violation["imported"]) == ("pkg/user.py", 1, "pkg.registry")


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ('"pkg.registry.AgentRegistri"', "did you mean 'pkg.registry.AgentRegistry'?"),
        ('"pkg.registri.AgentRegistry"', "did you mean 'pkg.registry.AgentRegistry'?"),
    ],
)
def test_unknown_symbol_exits_2_with_did_you_mean(tmp_path: Path, symbol: str, expected: str) -> None:
    root = write_tree(tmp_path, {**TREE, "contracts/c.toml": contracts_toml(symbol)})

    code, text = check(root)

    assert code == 2
    assert expected in text


@pytest.mark.parametrize(
    ("symbols", "extra", "expected"),
    [
        ("", "", "set 'modules', 'symbols' or both"),
        ('"AgentRegistry"', "", "'AgentRegistry' is not of the form 'module.Name'"),
        ('"pkg.registry.AgentRegistry"', "symbol = 1\n", "unknown key (did you mean 'symbols'?)"),
    ],
)
def test_bad_symbol_configuration_exits_2(
    tmp_path: Path, symbols: str, extra: str, expected: str
) -> None:
    root = write_tree(tmp_path, {**TREE, "contracts/c.toml": contracts_toml(symbols, extra)})

    code, text = check(root)

    assert code == 2
    assert expected in text


def test_example_reports_each_planted_bypass_once() -> None:
    result = run(EXAMPLE, RunOptions(contract_ids=("agent-registry-symbol",), use_cache=False))

    (contract,) = result.contracts
    found = [(v.importer, v.location.line if v.location else None, v.alias, v.via) for v in contract.violations]
    assert found == [
        ("app.admin.agents", 10, None, ()),  # inside a function
        ("app.api.legacy.tool_dispatcher", 6, "ar.AgentRegistry", ()),  # import ... as ar; ar.X
        ("app.api.routes.agents", 3, "Registry", ()),
        ("app.api.routes.chat", 5, None, ()),
        ("app.services.agent_service", 6, None, ()),  # relative
        ("app.services.session_service", 12, None, ()),  # under TYPE_CHECKING
    ]
    assert {v.symbol for v in contract.violations} == {REGISTRY}
    # + the registry package's re-export and the supervisor's own import, both allowed, and
    # app.admin.dashboard, which takes it from the replacement (the canonical path)
    assert contract.governed == 9
    assert "app.admin.dashboard" not in {v.importer for v in contract.violations}


def test_a_warm_run_reuses_the_sites_until_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import sites are kept across runs on the same files; any change recomputes them."""
    import os  # noqa: PLC0415

    from archgraph.model import symbol_reading  # noqa: PLC0415

    root = write_tree(tmp_path / "p", {**TREE, "contracts/c.toml": contracts_toml('"pkg.registry.AgentRegistry"')})
    cache = tmp_path / "cache"
    computed: list[int] = []
    real = symbol_reading.symbol_index
    monkeypatch.setattr(
        symbol_reading, "symbol_index", lambda *a: computed.append(1) or real(*a)  # type: ignore[func-returns-value]
    )

    def violations() -> list[str]:
        result = CliRunner().invoke(main, ["check", str(root), "--cache-dir", str(cache), "--format", "json"])
        return [v["importer"] for v in json.loads(result.output)["contracts"][0]["violations"]]

    cold = violations()
    warm = violations()
    assert cold == warm == ["pkg.user"]
    assert computed == [1]  # the warm run reused the sites
    settings = root / "pkg/settings.py"
    settings.write_text("from pkg.registry import DEFAULT_TIMEOUT, AgentRegistry\n")
    stat = settings.stat()
    os.utime(settings, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert violations() == ["pkg.settings", "pkg.user"]
    assert computed == [1, 1]


def test_a_families_run_leaves_a_cache_that_symbol_contracts_read_alike(tmp_path: Path) -> None:
    """`families` caches facts without attribute chains; a later symbol check on that cache
    extracts them and finds what a cold check finds. Over 300 files: the process pool parses."""
    uses = {
        f"pkg/use{i:03}.py": (
            "import pkg.registry as r\n\n\ndef make():\n    return r.AgentRegistry()\n"
            if i % 50 == 0
            else f"from pkg import registry\n\nclass Own{i}(registry.Base):\n    pass\n"
            if i % 50 == 1
            else f"class Plain{i}:\n    pass\n"
        )
        for i in range(320)
    }
    registry = "class Base:\n    pass\n\n\nclass AgentRegistry(Base):\n    pass\n"
    tree = {**TREE, "pkg/registry.py": registry, **uses,
            "contracts/c.toml": contracts_toml('"pkg.registry.AgentRegistry", "pkg.registry.Base"')}
    root = write_tree(tmp_path / "p", tree)

    def violations(cache: Path) -> list[tuple[str, int, str | None]]:
        result = CliRunner().invoke(main, ["check", str(root), "--cache-dir", str(cache), "--format", "json"])
        assert result.exit_code == 1, result.output
        found = json.loads(result.output)["contracts"][0]["violations"]
        return [(v["importer"], v["line"], v["alias"]) for v in found]

    cold = violations(tmp_path / "cold")
    shared = tmp_path / "shared"
    families = CliRunner().invoke(main, ["families", str(root), "--cache-dir", str(shared), "--quiet"])
    assert families.exit_code == 0, families.output
    after_families = violations(shared)

    assert after_families == cold
    # `r.AgentRegistry` and `registry.Base` are attribute chains: the sites only they reveal
    assert ("pkg.use000", 1, "r.AgentRegistry") in cold
    assert ("pkg.use001", 1, "registry.Base") in cold
    assert len(cold) == 15  # 7 of each, and pkg.user's `AgentRegistry as Registry`


def test_runs_between_edits_find_what_a_cold_check_finds(tmp_path: Path) -> None:
    """After an edit only the changed files are read again (the rest of each file's share is
    kept); new sites, new re-export aliases reaching unchanged files, and removed files must
    still come out as a cold check has them."""
    import os  # noqa: PLC0415

    root = write_tree(
        tmp_path / "p",
        {
            **TREE,
            "pkg/api.py": "from pkg.registry import AgentRegistry as Public\n",
            "pkg/client.py": "from pkg.api import Public\n",
            "pkg/late.py": "from pkg.api import Later\n",
            "pkg/plain.py": "import os\n",
            "contracts/c.toml": contracts_toml('"pkg.registry.AgentRegistry"'),
        },
    )
    cache = tmp_path / "cache"

    def sites(*options: str) -> list[tuple[str, int, str | None, list[str]]]:
        result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *options])
        assert result.exit_code in (0, 1), result.output
        found = json.loads(result.output)["contracts"][0]["violations"]
        return [(v["importer"], v["line"], v["alias"], v["via"]) for v in found]

    def edit(relative: str, text: str | None) -> None:
        path = root / relative
        if text is None:
            path.unlink()
            return
        path.write_text(text)
        stat = path.stat()  # a new mtime even within the file system's time resolution
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    edits: list[tuple[str, str | None]] = [
        ("pkg/settings.py", "from pkg.registry import DEFAULT_TIMEOUT, AgentRegistry\n"),
        # `late.py` is unchanged, and its `Later` was never searched for before this edit.
        ("pkg/api.py", "from pkg.registry import AgentRegistry as Public, AgentRegistry as Later\n"),
        ("pkg/plain.py", "import os\nimport pkg.api as a\n\nx = a.Public\n"),
        ("pkg/client.py", None),
        ("pkg/api.py", "from pkg.registry import DEFAULT_TIMEOUT as Public\n"),
    ]
    seen = [sites("--cache-dir", str(cache))]
    assert seen[0] == sites("--no-cache")
    for relative, text in edits:
        edit(relative, text)
        seen.append(sites("--cache-dir", str(cache)))
        assert seen[-1] == sites("--no-cache"), (relative, text)
    importers = [{site[0] for site in step} for step in seen]
    assert importers[0] == {"pkg.api", "pkg.client", "pkg.user"}
    assert "pkg.settings" in importers[1]
    assert "pkg.late" in importers[2]  # through the new alias, in a file that did not change
    assert "pkg.plain" in importers[3] and "pkg.client" not in importers[4]
    assert importers[5] == {"pkg.settings", "pkg.user"}
