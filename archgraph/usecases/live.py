"""`check` again and again in one process, each run costing about what changed since the last:
for the language server (every edit), `check --watch` (every save) and the MCP server (every
question an agent asks).

A `LiveCheck` keeps the project's configuration (read again when it changes) and a `WarmScan`
of its tree (see archgraph/scan/warm.py); each run judges every contract on the model as it is
now, the editor's unsaved buffers standing for their files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import Violation, ViolationKey
from archgraph.model import ArchModel
from archgraph.results import RunResult
from archgraph.scan import ScanOutcome
from archgraph.scan.warm import WarmScan
from archgraph.usecases.check import baseline_path, checked, configuration_notes
from archgraph.usecases.project import Project, RunOptions, load_project, require_contracts
from archgraph.usecases.scanning import scan_options


@dataclass(frozen=True, slots=True)
class LiveResult:
    """One run: the project it judged, its model and the contracts' verdicts."""

    project: Project
    model: ArchModel
    result: RunResult


@dataclass(frozen=True, slots=True)
class _Judged:
    """The last run and what it judged: a run on the same is the same."""

    outcome: ScanOutcome
    project: Project
    baseline: tuple[int, int] | None  # the baseline file's stamp
    live: LiveResult


class LiveCheck:
    """The contracts of the project under `root`, judged on demand (see the module docstring)."""

    def __init__(self, root: Path, options: RunOptions = RunOptions()) -> None:
        # In memory only: the cache folder is `check`'s, and a live run writes no files.
        self.options = options._replace(use_cache=False)
        self.root = root
        self._project: Project | None = None
        self._warm = WarmScan()
        self._last: _Judged | None = None

    def edited(self, paths: Iterable[Path]) -> None:
        """These files (absolute paths) changed on disk; a configuration file among them, or a
        file that is not a module of the last walk, makes the next run read everything again."""
        self._warm.edited(path.resolve() for path in paths)

    def files_added_or_removed(self) -> None:
        """The next run walks the tree again."""
        self._warm.forget_walk()

    def configuration_changed(self) -> None:
        """The next run reads the configuration again."""
        self._project = None

    @property
    def project(self) -> Project:
        """The project's configuration, read when first needed.

        Raises:
            ConfigurationError, ArchgraphError: as `load_project` does.
        """
        if self._project is None:
            self._project = require_contracts(load_project(self.root, self.options))
        return self._project

    def run(self, texts: Mapping[Path, bytes] | None = None) -> LiveResult:
        """Every contract judged on the tree as it is now, `texts` (absolute paths: contents)
        standing for their files; the baseline applied as `check` applies it.

        Raises:
            ConfigurationError, ArchgraphError: the configuration or the baseline is broken.
        """
        project = self.project
        scan_opts, notes = scan_options(project.root, project.config, self.options)
        notes += configuration_notes(project.root, project.config)
        outcome = self._warm.scan(project.root, scan_opts, texts)
        baseline_file = baseline_path(project.root, project.config, self.options)
        # A baseline not written yet knows nothing (the editor's "add to baseline" writes it).
        baseline_stamp = _stamp(baseline_file) if baseline_file is not None else None
        # The same scan outcome (no import changed since) and configuration: the same verdicts.
        last = self._last
        if (
            last is not None
            and last.outcome is outcome
            and last.project is project
            and last.baseline == baseline_stamp
        ):
            return last.live
        result = checked(
            project.root, project.config, project.contracts, outcome, notes, self.options
        )
        if baseline_file is not None and baseline_stamp is not None:
            from archgraph.baseline import apply_baseline, read_baseline  # noqa: PLC0415

            within = project.root if self.options.baseline is None else None
            result = apply_baseline(result, read_baseline(baseline_file, within=within), baseline_file)
        live = LiveResult(project, outcome.model, result)
        self._last = _Judged(outcome, project, baseline_stamp, live)
        return live


def _stamp(file: Path) -> tuple[int, int] | None:
    """The file's size and modification time; None when it does not exist."""
    try:
        status = file.stat()
    except FileNotFoundError:
        return None
    return status.st_size, status.st_mtime_ns


def restricted_to(live: LiveResult, files: Iterable[Path]) -> RunResult:
    """The run's result with only the violations the changes of `files` (absolute paths) can
    affect, as `check --affected` reports them."""
    from archgraph.affected import affected_scope, restrict  # noqa: PLC0415

    scope = affected_scope(live.model, "the given files", list(files), live.project.files)
    return restrict(live.result, scope, live.model)


@dataclass(frozen=True, slots=True)
class Changes:
    """What a run found that the one before did not (`new`), and the reverse (`fixed`): the
    failing violations, each as (contract id, violation), matched by identity across edits."""

    new: tuple[tuple[str, Violation], ...]
    fixed: tuple[tuple[str, Violation], ...]


def changes_between(before: RunResult, after: RunResult) -> Changes:
    """The failing violations `after` adds to `before`, and those it no longer has (a key that
    occurs n times more, or fewer, counts n times)."""
    was, now = _failing(before), _failing(after)
    return Changes(_beyond(now, was), _beyond(was, now))


def _failing(result: RunResult) -> dict[ViolationKey, list[tuple[str, Violation]]]:
    found: dict[ViolationKey, list[tuple[str, Violation]]] = {}
    for contract in result.contracts:
        for violation in contract.failing_violations:
            found.setdefault(violation.key, []).append((contract.contract_id, violation))
    return found


def _beyond(
    these: Mapping[ViolationKey, list[tuple[str, Violation]]],
    those: Mapping[ViolationKey, list[tuple[str, Violation]]],
) -> tuple[tuple[str, Violation], ...]:
    extra = [item for key, items in these.items() for item in items[len(those.get(key, ())) :]]
    return tuple(sorted(extra, key=lambda item: (item[0], item[1].sort_key())))
