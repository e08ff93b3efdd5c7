"""`archgraph check` imports only what checking needs: its start-up is part of every warm run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import write_tree

from archgraph.cli.options import DIRECTIONS
from archgraph.report.graphview import Direction

# Drawing, HTML, families and import-linter code, and importlib.metadata (plugins): none is
# needed by a check of archgraph contracts.
NOT_FOR_CHECK = (
    "archgraph.report.html",
    "archgraph.report.diagram",
    "archgraph.report.layout",
    "archgraph.report.graphview",
    "archgraph.families",
    "archgraph.init",
    "archgraph.usecases.render",
    "archgraph.config.importlinter",
    "archgraph.baseline",
    "archgraph.affected",
    "importlib.metadata",
    "concurrent.futures.process",  # parse workers: a warm check parses nothing
    # The servers and the watch, and their optional libraries.
    "archgraph.lsp",
    "archgraph.mcp_server",
    "archgraph.cli.watch",
    "archgraph.usecases.live",
    "archgraph.scan.warm",
    "pygls",
    "lsprotocol",
    "mcp",
    "watchfiles",
    # The other commands, the symbol machinery (a contract protects modules only here), and
    # what only an error's did-you-mean needs.
    "archgraph.cli.draw",
    "archgraph.cli.products",
    "archgraph.cli.servers",
    "archgraph.model.symbols",
    "archgraph.scan.extract",
    "difflib",
)
# A warm check scans nothing: neither the scanner's stderr file nor a parser.
NOT_FOR_WARM_CHECK = ("tempfile", "tree_sitter", "tree_sitter_python")

PROBE = """
import sys
from archgraph.cli import main
try:
    main(sys.argv[1:])
except SystemExit as end:
    print("exit", end.code, file=sys.stderr)
print(",".join(sorted(sys.modules)))
"""


def loaded_by(*arguments: str) -> set[str]:
    """The modules a fresh process has loaded after `archgraph ARGUMENTS`."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, check=True
    )
    assert "exit 0" in done.stderr, done.stderr  # the check ran, and every contract is kept
    return set(done.stdout.strip().splitlines()[-1].split(","))


def test_check_imports_only_what_it_needs(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "",
            "contracts/arch.toml": (
                '[[contracts]]\nid = "l"\nname = "a over b"\ntype = "layers"\n'
                'layers = ["pkg.a", "pkg.b"]\n'
                '[[contracts]]\nid = "p"\nname = "b is private"\ntype = "protected"\n'
                'modules = ["pkg.b"]\nallowed_importers = ["pkg.a"]\n'
            ),
        },
    )
    loaded = loaded_by("check", str(root), "--no-cache")
    assert "archgraph.rules.layers" in loaded
    assert sorted(loaded & set(NOT_FOR_CHECK)) == []
    cache = str(tmp_path / "cache")
    cold = loaded_by("check", str(root), "--cache-dir", cache)
    assert "grimp" in cold
    if hasattr(os, "memfd_create"):  # the scanner's stderr is held in memory
        assert "tempfile" not in cold
    warm = loaded_by("check", str(root), "--cache-dir", cache)
    assert "archgraph.rules.layers" in warm
    assert sorted(warm & {*NOT_FOR_CHECK, *NOT_FOR_WARM_CHECK}) == []


def test_the_cli_offers_every_focus_direction() -> None:
    assert DIRECTIONS == tuple(direction.value for direction in Direction)
