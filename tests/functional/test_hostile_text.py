"""Text from a hostile tree (folder names, TOML keys and values, contract names) in every
line-oriented output: it never starts a GitHub workflow command, and configuration mistakes
in it are configuration errors (exit 2, file and key), never tracebacks."""

from __future__ import annotations

import subprocess
import time
import tomllib
from pathlib import Path

import pytest
from helpers import run_cli, write_tree

from archgraph.diagnostics import visible
from archgraph.model.names import ModuleExpr

# A folder name that would end a log line and start a workflow command of its own.
# (No dot in it: a folder name with a dot is no module, AG204.)
INJECTED = "zz\n::warning file=x_py::injected %0A\r::error::again\u2028::notice::third"
CONTRACTS = """
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "layers"
name = "ui above core ##[warning]old-style command"
type = "layers"
containers = ["app"]
layers = ["ui", "core"]
"""


def hostile_tree(root: Path, contracts: str = CONTRACTS) -> Path:
    return write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/ui/__init__.py": "",
            "app/core/__init__.py": "",
            "app/core/low.py": "import app.ui\n",  # a violation: core imports ui
            f"app/{INJECTED}/__init__.py": "",
            f"app/{INJECTED}/m.py": "import app.ui\nimport app.nothing\n",  # AG211 there
            "contracts/architecture.toml": contracts,
        },
    )


