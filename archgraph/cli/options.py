"""Options several commands share: the project's (PATH, --package, --config, the cache), what a
drawing shows, and the layout engine.

Nothing here imports more than click: `--help` and a warm `check` stay fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from archgraph.report.graphview import ViewOptions

Result = TypeVar("Result")
Decorator = Callable[[Callable[..., object]], Callable[..., object]]

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
quiet_option = click.option("--quiet", is_flag=True, help="No progress messages.")


def with_options(*decorators: Callable[..., object]) -> Decorator:
    """Several click decorators as one, applied in the order written (as if stacked)."""

    def apply(function: Callable[..., object]) -> Callable[..., object]:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


common_options = with_options(path_argument, package_option, config_option, *cache_options)


def run_options(command: Callable[..., Result]) -> Callable[..., Result]:
    """Hand the command `options: RunOptions` in place of --package, --config, --cache-dir and
    --no-cache (written right above the function, below every click decorator)."""

    @functools.wraps(command)
    def with_run_options(
        *,
        packages: tuple[str, ...],
        config_files: tuple[Path, ...],
        cache_dir: Path | None,
        no_cache: bool,
        **arguments: Any,
    ) -> Result:
        from archgraph.usecases.project import RunOptions  # noqa: PLC0415 - keep `--help` fast

        options = RunOptions(config_files, packages, (), cache_dir, use_cache=not no_cache)
        return command(options=options, **arguments)

    return with_run_options


DIRECTIONS = ("upstream", "downstream", "both")  # graphview.Direction's values; not imported here


def view_options(*, budget: int | None, budget_shown: bool | str = True) -> Decorator:
    """What to draw: depth, a focus neighbourhood, one contract's violations, a node budget
    (`budget_shown`: how --help shows its default)."""
    return with_options(
        click.option("--depth", type=click.IntRange(min=1), help="Collapse modules to their ancestor at this depth."),
        click.option("--focus", help="Draw the neighbourhood of this module or package."),
        click.option("--radius", type=click.IntRange(min=0), default=1, show_default=True, help="Hops around --focus."),
        click.option("--direction", type=click.Choice(DIRECTIONS), default="both", show_default=True,
                     help="Follow importers (upstream), imports (downstream) or both from --focus."),
        click.option("--contract", "contract_id", help="Draw only the modules and chains of this contract's violations."),
        click.option("--max-nodes", type=click.IntRange(min=1), default=budget, show_default=budget_shown,
                     help="Node budget: without --depth the biggest packages are opened while the boxes "
                          "fit in it; with --depth, above it the depth gets shallower (and a note says so)."),
    )


def view_of(depth: int | None, focus: str | None, radius: int, direction: str, contract_id: str | None,
            max_nodes: int | None, violations_only: bool = False) -> ViewOptions:
    """The ViewOptions that `view_options` describe."""
    from archgraph.report.graphview import Direction, ViewOptions  # noqa: PLC0415

    return ViewOptions(depth, focus, radius, Direction(direction), contract_id, violations_only, max_nodes)


engine_options = with_options(
    click.option("--engine", type=click.Choice(["auto", "dot", "graphviz-pure"]), default="auto", show_default=True,
                 help="Layout engine: Graphviz's dot if installed, else graphviz-pure."),
    click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
                 help="Seconds the layout may take."),
    click.option("--verbose", is_flag=True, help="Tell which engine ran and how long the layout took."),
)


def format_of(output: Path, given: str | None, known: tuple[str, ...],
              aliases: dict[str, str] | None = None) -> str:
    """--format, else the output file's suffix (through `aliases`); a usage error if unknown."""
    suffix = output.suffix.lower()
    chosen = given or (aliases or {}).get(suffix, suffix.lstrip("."))
    if chosen not in known:
        raise click.UsageError(f"cannot tell the format from '{output.name}': use --format {'|'.join(known)}")
    return chosen
