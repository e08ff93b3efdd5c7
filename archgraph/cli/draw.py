"""`render`, `export` and `report`: the module graph (or the class families) drawn, exported, or
in an offline HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archgraph.cli.options import (
    common_options,
    engine_options,
    format_of,
    run_options,
    view_of,
    view_options,
)
from archgraph.cli.output import echo_note, progress_printer, write_drawing, write_output
from archgraph.diagnostics import ExitCode

if TYPE_CHECKING:
    from archgraph.families.classify import FamiliesQuery
    from archgraph.usecases.project import RunOptions

DIAGRAM_FORMATS = ("svg", "png", "pdf", "dot")
MATRIX_FORMATS = ("svg", "png", "pdf", "html")  # report.matrix's; not imported here (start-up)
# The report's overview stays readable on one screen: deeper levels open in the page itself.
REPORT_OVERVIEW_NODES = 80


@click.command("render")
@common_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The diagram file; its suffix gives the format unless --format is given.")
@click.option("--format", "output_format", type=click.Choice((*DIAGRAM_FORMATS, "html")),
              help="html only with --matrix.")
@view_options(budget=None, budget_shown="60 boxes; 400 classes with --families")
@click.option("--matrix", is_flag=True,
              help="Draw a dependency structure matrix instead (svg, png, pdf or html): packages at "
                   "--depth in layer order, import counts, upward imports, violations and cycles marked.")
@click.option("--families", is_flag=True,
              help="Draw a class diagram of competing families, wrappers and parallel hierarchies instead; "
                   "--contract then picks the single-implementation contract marked, and above --max-nodes "
                   "the most suspicious findings are kept.")
@click.option("--concept", metavar="GLOB",
              help="With --families: the concept view of the concept named (an audit scorecard: canonical and "
                   "competing implementations, what is built on each, the packages importing each).")
@click.option("--include-tests", is_flag=True, help="With --families: draw test code too (left out by default).")
@click.option("--exclude", "exclude", multiple=True, metavar="PATTERN",
              help="With --families: leave out modules, as for `archgraph families` ('app.legacy', "
                   "'app.*.contrib', or a name any segment matches). Repeatable.")
@engine_options
@run_options
def render_command(path: Path, options: RunOptions, output: Path, output_format: str | None, engine: str,
                   timeout: float, verbose: bool, families: bool, concept: str | None, include_tests: bool,
                   matrix: bool, exclude: tuple[str, ...], **view: Any) -> ExitCode:
    """Draw the module graph (svg, png, pdf or dot), with violations and cycles highlighted;
    --contract draws that contract's picture, --matrix a dependency matrix."""
    from archgraph.families.classify import FamiliesQuery  # noqa: PLC0415
    from archgraph.usecases.render import render_diagram  # noqa: PLC0415
    from archgraph.usecases.views import render_contract_diagram  # noqa: PLC0415

    if matrix:
        return render_matrix(path, options, output, output_format, families, verbose, view)
    if output_format == "html":
        raise click.UsageError("--format html draws the dependency matrix: add --matrix")
    output_format = format_of(output, output_format, DIAGRAM_FORMATS, aliases={".gv": "dot"})
    if families and concept is not None:
        from archgraph.audit.drawing import render_concept  # noqa: PLC0415

        rendered_concept = render_concept(path, output_format, concept, options, include_tests, engine, timeout,
                                          progress_printer(True), exclude)
        write_drawing(rendered_concept, output, verbose, path)
        return ExitCode.OK
    if families:
        query = FamiliesQuery(concept, exclude=exclude, include_tests=include_tests)
        return render_families(path, options, output, output_format, engine, timeout, verbose, query, view)
    if concept is not None or include_tests or exclude:
        raise click.UsageError("--concept, --include-tests and --exclude draw class families: add --families")
    if view["max_nodes"] is None:
        from archgraph.report.graphview import DEFAULT_BOXES, DEFAULT_MAX_NODES  # noqa: PLC0415

        # An explicit --depth is drawn as asked unless it exceeds the old node budget.
        view["max_nodes"] = DEFAULT_BOXES if view["depth"] is None else DEFAULT_MAX_NODES
    chosen = view_of(**view)
    draw = render_contract_diagram if chosen.contract is not None and chosen.focus is None else render_diagram
    rendered = draw(path, output_format, options, chosen, engine, timeout, progress_printer(True))
    write_drawing(rendered, output, verbose, path)
    return ExitCode.OK


