"""Import kinds (runtime, type_checking, function, lazy) on real trees: what the scan reads, what
every report shows, and what a contract's `import_kinds` leaves to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import check, run_cli, scan_tree, write_tree

from archgraph.diagnostics import ImportKind
from archgraph.scan.import_blocks import import_kinds

RUNTIME, TYPE_CHECKING, FUNCTION, LAZY = (
    ImportKind.RUNTIME, ImportKind.TYPE_CHECKING, ImportKind.FUNCTION, ImportKind.LAZY
)

# pkg.core.model imports one module of pkg.ui by each way of importing, each on its own line.
MODEL = """\
import typing
from typing import TYPE_CHECKING

import pkg.ui.plain
lazy import pkg.ui.deferred
lazy from pkg.ui import deferred_name
try:
    import pkg.ui.optional
except ImportError:
    if True:
        from pkg.ui import fallback
if TYPE_CHECKING:
    from pkg.ui import hints
    if typing.TYPE_CHECKING:
        import pkg.ui.nested_hints
else:
    import pkg.ui.not_hints
if typing.TYPE_CHECKING: import pkg.ui.one_line_hints


def build():
    from pkg.ui import in_function
    # import pkg.ui.commented
    text = "import pkg.ui.quoted"
    return text


class Widget:
    import pkg.ui.class_body

    @staticmethod
    def draw():
        def inner():
            if TYPE_CHECKING:
                import pkg.ui.hints_in_function
            import pkg.ui.deep
        return inner
