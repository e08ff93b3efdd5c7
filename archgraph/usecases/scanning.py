"""Scanning for the use cases: scan options from settings and the command line, the scanned model."""

from __future__ import annotations

from pathlib import Path

from archgraph import codes
from archgraph.config import Config
from archgraph.config.pytest_settings import read_test_code_rule
from archgraph.diagnostics import ArchgraphError, Diagnostic, Severity
from archgraph.model.names import ModuleExpr
from archgraph.scan import FilesOutcome, ScanOptions, ScanOutcome, scan, scan_files
from archgraph.scan.finder import discover_root_packages
from archgraph.usecases.project import (
    CACHE_DIR_NAME,
    Progress,
    Project,
    RunOptions,
    load_project,
    quiet,
)


def scan_options(root: Path, config: Config, options: RunOptions) -> tuple[ScanOptions, list[Diagnostic]]:
    """Scan options from settings, with the command line winning."""
    settings = config.settings
    notes: list[Diagnostic] = []
    packages = options.packages or settings.root_packages
    if not packages:
        packages = tuple(discover_root_packages([root / s for s in settings.source_roots]))
        if not packages:
            raise ArchgraphError(
                f"no root package: none configured (root_packages) and no package found in "
                f"{', '.join(settings.source_roots)} under {root}; pass -p PACKAGE"
            )
        notes.append(
            Diagnostic(
                codes.ROOT_PACKAGES_DISCOVERED.code,
                Severity.INFO,
                f"root_packages not configured; analyzing {', '.join(packages)}",
            )
        )
    for package in packages:
        if ModuleExpr.problem(package):
            raise ArchgraphError(f"'{package}' is not a package name")
    cache_dir = None
    if options.use_cache:
        cache_dir = options.cache_dir or root / CACHE_DIR_NAME
    return (
        ScanOptions(
            root_packages=tuple(packages),
            source_roots=settings.source_roots,
            exclude=settings.exclude,
            include_external_packages=settings.include_external_packages,
            exclude_type_checking_imports=settings.exclude_type_checking_imports,
            include_namespace_dirs=settings.include_namespace_dirs,
            include_dynamic_imports=settings.include_dynamic_imports,
            cache_dir=cache_dir,
            max_file_bytes=settings.max_file_bytes,
            test_code=read_test_code_rule(root),
        ),
        notes,
    )


def build_model(
    root: Path, options: RunOptions = RunOptions(), progress: Progress = quiet
) -> tuple[Project, ScanOutcome, list[Diagnostic]]:
    """The project and its scanned model."""
    project = load_project(root, options)
    scan_opts, notes = scan_options(project.root, project.config, options)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    return project, scan(project.root, scan_opts), notes


def read_sources(
    root: Path, options: RunOptions = RunOptions(), progress: Progress = quiet
) -> tuple[Project, ScanOptions, FilesOutcome, list[Diagnostic]]:
    """The project, its scan options, and its files and facts without the import graph, for
    commands that read only facts (`families`)."""
    project = load_project(root, options)
    scan_opts, notes = scan_options(project.root, project.config, options)
    progress(f"reading {', '.join(scan_opts.root_packages)}")
    return project, scan_opts, scan_files(project.root, scan_opts), notes
