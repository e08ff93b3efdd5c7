"""`lsp` and `mcp`: servers over stdio for editors and coding agents.

Their libraries (pygls, the MCP SDK) are optional extras, imported only when a server starts:
`archgraph check` loads neither. A server's scans never fork (they run on threads).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archgraph import forking
from archgraph.cli.options import config_option, package_option, run_options, with_options
from archgraph.diagnostics import ArchgraphError, ExitCode

if TYPE_CHECKING:
    from archgraph.usecases.project import RunOptions

_server_path = click.argument(
    "path", required=False, default=None, type=click.Path(file_okay=False, path_type=Path)
)
# A server keeps its scans in memory: these exist only for `run_options`.
_no_cache_folder = [
    click.option("--cache-dir", hidden=True, type=click.Path(path_type=Path)),
    click.option("--no-cache", hidden=True, is_flag=True),
]


@contextlib.contextmanager
def serving() -> Iterator[None]:
    """What a long-running server needs of its process (see the module docstring)."""
    with forking.refusing():
        yield


def missing_extra(extra: str, error: ImportError) -> ArchgraphError:
    return ArchgraphError(
        f"`archgraph {extra}` needs the optional dependency {error.name}: "
        f"pip install 'archgraph[{extra}]'"
    )


@click.command()
@with_options(_server_path, package_option, config_option, *_no_cache_folder)
@run_options
def lsp(path: Path | None, options: RunOptions) -> ExitCode:
    """Language server over stdio: contract violations as diagnostics while you edit.

    PATH: the project (default: the editor's workspace folder).
    """
    try:
        from archgraph.lsp.server import serve  # noqa: PLC0415 - pygls only for this command
    except ImportError as error:
        raise missing_extra("lsp", error) from None
    with serving():
        serve(path, options)
    return ExitCode.OK


@click.command()
@with_options(_server_path, package_option, config_option, *_no_cache_folder)
@run_options
def mcp(path: Path | None, options: RunOptions) -> ExitCode:
    """Model Context Protocol server over stdio: check, why, families, audit and
    explain_contract as tools for coding agents (JSON results).

    PATH: the project (default: the current directory).
    """
    try:
        from archgraph.mcp_server.server import serve  # noqa: PLC0415 - the MCP SDK only here
    except ImportError as error:
        raise missing_extra("mcp", error) from None
    with serving():
        serve(path or Path("."), options)
    return ExitCode.OK
