"""Use cases: wire config -> scan -> rules into a RunResult. Orchestrates; never prints."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from archgraph import config as config_module
from archgraph.config import Config
from archgraph.diagnostics import (
    UNUSED_IGNORE_CODE,
    ArchgraphError,
    ConfigError,
    ConfigurationError,
    ContractResult,
    Diagnostic,
    ImportStep,
    Location,
    RunResult,
    Severity,
    sorted_diagnostics,
)
from archgraph.model import ArchModel
from archgraph.model.names import ModuleExpr, is_within
from archgraph.model.schema import ContractTable, TablePosition, did_you_mean
from archgraph.rules import Contract, build_contracts
from archgraph.rules.registry import contract_positions
from archgraph.scan import ScanOptions, ScanOutcome, scan
from archgraph.scan.finder import discover_root_packages

# `check` needs none of these: the drawing, report, families, baseline, --affected and
# import-linter code is imported by the functions that use it (a warm check's start-up).
if TYPE_CHECKING:
    from archgraph.baseline import Baseline, Pruned
    from archgraph.model.classes import ClassModel
    from archgraph.model.families import FamiliesResult
    from archgraph.report.classview import ClassView, ContractMarks
    from archgraph.report.graphview import GraphView, LayerPlan, ViewOptions
    from archgraph.report.layout import Engine
    from archgraph.rules.families import FamiliesQuery
    from archgraph.rules.inference import Proposal
    from archgraph.rules.single_implementation import SingleImplementation

Progress = Callable[[str], None]
DEFAULT_CLASS_BUDGET = -1  # render_class_diagram's default: classview.DEFAULT_MAX_CLASSES classes
INIT_FILE_NAME = "architecture.toml"
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
    baseline: Path | None = None  # overrides the `baseline` setting
    use_baseline: bool = True  # False: ignore any baseline (every violation is new)
    fail_on_stale: bool = False  # with the fail_on_stale setting: stale entries fail the run
    affected_since: str | None = None  # git revision: report only what changes since it affect
    from_importlinter: bool = False  # read import-linter's configuration (config_files name it)


def config_files(root: Path, files: Sequence[Path] = ()) -> list[Path]:
    """The given files (which must exist), or `contracts/*.toml` and `pyproject.toml` under root."""
    if files:
        missing = [f for f in files if not f.is_file()]
        if missing:
            raise ArchgraphError(f"configuration file not found: {', '.join(map(str, missing))}")
    return list(files) or config_module.discover(root)


def _importlinter_config(
    root: Path, files: Sequence[Path], from_importlinter: bool, archgraph_config: Config | None
) -> Config | None:
    """import-linter's configuration when asked for, or when there are no archgraph contracts."""
    if not from_importlinter and (
        archgraph_config is None or archgraph_config.contracts or files
    ):
        return None
    from archgraph.config import importlinter  # noqa: PLC0415

    if from_importlinter:
        found = list(files) or [f for f in [importlinter.discover(root)] if f is not None]
        if not found:
            raise ArchgraphError(
                f"no import-linter configuration under {root} (looked for [importlinter] in "
                "setup.cfg and .importlinter, and [tool.importlinter] in pyproject.toml)"
            )
        return importlinter.load(found)
    if archgraph_config is not None and not archgraph_config.contracts and not files:
        found_file = importlinter.discover(root)
        if found_file is not None:
            return importlinter.load([found_file])
    return None


def load_config(root: Path, files: Sequence[Path] = (), from_importlinter: bool = False) -> Config:
    """Read the given files, or discover `contracts/*.toml` and `pyproject.toml` under root.

    Without archgraph contracts, or with `from_importlinter`, import-linter's configuration
    (setup.cfg, .importlinter, pyproject.toml) is read instead.
    """
    if from_importlinter:
        found = _importlinter_config(root, files, True, None)
        assert found is not None
        return found
    config = config_module.load(config_files(root, files))
    return _importlinter_config(root, files, False, config) or config