"""

EXPECTED = {
    "pkg.ui.plain": (4, RUNTIME),
    "pkg.ui.deferred": (5, LAZY),
    "pkg.ui.deferred_name": (6, LAZY),
    "pkg.ui.optional": (8, RUNTIME),
    "pkg.ui.fallback": (11, RUNTIME),
    "pkg.ui.hints": (13, TYPE_CHECKING),
    "pkg.ui.nested_hints": (15, TYPE_CHECKING),
    "pkg.ui.not_hints": (17, RUNTIME),
    "pkg.ui.one_line_hints": (18, TYPE_CHECKING),
    "pkg.ui.in_function": (22, FUNCTION),
    "pkg.ui.class_body": (29, FUNCTION),
    "pkg.ui.hints_in_function": (35, TYPE_CHECKING),
    "pkg.ui.deep": (36, FUNCTION),
}

FORBIDDEN = """\
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "core-not-ui"
name = "core does not import ui"
type = "forbidden"
source_modules = ["pkg.core"]
forbidden_modules = ["pkg.ui"]
"""


def tree(root: Path, contracts: str = FORBIDDEN, model: str = MODEL) -> Path:
    files: dict[str, str] = {
        "pkg/__init__.py": "",
        "pkg/core/__init__.py": "",
        "pkg/core/model.py": model,
        "pkg/ui/__init__.py": "",
        "contracts/architecture.toml": contracts,
    }
    files |= {f"pkg/ui/{name.rpartition('.')[2]}.py": "" for name in EXPECTED}
    files |= {"pkg/ui/commented.py": "", "pkg/ui/quoted.py": ""}
    return write_tree(root, files)


def json_report(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, stdout, stderr = run_cli(["check", root, "--format", "json", *args])
    assert stderr == ""
    return code, json.loads(stdout)


def test_each_import_site_carries_its_kind_in_json(tmp_path: Path) -> None:
    code, report = json_report(tree(tmp_path))
    assert code == 1
    (contract,) = report["contracts"]
    found = {v["imported"]: (v["line"], v["import_kind"]) for v in contract["violations"]}
    assert found == {name: (line, kind.value) for name, (line, kind) in EXPECTED.items()}
    for violation in contract["violations"]:
        (step,) = violation["chain"]
        assert step["import_kinds"] == [violation["import_kind"]]
        assert step["import_kind"] == violation["import_kind"]


def test_warm_runs_give_the_kinds_cold_runs_do(tmp_path: Path) -> None:
    root = tree(tmp_path / "project")
    cache = tmp_path / "cache"
    cold = json_report(root, "--cache-dir", str(cache))
    assert json_report(root, "--cache-dir", str(cache)) == cold
    (contract,) = cold[1]["contracts"]
    assert len(contract["violations"]) == len(EXPECTED)


def test_the_text_report_marks_the_imports_that_are_not_runtime_ones(tmp_path: Path) -> None:
    code, stdout, _stderr = run_cli(["check", tree(tmp_path)])
    assert code == 1
    assert "    - pkg.core.model -> pkg.ui.hints\n        pkg/core/model.py:13 [type_checking]\n" in stdout
    assert "        pkg/core/model.py:5 [lazy]\n" in stdout
    assert "        pkg/core/model.py:29 [function]\n" in stdout
    assert "        pkg/core/model.py:4\n" in stdout  # a runtime import is left unmarked


def test_why_shows_the_kind_of_each_step(tmp_path: Path) -> None:
    root = tree(tmp_path)
    code, stdout, _stderr = run_cli(["why", "pkg.core.model", "pkg.ui.hints", root])
    assert code == 0
    assert "pkg.core.model -> pkg.ui.hints  (line 13) [type_checking]" in stdout
    code, stdout, _stderr = run_cli(["why", "pkg.core.model", "pkg.ui.plain", root])
    assert "pkg.core.model -> pkg.ui.plain  (line 4)\n" in stdout


def test_an_import_on_lines_of_several_kinds_shows_each_kind(tmp_path: Path) -> None:
    model = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.ui.plain\n"
        "def f():\n    import pkg.ui.plain\n"
    )
    code, report = json_report(tree(tmp_path, model=model))
    assert code == 1
    (violation,) = report["contracts"][0]["violations"]
    (step,) = violation["chain"]
    assert (step["lines"], step["import_kinds"]) == ([3, 5], ["type_checking", "function"])
    _code, stdout, _stderr = run_cli(["check", tmp_path])
    assert "pkg/core/model.py:3 [type_checking, function]" in stdout


ONLY_HINTS = """\
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.ui import hints
"""


def kinds_contract(kinds: str | None) -> str:
    return FORBIDDEN + (f"import_kinds = {kinds}\n" if kinds is not None else "")


def test_a_contract_on_runtime_imports_is_kept_when_the_only_violation_is_type_checking(
    tmp_path: Path,
) -> None:
    root = tree(tmp_path / "runtime", kinds_contract('["runtime"]'), ONLY_HINTS)
    code, report = json_report(root)
    (contract,) = report["contracts"]
    assert (code, contract["status"], contract["violations"]) == (0, "kept", [])
    assert (contract["governed"], contract["respecting"]) == (0, 0)

    root = tree(tmp_path / "every-kind", kinds_contract(None), ONLY_HINTS)
    code, report = json_report(root)
    (contract,) = report["contracts"]
    assert (code, contract["status"]) == (1, "broken")
    assert [(v["imported"], v["import_kind"]) for v in contract["violations"]] == [
        ("pkg.ui.hints", "type_checking")
    ]


def test_import_kinds_selects_what_a_contract_rules_on(tmp_path: Path) -> None:
    root = tree(tmp_path)
    for kinds, expected in [
        (["runtime"], {n for n, (_l, k) in EXPECTED.items() if k is RUNTIME}),
        (["lazy", "function"], {n for n, (_l, k) in EXPECTED.items() if k in (LAZY, FUNCTION)}),
        (["type_checking"], {n for n, (_l, k) in EXPECTED.items() if k is TYPE_CHECKING}),
    ]:
        table = {
            "name": "core does not import ui",
            "type": "forbidden",
            "source_modules": ["pkg.core"],
            "forbidden_modules": ["pkg.ui"],
            "import_kinds": kinds,
        }
        result = check(root, table)
        assert {v.imported for v in result.violations} == expected, kinds
        assert result.governed == len(expected)


def test_an_unknown_kind_is_a_configuration_error(tmp_path: Path) -> None:
    root = tree(tmp_path, kinds_contract('["runtime", "type-checking"]'))
    code, stdout, stderr = run_cli(["check", root])
    assert code == 2 and stdout == ""
    assert (
        "contracts/architecture.toml:10: contracts[0].import_kinds: item 2: expected one of"
        " 'runtime', 'type_checking', 'function', 'lazy'"
    ) in stderr
    assert "(did you mean 'type_checking'?)" in stderr


def test_the_global_setting_keeps_leaving_type_checking_imports_out(tmp_path: Path) -> None:
    contracts = FORBIDDEN.replace(
        'root_packages = ["pkg"]', 'root_packages = ["pkg"]\nexclude_type_checking_imports = true'
    )
    code, report = json_report(tree(tmp_path, contracts, ONLY_HINTS))
    assert (code, report["contracts"][0]["violations"]) == (0, [])


LAYERED = {
    "pkg/__init__.py": "",
    "pkg/high.py": "import pkg.low\n",
    "pkg/low.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import pkg.high\n"
        "def late():\n"
        "    from pkg import middle\n"
    ),
    "pkg/middle.py": "import pkg.low\n",
}


def test_layers_and_acyclic_contracts_see_only_the_kinds_they_govern(tmp_path: Path) -> None:
    root = write_tree(tmp_path, LAYERED)
    layers = {"name": "layers", "type": "layers", "layers": ["pkg.high", "pkg.middle", "pkg.low"]}
    every = check(root, layers)
    assert sorted((v.importer, v.imported, v.chain[0].import_kind) for v in every.violations) == [
        ("pkg.low", "pkg.high", TYPE_CHECKING),
        ("pkg.low", "pkg.middle", FUNCTION),
    ]
    assert not check(root, {**layers, "import_kinds": ["runtime", "lazy"]}).violations
    only_function = check(root, {**layers, "import_kinds": ["function"]})
    assert [v.imported for v in only_function.violations] == ["pkg.middle"]

    acyclic = {"name": "no cycles", "type": "acyclic", "packages": ["pkg"]}
    assert check(root, acyclic).violations
    assert check(root, {**acyclic, "import_kinds": ["runtime"]}).kept


PROTECTED = {
    "pkg/__init__.py": "",
    "pkg/registry.py": "class AgentRegistry:\n    pass\n",
    "pkg/runtime_user.py": "from pkg.registry import AgentRegistry\n",
    "pkg/hinted_user.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.registry import AgentRegistry\n"
    ),
    "pkg/late_user.py": "def get():\n    from pkg.registry import AgentRegistry\n    return AgentRegistry\n",
    "pkg/lazy_user.py": "lazy from pkg.registry import AgentRegistry\n",
    "pkg/holder.py": "class Holder:\n    from pkg.registry import AgentRegistry\n",
}


def test_protected_symbol_sites_are_filtered_one_by_one(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PROTECTED)
    table = {
        "name": "only the registry",
        "type": "protected",
        "symbols": ["pkg.registry.AgentRegistry"],
        "allowed_importers": ["pkg.registry"],
    }
    every = check(root, table)
    assert sorted((v.importer, v.chain[0].import_kind) for v in every.violations) == [
        ("pkg.hinted_user", TYPE_CHECKING),
        ("pkg.holder", FUNCTION),
        ("pkg.late_user", FUNCTION),
        ("pkg.lazy_user", LAZY),
        ("pkg.runtime_user", RUNTIME),
    ]
    runtime = check(root, {**table, "import_kinds": ["runtime", "lazy"]})
    assert sorted(v.importer for v in runtime.violations) == ["pkg.lazy_user", "pkg.runtime_user"]
    assert runtime.governed == 2


def test_the_kinds_read_from_bytes() -> None:
    source = (
        b"import a\n"  # 1
        b"from b import c  # import nothing\n"  # 2
        b'"""\n'  # 3
        b"    import not_code\n"  # 4: in a string
        b'"""\n'  # 5
        b"if TYPE_CHECKING:\n"  # 6
        b"    pass\n"  # 7
        b"elif other:\n"  # 8
        b"    import d\n"  # 9: runtime
        b"async def f():\n"  # 10
        b"    async with x:\n"  # 11
        b"        from . import (\n"  # 12
        b"            e,\n"  # 13
        b"        )\n"  # 14
        b"lazy import g\n"  # 15
        b"x = lambda: __import__('h')\n"  # 16: not a statement
        b"class A: import i\n"  # 17
    )
    assert import_kinds(source, None) == [(12, "function"), (15, "lazy"), (17, "function")]


