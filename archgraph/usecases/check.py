"""`archgraph check`: every contract against the code under PATH; the analysis the drawings share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from archgraph import codes
from archgraph.config import Config
from archgraph.diagnostics import Diagnostic, Location, Severity, sorted_diagnostics
from archgraph.model import ArchModel
from archgraph.model.schema import TablePosition
from archgraph.results import ContractResult, RunResult
from archgraph.rules import Contract
from archgraph.rules.base import apart_test_code
from archgraph.rules.catalog import contract_positions
from archgraph.rules.coverage import coverage
from archgraph.rules.exemptions import judge_exemptions, suppression_problems
from archgraph.scan import ScanOutcome, ScanStore, scan, walk
from archgraph.usecases.project import (
    CACHE_DIR_NAME,
    Progress,
    Project,
    RunOptions,
    load_project,
    quiet,
    require_contracts,
    shown_path,
)
from archgraph.usecases.scanning import scan_options

# `check` needs none of these: the drawing, baseline and --affected code is imported by the
# functions that use it (a warm check's start-up).
if TYPE_CHECKING:
    from archgraph.affected import IndexedFiles
    from archgraph.baseline import Baseline
    from archgraph.report.graphview import LayerPlan
    from archgraph.results import BaselineChange
    from archgraph.scan.changes import ChangedFiles
    from archgraph.scan.finder import FindResult

    # Records a full run for `check --affected` (see usecases/affected_record.py).
    Recorder = Callable[[FindResult, ScanOutcome, ScanStore, RunResult], None]


def run(root: Path, options: RunOptions = RunOptions(), progress: Progress = quiet) -> RunResult:
    """`archgraph check`: evaluate every contract against the code under root."""
    return check_project(require_contracts(load_project(root, options)), options, progress)


def check_project(
    project: Project, options: RunOptions = RunOptions(), progress: Progress = quiet
) -> RunResult:
    """`run` for a project already read (the baseline commands read it first)."""
    root, config, contracts = project.root, project.config, project.contracts
    baseline_file = baseline_path(root, config, options)
    fail_on_stale = options.fail_on_stale or config.settings.fail_on_stale
    if baseline_file is not None or fail_on_stale:
        from archgraph.baseline import apply_baseline, failing_on_stale, read_baseline  # noqa: PLC0415
    # Read the baseline before scanning, so a broken file fails fast.
    # A baseline the settings name is the tree's file: a link out of the project is refused.
    from_tree = root if options.baseline is None else None
    baseline = read_baseline(baseline_file, within=from_tree) if baseline_file else None
    change = None
    if options.baseline_ref is not None:
        change = _baseline_change(root, baseline_file, baseline, options.baseline_ref)
    changed = None
    reused = None
    recorder = None
    if options.affected_since:
        changed, reused, recorder = _affected_run(project, options, progress)
    if reused is not None:
        result = reused[0]
    else:
        analysis = _analyze(root, config, contracts, options, progress, recorder)
        result = analysis.result
    if baseline is not None and baseline_file is not None:
        result = apply_baseline(result, baseline, baseline_file)
    if fail_on_stale:
        result = failing_on_stale(result)
    if change is not None:
        result = result._replace(baseline_change=change)
    if changed is not None:
        from archgraph.affected import affected_scope, indexed_scope, restrict  # noqa: PLC0415

        cache = (options.cache_dir or root / CACHE_DIR_NAME).resolve() if options.use_cache else None
        # The cache is written by the run itself (and often not ignored by git): not a change.
        paths = [p for p in changed.paths if cache is None or not p.is_relative_to(cache)]
        if reused is not None:
            scope = indexed_scope(reused[1], changed.since, paths, config.files)
            result = restrict(result, scope, reused[1])
        else:
            scope = affected_scope(analysis.model, changed.since, paths, config.files)
            result = restrict(result, scope, analysis.model)
    return result


class Analysis(NamedTuple):
    """What the drawing commands need: the model, the contract results, the layers to rank."""

    model: ArchModel
    result: RunResult
    layer_plans: tuple[LayerPlan, ...] = ()  # one per `layers` contract, in configuration order
    contracts: tuple[Contract, ...] = ()  # the contracts checked (set by `analyze`)

    def layers_for(self, contract_id: str | None = None) -> LayerPlan | None:
        """The layers to rank: those of the named contract if it is a layers contract, else the first."""
        chosen = [plan for plan in self.layer_plans if plan.contract_id == contract_id]
        candidates = chosen or list(self.layer_plans)
        return candidates[0] if candidates else None

    @property
    def layers(self) -> LayerPlan | None:
        return self.layers_for()


def analyze(root: Path, options: RunOptions = RunOptions(), progress: Progress = quiet) -> Analysis:
    """Scan and check like `run`, but without contracts too (a diagram needs none)."""
    project = load_project(root, options)
    contracts = project.contracts
    analysis = _analyze(project.root, project.config, contracts, options, progress)
    return analysis._replace(
        layer_plans=layer_plans(contracts, analysis.model), contracts=tuple(contracts)
    )


def _analyze(
    root: Path,
    config: Config,
    contracts: Sequence[Contract],
    options: RunOptions,
    progress: Progress,
    recorder: Recorder | None = None,
) -> Analysis:
    scan_opts, notes = scan_options(root, config, options)
    notes += configuration_notes(root, config)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    # The --affected record reads the import rows after the scan: the store keeps them then.
    store = ScanStore.in_folder(scan_opts.cache_dir, keeps_imports=recorder is not None)
    found = walk(root, scan_opts) if recorder is not None else None
    outcome = scan(root, scan_opts, store, found, keep_audit_later=True)
    result = checked(root, config, contracts, outcome, notes, options, progress)
    outcome.keep_read_kinds()
    if recorder is not None and found is not None:
        recorder(found, outcome, store, result)
    return Analysis(outcome.model, result)  # the drawing commands add the layer plans


def _affected_run(
    project: Project, options: RunOptions, progress: Progress = quiet
) -> tuple[ChangedFiles, tuple[RunResult, IndexedFiles] | None, Recorder | None]:
    """`--affected REV`: the files changed since REV, and either the recorded result (with
    its graph) when it holds for the tree as it is, or what records this run's."""
    from archgraph.scan.changes import PendingChanges  # noqa: PLC0415
    from archgraph.usecases import affected_record as record  # noqa: PLC0415

    root, since = project.root, options.affected_since or ""
    scan_opts, _notes = scan_options(root, project.config, options)
    folders = record.folders_of(root, scan_opts)
    pending = PendingChanges(root, since, folders)  # git runs while the record is read
    folder = scan_opts.cache_dir
    fingerprint = record.analysis_fingerprint(project, options, scan_opts)
    candidate = None
    if fingerprint is not None and folder is not None:
        candidate = record.candidate(folder, root, fingerprint)
    changes = pending.result()
    view = changes.worktree
    if view is None or folder is None or fingerprint is None:
        return changes.since_revision, None, None
    if candidate is not None and candidate.holds(view, root, scan_opts, folder, folders):
        progress("no import changed since the last --affected check: its result stands")
        return changes.since_revision, (candidate.result, candidate.graph), None

    def recorder(found: FindResult, outcome: ScanOutcome, store: ScanStore, result: RunResult) -> None:
        record.make_record(
            folder, root, fingerprint, view, scan_opts, found, outcome, store, result,
            [*project.config.files, *folders],
        )

    return changes.since_revision, None, recorder


