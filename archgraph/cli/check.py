"""`check`, `baseline` and `why`: the contracts judged, known violations recorded, a chain shown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from archgraph.cli.options import (
    cache_options,
    common_options,
    config_option,
    package_option,
    quiet_option,
    run_options,
    with_options,
)
from archgraph.cli.output import progress_printer, write_reports
from archgraph.diagnostics import ArchgraphError, ExitCode
from archgraph.report.formats import FORMATS, plan_reports

if TYPE_CHECKING:
    from archgraph.usecases.project import RunOptions


@click.command()
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
    help="Stale entries fail the run: baseline entries no longer found, ignore_imports that match "
    "or change nothing, inline suppressions that suppress nothing.",
)
@click.option(
    "--baseline-ref",
    metavar="REV",
    help="Fail when the baseline file records violations that it did not at git REV (it grew).",
)
@click.option(
    "--show-suppressed",
    is_flag=True,
    help="List the inline suppressions (# archgraph: ignore[ID] -- reason) that keep imports out.",
)
@click.option(
    "--affected",
    "affected_since",
    metavar="REV",
    help="Report only violations from files changed since git REV and the modules importing them.",
)
@click.option("--strict", is_flag=True, help="Exit 2 when the scan reports problems (unparsable files...).")
@quiet_option
@click.option(
    "--watch",
    is_flag=True,
    help="Check again on every change to the Python files or the configuration, printing only "
    "the violations new and fixed since the run before (needs archgraph[watch]).",
)
@click.option(
    "--from-importlinter",
    is_flag=True,
    help="Read import-linter's configuration (setup.cfg, .importlinter, pyproject.toml); "
    "--config then names import-linter files.",
)
@run_options
def check(
    path: Path,
    options: RunOptions,
    contract_ids: tuple[str, ...],
    output_formats: tuple[str, ...],
    output: Path | None,
    output_dir: Path | None,
    baseline_file: Path | None,
    no_baseline: bool,
    fail_on_stale: bool,
    baseline_ref: str | None,
    show_suppressed: bool,
    affected_since: str | None,
    strict: bool,
    quiet: bool,
    watch: bool,
    from_importlinter: bool,
) -> ExitCode:
    """Evaluate the architecture contracts of the code under PATH."""
    from archgraph.usecases.check import run  # noqa: PLC0415 - keep `--help` fast

    if baseline_file is not None and no_baseline:
        raise ArchgraphError("give either --baseline FILE or --no-baseline, not both")
    if baseline_ref is not None and no_baseline:
        raise ArchgraphError("--baseline-ref compares the baseline file: not with --no-baseline")
    planned = plan_reports(output_formats, output, output_dir)
    options = options._replace(
        contract_ids=contract_ids, strict=strict, baseline=baseline_file,
        use_baseline=not no_baseline, fail_on_stale=fail_on_stale, affected_since=affected_since,
        from_importlinter=from_importlinter, baseline_ref=baseline_ref,
        show_suppressed=show_suppressed,
    )
    if watch:
        if output_formats or output or output_dir or affected_since:
            raise click.UsageError("--watch prints text: --format, -o, --output-dir and --affected do not go with it")
        from archgraph.cli.watch import watch_check  # noqa: PLC0415 - only the watch needs it

        return watch_check(path, options)
    result = run(path, options, progress_printer(not quiet))
    write_reports(result, planned, announce=output_dir is not None and not quiet)
    return result.exit_code


@click.command()
@click.argument("arguments", nargs=-1, metavar="[PATH] [FILE]", type=click.Path(path_type=Path))
@with_options(package_option, config_option, *cache_options)
@click.option("--prune", is_flag=True, help="Only remove the entries that no longer occur; add none.")
@quiet_option
@run_options
def baseline(arguments: tuple[Path, ...], options: RunOptions, prune: bool, quiet: bool) -> ExitCode:
    """Record the current violations of PATH (default .) in FILE (default: the baseline setting).

    `check --baseline FILE` then fails only on violations that are not recorded. A single
    argument is PATH when it is a directory, FILE otherwise. With --prune, stale entries
    (violations fixed since) are removed and nothing new is recorded.
    """
    from archgraph.report.text import pruned_lines, recorded_line  # noqa: PLC0415
    from archgraph.usecases.baseline import prune_baseline, record_baseline  # noqa: PLC0415

    path, file = baseline_arguments(arguments)
    if prune:
        outcome = prune_baseline(path, file, options, progress_printer(not quiet))
        kept = outcome.pruned.baseline
        click.echo("\n".join(pruned_lines(outcome.path, outcome.pruned.removed, kept.total)))
        return ExitCode.OK
    recorded = record_baseline(path, file, options, progress_printer(not quiet))
    written = recorded.baseline
    click.echo(recorded_line(recorded.path, written.total, len(written.contracts), len(written.entries)))
    return ExitCode.OK


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


@click.command()
@click.argument("importer")
@click.argument("imported")
@common_options
@run_options
def why(importer: str, imported: str, path: Path, options: RunOptions) -> ExitCode:
    """Show the shortest import chains from IMPORTER to IMPORTED (exit 1 if there is none)."""
    from archgraph.report.text import why_lines  # noqa: PLC0415
    from archgraph.usecases.why import why_chains  # noqa: PLC0415

    chains = why_chains(path, importer, imported, options)
    click.echo("\n".join(why_lines(importer, imported, chains)))
    return ExitCode.OK if chains else ExitCode.BROKEN
