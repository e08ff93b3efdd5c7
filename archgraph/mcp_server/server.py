"""The MCP server: the official SDK speaks the protocol over stdio; `Tools` answers.

Every tool returns JSON (the command line's JSON report shapes); a failure (a broken
configuration, an unknown module or contract) is a tool error whose text says what to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from archgraph.diagnostics import ArchgraphError
from archgraph.mcp_server.tools import Tools
from archgraph.usecases.project import RunOptions

INSTRUCTIONS = """\
archgraph checks this Python project's architecture contracts (layers, forbidden and protected
imports, independence, acyclic packages, single implementations) from its import graph.
Call `check` before handing in a change (with `files`: only what changes to them can break);
for each violation, `why` shows the import chain and `explain_contract` what the contract
allows instead. `families` and `audit` find competing implementations of one concept."""


def build_server(root: Path, options: RunOptions = RunOptions()) -> MCPServer[Any]:
    tools = Tools(root, options)
    server: MCPServer[Any] = MCPServer("archgraph", instructions=INSTRUCTIONS)

    @server.tool()
    def check(files: list[str] | None = None) -> dict[str, Any]:
        """Judge every contract on the code as it is on disk now. `files` (paths relative to
        the project): report only the violations changes to them can cause, as
        `archgraph check --affected`. Returns the JSON report of `archgraph check`."""
        with _told():
            return tools.check(files or ())

    @server.tool()
    def why(importer: str, imported: str) -> dict[str, Any]:
        """The shortest import chains from module `importer` to module `imported` (dotted
        names), each step with the line numbers of its import."""
        with _told():
            return tools.why(importer, imported)

    @server.tool()
    def families(concept: str | None = None) -> dict[str, Any]:
        """Duplicate classes, competing implementations, parallel hierarchies and wrappers;
        `concept`: only classes whose name matches this glob, e.g. '*Client*'."""
        with _told():
            return tools.families(concept)

    @server.tool()
    def audit(concept: str | None = None) -> dict[str, Any]:
        """One single-source-of-truth scorecard per concept: its canonical implementation, the
        competing ones, and the import sites that bypass it; `concept`: a glob."""
        with _told():
            return tools.audit(concept)

    @server.tool()
    def explain_contract(contract_id: str) -> dict[str, Any]:
        """A contract as written (its table, file and line), its hint, and what it allows
        instead of the imports it forbids."""
        with _told():
            return tools.explain_contract(contract_id)

    return server


@contextmanager
def _told() -> Iterator[None]:
    """An expected failure as a tool error whose text the agent reads (the SDK would show
    other exceptions as a bare "Error executing tool")."""
    try:
        yield
    except ArchgraphError as error:
        raise ToolError(f"archgraph: {error}") from None


def serve(root: Path, options: RunOptions = RunOptions()) -> None:
    """Answer an agent on stdin/stdout until it closes them."""
    build_server(root, options).run("stdio")