def configuration_notes(root: Path, config: Config) -> list[Diagnostic]:
    """What `check` says of the configuration itself: where import-linter's contracts came from."""
    notes = []
    if config.source_format == "import-linter":
        notes.append(
            Diagnostic(
                codes.IMPORTLINTER_CONFIGURATION.code,
                Severity.INFO,
                "contracts read from import-linter configuration "
                f"{', '.join(shown_path(f, root) for f in config.files)}",
                hint="`archgraph convert-importlinter` writes them as archgraph contracts",
            )
        )
    return notes


def checked(
    root: Path,
    config: Config,
    contracts: Sequence[Contract],
    outcome: ScanOutcome,
    notes: Sequence[Diagnostic] = (),
    options: RunOptions = RunOptions(),
    progress: Progress = quiet,
) -> RunResult:
    """The contracts judged on a scanned model (no baseline applied): the result `check`
    reports; `notes`: the scan options' own diagnostics."""
    results = []
    positions = contract_positions(config.contracts)
    for index, contract in enumerate(contracts, start=1):
        progress(f"checking {contract.id} ({index}/{len(contracts)})")
        judged = judge_exemptions(contract, outcome.model, contract.check(outcome.model))
        apart = apart_test_code(contract, judged, outcome.model, config.settings.test_violations)
        results.append(_placed(apart, positions.get(contract.id), root))
    suppression_notes = suppression_problems(outcome.model, positions.keys())
    return RunResult(
        root=root,
        contracts=tuple(results),
        diagnostics=sorted_diagnostics((*outcome.diagnostics, *notes, *suppression_notes)),
        summary=outcome.summary,
        strict=options.strict,
        # Coverage of a selection of the contracts (`--contract ID`) would be misleading.
        coverage=None if options.contract_ids else coverage(
            contracts, outcome.model, required=config.settings.require_coverage
        ),
        show_suppressed=options.show_suppressed,
    )


_IGNORE_CODES = frozenset({codes.UNMATCHED_IGNORE.code, codes.IRRELEVANT_IGNORE.code})


def _placed(result: ContractResult, at: TablePosition | None, root: Path) -> ContractResult:
    """Stale `ignore_imports` entries (AG311, AG342) located at the key in the contract's file."""
    if at is None or not any(
        d.code in _IGNORE_CODES and d.location is None for d in result.diagnostics
    ):
        return result
    where = Location(Path(shown_path(at.file, root)), at.lines.get("ignore_imports", at.line))
    diagnostics = tuple(
        d._replace(location=where) if d.code in _IGNORE_CODES and d.location is None else d
        for d in result.diagnostics
    )
    return replace(result, diagnostics=diagnostics)


def _baseline_change(
    root: Path, file: Path | None, today: Baseline | None, ref: str
) -> BaselineChange:
    """`--baseline-ref REV`: today's baseline file against the same file at REV."""
    from archgraph.baseline import BaselineError, baseline_at, baseline_change  # noqa: PLC0415

    if file is None or today is None:
        raise BaselineError(
            "--baseline-ref needs a baseline file: the baseline setting, or --baseline FILE"
        )
    before, _existed = baseline_at(file, ref)
    return baseline_change(before, today, ref, shown_path(file, root))


def baseline_path(root: Path, config: Config, options: RunOptions) -> Path | None:
    """`--baseline FILE` (as given), else the `baseline` setting (relative to PATH), else none."""
    if not options.use_baseline:
        return None
    if options.baseline is not None:
        return options.baseline
    configured = config.settings.baseline
    return root / configured if configured is not None else None


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
