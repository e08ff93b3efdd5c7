"""Use cases: wire config -> scan -> rules into a RunResult. Orchestrates; never prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
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
from archgraph.model import ArchModel
from archgraph.model.names import ModuleExpr
from archgraph.model.schema import did_you_mean
from archgraph.report.diagram import module_diagram_source
from archgraph.report.graphview import GraphView, LayerPlan, ViewOptions, build_view
from archgraph.report.html import render_html
from archgraph.report.layout import DEFAULT_TIMEOUT, Engine, find_engine, layout, run_engine
from archgraph.rules import Contract, build_contracts
from archgraph.scan import ScanOptions, ScanOutcome, scan
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


def build_model(root: Path, options: RunOptions = RunOptions(), progress: Progress = _quiet) -> tuple[Config, ScanOutcome, list[Diagnostic]]:
    """Configuration and the scanned model, for commands that need the graph."""
    root = _checked_root(root)
    config = load_config(root, options.config_files)
    scan_opts, notes = scan_options(root, config, options)
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
    return _analyze(root, config, options, progress).result


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the drawing commands need: the model, the contract results, the layers to rank."""

    model: ArchModel
    result: RunResult
    layer_plans: tuple[LayerPlan, ...] = ()  # one per `layers` contract, in configuration order

    def layers_for(self, contract_id: str | None = None) -> LayerPlan | None:
        """The layers to rank: those of the named contract if it is a layers contract, else the first."""
        chosen = [plan for plan in self.layer_plans if plan.contract_id == contract_id]
        return (chosen or list(self.layer_plans) or [None])[0]

    @property
    def layers(self) -> LayerPlan | None:
        return self.layers_for()


def analyze(root: Path, options: RunOptions = RunOptions(), progress: Progress = _quiet) -> Analysis:
    """Scan and check like `run`, but without contracts too (a diagram needs none)."""
    root = _checked_root(root)
    return _analyze(root, load_config(root, options.config_files), options, progress)


def _analyze(root: Path, config: Config, options: RunOptions, progress: Progress) -> Analysis:
    contracts = load_contracts(config, options.contract_ids)
    scan_opts, notes = scan_options(root, config, options)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    outcome = scan(root, scan_opts)
    results = []
    for index, contract in enumerate(contracts, start=1):
        progress(f"checking {contract.id} ({index}/{len(contracts)})")
        results.append(contract.check(outcome.model))
    result = RunResult(
        root=root,
        contracts=tuple(results),
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes)),
        summary=outcome.summary,
        strict=options.strict,
    )
    return Analysis(outcome.model, result, layer_plans(contracts, outcome.model))


def layer_plans(contracts: Sequence[Contract], model: ArchModel) -> tuple[LayerPlan, ...]:
    """The layers of each `layers` contract, as the concrete modules they are made of."""
    from archgraph.rules.layers import Layers  # noqa: PLC0415

    plans = []
    for contract in contracts:
        if not isinstance(contract, Layers):
            continue
        containers = sorted({m for expr in contract.containers for m in model.matching(expr)})
        prefixes = [f"{c}." for c in containers] or [""]
        plans.append(
            LayerPlan(
                contract_id=contract.id,
                names=tuple(str(spec) for spec in contract.layers),
                modules=tuple(
                    tuple(prefix + module for prefix in prefixes for module in spec.modules)
                    for spec in contract.layers
                ),
            )
        )
    return tuple(plans)


def _checked_root(root: Path) -> Path:
    if not root.is_dir():
        raise ArchgraphError(f"{root} is not a directory")
    return root.resolve()


def config_error(path: Path, message: str) -> ConfigurationError:
    return ConfigurationError([ConfigError(path, "", message)])


__all__ = ["RunOptions", "build_model", "load_config", "load_contracts", "run", "Location"]


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


DEFAULT_VIEW = ViewOptions()


@dataclass(frozen=True, slots=True)
class Rendered:
    """A drawing's bytes, the view it shows, and the layout engine that ran (None: none ran)."""

    content: bytes
    view: GraphView
    engine: Engine | None = None
    layout_seconds: float = 0.0


def graph_view(
    root: Path,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions = DEFAULT_VIEW,
    progress: Progress = _quiet,
) -> tuple[Analysis, GraphView]:
    """The module graph to draw or export, with the configured contracts' violations marked."""
    analysis = analyze(root, options, progress)
    layers = analysis.layers_for(view_options.contract)
    view = build_view(analysis.model, analysis.result.contracts, layers, view_options)
    return analysis, view


def render_diagram(
    root: Path,
    output_format: str,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions = DEFAULT_VIEW,
    engine_choice: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress = _quiet,
) -> Rendered:
    """`archgraph render`: the module diagram as svg, png, pdf or DOT source."""
    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    _analysis, view = graph_view(root, options, view_options, progress)
    source = module_diagram_source(view)
    if engine is None:
        return Rendered(source.encode("utf-8"), view)
    progress(f"laying out {len(view.nodes)} nodes with {engine.name}")
    started = time.perf_counter()
    content = run_engine(engine, source, output_format, timeout)
    return Rendered(content, view, engine, time.perf_counter() - started)


def html_report(
    root: Path,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions = DEFAULT_VIEW,
    engine_choice: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress = _quiet,
) -> Rendered:
    """`archgraph report`: one offline HTML file with contracts, violations and the graph."""
    engine = find_engine(engine_choice, "json")
    analysis, view = graph_view(root, options, view_options, progress)
    progress(f"laying out {len(view.nodes)} nodes with {engine.name}")
    started = time.perf_counter()
    positions = layout(engine, module_diagram_source(view, legend=False), timeout)
    seconds = time.perf_counter() - started
    html = render_html(analysis.result, view, positions)
    return Rendered(html.encode("utf-8"), view, engine, seconds)
