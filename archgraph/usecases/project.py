"""The project's configuration, read one way for every command: `load_project`.

The rule: every command validates the whole configuration (settings and every contract, from
archgraph TOML, pyproject.toml or import-linter's files) and stops on any problem with one
ConfigurationError listing them all. Commands that need no contracts (why, families, render,
export, report, init) run on a project that has none; `check`, `baseline` and `trend` need some
(`require_contracts`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from archgraph import config as config_module
from archgraph.config import Config, Settings
from archgraph.diagnostics import ArchgraphError, ConfigError, ConfigurationError
from archgraph.model.schema import did_you_mean
from archgraph.rules import Contract, build_contracts, external_packages_missing

Progress = Callable[[str], None]
CACHE_DIR_NAME = ".archgraph_cache"


def quiet(_message: str) -> None:
    """The default progress sink: the use cases never print."""


class RunOptions(NamedTuple):
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
    show_suppressed: bool = False  # list the inline suppressions in the report
    baseline_ref: str | None = None  # git revision: fail when the baseline file grew since it


class Project(NamedTuple):
    """The code under `root` and its configuration: settings, typed contracts, files read."""

    root: Path  # resolved
    config: Config  # settings, contract tables (with their positions), files, source format
    contracts: tuple[Contract, ...]  # those chosen with --contract, else all

    @property
    def settings(self) -> Settings:
        return self.config.settings

    @property
    def files(self) -> tuple[Path, ...]:
        return self.config.files

    @property
    def source_format(self) -> str:
        return self.config.source_format


def load_project(
    root: Path, options: RunOptions = RunOptions(), *, replacing: Path | None = None
) -> Project:
    """Read and validate the configuration under root; raise one error listing every problem.

    The files are `--config` (which must exist), or `contracts/*.toml` and `pyproject.toml`.
    import-linter's configuration (setup.cfg, .importlinter, pyproject.toml) is read instead with
    `--from-importlinter` (`--config` then names its files), or when neither gives contracts.
    `replacing`: a file about to be rewritten (`archgraph init`), left out, and then import-linter's
    configuration is not read either.

    Raises:
        ConfigurationError: every problem of the settings and of the contracts, at once.
        ArchgraphError: root is no directory, a --config file or --contract id is unknown.
    """
    root = checked_root(root)
    files = options.config_files
    chosen = [] if options.from_importlinter else _config_files(root, files)
    if replacing is not None:
        chosen = [f for f in chosen if f.resolve() != replacing.resolve()]
    errors: list[ConfigError] = []
    if not files:  # the tree's own files: none may be a link out of the project
        errors = config_module.links_out(chosen, root)
        chosen = [f for f in chosen if f not in {e.file for e in errors}]
    config = _importlinter_config(root, files) if options.from_importlinter else None
    if config is None:
        config, read_errors = config_module.read(chosen)
        errors += read_errors
        if not errors and not config.contracts and not files and replacing is None:
            config = _discovered_importlinter_config(root) or config
    contracts, more = build_contracts(config.contracts)
    if not config.settings.include_external_packages:
        more += external_packages_missing(contracts, config.contracts)
    if errors or more:
        order = {path: index for index, path in enumerate(chosen)}
        raise ConfigurationError(
            sorted(
                [*errors, *more], key=lambda e: (order.get(e.file, len(order)), e.line or 0)
            )
        )
    return Project(root, config, tuple(select_contracts(contracts, options.contract_ids)))


def require_contracts(project: Project) -> Project:
    """The project, if it has a configuration (commands that check contracts need one)."""
    if not project.files:
        raise ArchgraphError(
            f"no contracts found under {project.root}: add contracts/*.toml or [tool.archgraph] to "
            "pyproject.toml (or an import-linter configuration), or pass --config FILE"
        )
    return project


def _config_files(root: Path, files: Sequence[Path] = ()) -> list[Path]:
    """The given files (which must exist), or `contracts/*.toml` and `pyproject.toml` under root."""
    if files:
        missing = [f for f in files if not f.is_file()]
        if missing:
            raise ArchgraphError(f"configuration file not found: {', '.join(map(str, missing))}")
    return list(files) or config_module.discover(root)


def _importlinter_config(root: Path, files: Sequence[Path]) -> Config:
    """`--from-importlinter`: import-linter's configuration, from `files` or found under root."""
    from archgraph.config import importlinter  # noqa: PLC0415 - `check` seldom needs it

    found = list(files) or [f for f in [importlinter.discover(root)] if f is not None]
    if not found:
        raise ArchgraphError(
            f"no import-linter configuration under {root} (looked for [importlinter] in "
            "setup.cfg and .importlinter, and [tool.importlinter] in pyproject.toml)"
        )
    return importlinter.load(found)


def _discovered_importlinter_config(root: Path) -> Config | None:
    """import-linter's configuration under root, if any: used when archgraph has no contracts."""
    from archgraph.config import importlinter  # noqa: PLC0415 - `check` seldom needs it

    found = importlinter.discover(root)
    return importlinter.load([found]) if found is not None else None


def select_contracts(contracts: Sequence[Contract], only: Sequence[str] = ()) -> list[Contract]:
    """The contracts with the given ids (all when none given); an unknown id is an error."""
    if not only:
        return list(contracts)
    known = {c.id: c for c in contracts}
    unknown = [i for i in only if i not in known]
    if unknown:
        hints = [f"'{i}'" + (f" (did you mean '{s}'?)" if (s := did_you_mean(i, known)) else "") for i in unknown]
        raise ArchgraphError(
            f"unknown contract id {', '.join(hints)}; known ids: {', '.join(sorted(known))}"
        )
    return [known[i] for i in dict.fromkeys(only)]  # a repeated --contract runs once


def checked_root(root: Path) -> Path:
    """root, resolved; an error when it is not a directory."""
    if not root.is_dir():
        raise ArchgraphError(f"{root} is not a directory")
    return root.resolve()


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to root, with `/`, when it is inside root; else as given."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