def load_configuration(
    root: Path,
    files: Sequence[Path] = (),
    only: Sequence[str] = (),
    from_importlinter: bool = False,
) -> tuple[Config, list[Contract]]:
    """Settings and typed contracts; every problem in settings and contracts is raised at once."""
    chosen = [] if from_importlinter else config_files(root, files)
    errors: list[ConfigError] = []
    config = _importlinter_config(root, files, True, None) if from_importlinter else None
    if config is None:
        config, errors = config_module.read(chosen)
        if not errors:
            config = _importlinter_config(root, files, False, config) or config
    contracts, more = build_contracts(config.contracts)
    if errors or more:
        order = {path: index for index, path in enumerate(chosen)}
        raise ConfigurationError(
            sorted(
                [*errors, *more], key=lambda e: (order.get(e.file, len(order)), e.line or 0)
            )
        )
    if not config.files:
        raise ArchgraphError(
            f"no contracts found under {root}: add contracts/*.toml or [tool.archgraph] to "
            "pyproject.toml (or an import-linter configuration), or pass --config FILE"
        )
    return config, select_contracts(contracts, only)


def convert_importlinter(root: Path, files: Sequence[Path] = ()) -> str:
    """`archgraph convert-importlinter`: the archgraph contract file equivalent to import-linter's."""
    from archgraph.config import importlinter  # noqa: PLC0415

    found = list(files) or [f for f in [importlinter.discover(_checked_root(root))] if f]
    if not found:
        raise ArchgraphError(f"no import-linter configuration found under {root}")
    missing = [f for f in found if not f.is_file()]
    if missing:
        raise ArchgraphError(f"configuration file not found: {', '.join(map(str, missing))}")
    translation = importlinter.translate(found)
    _contracts, errors = build_contracts(translation.config().contracts)
    if errors:
        raise ConfigurationError(errors)
    return importlinter.render_toml(translation)


def load_contracts(config: Config, only: Sequence[str] = ()) -> list[Contract]:
    contracts, errors = build_contracts(config.contracts)
    if errors:
        raise ConfigurationError(errors)
    return select_contracts(contracts, only)


def select_contracts(contracts: Sequence[Contract], only: Sequence[str] = ()) -> list[Contract]:
    """The contracts with the given ids (all when none given); an unknown id is an error."""
    if not only:
        return list(contracts)
        return contracts
    known = {c.id: c for c in contracts}
    unknown = [i for i in only if i not in known]
    if unknown:
        hints = [f"'{i}'" + (f" (did you mean '{s}'?)" if (s := did_you_mean(i, known)) else "") for i in unknown]
        raise ArchgraphError(
            f"unknown contract id {', '.join(hints)}; known ids: {', '.join(sorted(known))}"
        )
    return [known[i] for i in dict.fromkeys(only)]  # a repeated --contract runs once


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
            include_dynamic_imports=settings.include_dynamic_imports,
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
    config = load_config(root, options.config_files, options.from_importlinter)
    scan_opts, notes = scan_options(root, config, options)
    scan_opts = dataclasses.replace(scan_opts, import_graph=import_graph)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    return config, scan(root, scan_opts), notes


