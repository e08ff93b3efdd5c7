"""Command line: parse arguments, call the use case, pick a renderer, return an exit code.

Exit codes: 0 every contract kept, 1 a contract broken, 2 usage or configuration error
(also for `--strict` diagnostics and for internal errors), 130 interrupted (Ctrl-C),
143 terminated (SIGTERM).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archgraph import scanner_stderr
from archgraph.diagnostics import ArchgraphError, ExitCode, RunResult
from archgraph.interrupts import (
    Terminated,
    exit_code_of,
    forget_caught_interrupt,
    terminate_cleanly,
)
from archgraph.process import collector_paused
from archgraph.report.formats import FORMATS, PlannedReport, plan_reports

if TYPE_CHECKING:
    from archgraph.families.classview import ClassView
    from archgraph.report.graphview import GraphView, ViewOptions
    from archgraph.usecases.render import Rendered


def progress_printer(enabled: bool) -> Callable[[str], None]:
    """Progress on stderr when it is a terminal; silent otherwise (CI logs stay clean)."""
    if not enabled or not sys.stderr.isatty():
        return lambda _message: None
    return lambda message: click.echo(f"archgraph: {message}...", err=True)


def write_output(text: str, output: Path | None) -> None:
    """Standard output, or a file written atomically (CI never reads half a report)."""
    from archgraph.atomic import write_atomically  # noqa: PLC0415

    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except OSError as error:
        raise ArchgraphError(f"cannot write the report to {output}: {error}") from None


def write_reports(result: RunResult, planned: list[PlannedReport], announce: bool) -> None:
    """Render each planned report; GitHub paths are relative to the working directory."""
    from archgraph.report.formats import render  # noqa: PLC0415

    for report in planned:
        write_output(render(result, report.format_name, Path.cwd()), report.path)
        if announce and report.path is not None:
            click.echo(f"archgraph: wrote {report.format_name} report to {report.path}", err=True)


def write_bytes(content: bytes, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)


class Guarded(click.Group):
    """Turns expected failures into a message and exit code 2; unexpected ones into a report;
    Ctrl-C and SIGTERM into a one-line message and exit codes 130 and 143 (128 + signal)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            # The command line owns its process's stderr: a scanner panic that the scan
            # recovers from is a diagnostic, and its backtrace is not shown.
            with terminate_cleanly(), scanner_stderr.holding():
                return super().invoke(ctx)
        except (KeyboardInterrupt, Terminated) as interruption:
            code, message = exit_code_of(interruption) or (ExitCode.INTERRUPTED, "")
            click.echo(message, err=True)
            forget_caught_interrupt()
            ctx.exit(code)
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
            click.echo(
                "archgraph: internal error; please report it with the traceback below:\n"
                + traceback.format_exc(),
                err=True,
            )
            ctx.exit(ExitCode.USAGE)


path_argument = click.argument(
    "path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
package_option = click.option(
    "-p", "--package", "packages", multiple=True, help="Root package (repeatable); overrides root_packages."
)
config_option = click.option(
    "--config",
    "config_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Contract file (repeatable); replaces discovery of contracts/*.toml and pyproject.toml.",
)
cache_options = [
    click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Cache folder (default PATH/.archgraph_cache)."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
]


def with_options(*decorators: Callable[..., object]) -> Callable[[Callable[..., object]], Callable[..., object]]:
    def apply(function: Callable[..., object]) -> Callable[..., object]:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


common_options = with_options(path_argument, package_option, config_option, *cache_options)


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="archgraph")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """archgraph: check a Python codebase's architecture from its import graph."""
    ctx.obj = {"debug": debug}