def test_a_scan_without_the_audit_cache_gives_the_model_its_kinds(tmp_path: Path) -> None:
    root = tree(tmp_path)
    model = scan_tree(root).model
    assert model.kinds_of("pkg.core.model", "pkg.ui.hints") == (TYPE_CHECKING,)
    assert model.kinds_of("pkg.core.model", "pkg.ui.plain") == (RUNTIME,)
    assert model.step("pkg.core.model", "pkg.ui.deferred").kinds == (LAZY,)
    view = model.of_kinds([RUNTIME])
    assert "pkg.ui.hints" not in view.imports_of("pkg.core.model")
    assert "pkg.ui.plain" in view.imports_of("pkg.core.model")


def test_every_format_names_a_type_checking_import(tmp_path: Path) -> None:
    root = tree(tmp_path / "project", model=ONLY_HINTS)
    shown = {
        "sarif": '"importKind": "type_checking"',
        "markdown": "(import kind: `type_checking`)",
        "junit": "pkg/core/model.py:4 [type_checking]",
        "github": "pkg.core.model -> pkg.ui.hints [type_checking]: ",
    }
    for format_name, text in shown.items():
        code, stdout, _stderr = run_cli(["check", root, "--format", format_name])
        assert code == 1 and text in stdout, format_name
    page = tmp_path / "report.html"
    code, _stdout, _stderr = run_cli(["report", root, "-o", page])
    assert code == 0
    assert '<span class="import-kind">[type_checking]</span>' in page.read_text()


def test_the_audit_gives_each_bypassing_site_its_kind(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PROTECTED)
    (root / "pyproject.toml").write_text(
        '[tool.archgraph]\nroot_packages = ["pkg"]\n\n[[tool.archgraph.contracts]]\n'
        'name = "only the registry"\ntype = "protected"\n'
        'symbols = ["pkg.registry.AgentRegistry"]\nallowed_importers = ["pkg.registry"]\n'
    )
    code, stdout, stderr = run_cli(["audit", root, "--format", "json"])
    assert code in (0, 1), stderr
    kinds = {
        site["importer"]: site["import_kind"]
        for site in _sites(json.loads(stdout))
        if site.get("importer", "").startswith("pkg.") and "import_kind" in site
    }
    assert kinds == {
        "pkg.hinted_user": "type_checking",
        "pkg.holder": "function",
        "pkg.late_user": "function",
        "pkg.lazy_user": "lazy",
        "pkg.runtime_user": "runtime",
    }


def _sites(data: Any) -> list[dict[str, Any]]:
    """Every JSON object of the audit's report that has an importer, wherever it is."""
    if isinstance(data, dict):
        found = [data] if "importer" in data else []
        return found + [site for value in data.values() for site in _sites(value)]
    if isinstance(data, list):
        return [site for value in data for site in _sites(value)]
    return []