def run(root: Path, options: RunOptions = RunOptions(), progress: Progress = _quiet) -> RunResult:
    """`archgraph check`: evaluate every contract against the code under root."""
    root = _checked_root(root)
    config, contracts = load_configuration(
        root, options.config_files, options.contract_ids, options.from_importlinter
    )
    baseline_file = baseline_path(root, config, options)
    fail_on_stale = options.fail_on_stale or config.settings.fail_on_stale
    if baseline_file is not None or fail_on_stale:
        from archgraph.baseline import apply_baseline, failing_on_stale, read_baseline  # noqa: PLC0415
    # Read the baseline before scanning, so a broken file fails fast.
    baseline = read_baseline(baseline_file) if baseline_file else None
    changed = None
    if options.affected_since:
        from archgraph.affected import affected_scope, restrict  # noqa: PLC0415
        from archgraph.scan.changes import changed_files  # noqa: PLC0415

        changed = changed_files(root, options.affected_since)
    analysis = _analyze(root, config, contracts, options, progress)
    result = analysis.result
    if baseline is not None and baseline_file is not None:
        result = apply_baseline(result, baseline, baseline_file)
    if fail_on_stale:
        result = failing_on_stale(result)
    if changed is not None:
        cache = (options.cache_dir or root / CACHE_DIR_NAME).resolve() if options.use_cache else None
        # The cache is written by the run itself (and often not ignored by git): not a change.
        paths = [p for p in changed.paths if cache is None or not p.is_relative_to(cache)]
        scope = affected_scope(analysis.model, changed.since, paths, config.files)
        result = restrict(result, scope, analysis.model)
    return result


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the drawing commands need: the model, the contract results, the layers to rank."""

    model: ArchModel
    result: RunResult
    layer_plans: tuple[LayerPlan, ...] = ()  # one per `layers` contract, in configuration order

    def layers_for(self, contract_id: str | None = None) -> LayerPlan | None:
        """The layers to rank: those of the named contract if it is a layers contract, else the first."""
        chosen = [plan for plan in self.layer_plans if plan.contract_id == contract_id]
        candidates = chosen or list(self.layer_plans)
        return candidates[0] if candidates else None

    @property
    def layers(self) -> LayerPlan | None:
        return self.layers_for()


def analyze(root: Path, options: RunOptions = RunOptions(), progress: Progress = _quiet) -> Analysis:
    """Scan and check like `run`, but without contracts too (a diagram needs none)."""
    root = _checked_root(root)
    config = load_config(root, options.config_files, options.from_importlinter)
    contracts = load_contracts(config, options.contract_ids)
    analysis = _analyze(root, config, contracts, options, progress)
    return replace(analysis, layer_plans=layer_plans(contracts, analysis.model))


def _analyze(
    root: Path,
    config: Config,
    contracts: Sequence[Contract],
    options: RunOptions,
    progress: Progress,
) -> Analysis:
    scan_opts, notes = scan_options(root, config, options)
    if config.source_format == "import-linter":
        notes.append(
            Diagnostic(
                "AG330",
                Severity.INFO,
                "contracts read from import-linter configuration "
                f"{', '.join(shown_path(f, root) for f in config.files)}",
                hint="`archgraph convert-importlinter` writes them as archgraph contracts",
            )
        )
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    outcome = scan(root, scan_opts)
    results = []
    positions = contract_positions(config.contracts)
    for index, contract in enumerate(contracts, start=1):
        progress(f"checking {contract.id} ({index}/{len(contracts)})")
        results.append(_placed(contract.check(outcome.model), positions.get(contract.id), root))
    result = RunResult(
        root=root,
        contracts=tuple(results),
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes)),
        summary=outcome.summary,
        strict=options.strict,
    )
    return Analysis(outcome.model, result)  # the drawing commands add the layer plans


def _placed(result: ContractResult, at: TablePosition | None, root: Path) -> ContractResult:
    """Unmatched `ignore_imports` entries (AG311) located at the key in the contract's file."""
    if at is None or not any(d.code == UNUSED_IGNORE_CODE and d.location is None for d in result.diagnostics):
        return result
    where = Location(Path(shown_path(at.file, root)), at.lines.get("ignore_imports", at.line))
    diagnostics = tuple(
        replace(d, location=where) if d.code == UNUSED_IGNORE_CODE and d.location is None else d
        for d in result.diagnostics
    )
    return replace(result, diagnostics=diagnostics)


def baseline_path(root: Path, config: Config, options: RunOptions) -> Path | None:
    """`--baseline FILE` (as given), else the `baseline` setting (relative to PATH), else none."""
    if not options.use_baseline:
        return None
    if options.baseline is not None:
        return options.baseline
    configured = config.settings.baseline
    return root / configured if configured is not None else None


@dataclass(frozen=True, slots=True)
class RecordedBaseline:
    """What `archgraph baseline` wrote."""

    path: Path
    baseline: Baseline
    result: RunResult


def record_baseline(
    root: Path, file: Path | None, options: RunOptions = RunOptions(), progress: Progress = _quiet
) -> RecordedBaseline:
    """`archgraph baseline`: write every current violation to FILE (default: the setting)."""
    root = _checked_root(root)
    file = _baseline_file(root, file, options)
    result = _unbaselined_run(root, options, progress)
    from archgraph.baseline import baseline_of, write_baseline  # noqa: PLC0415

    baseline = baseline_of(result)
    write_baseline(file, baseline)
    return RecordedBaseline(file, baseline, result)