@main.command()
@common_options
@click.option("--contract", "contract_ids", multiple=True, help="Run only this contract id (repeatable).")
@click.option(
    "--format",
    "output_formats",
    type=click.Choice(list(FORMATS)),
    multiple=True,
    help="Report format (default text); repeat it with --output-dir for several.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each --format to its own file here (report.txt, report.sarif, report.junit.xml...).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Violations recorded in FILE are known and do not fail the run (default: the baseline setting).",
)
@click.option("--no-baseline", is_flag=True, help="Ignore the baseline setting: every violation is new.")
@click.option(
    "--fail-on-stale",
    is_flag=True,
    help="Baseline entries no longer found and ignore_imports matching nothing fail the run.",
)
@click.option(
    "--affected",
    "affected_since",
    metavar="REV",
    help="Report only violations from files changed since git REV and the modules importing them.",
)
@click.option("--strict", is_flag=True, help="Exit 2 when the scan reports problems (unparsable files...).")
@click.option("--quiet", is_flag=True, help="No progress messages.")
@click.option(
    "--from-importlinter",
    is_flag=True,
    help="Read import-linter's configuration (setup.cfg, .importlinter, pyproject.toml); "
    "--config then names import-linter files.",
)
def check(
    path: Path,
    packages: tuple[str, ...],
    config_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
    contract_ids: tuple[str, ...],
    output_formats: tuple[str, ...],
    output: Path | None,
    output_dir: Path | None,
    baseline_file: Path | None,
    no_baseline: bool,
    fail_on_stale: bool,
    affected_since: str | None,
    strict: bool,
    quiet: bool,
    from_importlinter: bool,
) -> None:
    """Evaluate the architecture contracts of the code under PATH."""
    from archgraph.usecases.check import run  # noqa: PLC0415 - keep `--help` fast
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415

    if baseline_file is not None and no_baseline:
        raise ArchgraphError("give either --baseline FILE or --no-baseline, not both")
    planned = plan_reports(output_formats, output, output_dir)
    options = RunOptions(
        config_files, packages, contract_ids, cache_dir, not no_cache, strict,
        baseline=baseline_file, use_baseline=not no_baseline, fail_on_stale=fail_on_stale,
        affected_since=affected_since, from_importlinter=from_importlinter,
    )
    result = run(path, options, progress_printer(not quiet))
    write_reports(result, planned, announce=output_dir is not None and not quiet)
    sys.exit(int(result.exit_code))


@main.command()
@click.argument("arguments", nargs=-1, metavar="[PATH] [FILE]", type=click.Path(path_type=Path))
@with_options(package_option, config_option, *cache_options)
@click.option("--prune", is_flag=True, help="Only remove the entries that no longer occur; add none.")
@click.option("--quiet", is_flag=True, help="No progress messages.")
def baseline(
    arguments: tuple[Path, ...],
    packages: tuple[str, ...],
    config_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
    prune: bool,
    quiet: bool,
) -> None:
    """Record the current violations of PATH (default .) in FILE (default: the baseline setting).

    `check --baseline FILE` then fails only on violations that are not recorded. A single
    argument is PATH when it is a directory, FILE otherwise. With --prune, stale entries
    (violations fixed since) are removed and nothing new is recorded.
    """
    from archgraph.usecases.baseline import prune_baseline, record_baseline  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415

    path, file = baseline_arguments(arguments)
    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    if prune:
        from archgraph.report.text import pruned_lines  # noqa: PLC0415

        outcome = prune_baseline(path, file, options, progress_printer(not quiet))
        pruned = outcome.pruned
        click.echo("\n".join(pruned_lines(outcome.path, pruned.removed, pruned.baseline.total)))
        return
    recorded = record_baseline(path, file, options, progress_printer(not quiet))
    contracts = len({key.contract for key, _count in recorded.baseline.entries})
    click.echo(
        f"archgraph: recorded {recorded.baseline.total} violation(s) of {contracts} contract(s) "
        f"in {recorded.path} ({len(recorded.baseline.entries)} entries)"
    )


def baseline_arguments(arguments: tuple[Path, ...]) -> tuple[Path, Path | None]:
    """`[PATH] [FILE]`: (PATH, FILE or None for the configured one)."""
    if len(arguments) > 2:
        raise click.UsageError("expected at most two arguments: [PATH] [FILE]")
    if len(arguments) == 2:
        return arguments[0], arguments[1]
    if len(arguments) == 1:
        only = arguments[0]
        return (only, None) if only.is_dir() else (Path("."), only)
    return Path("."), None


@main.command()
@common_options
@click.option("--force", is_flag=True, help="Overwrite an existing contracts/architecture.toml.")
@click.option("--dry-run", is_flag=True, help="Print the proposed file instead of writing it.")
@click.option("--quiet", is_flag=True, help="No progress messages.")
def init(
    path: Path,
    packages: tuple[str, ...],
    config_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
    force: bool,
    dry_run: bool,
    quiet: bool,
) -> None:
    """Propose contracts that describe PATH's import graph; write PATH/contracts/architecture.toml.

    Prints what was inferred and why, and how the code fares against each proposed contract
    today. An existing file is kept unless --force; --dry-run prints the file instead.
    """
    from archgraph.init.render import explanation  # noqa: PLC0415
    from archgraph.init.usecase import init_contracts  # noqa: PLC0415
    from archgraph.report.text import summary_table  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415

    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    with collector_paused():  # the class model: see process.collector_paused
        outcome = init_contracts(path, options, force, dry_run, progress_printer(not quiet))
    lines = [*explanation(outcome.proposal), ""]
    if outcome.result.contracts:
        lines += ["Today's code against the proposed contracts:", *summary_table(outcome.result)[1:]]
    else:
        lines.append("No contracts proposed; the file holds the settings only.")
    if outcome.written:
        lines += ["", f"archgraph: wrote {outcome.path}; edit it, then run `archgraph check`"]
    else:  # the file goes to stdout, so that `init --dry-run > FILE` works
        click.echo(outcome.text, nl=False)
    click.echo("\n".join(lines), err=not outcome.written)


