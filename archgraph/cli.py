"""Command line: parse arguments, call the use case, pick a renderer, return an exit code.

Exit codes: 0 every contract kept, 1 a contract broken, 2 usage or configuration error
(also for `--strict` diagnostics and for internal errors).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import click

from archgraph.diagnostics import ArchgraphError, ExitCode, RunResult

FORMATS = ("text", "json")


def progress_printer(enabled: bool) -> Callable[[str], None]:
    """Progress on stderr when it is a terminal; silent otherwise (CI logs stay clean)."""
    if not enabled or not sys.stderr.isatty():
        return lambda _message: None
    return lambda message: click.echo(f"archgraph: {message}...", err=True)


def render(result: RunResult, output_format: str) -> str:
    if output_format == "json":
        from archgraph.report.json import render_json  # noqa: PLC0415

        return render_json(result)
    from archgraph.report.text import render_text  # noqa: PLC0415

    return render_text(result)


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


class Guarded(click.Group):
    """Turns expected failures into a message and exit code 2; unexpected ones into a report."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ArchgraphError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"archgraph: error: {error}", err=True)
            ctx.exit(ExitCode.USAGE)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception:
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
            function = decorator(function)  # type: ignore[assignment]
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
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--strict", is_flag=True, help="Exit 2 when the scan reports problems (unparsable files...).")
@click.option("--quiet", is_flag=True, help="No progress messages.")
def check(
    path: Path,
    packages: tuple[str, ...],
    config_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
    contract_ids: tuple[str, ...],
    output_format: str,
    output: Path | None,
    strict: bool,
    quiet: bool,
) -> None:
    """Evaluate the architecture contracts of the code under PATH."""
    from archgraph.app import RunOptions, run  # noqa: PLC0415 - keep `--help` fast

    options = RunOptions(config_files, packages, contract_ids, cache_dir, not no_cache, strict)
    result = run(path, options, progress_printer(not quiet))
    write_output(render(result, output_format), output)
    sys.exit(int(result.exit_code))


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
    from archgraph.app import RunOptions, why_chains  # noqa: PLC0415
    from archgraph.report.text import why_lines  # noqa: PLC0415

    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    chains = why_chains(path, importer, imported, options)
    click.echo("\n".join(why_lines(importer, imported, chains)))
    sys.exit(ExitCode.OK if chains else ExitCode.BROKEN)


@main.command()
@common_options
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
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
    from archgraph.app import RunOptions, families as find_families  # noqa: PLC0415
    from archgraph.report.families import render_families_json, render_families_text  # noqa: PLC0415
    from archgraph.rules.families import FamiliesQuery  # noqa: PLC0415

    options = RunOptions(config_files, packages, (), cache_dir, not no_cache)
    query = FamiliesQuery(concept, min_size, exclude)
    result = find_families(path, options, query, progress_printer(not quiet))
    render = render_families_json if output_format == "json" else render_families_text
    click.echo(render(result), nl=False)
    sys.exit(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    main()