def commands(text: str) -> list[str]:
    """Lines GitHub's runner would read as workflow commands (after leading blanks)."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


def assert_no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output
        assert "internal error" not in output


def test_the_text_report_shows_hostile_names_on_their_own_lines(tmp_path: Path) -> None:
    root = hostile_tree(tmp_path)
    code, out, err = run_cli(["check", root, "--no-cache"])
    assert code == 1  # the layers contract is broken, nothing else changed
    assert commands(out + err) == []
    # The name is shown, its line breaks visible as escapes.
    assert "app/zz\\n::warning file=x_py::injected %0A\\r::error::again\\u2028::notice::third/m.py:2" in out
    assert "##\\x5bwarning]old-style command" in out
    assert_no_traceback(out, err)


def test_github_annotations_escape_hostile_names_as_github_reads_them(tmp_path: Path) -> None:
    root = hostile_tree(tmp_path)
    code, out, err = run_cli(["check", root, "--no-cache", "--format", "github"])
    assert code == 1
    annotations = commands(out)
    # Only archgraph's own: one per violation and diagnostic, each titled by archgraph.
    assert len(annotations) == 3
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in annotations)
    assert all(",title=archgraph " in line for line in annotations)
    missing = next(line for line in annotations if "AG211" in line)
    # In a property `:` and `,` are escaped too; `%` first, so `%0A` stays text.
    assert "/app/zz%0A%3A%3Awarning file=x_py%3A%3Ainjected %250A%0D%3A%3Aerror" in missing
    assert commands(err) == []
    assert_no_traceback(out, err)


def test_export_on_stdout_keeps_names_with_line_breaks_on_their_line(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ElementTree  # noqa: PLC0415

    root = hostile_tree(tmp_path)
    for export_format in ("graphml", "gexf", "json", "mermaid", "dot"):
        code, out, err = run_cli(["export", root, "--no-cache", "--format", export_format])
        assert code == 0, err
        assert commands(out + err) == [], export_format
        assert_no_traceback(out, err)
        if export_format in ("graphml", "gexf"):
            # Character references: the XML still holds the very name.
            document = ElementTree.fromstring(out.encode())
            values = [v for element in document.iter() for v in [element.text, *element.attrib.values()]]
            assert f"app.{INJECTED}.m" in values


def test_hostile_keys_and_values_in_a_committed_contract_file_are_escaped(tmp_path: Path) -> None:
    contracts = CONTRACTS.replace(
        'root_packages = ["app"]',
        'root_packages = ["app"]\n"\\n::warning file=a.py::key" = 1\n',
    ) + '"\\n::error::contract key" = 3\n'
    root = hostile_tree(tmp_path, contracts)
    for output_format in ("text", "github"):
        code, out, err = run_cli(["check", root, "--no-cache", "--format", output_format])
        assert code == 2
        assert out == ""
        assert commands(err) == []
        assert "contracts/architecture.toml:" in err
        assert "archgraph.\\n::warning file=a.py::key: unknown key" in err
        assert "contracts[0].\\n::error::contract key: unknown key" in err
        assert_no_traceback(err)


def test_a_hostile_baseline_value_is_escaped_in_the_error(tmp_path: Path) -> None:
    contracts = CONTRACTS.replace(
        'root_packages = ["app"]', 'root_packages = ["app"]\nbaseline = "b\\n::warning::baseline"'
    )
    root = hostile_tree(tmp_path, contracts)
    code, out, err = run_cli(["check", root, "--no-cache", "--format", "github"])
    assert code == 2
    assert commands(out + err) == []
    assert "baseline file not found" in err and "b\\n::warning::baseline" in err
    assert_no_traceback(err)


def test_a_hostile_baseline_entry_is_escaped_when_pruned(tmp_path: Path) -> None:
    root = hostile_tree(tmp_path)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        '{"version": 1, "tool": "archgraph", "violations": [{"contract": "layers", "code": "AG101",'
        ' "importer": "app.x\\n::warning::stale", "imported": "app.ui", "count": 1}]}\n'
    )
    code, out, err = run_cli(["baseline", root, baseline, "--prune", "--no-cache"])
    assert code == 0, err
    assert "app.x\\n::warning::stale -> app.ui" in out
    assert commands(out + err) == []


def test_init_explains_and_writes_hostile_folder_names_escaped(tmp_path: Path) -> None:
    # The folder name would end the TOML comment that quotes it and turn the layers contract
    # into a warning; an upward import from it puts its path in such a comment.
    folder = 'zz\nseverity = "warning"\n#'
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/ui/__init__.py": "",
            "app/ui/top.py": "import app.core.low\n",
            "app/core/__init__.py": "",
            "app/core/low.py": "x = 1\n",
            "app/core/up.py": "import app.ui.top\n",  # one upward import, listed in comments
            f"app/{folder}/__init__.py": "",
            f"app/{folder}/m.py": "import app.ui.top\n",
            "app/my-plugin/__init__.py": "",
            "app/my-plugin/p.py": "import app.core.low\n",
        },
    )
    code, out, err = run_cli(["init", root, "--dry-run", "--no-cache"])
    assert code == 0, err
    assert_no_traceback(out, err)
    assert commands(out + err) == []
    document = tomllib.loads(out)
    layers = document["contracts"][0]
    # The round trip: exactly the proposed keys, the folders no contract can name left out.
    assert set(layers) == {"id", "name", "type", "containers", "layers", "exhaustive", "exhaustive_ignores"}
    assert "severity" not in layers
    assert layers["exhaustive_ignores"] == ["my-plugin", folder]
    assert all("zz" not in layer and "my-plugin" not in layer for layer in layers["layers"])
    assert not any(line.startswith("severity") for line in out.splitlines())

    code, out, err = run_cli(["init", root, "--no-cache"])
    assert code == 0, err
    assert commands(out + err) == []
    written = tomllib.loads((root / "contracts" / "architecture.toml").read_text())
    assert written["contracts"] == document["contracts"]
    code, out, err = run_cli(["check", root, "--no-cache"])
    assert code == 1, err  # the upward import breaks the proposed layers contract, at error level
    assert "BROKEN  Layers of app  [layers, id=layers]" in out


@pytest.mark.parametrize(
    ("layer", "problem"),
    [
        ("ui | core : x", "mixes '|' (independent) and ':' (non-independent) siblings"),
        ("(ui", "'(ui' is not a dotted module name"),
        ("ui |", "empty module pattern"),
        ("(ui) | (ui)", "'ui' is repeated in the layer"),
    ],
)
def test_a_malformed_layer_is_a_configuration_error(tmp_path: Path, layer: str, problem: str) -> None:
    root = hostile_tree(tmp_path, CONTRACTS.replace('layers = ["ui", "core"]', f'layers = ["{layer}", "core"]'))
    code, _out, err = run_cli(["check", root, "--no-cache"])
    assert code == 2
    assert "contracts/architecture.toml:" in err and "contracts[0].layers: item 1: " in err
    assert problem in err
    assert_no_traceback(err)


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ("tool = 1\n", "pyproject.toml: tool: expected a table, got integer"),
        ('[tool]\narchgraph = "x"\n', "pyproject.toml:1: tool.archgraph: expected a table, got string"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "invalid TOML: arrays or inline tables nested too deeply"),
        ("a = " + "{b = " * 5000 + "}" * 5000 + "\n", "invalid TOML: arrays or inline tables nested too deeply"),
    ],
    ids=["tool-integer", "archgraph-string", "nested-arrays", "nested-tables"],
)
def test_a_malformed_pyproject_is_a_configuration_error(tmp_path: Path, pyproject: str, message: str) -> None:
    root = write_tree(tmp_path, {"app/__init__.py": "", "pyproject.toml": pyproject})
    for command in (["check", root], ["init", root, "--dry-run"], ["convert-importlinter", root, "-o", "-"]):
        code, _out, err = run_cli([*command, "--no-cache"] if command[0] != "convert-importlinter" else command)
        assert code == 2, (command, err)
        assert_no_traceback(err)
        if command[0] != "convert-importlinter":  # it looks for import-linter's table only
            assert message in err, (command, err)


def test_the_trend_chart_shows_a_contract_id_with_dollars_as_written(tmp_path: Path) -> None:
    def git(*arguments: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments],
                       cwd=tmp_path, check=True, capture_output=True)

    root = hostile_tree(tmp_path, CONTRACTS.replace('id = "layers"', 'id = "x$^^$"'))
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "one")
    (root / "app/ui/more.py").write_text("x = 1\n")
    git("add", "-A")
    git("commit", "-q", "-m", "two")
    output = tmp_path / "out" / "trend.svg"
    code, _out, err = run_cli(["trend", root, "--revs", "HEAD~1..HEAD", "--no-families", "--no-cache",
                              "-o", output, "--quiet"])
    assert code == 0, err
    assert_no_traceback(err)
    assert "x$^^$" in output.read_text()


def test_twelve_double_stars_match_in_linear_time() -> None:
    # A backtracking regex took 24 s for this one name; each case here takes microseconds.
    module = ".".join(["a"] * 60 + ["b"])
    patterns = [
        ".".join(["**"] * 12 + ["c"]),
        ".".join(["a", "**"] * 12 + ["c"]),
        ".".join(["**", "*"] * 12 + ["c"]),
    ]
    started = time.perf_counter()
    for text in patterns:
        pattern = ModuleExpr(text)
        assert not pattern.matches(module)
        assert not pattern.covers(module)
        assert not pattern.matches(module + ".x.y.z")
    assert ModuleExpr(".".join(["**"] * 12 + ["b"])).matches(module)
    assert ModuleExpr(".".join(["a", "**"] * 12 + ["b"])).covers(module + ".c")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("**", ["a", "a.b.c"], []),
        ("**.**", ["a", "a.b"], []),
        ("a.**", ["a", "a.b", "a.b.c"], ["b", "b.a"]),
        ("**.x", ["x", "a.x", "a.b.x"], ["x.a", "ax"]),
        ("a.*.c", ["a.b.c"], ["a.c", "a.b.d.c"]),
        ("a.**.c", ["a.c", "a.b.c", "a.b.d.c"], ["a.b", "c"]),
        ("*.**.*", ["a.b", "a.b.c"], ["a"]),
    ],
)
def test_patterns_keep_their_meaning(pattern: str, matching: list[str], not_matching: list[str]) -> None:
    expression = ModuleExpr(pattern)
    assert [m for m in matching if not expression.matches(m)] == []
    assert [m for m in not_matching if expression.matches(m)] == []


def test_an_exclude_with_many_double_stars_ends(tmp_path: Path) -> None:
    contracts = CONTRACTS.replace(
        'root_packages = ["app"]', 'root_packages = ["app"]\nexclude = ["' + ".".join(["**"] * 14 + ["nomatch"]) + '"]'
    )
    deep = "/".join(["d"] * 40)
    root = hostile_tree(tmp_path, contracts)
    write_tree(root, {f"app/{deep}/__init__.py": "", f"app/{deep}/leaf.py": "import app.ui\n"})
    for directory in range(1, 41):
        (root / "app" / "/".join(["d"] * directory) / "__init__.py").touch()
    started = time.perf_counter()
    code, _out, err = run_cli(["check", root, "--no-cache", "--format", "json"])
    assert code == 1, err
    assert time.perf_counter() - started < 60  # it never ended before
    assert_no_traceback(err)


def test_a_backslash_continued_import_is_one_import(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core/__init__.py": "",
            "app/core/util.py": "",
            "app/m.py": (
                "import app.core.\\\n    util\n"
                "from app.core \\\n  import util\n"
                "import app.\\\ncore\n"
                "from app.\\\r\n  core import util\n"
            ),
            "app/missing.py": "from app.nothing \\\n    import x\n",
            "contracts/architecture.toml": (
                '[archgraph]\nroot_packages = ["app"]\n\n[[contracts]]\nid = "no-cycles"\n'
                'name = "no cycles"\ntype = "acyclic"\npackages = ["app"]\n'
            ),
        },
    )
    code, out, err = run_cli(["check", root, "--no-cache", "--strict"])
    # Valid code raises nothing; the one import of a module that does not exist still does.
    assert "app/m.py" not in out
    assert "app/missing.py:1: warning AG211: import of app.nothing: no such module" in out
    assert code == 2, (out, err)
    (root / "app/missing.py").unlink()
    code, out, err = run_cli(["check", root, "--no-cache", "--strict"])
    assert code == 0, (out, err)


def test_visible_leaves_ordinary_text_alone_and_defuses_commands() -> None:
    assert visible("app.core -> app.ui  (app/core/x.py:3)") == "app.core -> app.ui  (app/core/x.py:3)"
    assert visible("a\nb\r\x1b[31m\u2028\x85") == "a\\nb\\r\\x1b[31m\\u2028\\x85"
    assert visible("  ::warning::x") == "  \\x3a:warning::x"
    assert visible("\u00a0::error::x").startswith("\u00a0\\x3a")
    assert visible("name ##[error]x") == "name ##\\x5berror]x"
    assert visible("a :: b") == "a :: b"