@dataclass(frozen=True, slots=True)
class PrunedBaseline:
    """What `archgraph baseline --prune` did: `written` is False when nothing was stale."""

    path: Path
    pruned: Pruned
    written: bool


def prune_baseline(
    root: Path, file: Path | None, options: RunOptions = RunOptions(), progress: Progress = _quiet
) -> PrunedBaseline:
    """`archgraph baseline --prune`: drop the entries of FILE that no longer occur; add none."""
    root = _checked_root(root)
    from archgraph.baseline import prune, read_baseline, write_baseline  # noqa: PLC0415

    file = _baseline_file(root, file, options)
    recorded = read_baseline(file)  # before scanning, so a broken file fails fast
    pruned = prune(recorded, _unbaselined_run(root, options, progress))
    if pruned.removed:
        write_baseline(file, pruned.baseline)
    return PrunedBaseline(file, pruned, written=bool(pruned.removed))


def _baseline_file(root: Path, file: Path | None, options: RunOptions) -> Path:
    """FILE as given, else the `baseline` setting (relative to PATH)."""
    if file is not None:
        return file
    configured = load_config(root, options.config_files).settings.baseline
    if configured is None:
        raise ArchgraphError(
            "no baseline file: pass FILE, or set baseline = \"FILE\" in [archgraph] "
            "(relative to PATH)"
        )
    return root / configured


def _unbaselined_run(root: Path, options: RunOptions, progress: Progress) -> RunResult:
    """Every violation as new; refuses while a contract is misconfigured, since it would have
    found nothing (recording nothing for it, or pruning all its entries)."""
    result = run(root, replace(options, use_baseline=False, fail_on_stale=False), progress)
    broken = [
        f"{c.contract_id}: {d.message}" for c in result.contracts for d in c.diagnostics
        if d.is_configuration
    ]
    if broken:
        raise ArchgraphError(
            "not writing the baseline: fix the configuration first, or these contracts would "
            "record nothing:\n  " + "\n  ".join(broken)
        )
    return result


@dataclass(frozen=True, slots=True)
class InitOutcome:
    """What `archgraph init` inferred, the contract file's text, and how today's code fares."""

    path: Path
    text: str
    proposal: Proposal
    result: RunResult  # the proposed contracts checked against today's code
    written: bool


def init_contracts(
    root: Path,
    options: RunOptions = RunOptions(),
    force: bool = False,
    dry_run: bool = False,
    progress: Progress = _quiet,
) -> InitOutcome:
    """`archgraph init`: infer contracts from the graph, check them, write PATH/contracts/architecture.toml."""
    # Imported here: every `check` would pay for it otherwise.
    from archgraph.atomic import write_atomically  # noqa: PLC0415
    from archgraph.rules.families import FamiliesQuery  # noqa: PLC0415
    from archgraph.rules.families import analyze as analyze_families  # noqa: PLC0415
    from archgraph.rules.inference import infer, proposal_toml, proposed_contracts  # noqa: PLC0415
    from archgraph.scan.class_cache import cached_class_model  # noqa: PLC0415

    root = _checked_root(root)
    target = root / "contracts" / INIT_FILE_NAME
    if target.exists() and not (force or dry_run):
        raise ArchgraphError(
            f"{target} exists; `archgraph init --force` overwrites it, --dry-run prints the proposal"
        )
    # Settings and contract ids from the other files (the target is being replaced).
    others = [f for f in config_files(root, options.config_files) if f.resolve() != target]
    config, errors = config_module.read(others)
    existing, more = build_contracts(config.contracts)
    if errors or more:
        raise ConfigurationError([*errors, *more])
    scan_opts, notes = scan_options(root, config, options)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    outcome = scan(root, scan_opts)
    progress("reading classes")
    classes = cached_class_model(outcome.model, scan_opts.cache_dir)
    families_found = analyze_families(classes, FamiliesQuery())
    progress("inferring contracts")
    proposal = infer(outcome.model, scan_opts.root_packages, families_found.families, classes)
    proposed = proposed_contracts(proposal, (c.id for c in existing))
    settings = {} if config.settings.root_packages else {"root_packages": list(scan_opts.root_packages)}
    summary = outcome.summary
    packages = ", ".join(scan_opts.root_packages)
    header = (
        f"Contracts inferred by `archgraph init` from the import graph of {packages} "
        f"({summary.modules} modules, {summary.imports} imports). A starting point: review "
        "them, then run `archgraph check`; `archgraph baseline` records today's violations so "
        "that only new ones fail."
    )
    text = proposal_toml(proposal, proposed, settings, [header])
    contracts = _contracts_of(text, target)
    result = RunResult(
        root=root,
        contracts=tuple(contract.check(outcome.model) for contract in contracts),
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes)),
        summary=summary,
    )
    if not dry_run:
        try:
            write_atomically(target, text)
        except OSError as error:
            raise ArchgraphError(f"cannot write {target}: {error}") from None
    return InitOutcome(target, text, proposal, result, written=not dry_run)


