"""Small helpers shared by the tests: fixture trees on disk, in-memory models, the scanner,
contracts, the CLI."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from archgraph.cli import main
from archgraph.diagnostics import Diagnostic
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.names import ancestors, is_within
from archgraph.model.schema import ContractTable, TablePosition
from archgraph.results import ContractResult
from archgraph.rules import Contract, build_contracts
from archgraph.scan import ScanOptions, ScanOutcome, scan
from archgraph.scan.memory_graph import graph_from_imports


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under root; a path ending in '/' is a directory.

    Indented text (a triple-quoted block) is dedented and loses its opening newline; other
    text is written as is, so line numbers stay exact.
    """
    for relative, content in files.items():
        path = root / relative
        if relative.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            text = textwrap.dedent(content)
            if text != content:  # an indented triple-quoted block: drop its opening newline
                text = text.removeprefix("\n")
            path.write_text(text, encoding="utf-8")
    return root


Imported = str | tuple[str, int]
"""An import in `model_from_edges`: the imported module, on line 1 unless a line is given."""


def model_from_edges(
    edges: Mapping[str, Sequence[Imported]],
    root_packages: Sequence[str] = ("pkg",),
    *,
    modules: Iterable[str] = (),
    packages: Iterable[str] = (),
    namespace: Iterable[str] = (),
    include_external_packages: bool = False,
) -> ArchModel:
    """A model of the modules and imports listed, on real grimp, with no files to write or scan.

    `edges`: importer -> the modules it imports, each a name (line 1) or (name, line); the
    same name twice with other lines gives one import found on several lines.
    Internal modules (within `root_packages`) are those named anywhere, their ancestors and
    `modules`. Any other name is an external package: as in a scan, imports of one are left out
    unless `include_external_packages`, and then it is a module of the graph (grimp's
    squashed module: name the top-level package). Each internal module has a file, relative
    to the root like a scan's: `pkg/a/__init__.py` for a root package, a module with children
    or one of `packages`, `pkg/a.py` otherwise; `namespace` modules (directories without an
    `__init__.py`) have none. No file is read: facts_provider is None.
    """
    roots = tuple(root_packages)

    def internal(name: str) -> bool:
        return any(is_within(name, root) for root in roots)

    outside = sorted(name for name in edges if not internal(name))
    if outside:
        raise ValueError(f"importers outside root_packages {roots}: {', '.join(outside)}")
    imports = [
        (importer, *((target, 1) if isinstance(target, str) else target))
        for importer, targets in edges.items()
        for target in targets
    ]
    if not include_external_packages:
        imports = [record for record in imports if internal(record[1])]
    named = {*edges, *(imported for _importer, imported, _line in imports), *modules}
    listed = {name for name in named if internal(name)}
    internal_modules = listed | {parent for name in listed for parent in ancestors(name)}
    parents = {parent for name in internal_modules for parent in ancestors(name)}
    kinds = {*packages, *parents, *roots}
    empty = set(namespace)
    files = {
        name: Path(name.replace(".", "/") + ("/__init__.py" if name in kinds else ".py"))
        for name in sorted(internal_modules - empty)
    }
    return ArchModel(
        root=Path("."),
        root_packages=roots,
        graph=graph_from_imports(internal_modules, imports, roots),
        files=files,
        namespace_modules=frozenset(empty),
    )


def scan_tree(root: Path, *packages: str, **options: Any) -> ScanOutcome:
    """The real scanner over `root` (no cache unless `cache_dir` is given)."""
    if "source_roots" in options:
        options["source_roots"] = tuple(options["source_roots"])
    if "exclude" in options:
        options["exclude"] = tuple(ModuleExpr(text) for text in options["exclude"])
    return scan(root, ScanOptions(root_packages=packages or ("pkg",), **options))


def modules_of(outcome: ScanOutcome) -> set[str]:
    return set(outcome.model.internal_modules)


def imports_of(outcome: ScanOutcome) -> set[tuple[str, str]]:
    """Every direct import between internal modules."""
    model = outcome.model
    return {
        (importer, imported)
        for importer, imported in model.iter_imports()
        if importer in model.internal_modules and imported in model.internal_modules
    }


def brief(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, str, str | None, int | None]]:
    """(code, severity, file, line) of each diagnostic, in order."""
    return [
        (
            d.code,
            d.severity.value,
            d.location.path.as_posix() if d.location else None,
            d.location.line if d.location else None,
        )
        for d in diagnostics
    ]


def contract(**table: Any) -> Contract:
    """A typed contract from a contract table, through the same path as a TOML file."""
    at = TablePosition(Path("contracts/test.toml"), "contracts[0]")
    contracts, errors = build_contracts([ContractTable(table, at)])
    assert not errors, errors
    (built,) = contracts
    return built


def check(root: Path, table: Mapping[str, Any], *packages: str, **options: Any) -> ContractResult:
    """Scan `root` and check one contract against it."""
    return contract(**table).check(scan_tree(root, *packages, **options).model)


def run_cli(args: Sequence[str]) -> tuple[int, str, str]:
    """Run the archgraph CLI in-process; (exit code, stdout, stderr).

    click >= 8.2 keeps stderr apart from stdout in CliRunner by default.
    """
    result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` as a test author (no global configuration needed); its stdout."""
    completed = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    )
    return completed.stdout