def render_matrix(path: Path, options: RunOptions, output: Path, output_format: str | None,
                  families: bool, verbose: bool, view: dict[str, Any]) -> ExitCode:
    """`render --matrix`: --depth picks the rows, --contract the violations marked."""
    from archgraph.usecases.views import render_matrix as matrix_of  # noqa: PLC0415

    if families or view["focus"] is not None:
        raise click.UsageError("--matrix draws every package: it does not combine with --families or --focus")
    output_format = format_of(output, output_format, MATRIX_FORMATS)
    rendered = matrix_of(path, output_format, options, view["depth"], view["contract_id"],
                         progress_printer(True))
    write_drawing(rendered, output, verbose, path)
    return ExitCode.OK


def render_families(path: Path, options: RunOptions, output: Path, output_format: str, engine: str,
                    timeout: float, verbose: bool, query: FamiliesQuery, view: dict[str, Any]) -> ExitCode:
    """`render --families`: --contract picks the single-implementation contracts to mark."""
    from archgraph.families.drawing import DEFAULT_CLASS_BUDGET, render_class_diagram  # noqa: PLC0415

    for option in ("depth", "focus"):
        if view[option] is not None:
            raise click.UsageError(f"--{option} draws module diagrams; it does not combine with --families")
    options = options._replace(contract_ids=(view["contract_id"],) if view["contract_id"] else ())
    rendered = render_class_diagram(path, output_format, options, query,
                                    view["max_nodes"] or DEFAULT_CLASS_BUDGET,
                                    engine, timeout, progress_printer(True))
    write_drawing(rendered, output, verbose, path)
    return ExitCode.OK


@click.command("export")
@common_options
@click.option("--format", "export_format", type=click.Choice(["json", "graphml", "gexf", "mermaid", "dot"]),
              default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
@click.option("--violations-only", is_flag=True, help="Only violating imports and the chains of indirect violations.")
@view_options(budget=None)
@run_options
def export_command(path: Path, options: RunOptions, export_format: str, output: Path | None,
                   violations_only: bool, **view: Any) -> ExitCode:
    """Export the module graph with its attributes (layers, degrees, violations)."""
    from archgraph.report.export import export_view  # noqa: PLC0415
    from archgraph.usecases.render import graph_view  # noqa: PLC0415

    _analysis, graph = graph_view(path, options, view_of(**view, violations_only=violations_only),
                                  progress_printer(True))
    for note in graph.notes:
        echo_note(note)
    write_output(export_view(graph, export_format), output, path)
    return ExitCode.OK


@click.command("report")
@common_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")
@click.option("--depth", type=click.IntRange(min=1), help="Collapse modules to their ancestor at this depth.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=REPORT_OVERVIEW_NODES, show_default=True,
              help="Node budget of the overview: above it, collapse to a shallower depth (and say so); "
                   "every package opens in the page itself.")
@engine_options
@run_options
def report_command(path: Path, options: RunOptions, output: Path, depth: int | None, max_nodes: int,
                   engine: str, timeout: float, verbose: bool) -> ExitCode:
    """Write an offline HTML report: contracts, violations and an interactive graph."""
    from archgraph.audit.usecase import report_section  # noqa: PLC0415
    from archgraph.report.graphview import ViewOptions  # noqa: PLC0415
    from archgraph.usecases.render import html_report  # noqa: PLC0415

    rendered = html_report(path, options, ViewOptions(depth=depth, max_nodes=max_nodes), engine, timeout,
                           progress_printer(True), lambda analysis: report_section(analysis, options))
    write_drawing(rendered, output, verbose, path)
    return ExitCode.OK