def _contracts_of(text: str, path: Path) -> list[Contract]:
    """The contracts of a proposed file, read the way `check` reads them (a round trip)."""
    import tomllib  # noqa: PLC0415

    document = tomllib.loads(text)
    tables = [
        ContractTable(data, TablePosition(path, f"contracts[{index}]"))
        for index, data in enumerate(document.get("contracts", []))
    ]
    contracts, errors = build_contracts(tables)
    if errors:  # a bug in the proposal, not in the user's input
        raise RuntimeError(f"archgraph init proposed invalid contracts: {errors}")
    return contracts


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to root, with `/`, when it is inside root; else as given."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def layer_plans(contracts: Sequence[Contract], model: ArchModel) -> tuple[LayerPlan, ...]:
    """The layers of each `layers` contract, as the concrete modules they are made of."""
    from archgraph.report.graphview import LayerPlan  # noqa: PLC0415
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


__all__ = [
    "Location",
    "RunOptions",
    "build_model",
    "convert_importlinter",
    "families",
    "load_config",
    "load_configuration",
    "load_contracts",
    "prune_baseline",
    "record_baseline",
    "run",
]


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
    if importer == imported:
        raise ArchgraphError(f"'{importer}' is both the importer and the imported module")
    # grimp refuses package-wide chains between a package and its own descendant
    # ("Modules have shared descendants"); ask about those two modules alone instead.
    nested = is_within(importer, imported) or is_within(imported, importer)
    chains = model.shortest_chains(importer, imported, as_packages=not nested)
    return [model.steps(chain) for chain in chains]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A drawing's bytes, the view it shows, and the layout engine that ran (None: none ran)."""

    content: bytes
    view: GraphView | ClassView
    engine: Engine | None = None
    layout_seconds: float = 0.0


def graph_view(
    root: Path,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions | None = None,
    progress: Progress = _quiet,
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
    progress: Progress = _quiet,
) -> Rendered:
    """`archgraph render`: the module diagram as svg, png, pdf or DOT source."""
    from archgraph.report.diagram import module_diagram_source  # noqa: PLC0415
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine, run_engine  # noqa: PLC0415

    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    _analysis, view = graph_view(root, options, view_options, progress)
    source = module_diagram_source(view)
    if engine is None:
        return Rendered(source.encode("utf-8"), view)
    progress(f"laying out {len(view.nodes)} nodes with {engine.name}")
    started = time.perf_counter()
    content = run_engine(engine, source, output_format, timeout or DEFAULT_TIMEOUT)
    return Rendered(content, view, engine, time.perf_counter() - started)


def html_report(
    root: Path,
    options: RunOptions = RunOptions(),
    view_options: ViewOptions | None = None,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = _quiet,
) -> Rendered:
    """`archgraph report`: one offline HTML file with contracts, violations and the graph."""
    from archgraph.report.diagram import module_diagram_source  # noqa: PLC0415
    from archgraph.report.html import render_html  # noqa: PLC0415
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine, layout  # noqa: PLC0415

    engine = find_engine(engine_choice, "json")
    analysis, view = graph_view(root, options, view_options, progress)
    progress(f"laying out {len(view.nodes)} nodes with {engine.name}")
    started = time.perf_counter()
    positions = layout(engine, module_diagram_source(view, legend=False), timeout or DEFAULT_TIMEOUT)
    seconds = time.perf_counter() - started
    html = render_html(analysis.result, view, positions)
    return Rendered(html.encode("utf-8"), view, engine, seconds)


