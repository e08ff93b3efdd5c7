"""`archgraph check` imports only what checking needs: its start-up is part of every warm run."""

from __future__ import annotations

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
)

PROBE = """
import sys
from archgraph.cli import main
try:
    main([sys.argv[1], "--no-cache"])
except SystemExit:
    pass
print(",".join(sorted(sys.modules)))
"""


def test_check_imports_only_what_it_needs(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "",
            "contracts/arch.toml": (
                '[[contracts]]\nid = "l"\ntype = "layers"\nlayers = ["pkg.a", "pkg.b"]\n'
                '[[contracts]]\nid = "p"\ntype = "protected"\nmodules = ["pkg.b"]\n'
            ),
        },
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[1], ", f"'check', {str(root)!r}, ")],
        capture_output=True, text=True, check=True,
    )
    loaded = set(done.stdout.strip().splitlines()[-1].split(","))
    assert "archgraph.rules.layers" in loaded
    assert sorted(loaded & set(NOT_FOR_CHECK)) == []


def test_the_cli_offers_every_focus_direction() -> None:
    assert DIRECTIONS == tuple(direction.value for direction in Direction)
