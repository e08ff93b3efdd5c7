"""`archgraph render`, `export` and `report`: the module graph drawn, exported, or in an HTML report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from archgraph.usecases.check import Analysis, analyze
from archgraph.usecases.project import Progress, RunOptions, quiet

if TYPE_CHECKING:
    from archgraph.report.graphview import GraphView, ViewOptions
    from archgraph.report.layout import Engine, Layout

View = TypeVar("View")
Drawn = TypeVar("Drawn")


@dataclass(frozen=True, slots=True)
class Rendered(Generic[View]):
    """A drawing's bytes, the view it shows, and the layout engine that ran (None: none ran)."""

    content: bytes
    view: View  # a GraphView here; a ClassView for the class diagram (archgraph.families)
    engine: Engine | None = None
    layout_seconds: float = 0.0


def laid_out(
    source: str,
    view: View,
    engine: Engine | None,
    output_format: str,
    timeout: float,
    progress: Progress,
    what: str,
) -> Rendered[View]:
    """The DOT `source` of `view` laid out by `engine` into `output_format` (the source itself
    without an engine), timed; `what` is laid out, as progress says ("40 nodes")."""
    if engine is None:
        return Rendered(source.encode("utf-8"), view)
    from archgraph.report.diagram import source_for, with_font_stack  # noqa: PLC0415
    from archgraph.report.layout import run_engine  # noqa: PLC0415

    progress(f"laying out {what} with {engine.name}")
    started = time.perf_counter()
    content = run_engine(engine, source_for(source, engine.name, output_format), output_format, timeout)
    seconds = time.perf_counter() - started
    if output_format == "svg":
        content = with_font_stack(content)
    return Rendered(content, view, engine, seconds)


def graph_view(
    root: Path,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions | None = None,
    progress: Progress = quiet,
) -> tuple[Analysis, GraphView]:
    """The module graph to draw or export, with the configured contracts' violations marked."""
    from archgraph.report.graphview import ViewOptions, build_view  # noqa: PLC0415

    view_options = view_options or ViewOptions()
    analysis = analyze(root, options, progress)
    layers = analysis.layers_for(view_options.contract)
    view = build_view(analysis.model, analysis.result.contracts, layers, view_options)
    return analysis, view


def render_diagram(
    root: Path,
    output_format: str,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions | None = None,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = quiet,
) -> Rendered[GraphView]:
    """`archgraph render`: the module diagram as svg, png, pdf or DOT source."""
    from archgraph.report.diagram import module_diagram_source  # noqa: PLC0415
    from archgraph.report.graphview import ViewOptions  # noqa: PLC0415
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine  # noqa: PLC0415

    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    view_options = replace(view_options or ViewOptions(), open_in_part=True)
    _analysis, view = graph_view(root, options, view_options, progress)

    def draw(view: GraphView, layer_bands: bool) -> Rendered[GraphView]:
        def wrapped(wrap: int) -> Rendered[GraphView]:
            return laid_out(
                module_diagram_source(view, layer_bands=layer_bands, wrap=wrap), view, engine,
                output_format, timeout or DEFAULT_TIMEOUT, progress, f"{len(view.nodes)} nodes",
            )

        return within_aspect(wrapped, output_format)

    return with_band_fallback(view, draw)


# Wider than 3:1 is a strip nobody reads on a page or screen; these folds are tried in turn.
MAX_ASPECT = 3.0
WRAPS = (1, 2, 4, 8)


def within_aspect(
    draw: Callable[[int], Rendered[View]], output_format: str
) -> Rendered[View]:
    """`draw(1)`, or, when that is wider than MAX_ASPECT:1, the least wide of the drawings with
    wide rows folded onto 2, 4 or 8 ranks (the first that fits ends the search)."""
    from archgraph.report.layout import aspect_ratio, drawing_size  # noqa: PLC0415

    best: tuple[float, Rendered[View]] | None = None
    for wrap in WRAPS:
        rendered = draw(wrap)
        size = drawing_size(rendered.content, output_format)
        if size is None:
            return rendered
        width, height = size
        if width <= MAX_ASPECT * height:
            return rendered
        if best is None or aspect_ratio(size) < best[0]:
            best = (aspect_ratio(size), rendered)
    assert best is not None
    return best[1]


def with_band_fallback(
    view: GraphView, draw: Callable[[GraphView, bool], Drawn]
) -> Drawn:
    """`draw(view, True)`; if the engine cannot lay the layer bands out, the view drawn without
    them, with a note that says so (Graphviz's "trouble in init_rank" on some focus views)."""
    from archgraph.report.layout import LayoutFailed  # noqa: PLC0415

    try:
        return draw(view, True)
    except LayoutFailed as error:
        if not view.layers:
            raise
        reason = str(error).split(" / ")[0]  # the engine's first line; the rest is its debug output
        note = f"drawn without the layer bands, which the layout engine could not place ({reason})"
        return draw(replace(view, notes=(*view.notes, note)), False)


def html_report(
    root: Path,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions | None = None,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = quiet,
    families_section: Callable[[Analysis], str | None] | None = None,
) -> Rendered[GraphView]:
    """`archgraph report`: one offline HTML file with contracts, violations, the graph and the
    dependency matrix; `families_section` makes the families (audit) section from the analysis
    (the products above the use cases provide it)."""
    from archgraph.report.diagram import module_diagram_source  # noqa: PLC0415
    from archgraph.report.html import ExtraSections, ModuleIndex, render_html  # noqa: PLC0415
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine, layout  # noqa: PLC0415
    from archgraph.report.matrix import MATRIX_STYLE, build_matrix, matrix_html_fragment  # noqa: PLC0415

    engine = find_engine(engine_choice, "json")
    analysis, view = graph_view(root, options, view_options, progress)
    progress(f"laying out {len(view.nodes)} nodes with {engine.name}")
    started = time.perf_counter()

    def positions_of(view: GraphView, layer_bands: bool) -> tuple[GraphView, Layout]:
        # Every edge: the report filters and highlights them in the browser.
        source = module_diagram_source(view, legend=False, layer_bands=layer_bands, every_edge=True)
        return view, layout(engine, source, timeout or DEFAULT_TIMEOUT)

    view, positions = with_band_fallback(view, positions_of)
    seconds = time.perf_counter() - started
    progress("drawing the dependency matrix")
    matrix = build_matrix(analysis.model, analysis.result.contracts, analysis.layers)
    sections = ExtraSections(
        families=families_section(analysis) if families_section is not None else None,
        matrix=matrix_html_fragment(matrix, with_style=False),
        style=MATRIX_STYLE,
    )
    html = render_html(analysis.result, view, positions, ModuleIndex.of(analysis.model), sections)
    return Rendered(html.encode("utf-8"), view, engine, seconds)