@main.command()
@click.argument("importer")
@click.argument("imported")
@common_options
def why(
    importer: str,
    imported: str,
    path: Path,
    packages: tuple[str, ...],
    config_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Show the shortest import chains from IMPORTER to IMPORTED (exit 1 if there is none)."""
    from archgraph.report.text import why_lines  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415
    from archgraph.usecases.why import why_chains  # noqa: PLC0415

    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    chains = why_chains(path, importer, imported, options)
    click.echo("\n".join(why_lines(importer, imported, chains)))
    sys.exit(ExitCode.OK if chains else ExitCode.BROKEN)


@main.command("convert-importlinter")
@click.argument("path", required=False, default=".", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Where to write (default PATH/contracts/architecture.toml; '-' for stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def convert_importlinter(path: Path, output: Path | None, force: bool) -> None:
    """Write import-linter's contracts (found under PATH, or the file PATH) as archgraph TOML."""
    from archgraph.usecases.convert import convert_importlinter as convert  # noqa: PLC0415

    root, files = (path.parent, (path,)) if path.is_file() else (path, ())
    text = convert(root, files)
    target = output or root / "contracts" / "architecture.toml"
    if str(target) == "-":
        write_output(text, None)
        return
    if target.exists() and not force:
        raise ArchgraphError(f"{target} exists; pass --force to overwrite it, or -o another file")
    write_output(text, target)
    click.echo(f"archgraph: wrote {target}; check it with `archgraph check {root}`", err=True)


DIRECTIONS = ("upstream", "downstream", "both")  # graphview.Direction's values; not imported here


def view_options(*, budget: int | None) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """What to draw: depth, a focus neighbourhood, one contract's violations, a node budget."""
    return with_options(
        click.option("--depth", type=click.IntRange(min=1), help="Collapse modules to their ancestor at this depth."),
        click.option("--focus", help="Draw the neighbourhood of this module or package."),
        click.option("--radius", type=click.IntRange(min=0), default=1, show_default=True, help="Hops around --focus."),
        click.option("--direction", type=click.Choice(DIRECTIONS), default="both", show_default=True,
                     help="Follow importers (upstream), imports (downstream) or both from --focus."),
        click.option("--contract", "contract_id", help="Draw only the modules and chains of this contract's violations."),
        click.option("--max-nodes", type=click.IntRange(min=1), default=budget, show_default=True,
                     help="Node budget: above it, collapse to a shallower depth (and say so)."),
    )


engine_options = with_options(
    click.option("--engine", type=click.Choice(["auto", "dot", "graphviz-pure"]), default="auto", show_default=True,
                 help="Layout engine: Graphviz's dot if installed, else graphviz-pure."),
    click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
                 help="Seconds the layout may take."),
    click.option("--verbose", is_flag=True, help="Tell which engine ran and how long the layout took."),
)


def _view(depth: int | None, focus: str | None, radius: int, direction: str, contract_id: str | None,
          max_nodes: int | None, violations_only: bool = False) -> ViewOptions:
    from archgraph.report.graphview import Direction, ViewOptions  # noqa: PLC0415

    return ViewOptions(depth, focus, radius, Direction(direction), contract_id, violations_only, max_nodes)


def _tell(rendered: Rendered[GraphView] | Rendered[ClassView], output: Path, verbose: bool) -> None:
    """Notes on stderr (always: they change what the drawing shows); the written path on stdout."""
    for note in rendered.view.notes:
        click.echo(f"archgraph: note: {note}", err=True)
    engine = rendered.engine
    if verbose and engine is not None:
        click.echo(f"archgraph: engine {engine.name} ({engine.executable}; {engine.version()}), "
                   f"layout {rendered.layout_seconds:.2f} s", err=True)
    click.echo(f"wrote {output}")


