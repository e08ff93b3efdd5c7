"""`archgraph render`, `export` and `report`: the module graph drawn, exported, or in an HTML report."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from archgraph.usecases.check import Analysis, analyze
from archgraph.usecases.project import Progress, RunOptions, quiet

if TYPE_CHECKING:
    from archgraph.report.graphview import GraphView, ViewOptions
    from archgraph.report.layout import Engine

View = TypeVar("View")


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
    from archgraph.report.layout import run_engine  # noqa: PLC0415

    progress(f"laying out {what} with {engine.name}")
    started = time.perf_counter()
    content = run_engine(engine, source, output_format, timeout)
    return Rendered(content, view, engine, time.perf_counter() - started)


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
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine  # noqa: PLC0415

    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    _analysis, view = graph_view(root, options, view_options, progress)
    source = module_diagram_source(view)
    return laid_out(
        source, view, engine, output_format, timeout or DEFAULT_TIMEOUT, progress,
        f"{len(view.nodes)} nodes",
    )


def html_report(
    root: Path,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions | None = None,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = quiet,
) -> Rendered[GraphView]:
    """`archgraph report`: one offline HTML file with contracts, violations and the graph."""
    from archgraph.report.diagram import module_diagram_source  # noqa: PLC0415
    from archgraph.report.html import ModuleIndex, render_html  # noqa: PLC0415
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine, layout  # noqa: PLC0415

    engine = find_engine(engine_choice, "json")
    analysis, view = graph_view(root, options, view_options, progress)
    progress(f"laying out {len(view.nodes)} nodes with {engine.name}")
    started = time.perf_counter()
    positions = layout(engine, module_diagram_source(view, legend=False), timeout or DEFAULT_TIMEOUT)
    seconds = time.perf_counter() - started
    html = render_html(analysis.result, view, positions, ModuleIndex.of(analysis.model))
    return Rendered(html.encode("utf-8"), view, engine, seconds)