def families(
    root: Path,
    options: RunOptions = RunOptions(),
    query: FamiliesQuery | None = None,
    progress: Progress = _quiet,
) -> FamiliesResult:
    """`archgraph families`: duplicates, competing implementations, parallel hierarchies, wrappers."""
    return _class_analysis(root, options, query, progress).result


@dataclass(frozen=True, slots=True)
class _ClassAnalysis:
    config: Config
    model: ArchModel
    classes: ClassModel
    result: FamiliesResult


def _class_analysis(
    root: Path, options: RunOptions, query: FamiliesQuery | None, progress: Progress
) -> _ClassAnalysis:
    from archgraph.model.families import FamiliesResult  # noqa: PLC0415
    from archgraph.rules.families import FamiliesQuery, exclude_problem  # noqa: PLC0415
    from archgraph.rules.families import analyze as analyze_families  # noqa: PLC0415
    from archgraph.scan.class_cache import cached_class_model  # noqa: PLC0415

    query = query or FamiliesQuery()
    problems = [f"--exclude '{p}': {why}" for p in query.exclude if (why := exclude_problem(p))]
    if query.min_size < 1:
        problems.append(f"--min-size must be at least 1, got {query.min_size}")
    if problems:
        raise ArchgraphError("; ".join(problems))
    config, outcome, notes = build_model(root, options, progress, import_graph=False)
    progress("reading classes")
    scan_opts, _notes = scan_options(outcome.model.root, config, options)
    classes = cached_class_model(outcome.model, scan_opts.cache_dir)
    progress(f"comparing {len(classes.classes)} classes")
    report = analyze_families(classes, query)
    result = FamiliesResult(
        root=outcome.model.root,
        packages=outcome.model.root_packages,
        report=report,
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes, *classes.diagnostics)),
        modules=len(outcome.model.files),
    )
    return _ClassAnalysis(config, outcome.model, classes, result)


def render_class_diagram(
    root: Path,
    output_format: str,
    options: RunOptions = RunOptions(),
    query: FamiliesQuery | None = None,
    max_nodes: int | None = DEFAULT_CLASS_BUDGET,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = _quiet,
) -> Rendered:
    """`archgraph render --families`: role families and parallel hierarchies as a class diagram.

    `single-implementation` contracts of the configuration (those of `options.contract_ids`, if
    given) mark their canonical classes and violations.
    """
    from archgraph.report.classdiagram import class_diagram_source  # noqa: PLC0415
    from archgraph.report.classview import (  # noqa: PLC0415
        DEFAULT_MAX_CLASSES,
        ClassViewOptions,
        build_class_view,
    )
    from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine, run_engine  # noqa: PLC0415
    from archgraph.rules.families import FamiliesQuery  # noqa: PLC0415
    from archgraph.rules.single_implementation import SingleImplementation  # noqa: PLC0415

    query = query or FamiliesQuery()
    max_nodes = DEFAULT_MAX_CLASSES if max_nodes == DEFAULT_CLASS_BUDGET else max_nodes
    timeout = timeout or DEFAULT_TIMEOUT
    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    analysis = _class_analysis(root, options, query, progress)
    contracts = load_contracts(analysis.config, options.contract_ids)
    marks = [
        contract_marks(contract, analysis.classes, analysis.model.files)
        for contract in contracts
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
    from archgraph.report.classview import ContractMarks  # noqa: PLC0415

    result = contract.check_classes(classes, modules)
    return ContractMarks(
        contract=contract.id,
        concept=contract.concept,
        canonical=contract.canonical,
        canonical_found=classes.get(contract.canonical) is not None,
        violations=tuple((v.symbol, v.code) for v in result.violations if v.symbol),
    )