@main.command("render")
@common_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The diagram file; its suffix gives the format unless --format is given.")
@click.option("--format", "output_format", type=click.Choice(["svg", "png", "pdf", "dot"]))
@view_options(budget=400)
@click.option("--families", is_flag=True,
              help="Draw a class diagram of competing families, wrappers and parallel hierarchies instead; "
                   "--contract then picks the single-implementation contract marked, and above --max-nodes "
                   "the most suspicious findings are kept.")
@click.option("--concept", metavar="GLOB", help="With --families: only classes whose name matches, e.g. '*Dispatcher*'.")
@engine_options
def render_command(path: Path, packages: tuple[str, ...], config_files: tuple[Path, ...], cache_dir: Path | None,
                   no_cache: bool, output: Path, output_format: str | None, engine: str, timeout: float,
                   verbose: bool, families: bool, concept: str | None, **view: Any) -> None:
    """Draw the module graph (svg, png, pdf or dot), with violations and cycles highlighted."""
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415
    from archgraph.usecases.render import render_diagram  # noqa: PLC0415

    output_format = output_format or {".gv": "dot"}.get(output.suffix.lower(), output.suffix.lower().lstrip("."))
    if output_format not in ("svg", "png", "pdf", "dot"):
        raise click.UsageError(f"cannot tell the format from '{output.name}': use --format svg|png|pdf|dot")
    if families:
        _render_families(path, packages, config_files, cache_dir, no_cache, output, output_format, engine,
                         timeout, verbose, concept, view)
        return
    if concept is not None:
        raise click.UsageError("--concept draws class families: add --families")
    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    rendered = render_diagram(path, output_format, options, _view(**view), engine, timeout,
                              progress_printer(True))
    write_bytes(rendered.content, output)
    _tell(rendered, output, verbose)


def _render_families(path: Path, packages: tuple[str, ...], config_files: tuple[Path, ...],
                     cache_dir: Path | None, no_cache: bool, output: Path, output_format: str, engine: str,
                     timeout: float, verbose: bool, concept: str | None, view: dict[str, Any]) -> None:
    """`render --families`: --contract picks the single-implementation contracts to mark."""
    from archgraph.families.classify import FamiliesQuery  # noqa: PLC0415
    from archgraph.families.usecases import render_class_diagram  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415

    for option in ("depth", "focus"):
        if view[option] is not None:
            raise click.UsageError(f"--{option} draws module diagrams; it does not combine with --families")
    contract_ids = (view["contract_id"],) if view["contract_id"] else ()
    options = RunOptions(config_files, packages, contract_ids, cache_dir, not no_cache)
    with collector_paused():
        rendered = render_class_diagram(path, output_format, options, FamiliesQuery(concept), view["max_nodes"],
                                        engine, timeout, progress_printer(True))
    write_bytes(rendered.content, output)
    _tell(rendered, output, verbose)


