"""`archgraph render --matrix` and `render --contract ID`: the dependency matrix, and the picture
of one contract (protected, layers, independence; other kinds get the module diagram of their
violations)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from archgraph.diagnostics import ArchgraphError
from archgraph.model.schema import did_you_mean
from archgraph.results import ContractResult
from archgraph.usecases.check import Analysis, analyze
from archgraph.usecases.project import Progress, RunOptions, quiet
from archgraph.usecases.render import Rendered, laid_out

if TYPE_CHECKING:
    from archgraph.report.contract_view import ContractView
    from archgraph.report.graphview import GraphView, ViewOptions
    from archgraph.report.matrix import DependencyMatrix


def render_matrix(
    root: Path,
    output_format: str,
    options: RunOptions = RunOptions(),
    depth: int | None = None,
    contract_id: str | None = None,
    progress: Progress = quiet,
) -> Rendered[DependencyMatrix]:
    """`archgraph render --matrix`: svg, png, pdf or html. With `contract_id`, only that
    contract's violations are marked (and its layers order the rows, if it is a layers contract).
    """
    from archgraph.report.matrix import build_matrix, render_matrix  # noqa: PLC0415

    analysis = analyze(root, options, progress)
    results = analysis.result.contracts
    if contract_id is not None:
        results = (chosen_result(results, contract_id),)
    progress("building the dependency matrix")
    matrix = build_matrix(analysis.model, results, analysis.layers_for(contract_id), depth)
    return Rendered(render_matrix(matrix, output_format), matrix)


def render_contract_diagram(
    root: Path,
    output_format: str,
    options: RunOptions,
    view_options: ViewOptions,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = quiet,
) -> Rendered[ContractView] | Rendered[GraphView]:
    """`archgraph render --contract ID`: the contract's own picture; for a kind that has none,
    the module diagram of its violations."""
    from archgraph.report.contract_view import contract_view_source  # noqa: PLC0415
    from archgraph.report.diagram import module_diagram_source  # noqa: PLC0415
    from archgraph.report.graphview import build_view  # noqa: PLC0415
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine  # noqa: PLC0415

    if view_options.contract is None:
        raise ValueError("render_contract_diagram needs view_options.contract")
    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    analysis = analyze(root, options, progress)
    result = chosen_result(analysis.result.contracts, view_options.contract)
    view = contract_view(analysis, result, view_options.depth)
    timeout = timeout or DEFAULT_TIMEOUT
    if view is not None:
        return laid_out(contract_view_source(view), view, engine, output_format, timeout, progress,
                        f"{len(view.boxes)} boxes")
    layers = analysis.layers_for(view_options.contract)
    graph = build_view(analysis.model, analysis.result.contracts, layers, view_options)
    return laid_out(module_diagram_source(graph), graph, engine, output_format, timeout, progress,
                    f"{len(graph.nodes)} nodes")


def contract_view(analysis: Analysis, result: ContractResult, depth: int | None) -> ContractView | None:
    """The picture of a protected, layers or independence contract (None for other kinds)."""
    from archgraph.report.contract_view import (  # noqa: PLC0415
        independence_view,
        layers_view,
        protected_view,
    )
    from archgraph.rules.independence import Independence  # noqa: PLC0415
    from archgraph.rules.protected import Protected  # noqa: PLC0415

    model = analysis.model
    title = f"{', '.join(model.root_packages)}: {result.name}"
    contract = next((c for c in analysis.contracts if c.id == result.contract_id), None)
    if isinstance(contract, Protected):
        protected = sorted({m for expr in contract.modules for m in model.matching(expr)})
        return protected_view(result, depth, title, (*protected, *contract.symbols))
    plan = analysis.layers_for(result.contract_id)
    if result.kind == "layers" and plan is not None and plan.contract_id == result.contract_id:
        return layers_view(model, result, plan, title)
    if isinstance(contract, Independence):
        modules = sorted({m for expr in contract.modules for m in model.matching(expr)})
        return independence_view(result, modules, title)
    return None


def chosen_result(results: Sequence[ContractResult], contract_id: str) -> ContractResult:
    """The result of the contract with this id.

    Raises:
        ArchgraphError: no contract has the id (with a did-you-mean).
    """
    for result in results:
        if result.contract_id == contract_id:
            return result
    known = [r.contract_id for r in results]
    hint = did_you_mean(contract_id, known)
    raise ArchgraphError(
        f"unknown contract id '{contract_id}'"
        + (f" (did you mean '{hint}'?)" if hint else "")
        + (f"; known ids: {', '.join(sorted(known))}" if known else "; no contracts are configured")
    )
