"""The products beside the check: `families`, `init`, `trend` and `convert-importlinter`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from archgraph.cli.options import (
    common_options,
    config_option,
    format_of,
    package_option,
    path_argument,
    quiet_option,
    run_options,
    with_options,
)
from archgraph.cli.output import progress_printer, write_output
from archgraph.diagnostics import ExitCode, visible

if TYPE_CHECKING:
    from archgraph.usecases.project import RunOptions


@click.command()
@common_options
# Only the formats families renders: with FORMATS, `--format sarif` printed the text report.
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--concept", metavar="GLOB", help="Only classes whose name matches, e.g. '*Dispatcher*'.")
@click.option("--min-size", type=click.IntRange(min=1), default=2, show_default=True, help="Smallest family or duplicate group reported.")
@click.option("--exclude", "exclude", multiple=True, metavar="PATTERN", help="Leave out modules: 'app.tests', 'app.*.legacy', or a name any segment matches ('tests'). Repeatable.")
@click.option("--include-tests", is_flag=True, help="Analyze test code too (left out by default); its findings come after production's.")
@quiet_option
@run_options
def families(path: Path, options: RunOptions, output_format: str, concept: str | None, min_size: int,
             exclude: tuple[str, ...], include_tests: bool, quiet: bool) -> ExitCode:
    """Find duplicate classes, competing implementations, parallel hierarchies and wrappers."""
    from archgraph.families.classify import FamiliesQuery  # noqa: PLC0415
    from archgraph.families.report import render_families_json, render_families_text  # noqa: PLC0415
    from archgraph.families.usecases import families as find_families  # noqa: PLC0415

    query = FamiliesQuery(concept, min_size, exclude, include_tests)
    result = find_families(path, options, query, progress_printer(not quiet))
    render = render_families_json if output_format == "json" else render_families_text
    click.echo(render(result), nl=False)
    return ExitCode.OK


@click.command()
@common_options
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of stdout.")
@click.option("--max-sites", type=click.IntRange(min=0), default=10, show_default=True, help="Bypassing sites shown per concept in text and markdown (0: all; json lists all).")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PERCENT", help="Exit 1 when the overall SSOT compliance is below PERCENT.")
@quiet_option
@run_options
def audit(path: Path, options: RunOptions, output_format: str, output: Path | None, max_sites: int,
          fail_under: float | None, quiet: bool) -> ExitCode:
    """One SSOT scorecard per concept: the competing production families found, and every
    single-implementation and symbol-level protected contract configured. Needs no configuration.

    Per concept: the canonical class, each competing implementation (file:line), who imports
    and instantiates each, the import sites that bypass the canonical class, and the compliance
    with its formula. Exit 0, or 1 under --fail-under when the overall figure is below it."""
    from archgraph.audit.report import render_audit  # noqa: PLC0415
    from archgraph.audit.usecase import audit as run_audit  # noqa: PLC0415

    result = run_audit(path, options, progress_printer(not quiet))
    text = render_audit(result, output_format, max_sites)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(text, output, path)
    share = result.compliance
    if fail_under is not None and share is not None and 100 * share < fail_under:
        click.echo(f"archgraph: SSOT compliance {100 * share:.1f}% is below {fail_under:g}%", err=True)
        return ExitCode.BROKEN
    return ExitCode.OK


@click.command("fix")
@common_options
@click.option("--contract", "contract_id", required=True, metavar="ID",
              help="A protected-symbol contract with a replacement (or, with --plan, a single-implementation one).")
@click.option("--dry-run", "--diff", "dry_run", is_flag=True, help="Print the unified diff and a summary; write nothing.")
@click.option("--select", "select", multiple=True, metavar="FILE", help="Only this file (relative to PATH; repeatable).")
@click.option("--plan", "plan", is_flag=True, help="Write a migration plan (markdown) for a single-implementation contract.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="With --plan: write the plan here.")
@quiet_option
@run_options
def fix_command(path: Path, options: RunOptions, contract_id: str, dry_run: bool, select: tuple[str, ...],
                plan: bool, output: Path | None, quiet: bool) -> ExitCode:
    """Rewrite the imports that break a protected-symbol contract to its replacement's path.

    Nothing is written when a rewrite would break another contract or close an import cycle
    (checked on the import graph first), nor into a file that does not parse. Exit 0 when the
    contract is kept afterwards (or with --dry-run / --plan), 1 when violations remain."""
    from archgraph.fix.report import render_fix  # noqa: PLC0415
    from archgraph.fix.usecase import fix, migration_plan  # noqa: PLC0415

    progress = progress_printer(not quiet)
    if plan:
        write_output(migration_plan(path, contract_id, options, progress), output, path)
        return ExitCode.OK
    outcome = fix(path, contract_id, options, write=not dry_run, select=[Path(s) for s in select], progress=progress)
    click.echo(render_fix(outcome, show_diff=dry_run), nl=False)
    if dry_run:
        return ExitCode.OK
    remaining = outcome.violations_after if outcome.written else outcome.violations_before
    return ExitCode.BROKEN if remaining else ExitCode.OK


@click.command()
@common_options
@click.option("--force", is_flag=True, help="Overwrite an existing contracts/architecture.toml.")
@click.option("--dry-run", is_flag=True, help="Print the proposed file instead of writing it.")
@quiet_option
@run_options
def init(path: Path, options: RunOptions, force: bool, dry_run: bool, quiet: bool) -> ExitCode:
    """Propose contracts that describe PATH's import graph; write PATH/contracts/architecture.toml.

    Prints what was inferred and why, and how the code fares against each proposed contract
    today. An existing file is kept unless --force; --dry-run prints the file instead.
    """
    from archgraph.init.render import outcome_lines  # noqa: PLC0415
    from archgraph.init.usecase import init_contracts  # noqa: PLC0415

    outcome = init_contracts(path, options, force, dry_run, progress_printer(not quiet))
    if not outcome.written:  # the file goes to stdout, so that `init --dry-run > FILE` works
        click.echo(outcome.text, nl=False)
    written_to = outcome.path if outcome.written else None
    lines = outcome_lines(outcome.proposal, outcome.contracts, outcome.result, written_to)
    click.echo("\n".join(lines), err=not outcome.written)
    return ExitCode.OK


@click.command("trend")
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
@click.option("--concept", metavar="GLOB",
              help="Only the families of classes whose name matches, e.g. '*ToolDispatcher' (all of them charted).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="trend.html, trend.svg, trend.json or trend.csv (the suffix gives the format).")
@click.option("--format", "output_format", type=click.Choice(["html", "svg", "json", "csv"]),
              help="Output format, when the suffix does not tell it.")
@quiet_option
@run_options
def trend_command(path: Path, options: RunOptions, revisions: str, every: int, first_parent: bool,
                  contract_ids: tuple[str, ...], no_families: bool, concept: str | None, output: Path,
                  output_format: str | None, quiet: bool) -> ExitCode:
    """Contracts, compliance and competing families at each commit of a git range, judged by
    today's contracts; the working tree and the index are never touched (exit 0)."""
    from archgraph.trend import trend  # noqa: PLC0415
    from archgraph.trend.report import TREND_FORMATS, render_trend  # noqa: PLC0415

    output_format = format_of(output, output_format, TREND_FORMATS)
    measured = trend(path, revisions, options._replace(contract_ids=contract_ids), every, first_parent,
                     progress_printer(not quiet), with_families=not no_families, concept=concept)
    write_output(render_trend(measured, output_format), output, path)
    for point in measured.points:  # entries of a tree left out: a warning even with --quiet
        for skipped in point.skipped:
            click.echo(f"archgraph: warning: commit {point.commit.short_sha}: left out {skipped}", err=True)
    if not quiet:
        click.echo(visible(f"archgraph: {measured.note}"), err=True)
    count = len(measured.points)
    click.echo(f"wrote {output} ({count} commit{'' if count == 1 else 's'})")
    return ExitCode.OK


@click.command("convert-importlinter")
@click.argument("path", required=False, default=".", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Where to write (default PATH/contracts/architecture.toml; '-' for stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def convert_importlinter(path: Path, output: Path | None, force: bool) -> ExitCode:
    """Write import-linter's contracts (found under PATH, or the file PATH) as archgraph TOML."""
    from archgraph.usecases.convert import conversion  # noqa: PLC0415

    converted = conversion(path, output, force)
    write_output(converted.text, converted.target, converted.root)
    if converted.target is not None:
        click.echo(f"archgraph: wrote {converted.target}; check it with `archgraph check {converted.root}`", err=True)
    return ExitCode.OK