@main.command("export")
@common_options
@click.option("--format", "export_format", type=click.Choice(["json", "graphml", "gexf", "mermaid", "dot"]),
              default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
@click.option("--violations-only", is_flag=True, help="Only violating imports and the chains of indirect violations.")
@view_options(budget=None)
def export_command(path: Path, packages: tuple[str, ...], config_files: tuple[Path, ...], cache_dir: Path | None,
                   no_cache: bool, export_format: str, output: Path | None, violations_only: bool,
                   **view: Any) -> None:
    """Export the module graph with its attributes (layers, degrees, violations)."""
    from archgraph.report.export import export_view  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415
    from archgraph.usecases.render import graph_view  # noqa: PLC0415

    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    _analysis, graph = graph_view(path, options, _view(**view, violations_only=violations_only),
                                  progress_printer(True))
    for note in graph.notes:
        click.echo(f"archgraph: note: {note}", err=True)
    write_output(export_view(graph, export_format), output)


@main.command("report")
@common_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")
@click.option("--depth", type=click.IntRange(min=1), help="Collapse modules to their ancestor at this depth.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=400, show_default=True,
              help="Node budget: above it, collapse to a shallower depth (and say so).")
@engine_options
def report_command(path: Path, packages: tuple[str, ...], config_files: tuple[Path, ...], cache_dir: Path | None,
                   no_cache: bool, output: Path, depth: int | None, max_nodes: int, engine: str,
                   timeout: float, verbose: bool) -> None:
    """Write an offline HTML report: contracts, violations and an interactive graph."""
    from archgraph.report.graphview import ViewOptions  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415
    from archgraph.usecases.render import html_report  # noqa: PLC0415

    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    rendered = html_report(path, options, ViewOptions(depth=depth, max_nodes=max_nodes), engine, timeout,
                           progress_printer(True))
    write_bytes(rendered.content, output)
    _tell(rendered, output, verbose)


@main.command()
@common_options
# Only the formats families renders: with FORMATS, `--format sarif` printed the text report.
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--concept", metavar="GLOB", help="Only classes whose name matches, e.g. '*Dispatcher*'.")
@click.option("--min-size", type=click.IntRange(min=1), default=2, show_default=True, help="Smallest family or duplicate group reported.")
@click.option("--exclude", "exclude", multiple=True, metavar="PATTERN", help="Leave out modules: 'app.tests', 'app.*.legacy', or a name any segment matches ('tests'). Repeatable.")
@click.option("--quiet", is_flag=True, help="No progress messages.")
def families(
    path: Path,
    packages: tuple[str, ...],
    config_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
    output_format: str,
    concept: str | None,
    min_size: int,
    exclude: tuple[str, ...],
    quiet: bool,
) -> None:
    """Find duplicate classes, competing implementations, parallel hierarchies and wrappers."""
    from archgraph.families.classify import FamiliesQuery  # noqa: PLC0415
    from archgraph.families.report import render_families_json, render_families_text  # noqa: PLC0415
    from archgraph.families.usecases import families as find_families  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415

    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    query = FamiliesQuery(concept, min_size, exclude)
    with collector_paused():
        result = find_families(path, options, query, progress_printer(not quiet))
    render = render_families_json if output_format == "json" else render_families_text
    click.echo(render(result), nl=False)
    sys.exit(ExitCode.OK)


@main.command("trend")
@with_options(path_argument, package_option, config_option)
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where file facts are kept by content for the next trend (default: in the git folder).")
@click.option("--no-cache", is_flag=True, help="Scan every commit cold, keep nothing for the next trend.")
@click.option("--revs", "revisions", required=True, metavar="REV_RANGE",
              help="Commits to measure, as `git rev-list` takes them: main~30..main, v1.0..HEAD.")
@click.option("--every", type=click.IntRange(min=1), default=1, show_default=True,
              help="Measure every Nth commit of the range (the last one always).")
@click.option("--first-parent", is_flag=True, help="Follow only the first parent of merges (the mainline).")
@click.option("--contract", "contract_ids", multiple=True, help="Only this contract id (repeatable).")
@click.option("--no-families", is_flag=True, help="Skip the families analysis (about half the time per commit).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="trend.html, trend.svg, trend.json or trend.csv (the suffix gives the format).")
@click.option("--format", "output_format", type=click.Choice(["html", "svg", "json", "csv"]),
              help="Output format, when the suffix does not tell it.")
@click.option("--quiet", is_flag=True, help="No progress messages.")
def trend_command(path: Path, packages: tuple[str, ...], config_files: tuple[Path, ...], cache_dir: Path | None, no_cache: bool, revisions: str, every: int, first_parent: bool, contract_ids: tuple[str, ...],
                  no_families: bool, output: Path, output_format: str | None, quiet: bool) -> None:
    """Contracts, compliance and competing families at each commit of a git range, judged by
    today's contracts; the working tree and the index are never touched (exit 0)."""
    from archgraph.trend import trend  # noqa: PLC0415
    from archgraph.trend.report import TREND_FORMATS, render_trend  # noqa: PLC0415
    from archgraph.usecases.project import RunOptions  # noqa: PLC0415

    output_format = output_format or output.suffix.lower().lstrip(".")
    if output_format not in TREND_FORMATS:
        raise click.UsageError(f"cannot tell the format from '{output.name}': use --format html|svg|json|csv")
    options = RunOptions(config_files, packages, contract_ids, cache_dir, not no_cache)
    # The garbage left by a commit's analysis is small (180 objects a commit, measured on 40
    # commits of archgraph): one pause for the whole history, rather than one per commit.
    with collector_paused():
        measured = trend(path, revisions, options, every, first_parent, progress_printer(not quiet),
                         with_families=not no_families)
    write_output(render_trend(measured, output_format), output)
    if not quiet:
        click.echo(f"archgraph: {measured.note}", err=True)
    count = len(measured.points)
    click.echo(f"wrote {output} ({count} commit{'' if count == 1 else 's'})")
    sys.exit(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    main()
