"""Command line: parse arguments, call the use case, pick a renderer, return an exit code.

Exit codes: 0 every contract kept, 1 a contract broken, 2 usage or configuration error
(also for `--strict` diagnostics and for internal errors), 130 interrupted (Ctrl-C),
143 terminated (SIGTERM).

Each command returns its ExitCode; `Guarded` turns that, and every failure, into the process's
exit status. The commands live by product: `check` (check, baseline, why), `draw` (render,
export, report), `products` (families, init, trend, convert-importlinter) and `servers`
(lsp, mcp). They import their
use cases when they run, so that `--help` and a warm `check` load only what they need.
"""

from __future__ import annotations

import importlib

import click

from archgraph import forking, scanner_stderr
from archgraph.diagnostics import ArchgraphError, ExitCode, visible_lines
from archgraph.interrupts import (
    Terminated,
    exit_code_of,
    forget_caught_interrupt,
    terminate_cleanly,
)

__all__ = ["Guarded", "main"]

# Each command's module, imported when the command runs (or `--help` lists it): a check does
# not load the drawing, product and server commands (about 4 ms of every run).
COMMANDS = {
    "audit": "archgraph.cli.products:audit",
    "baseline": "archgraph.cli.check:baseline",
    "check": "archgraph.cli.check:check",
    "convert-importlinter": "archgraph.cli.products:convert_importlinter",
    "export": "archgraph.cli.draw:export_command",
    "families": "archgraph.cli.products:families",
    "fix": "archgraph.cli.products:fix_command",
    "init": "archgraph.cli.products:init",
    "lsp": "archgraph.cli.servers:lsp",
    "mcp": "archgraph.cli.servers:mcp",
    "render": "archgraph.cli.draw:render_command",
    "report": "archgraph.cli.draw:report_command",
    "trend": "archgraph.cli.products:trend_command",
    "why": "archgraph.cli.check:why",
}


class Guarded(click.Group):
    """Turns a command's ExitCode into the exit status; expected failures into a message and exit
    code 2; unexpected ones into a report; Ctrl-C and SIGTERM into a one-line message and exit
    codes 130 and 143 (128 + signal)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return super().get_command(ctx, cmd_name)
        module, _, name = where.partition(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            # The command line owns its process: its stderr (a scanner panic that the scan
            # recovers from is a diagnostic, and its backtrace is not shown).
            with terminate_cleanly(), scanner_stderr.holding(), forking.allowing():
                code = super().invoke(ctx)
            if isinstance(code, ExitCode):
                ctx.exit(code)
            return code
        except (KeyboardInterrupt, Terminated) as interruption:
            status, message = exit_code_of(interruption) or (ExitCode.INTERRUPTED, "")
            click.echo(message, err=True)
            forget_caught_interrupt()
            ctx.exit(status)
        except ArchgraphError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"archgraph: error: {error}", err=True)
            ctx.exit(ExitCode.USAGE)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (SystemExit, GeneratorExit):
            raise
        except BaseException:
            # BaseException too: a panic in grimp's Rust code arrives as pyo3's PanicException,
            # which would otherwise end the process with exit code 1, read as "broken".
            if ctx.obj and ctx.obj.get("debug"):
                raise
            # The exception's text may quote the analysed tree: each line is made visible.
            import traceback  # noqa: PLC0415 - only for an internal error

            click.echo(
                "archgraph: internal error; please report it with the traceback below:\n"
                + visible_lines(traceback.format_exc().split("\n")),
                err=True,
            )
            ctx.exit(ExitCode.USAGE)


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="archgraph")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """archgraph: check a Python codebase's architecture from its import graph."""
    ctx.obj = {"debug": debug}

