"""Use case `archgraph trend`: the contracts and the families analysis at each commit of a range.

History is judged by today's rules: the contracts come from the working tree (or --config), and
each commit's tree is checked out into a private temporary directory (see `history`), never into
the user's working tree. One checkout and one cache folder serve every commit, so a commit
costs its changed files plus the graph work, not a cold scan.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path

from archgraph import codes
from archgraph.config import Config
from archgraph.config.pytest_settings import read_test_code_rule
from archgraph.diagnostics import ArchgraphError, Diagnostic, Severity, visible
from archgraph.families.classify import FamiliesQuery
from archgraph.model import ArchModel
from archgraph.model.testcode import TestCodeRule
from archgraph.results import ContractResult
from archgraph.rules import Contract
from archgraph.scan.facts_cache import CACHE_NAME, FactsByContent
from archgraph.trend import history
from archgraph.trend.points import (
    CommitInfo,
    CommitPoint,
    ContractSpec,
    FamilyPoint,
    Trend,
    contract_point,
    sample,
    scan_problem_count,
    unavailable_point,
    with_changes,
)
from archgraph.trend.session import TrendSession
from archgraph.usecases.project import (
    Progress,
    RunOptions,
    load_project,
    require_contracts,
    shown_path,
)
from archgraph.usecases.project import quiet as _quiet
from archgraph.usecases.scanning import scan_options

# In the repository's git folder (content named by git lives there; the working tree stays as
# it was), or in --cache-dir.
FACTS_BY_CONTENT_NAME = f"trend-{CACHE_NAME}"


def trend(
    root: Path,
    revisions: str,
    options: RunOptions = RunOptions(),
    every: int = 1,
    first_parent: bool = False,
    progress: Progress = _quiet,
    *,
    with_families: bool = True,
    concept: str | None = None,
) -> Trend:
    """Measure every `every`-th commit of `revisions` (and the last) with today's contracts.

    `with_families=False` leaves out the families analysis (about half of a commit's cost);
    `concept` (a class-name glob, as `families --concept`) limits it to the concept migrated.
    """
    if every < 1:
        raise ArchgraphError(f"--every must be at least 1, got {every}")
    if not root.is_dir():
        raise ArchgraphError(f"{root} is not a directory")
    root = root.resolve()
    project = require_contracts(load_project(root, options))
    config, contracts = project.config, project.contracts
    # Today's pytest configuration tells test code, as today's contracts judge: the checkout
    # of a commit holds only its Python files.
    test_code = read_test_code_rule(root)
    repository = history.locate(root)
    if options.use_cache and options.cache_dir is not None:
        _refuse_cache_in_tree(options.cache_dir, repository)
    in_range = history.commits(repository, revisions, first_parent)
    if not in_range:
        raise ArchgraphError(f"no commits in '{revisions}'")
    chosen = sample(in_range, every)
    specs = tuple(ContractSpec(c.id, c.name, c.kind) for c in contracts)
    points: list[CommitPoint] = []
    session = TrendSession()
    with (
        tempfile.TemporaryDirectory(prefix="archgraph-trend-") as temporary,
        history.Checkout(repository, Path(temporary), _scope(config, repository, root)) as checkout,
    ):
        commit_config = _in_checkout(config, repository, checkout.directory)
        checkout_directory = checkout.directory.resolve()
        # What one commit's scan keeps for the next stays in this process (the session's
        # store), not in PATH/.archgraph_cache: its entries are keyed by path and mtime, and
        # files written into a new temporary folder never match them. File facts are kept by
        # content (git's object ids) for the next trend, see FactsByContent.
        by_content = None
        if options.use_cache:
            kept_in = options.cache_dir or repository.git_dir / "archgraph"
            if kept_in.resolve().is_relative_to(Path(temporary).resolve()):
                raise ArchgraphError(f"--cache-dir {kept_in} is inside the checkout of the history")
            by_content = FactsByContent(kept_in / FACTS_BY_CONTENT_NAME, checkout.object_of)
            session.store.facts_by_content = by_content
        for index, commit in enumerate(chosen, start=1):
            progress(f"commit {index}/{len(chosen)} {commit.short_sha} {visible(commit.subject[:60])}")
            following = chosen[index].sha if index < len(chosen) else None
            changed = checkout.switch(commit.sha, then=following)
            session.edited(checkout_directory / path for path in changed)
            previous = points[-1] if points else None
            if previous is not None and not changed and previous.skipped == checkout.refused:
                # No Python file changed: the same modules give the same numbers.
                shared = previous.same_as or previous.commit.sha
                points.append(dataclasses.replace(previous, commit=commit, same_as=shared))
                continue
            if not options.use_cache:
                session = TrendSession()  # --no-cache: every commit from scratch
            points.append(
                _measure(commit, checkout, commit_config, contracts, options, specs, session,
                         FamiliesQuery(concept=concept) if with_families else None, test_code)
            )
        if by_content is not None:
            # Room for two versions of the largest tree measured, besides what this run used.
            by_content.save(capacity=2 * max((p.modules or 0 for p in points), default=0))
    return Trend(
        revisions=revisions,
        contracts=specs,
        points=with_changes(points),
        config_files=tuple(shown_path(f, root) for f in config.files),
        commits_in_range=len(in_range),
        every=every,
        first_parent=first_parent,
        families_analyzed=with_families,
        concept=concept if with_families else None,
    )


def _measure(
    commit: CommitInfo,
    checkout: history.Checkout,
    config: Config,
    contracts: Sequence[Contract],
    options: RunOptions,
    specs: Sequence[ContractSpec],
    session: TrendSession,
    families_query: FamiliesQuery | None,
    test_code: TestCodeRule,
) -> CommitPoint:
    """Scan the checkout as it is at `commit`, check each contract, analyze the families;
    what the previous commits' analysis still holds is reused (`session`)."""
    commit_root = checkout.root
    where = f"the tree of {commit.short_sha}"
    # Only Python files are checked out: a commit without any has no folder, and the scan
    # below says what is missing (the root package) rather than a folder nobody asked about.
    commit_root.mkdir(parents=True, exist_ok=True)
    try:
        scan_opts, _notes = scan_options(commit_root, config, options)
        scan_opts = scan_opts._replace(cache_dir=None, test_code=test_code)
        outcome = session.scan(commit_root, scan_opts)
        results = [_check(c, outcome.model) for c in contracts]
        families: tuple[FamilyPoint, ...] = ()
        if families_query is not None:
            families = session.families_of(outcome.model.sources, families_query)
    except ArchgraphError as error:  # e.g. the root package does not exist yet
        message = str(error)
        for shown in {str(commit_root.resolve()), str(commit_root)}:  # /tmp may be a symlink
            message = message.replace(shown, where)
        return unavailable_point(commit, specs, message, checkout.refused)
    return CommitPoint(
        commit=commit,
        modules=len(outcome.model.internal_modules),
        contracts=tuple(contract_point(result) for result in results),
        families=families,
        scan_problems=scan_problem_count(outcome.diagnostics) + len(checkout.refused),
        skipped=checkout.refused,
    )


def _check(contract: Contract, model: ArchModel) -> ContractResult:
    """A contract's result; one that raises at an old commit is n/a there, not a crash."""
    try:
        return contract.check(model)
    except ArchgraphError as error:
        return contract.result(
            diagnostics=[Diagnostic(codes.NO_MATCHING_MODULE.code, Severity.ERROR, str(error))]
        )


def _refuse_cache_in_tree(cache_dir: Path, repository: history.Repository) -> None:
    """A --cache-dir in the working tree would read facts from files a commit put there:
    whoever pushed it would choose the families and imports measured. The git folder holds
    nothing a commit brings, so the default place, and any folder in it, is fine."""
    kept_in = cache_dir.resolve()
    git_dir = repository.git_dir.resolve()
    if kept_in.is_relative_to(repository.toplevel.resolve()) and not kept_in.is_relative_to(git_dir):
        raise ArchgraphError(
            f"--cache-dir {cache_dir} is inside the repository's working tree, whose files the "
            "history being measured can put there; choose a folder outside it (or leave "
            f"--cache-dir out: the default is in {git_dir})"
        )


def _scope(config: Config, repository: history.Repository, root: Path) -> list[str]:
    """The folders of the repository that hold the source roots (posix, relative; '' = all).

    A source root outside the repository has no history to check out: an error, not a mix of
    old code and today's files.
    """
    toplevel = repository.toplevel.resolve()
    folders = []
    for source_root in config.settings.source_roots:
        try:
            inside = (root / source_root).resolve().relative_to(toplevel)
        except ValueError:
            raise ArchgraphError(
                f"source root {source_root} is outside the repository {toplevel}: its history "
                "cannot be checked out"
            ) from None
        folders.append("" if inside == Path(".") else inside.as_posix())
    return folders


def _in_checkout(config: Config, repository: history.Repository, checkout: Path) -> Config:
    """Today's configuration with absolute source roots (inside the repository, as `_scope`
    checked) moved into the checkout."""
    toplevel = repository.toplevel.resolve()
    roots = []
    for source_root in config.settings.source_roots:
        path = Path(source_root)
        if not path.is_absolute():
            roots.append(source_root)
            continue
        roots.append(str(checkout / path.resolve().relative_to(toplevel)))
    settings = dataclasses.replace(config.settings, source_roots=tuple(roots))
    return config._replace(settings=settings)

