"""`archgraph init`: infer contracts from the graph, check them, write PATH/contracts/architecture.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from archgraph.atomic import reason, write_atomically
from archgraph.diagnostics import ArchgraphError, sorted_diagnostics
from archgraph.families.class_cache import cached_class_model
from archgraph.init.inference import Proposal, infer
from archgraph.init.production import production_families
from archgraph.init.render import ProposedContract, proposal_toml, proposed_contracts
from archgraph.model.schema import ContractTable, TablePosition
from archgraph.results import RunResult
from archgraph.rules import Contract, build_contracts
from archgraph.scan import scan
from archgraph.usecases.project import Progress, RunOptions, checked_root, load_project, quiet
from archgraph.usecases.scanning import scan_options

INIT_FILE_NAME = "architecture.toml"


@dataclass(frozen=True, slots=True)
class InitOutcome:
    """What `archgraph init` inferred, the contract file's text, and how today's code fares."""

    path: Path
    text: str
    proposal: Proposal
    contracts: tuple[ProposedContract, ...]  # as written in the file, in its order
    result: RunResult  # the proposed contracts checked against today's code
    written: bool


def init_contracts(
    root: Path,
    options: RunOptions = RunOptions(),
    force: bool = False,
    dry_run: bool = False,
    progress: Progress = quiet,
) -> InitOutcome:
    """`archgraph init`: infer contracts from the graph, check them, write PATH/contracts/architecture.toml."""

    root = checked_root(root)
    target = root / "contracts" / INIT_FILE_NAME
    if target.exists() and not (force or dry_run):
        raise ArchgraphError(
            f"{target} exists; `archgraph init --force` overwrites it, --dry-run prints the proposal"
        )
    # Settings and contract ids from the other files (the target is being replaced).
    project = load_project(root, options, replacing=target)
    config, existing = project.config, project.contracts
    scan_opts, notes = scan_options(root, config, options)
    progress(f"scanning {', '.join(scan_opts.root_packages)}")
    outcome = scan(root, scan_opts)
    progress("reading classes")
    classes = cached_class_model(outcome.model.sources, scan_opts.cache_dir)
    families = production_families(classes, outcome.model.test_modules)
    progress("inferring contracts")
    proposal = infer(outcome.model, scan_opts.root_packages, families, classes)
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
    if proposal.test_modules:
        header += (
            f" Test code ({proposal.test_modules} modules) has no contract here and is exempted "
            "from these (ignore_imports, allowed_modules, exhaustive_ignores)."
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
            write_atomically(target, text, tree=root)
        except OSError as error:
            raise ArchgraphError(f"cannot write {target}: {reason(error)}") from None
    return InitOutcome(target, text, proposal, tuple(proposed), result, written=not dry_run)


def _contracts_of(text: str, path: Path) -> list[Contract]:
    """The contracts of a proposed file, read the way `check` reads them (a round trip)."""
    document = tomllib.loads(text)
    tables = [
        ContractTable(data, TablePosition(path, f"contracts[{index}]"))
        for index, data in enumerate(document.get("contracts", []))
    ]
    contracts, errors = build_contracts(tables)
    if errors:  # a bug in the proposal, not in the user's input
        raise RuntimeError(f"archgraph init proposed invalid contracts: {errors}")
    return contracts
