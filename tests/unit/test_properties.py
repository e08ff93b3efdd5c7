"""Random package trees and contracts: archgraph's graph and verdicts equal the brute-force oracle.

Trees mix regular packages, namespace directories, absolute, relative and `from pkg import
module` imports, imports inside functions and `if TYPE_CHECKING:` blocks, aliases, self-imports
and re-export chains (`from pkg.a import thing` where pkg.a imported `thing` from elsewhere).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import oracle
import pytest
from helpers import contract, imports_of, modules_of, scan_tree, write_tree

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given
from hypothesis import strategies as st

from archgraph.model import ArchModel
from archgraph.results import ContractResult

NAMES = ("a", "b", "c", "d")


@dataclass(frozen=True)
class Tree:
    files: dict[str, str]
    modules: tuple[str, ...]  # every module, namespace directories included
    packages: tuple[str, ...]  # modules that are directories


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[str], dict[str, bool], list[str]]:
    """(file modules, directory -> is regular, all modules): pkg and up to two levels below."""
    directories: dict[str, bool] = {"pkg": True}
    file_modules: list[str] = []
    frontier = ["pkg"]
    while frontier:
        directory = frontier.pop()
        depth = directory.count(".")
        names = list(draw(st.permutations(NAMES)))
        file_count = draw(st.integers(1, 3))
        sub_count = draw(st.integers(0, 2 if depth < 2 else 0))
        for name in names[:file_count]:
            file_modules.append(f"{directory}.{name}")
        for name in names[file_count : file_count + sub_count]:
            child = f"{directory}.{name}"
            directories[child] = draw(st.booleans())  # False: a namespace directory
            frontier.append(child)
    return file_modules, directories, sorted([*file_modules, *directories])


def is_within(module: str, ancestor: str) -> bool:
    return module == ancestor or module.startswith(ancestor + ".")


@st.composite
def import_statements(
    draw: st.DrawFn, importer: str, is_package: bool, modules: list[str], packages: list[str]
) -> str:
    """One import statement in one of several spellings, to a module of the tree (or a name
    in one: `from pkg.a import thing`)."""
    kind = draw(st.sampled_from(["import", "import-as", "from", "relative"]))
    target = draw(st.sampled_from(modules))
    name = draw(st.sampled_from([*NAMES, "thing"]))
    if kind == "import":
        return f"import {target}"
    if kind == "import-as":
        return f"import {target} as alias_{name}"
    if kind == "from":
        return f"from {target} import {name}"
    base = importer if is_package else importer.rpartition(".")[0]
    ancestors = [a for a in packages if is_within(base, a)]
    anchor = draw(st.sampled_from(sorted(ancestors)))
    level = base.count(".") - anchor.count(".") + 1
    inside = sorted(m for m in modules if is_within(m, anchor))
    target = draw(st.sampled_from(inside))
    rest = target[len(anchor) + 1 :]
    return f"from {'.' * level}{rest} import {name}"


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    file_modules, directories, modules = draw(layouts())
    packages = sorted(directories)
    files: dict[str, str] = {}
    sources = [(m, False) for m in file_modules] + [(d, True) for d, regular in directories.items() if regular]
    for module, is_package in sources:
        statements = draw(
            st.lists(import_statements(module, is_package, modules, packages), max_size=4)
        )
        lines = ["from typing import TYPE_CHECKING", "import os"]
        for statement in statements:
            placement = draw(st.sampled_from(["top", "function", "type-checking", "try"]))
            if placement == "top":
                lines.append(statement)
            elif placement == "function":
                lines += ["def use():", f"    {statement}"]
            elif placement == "type-checking":
                lines += ["if TYPE_CHECKING:", f"    {statement}"]
            else:
                lines += ["try:", f"    {statement}", "except ImportError:", "    pass"]
        lines.append("thing = 1")
        path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
        files[path] = "\n".join(lines) + "\n"
    for directory, regular in directories.items():
        if not regular:
            files.setdefault(directory.replace(".", "/") + "/", "")
    return Tree(files, tuple(modules), tuple(packages))


def scanned(tree: Tree, root: Path) -> tuple[ArchModel, oracle.OracleGraph]:
    write_tree(root, tree.files)
    outcome = scan_tree(root)
    expected = oracle.build(root, "pkg")
    assert outcome.diagnostics == ()
    assert modules_of(outcome) == expected.modules
    assert imports_of(outcome) == expected.edges
    return outcome.model, expected


def check(model: ArchModel, **table: object) -> ContractResult:
    result = contract(name="property", **table).check(model)
    assert not result.misconfigured, result.diagnostics
    return result


def chain_is_real(result: ContractResult, graph: oracle.OracleGraph) -> None:
    for violation in result.violations:
        for step in violation.chain:
            assert (step.importer, step.imported) in graph.edges, violation


def unrelated(first: str, second: str) -> bool:
    return not (is_within(first, second) or is_within(second, first))


@given(tree=trees(), data=st.data())
def test_graph_and_forbidden(tree: Tree, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as directory:
        model, graph = scanned(tree, Path(directory))
        source = data.draw(st.sampled_from(tree.modules))
        target = data.draw(st.sampled_from([m for m in tree.modules if unrelated(m, source)] or [None]))
        if target is None:
            return
        allow_indirect = data.draw(st.booleans())
        result = check(
            model,
            type="forbidden",
            source_modules=[source],
            forbidden_modules=[target],
            allow_indirect_imports=allow_indirect,
        )
        chain_is_real(result, graph)
        if allow_indirect:
            direct = oracle.forbidden_direct(graph, source, target)
            assert {v.site for v in result.violations} == direct
            assert result.kept == (not direct)
        else:
            assert result.kept == (not oracle.forbidden_chain_exists(graph, source, target))
            for violation in result.violations:
                assert is_within(violation.importer or "", source)
                assert is_within(violation.imported or "", target)


def siblings(tree: Tree, data: st.DataObject, low: int, high: int) -> list[str] | None:
    """A few modules of the tree, none inside another."""
    chosen: list[str] = []
    for module in data.draw(st.permutations(tree.modules)):
        if all(unrelated(module, other) for other in chosen):
            chosen.append(module)
    count = data.draw(st.integers(low, high))
    return chosen[:count] if len(chosen) >= count else None


@given(tree=trees(), data=st.data())
def test_independence(tree: Tree, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as directory:
        model, graph = scanned(tree, Path(directory))
        modules = siblings(tree, data, 2, 3)
        if modules is None:
            return
        result = check(model, type="independence", modules=modules)
        chain_is_real(result, graph)
        expected = oracle.independence_pairs(graph, modules)
        found = {
            (next(m for m in modules if is_within(v.importer or "", m)),
             next(m for m in modules if is_within(v.imported or "", m)))
            for v in result.violations
        }
        assert found == expected
        assert result.kept == (not expected)


@given(tree=trees(), data=st.data())
def test_layers(tree: Tree, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as directory:
        model, graph = scanned(tree, Path(directory))
        use_container = data.draw(st.booleans())
        if use_container:
            candidates = [m for m in tree.modules if m.count(".") == 1]
            names = data.draw(st.permutations(candidates))
        else:
            names = siblings(tree, data, 2, 4) or []
        count = data.draw(st.integers(2, 4))
        if len(names) < count:
            return
        chosen = list(names[:count])
        # Group into levels top to bottom; a level of two is "x | y" (independent siblings).
        levels: list[list[str]] = []
        while chosen:
            size = data.draw(st.integers(1, min(2, len(chosen))))
            levels.append(chosen[:size])
            chosen = chosen[size:]
        if len(levels) < 2:
            return
        short = [[m.rpartition(".")[2] if use_container else m for m in level] for level in levels]
        table = {"type": "layers", "layers": [" | ".join(level) for level in short]}
        if use_container:
            table["containers"] = ["pkg"]
        result = check(model, **table)
        chain_is_real(result, graph)
        pairs, direct = oracle.layer_violations(graph, levels)

        def layer_of(module: str) -> str:
            return next(m for level in levels for m in level if is_within(module, m))

        found_pairs = {(layer_of(v.importer or ""), layer_of(v.imported or "")) for v in result.violations}
        found_direct = {v.site for v in result.violations if len(v.chain) == 1}
        assert found_pairs == pairs
        assert found_direct == direct
        assert result.kept == (not pairs)


@given(tree=trees(), data=st.data())
def test_protected(tree: Tree, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as directory:
        model, graph = scanned(tree, Path(directory))
        protected = data.draw(st.sampled_from(tree.modules))
        allowed = data.draw(st.lists(st.sampled_from(tree.modules), max_size=2, unique=True))
        table: dict[str, object] = {"type": "protected", "modules": [protected]}
        if allowed:
            table["allowed_importers"] = allowed
        result = check(model, **table)
        expected = oracle.protected_violations(graph, protected, allowed)
        assert {v.site for v in result.violations} == expected
        assert result.kept == (not expected)


@given(tree=trees(), data=st.data())
def test_acyclic(tree: Tree, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as directory:
        model, graph = scanned(tree, Path(directory))
        package = data.draw(st.sampled_from(tree.packages))
        result = check(model, type="acyclic", packages=[package])
        expected = oracle.modules_on_cycles(graph, package)
        depth = package.count(".") + 1
        on_cycles = {
            ".".join(module.split(".")[: depth + 1])
            for v in result.violations
            for step in v.chain
            for module in (step.importer, step.imported)
        }
        assert on_cycles == expected
        assert result.kept == (not expected)
