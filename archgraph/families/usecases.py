"""`archgraph families` and `archgraph render --families`: the use cases of the families product."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import ArchgraphError, sorted_diagnostics
from archgraph.families.analysis import analyze as analyze_families
from archgraph.families.class_cache import cached_class_model, files_key
from archgraph.families.classify import FamiliesQuery, exclude_problem
from archgraph.families.findings import FamiliesResult
from archgraph.families.report_cache import KeptReport, load_report, report_key, store_report
from archgraph.model import SourceSet
from archgraph.model.classes import ClassModel
from archgraph.usecases.project import Progress, Project, RunOptions, quiet
from archgraph.usecases.scanning import read_sources


def families(
    root: Path,
    options: RunOptions = RunOptions(),
    query: FamiliesQuery | None = None,
    progress: Progress = quiet,
) -> FamiliesResult:
    """`archgraph families`: duplicates, competing implementations, parallel hierarchies, wrappers.

    The report is kept in the cache folder: a warm run over unchanged files asking the same
    question reads it instead of the class model (see `families/report_cache.py`).
    """
    query = _checked(query)
    _project, scan_opts, outcome, notes = read_sources(root, options, progress)
    sources, cache_dir = outcome.sources, scan_opts.cache_dir
    progress("reading classes")
    kept, key, classes_key = None, "", None
    if cache_dir is not None:
        classes_key = files_key(sources.root, sources.files, outcome.stamps)
        key = report_key(classes_key, query, sources.test_modules)
        kept = load_report(cache_dir, key)
    if kept is None:
        classes = cached_class_model(
            sources, cache_dir, outcome.stamps, classes_key, production=not query.include_tests
        )
        progress(f"comparing {len(classes.classes)} classes")
        report = analyze_families(classes, query, sources.test_modules)
        kept = KeptReport(report, classes.diagnostics, len(classes.classes))
        if cache_dir is not None:
            store_report(cache_dir, key, kept)
    else:
        progress(f"comparing {kept.classes} classes")
    return FamiliesResult(
        root=sources.root,
        packages=sources.root_packages,
        report=kept.report,
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes, *kept.diagnostics)),
        modules=len(sources.files),
    )


@dataclass(frozen=True, slots=True)
class ClassAnalysis:
    project: Project
    sources: SourceSet
    classes: ClassModel
    result: FamiliesResult


def class_analysis(
    root: Path, options: RunOptions, query: FamiliesQuery | None, progress: Progress
) -> ClassAnalysis:
    query = _checked(query)
    project, scan_opts, outcome, notes = read_sources(root, options, progress)
    sources = outcome.sources
    progress("reading classes")
    classes = cached_class_model(
        sources, scan_opts.cache_dir, outcome.stamps, production=not query.include_tests
    )
    progress(f"comparing {len(classes.classes)} classes")
    report = analyze_families(classes, query, sources.test_modules)
    result = FamiliesResult(
        root=sources.root,
        packages=sources.root_packages,
        report=report,
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes, *classes.diagnostics)),
        modules=len(sources.files),
    )
    return ClassAnalysis(project, sources, classes, result)


def _checked(query: FamiliesQuery | None) -> FamiliesQuery:
    """The query (by default everything), or an error listing what is wrong with it."""
    query = query or FamiliesQuery()
    problems = [f"--exclude '{p}': {why}" for p in query.exclude if (why := exclude_problem(p))]
    if query.min_size < 1:
        problems.append(f"--min-size must be at least 1, got {query.min_size}")
    if problems:
        raise ArchgraphError("; ".join(problems))
    return query
