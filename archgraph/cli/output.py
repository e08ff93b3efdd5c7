"""Where the commands' output goes: progress on a terminal, reports and files written whole."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archgraph.diagnostics import ArchgraphError, visible
from archgraph.report.formats import PlannedReport
from archgraph.results import RunResult

if TYPE_CHECKING:
    from archgraph.audit.diagram import ConceptView
    from archgraph.families.classview import ClassView
    from archgraph.report.contract_view import ContractView
    from archgraph.report.graphview import GraphView
    from archgraph.report.matrix import DependencyMatrix
    from archgraph.usecases.render import Rendered


def progress_printer(enabled: bool) -> Callable[[str], None]:
    """Progress on stderr when it is a terminal; silent otherwise (CI logs stay clean)."""
    if not enabled or not sys.stderr.isatty():
        return lambda _message: None
    return lambda message: click.echo(visible(f"archgraph: {message}..."), err=True)


def echo_note(note: str) -> None:
    """A note on stderr; notes name modules, which come from the analysed tree."""
    click.echo(visible(f"archgraph: note: {note}"), err=True)


def write_output(text: str, output: Path | None, tree: Path) -> None:
    """Standard output, or a file written atomically (CI never reads half a report)."""
    if output is None:
        click.echo(text, nl=False)
        return
    write_file(output, text, tree)


def write_file(output: Path, content: str | bytes, tree: Path) -> None:
    """Write an output the user asked for, whole and where it leads (see archgraph.atomic);
    `tree`: the analysed project, whose links are not written through out of it."""
    from archgraph.atomic import reason, write_atomically  # noqa: PLC0415

    try:
        write_atomically(output, content, tree=tree)
    except OSError as error:
        raise ArchgraphError(f"cannot write {output}: {reason(error)}") from None


def write_reports(result: RunResult, planned: list[PlannedReport], announce: bool) -> None:
    """Render each planned report; GitHub paths are relative to the working directory."""
    from archgraph.report.formats import render  # noqa: PLC0415

    for report in planned:
        write_output(render(result, report.format_name, Path.cwd()), report.path, result.root)
        if announce and report.path is not None:
            click.echo(f"archgraph: wrote {report.format_name} report to {report.path}", err=True)


def write_drawing(
    rendered: Rendered[GraphView] | Rendered[ClassView] | Rendered[ConceptView]
    | Rendered[ContractView] | Rendered[DependencyMatrix],
    output: Path,
    verbose: bool,
    tree: Path,
) -> None:
    """Write a drawing; its notes go to stderr (always: they change what the drawing shows),
    the written path to stdout."""
    write_file(output, rendered.content, tree)
    for note in rendered.view.notes:
        echo_note(note)
    engine = rendered.engine
    if verbose and engine is not None:
        click.echo(f"archgraph: engine {engine.name} ({engine.executable}; {engine.version()}), "
                   f"layout {rendered.layout_seconds:.2f} s", err=True)
    click.echo(f"wrote {output}")
