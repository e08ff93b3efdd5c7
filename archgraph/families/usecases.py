"""`archgraph families` and `archgraph render --families`: the use cases of the families product."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import ArchgraphError, sorted_diagnostics
from archgraph.families.analysis import analyze as analyze_families
from archgraph.families.class_cache import cached_class_model
from archgraph.families.classify import FamiliesQuery, exclude_problem
from archgraph.families.classview import (
    DEFAULT_MAX_CLASSES,
    ClassView,
    ClassViewOptions,
    ContractMarks,
)
from archgraph.families.classview_build import build_class_view
from archgraph.families.diagram import class_diagram_source
from archgraph.families.findings import FamiliesResult
from archgraph.model import SourceSet
from archgraph.model.classes import ClassModel
from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine, run_engine
from archgraph.rules.single_implementation import SingleImplementation
from archgraph.usecases.project import Progress, Project, RunOptions, quiet
from archgraph.usecases.render import Rendered
from archgraph.usecases.scanning import read_sources

DEFAULT_CLASS_BUDGET = -1  # render_class_diagram's default: classview.DEFAULT_MAX_CLASSES classes


def families(
    root: Path,
    options: RunOptions = RunOptions(),
    query: FamiliesQuery | None = None,
    progress: Progress = quiet,
) -> FamiliesResult:
    """`archgraph families`: duplicates, competing implementations, parallel hierarchies, wrappers."""
    return _class_analysis(root, options, query, progress).result


@dataclass(frozen=True, slots=True)
class _ClassAnalysis:
    project: Project
    sources: SourceSet
    classes: ClassModel
    result: FamiliesResult


def _class_analysis(
    root: Path, options: RunOptions, query: FamiliesQuery | None, progress: Progress
) -> _ClassAnalysis:

    query = query or FamiliesQuery()
    problems = [f"--exclude '{p}': {why}" for p in query.exclude if (why := exclude_problem(p))]
    if query.min_size < 1:
        problems.append(f"--min-size must be at least 1, got {query.min_size}")
    if problems:
        raise ArchgraphError("; ".join(problems))
    project, scan_opts, outcome, notes = read_sources(root, options, progress)
    sources = outcome.sources
    progress("reading classes")
    classes = cached_class_model(sources, scan_opts.cache_dir)
    progress(f"comparing {len(classes.classes)} classes")
    report = analyze_families(classes, query)
    result = FamiliesResult(
        root=sources.root,
        packages=sources.root_packages,
        report=report,
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes, *classes.diagnostics)),
        modules=len(sources.files),
    )
    return _ClassAnalysis(project, sources, classes, result)


def render_class_diagram(
    root: Path,
    output_format: str,
    options: RunOptions = RunOptions(),
    query: FamiliesQuery | None = None,
    max_nodes: int | None = DEFAULT_CLASS_BUDGET,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = quiet,
) -> Rendered[ClassView]:
    """`archgraph render --families`: role families and parallel hierarchies as a class diagram.

    `single-implementation` contracts of the configuration (those of `options.contract_ids`, if
    given) mark their canonical classes and violations.
    """

    query = query or FamiliesQuery()
    max_nodes = DEFAULT_MAX_CLASSES if max_nodes == DEFAULT_CLASS_BUDGET else max_nodes
    timeout = timeout or DEFAULT_TIMEOUT
    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    analysis = _class_analysis(root, options, query, progress)
    marks = [
        contract_marks(contract, analysis.classes, analysis.sources.files)
        for contract in analysis.project.contracts
        if isinstance(contract, SingleImplementation)
    ]
    packages = ", ".join(analysis.result.packages)
    view = build_class_view(
        analysis.result.report,
        analysis.classes,
        marks,
        ClassViewOptions(max_nodes, query.concept),
        title=f"class families of {packages}" + (f" named {query.concept}" if query.concept else ""),
    )
    source = class_diagram_source(view)
    if engine is None:
        return Rendered(source.encode("utf-8"), view)
    progress(f"laying out {len(view.nodes)} classes with {engine.name}")
    started = time.perf_counter()
    content = run_engine(engine, source, output_format, timeout)
    return Rendered(content, view, engine, time.perf_counter() - started)


def contract_marks(
    contract: SingleImplementation, classes: ClassModel, modules: Collection[str]
) -> ContractMarks:
    """The canonical class and the violating classes of a single-implementation contract."""

    result = contract.check_classes(classes, modules)
    return ContractMarks(
        contract=contract.id,
        concept=contract.concept,
        canonical=contract.canonical,
        canonical_found=classes.get(contract.canonical) is not None,
        violations=tuple((v.symbol, v.code) for v in result.violations if v.symbol),
    )
