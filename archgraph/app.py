"""Use cases: wire config -> scan -> rules into a RunResult. Orchestrates; never prints."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from archgraph import config as config_module
from archgraph.config import Config
from archgraph.diagnostics import (
    ArchgraphError,
    ConfigError,
    ConfigurationError,
    Diagnostic,
    ImportStep,
    Location,
    RunResult,
    Severity,
    sorted_diagnostics,
)
from archgraph.model.families import FamiliesResult
from archgraph.model.names import ModuleExpr
from archgraph.model.schema import did_you_mean
from archgraph.rules import Contract, build_contracts
from archgraph.rules.families import FamiliesQuery, exclude_problem
from archgraph.rules.families import analyze as analyze_families
from archgraph.scan import ScanOptions, ScanOutcome, scan
from archgraph.scan.class_cache import cached_class_model
from archgraph.scan.finder import discover_root_packages

Progress = Callable[[str], None]
CACHE_DIR_NAME = ".archgraph_cache"


def _quiet(_message: str) -> None:
    """The default progress sink: the use case never prints."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What the command line can override."""

    config_files: tuple[Path, ...] = ()
    packages: tuple[str, ...] = ()
    contract_ids: tuple[str, ...] = ()
    cache_dir: Path | None = None
    use_cache: bool = True
    strict: bool = False


def load_config(root: Path, files: Sequence[Path] = ()) -> Config:
    """Read the given files, or discover `contracts/*.toml` and `pyproject.toml` under root."""
    if files:
        missing = [f for f in files if not f.is_file()]
        if missing:
            raise ArchgraphError(f"configuration file not found: {', '.join(map(str, missing))}")
    chosen = list(files) or config_module.discover(root)
    return config_module.load(chosen)


def load_contracts(config: Config, only: Sequence[str] = ()) -> list[Contract]:
    contracts, errors = build_contracts(config.contracts)
    if errors:
        raise ConfigurationError(errors)
    if not only:
        return contracts
    known = {c.id: c for c in contracts}
    unknown = [i for i in only if i not in known]
    if unknown:
        hints = [f"'{i}'" + (f" (did you mean '{s}'?)" if (s := did_you_mean(i, known)) else "") for i in unknown]
        raise ArchgraphError(
            f"unknown contract id {', '.join(hints)}; known ids: {', '.join(sorted(known))}"
        )
    return [known[i] for i in only]


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
                "AG209",
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
            cache_dir=cache_dir,
        ),
        notes,
    )


def build_model(
    root: Path,
    options: RunOptions = RunOptions(),
    progress: Progress = _quiet,
    *,
    import_graph: bool = True,
) -> tuple[Config, ScanOutcome, list[Diagnostic]]:
    """Configuration and the scanned model; `import_graph=False` for commands that read only facts."""
    root = _checked_root(root)
    config = load_config(root, options.config_files)
    scan_opts, notes = scan_options(root, config, options)
    scan_opts = dataclasses.replace(scan_opts, import_graph=import_graph)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    return config, scan(root, scan_opts), notes


def run(root: Path, options: RunOptions = RunOptions(), progress: Progress = _quiet) -> RunResult:
    """`archgraph check`: evaluate every contract against the code under root."""
    root = _checked_root(root)
    config = load_config(root, options.config_files)
    if not config.files:
        raise ArchgraphError(
            f"no contracts found under {root}: add contracts/*.toml or [tool.archgraph] to "
            "pyproject.toml, or pass --config FILE"
        )
    contracts = load_contracts(config, options.contract_ids)
    scan_opts, notes = scan_options(root, config, options)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    outcome = scan(root, scan_opts)
    results = []
    for index, contract in enumerate(contracts, start=1):
        progress(f"checking {contract.id} ({index}/{len(contracts)})")
        results.append(contract.check(outcome.model))
    return RunResult(
        root=root,
        contracts=tuple(results),
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes)),
        summary=outcome.summary,
        strict=options.strict,
    )


def _checked_root(root: Path) -> Path:
    if not root.is_dir():
        raise ArchgraphError(f"{root} is not a directory")
    return root.resolve()


def config_error(path: Path, message: str) -> ConfigurationError:
    return ConfigurationError([ConfigError(path, "", message)])


__all__ = ["RunOptions", "build_model", "families", "load_config", "load_contracts", "run", "Location"]


def why_chains(
    root: Path, importer: str, imported: str, options: RunOptions = RunOptions()
) -> list[tuple[ImportStep, ...]]:
    """`archgraph why`: the shortest import chains from importer to imported, with lines."""
    _config, outcome, _notes = build_model(root, options)
    model = outcome.model
    for module in (importer, imported):
        if not model.contains(module):
            hint = did_you_mean(module, model.sorted_modules)
            raise ArchgraphError(
                f"module '{module}' is not in the graph" + (f" (did you mean '{hint}'?)" if hint else "")
            )
    return [model.steps(chain) for chain in model.shortest_chains(importer, imported)]


def families(
    root: Path,
    options: RunOptions = RunOptions(),
    query: FamiliesQuery = FamiliesQuery(),
    progress: Progress = _quiet,
) -> FamiliesResult:
    """`archgraph families`: duplicates, competing implementations, parallel hierarchies, wrappers."""
    problems = [f"--exclude '{p}': {why}" for p in query.exclude if (why := exclude_problem(p))]
    if query.min_size < 1:
        problems.append(f"--min-size must be at least 1, got {query.min_size}")
    if problems:
        raise ArchgraphError("; ".join(problems))
    with _collector_paused():
        config, outcome, notes = build_model(root, options, progress, import_graph=False)
        progress("reading classes")
        scan_opts, _notes = scan_options(outcome.model.root, config, options)
        classes = cached_class_model(outcome.model, scan_opts.cache_dir)
        progress(f"comparing {len(classes.classes)} classes")
        report = analyze_families(classes, query)
    return FamiliesResult(
        root=outcome.model.root,
        packages=outcome.model.root_packages,
        report=report,
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes, *classes.diagnostics)),
        modules=len(outcome.model.files),
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while building hundreds of thousands of acyclic tuples.

    The collector would walk them again and again for nothing (10% of a warm run).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
