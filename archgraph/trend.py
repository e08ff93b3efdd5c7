"""Use case `archgraph trend`: the contracts and the families analysis at each commit of a range.

History is judged by today's rules: the contracts come from the working tree (or --config), and
each commit's tree is checked out into a private temporary directory (see `history`), never into
the user's working tree. One checkout and one cache folder serve every commit, so a commit
costs its changed files plus the graph work, not a cold scan.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from archgraph import history
from archgraph.app import (
    Progress,
    RunOptions,
    _quiet,
    load_configuration,
    scan_options,
    shown_path,
)
from archgraph.config import Config
from archgraph.diagnostics import ArchgraphError, ContractResult, Diagnostic, Severity
from archgraph.model import ArchModel
from archgraph.model.classes import ClassModelBuild, update_class_model
from archgraph.model.trend import (
    CommitInfo,
    CommitPoint,
    ContractSpec,
    FamilyPoint,
    Trend,
    contract_point,
    family_points,
    sample,
    scan_problem_count,
    unavailable_point,
)
from archgraph.rules import Contract
from archgraph.rules.families import FamiliesQuery
from archgraph.rules.families import analyze as analyze_families
from archgraph.scan import ScanMemory, scan
from archgraph.scan.facts import CACHE_NAME, FactsByContent

CACHE_SUBDIRECTORY = "cache"
# In the repository's git folder (content named by git lives there; the working tree stays as
# it was), or in --cache-dir.
FACTS_BY_CONTENT_NAME = f"trend-{CACHE_NAME}"


def trend(
    root: Path,
    revisions: str,
    options: RunOptions = RunOptions(),  # noqa: B008 - frozen, so a shared default is safe
    every: int = 1,
    first_parent: bool = False,
    progress: Progress = _quiet,
    *,
    with_families: bool = True,
) -> Trend:
    """Measure every `every`-th commit of `revisions` (and the last) with today's contracts.

    `with_families=False` leaves out the families analysis (about half of a commit's cost).
    """
    if every < 1:
        raise ArchgraphError(f"--every must be at least 1, got {every}")
    if not root.is_dir():
        raise ArchgraphError(f"{root} is not a directory")
    root = root.resolve()
    config, contracts = load_configuration(
        root, options.config_files, options.contract_ids, options.from_importlinter
    )
    repository = history.locate(root)
    in_range = history.commits(repository, revisions, first_parent)
    if not in_range:
        raise ArchgraphError(f"no commits in '{revisions}'")
    chosen = sample(in_range, every)
    specs = tuple(ContractSpec(c.id, c.name, c.kind) for c in contracts)
    points: list[CommitPoint] = []
    carried = _Carried()
    with (
        tempfile.TemporaryDirectory(prefix="archgraph-trend-") as temporary,
        history.Checkout(repository, Path(temporary), _scope(config, repository, root)) as checkout,
    ):
        commit_config = _in_checkout(config, repository, checkout.directory)
        checkout_directory = checkout.directory.resolve()
        # The cache lives beside the checkout, not in it (it would be scanned), and not in
        # PATH/.archgraph_cache: its entries are keyed by path and mtime, and files written into
        # a new temporary folder never match them, so a shared cache would only grow. File
        # facts are kept by content (git's object ids) for the next trend, see FactsByContent.
        cache_dir = Path(temporary) / CACHE_SUBDIRECTORY if options.use_cache else None
        by_content = None
        if options.use_cache:
            kept_in = options.cache_dir or repository.git_dir / "archgraph"
            by_content = FactsByContent(kept_in / FACTS_BY_CONTENT_NAME, checkout.object_of)
            carried.scan.facts.by_content = by_content
        for index, commit in enumerate(chosen, start=1):
            progress(f"commit {index}/{len(chosen)} {commit.short_sha} {commit.subject[:60]}")
            following = chosen[index].sha if index < len(chosen) else None
            changed = checkout.switch(commit.sha, then=following)
            carried.edited(checkout_directory / path for path in changed)
            previous = points[-1] if points else None
            if previous is not None and not changed:
                # No Python file changed: the same modules give the same numbers.
                shared = previous.same_as or previous.commit.sha
                points.append(dataclasses.replace(previous, commit=commit, same_as=shared))
                continue
            if not options.use_cache:
                carried = _Carried()  # --no-cache: every commit from scratch
            points.append(
                _measure(commit, checkout, commit_config, contracts, options, cache_dir, specs,
                         carried, with_families)
            )
        if by_content is not None:
            # Room for two versions of the largest tree measured, besides what this run used.
            by_content.save(capacity=2 * max((p.modules or 0 for p in points), default=0))
    return Trend(
        revisions=revisions,
        contracts=specs,
        points=tuple(points),
        config_files=tuple(shown_path(f, root) for f in config.files),
        commits_in_range=len(in_range),
        every=every,
        first_parent=first_parent,
        families_analyzed=with_families,
    )


def _measure(
    commit: CommitInfo,
    checkout: history.Checkout,
    config: Config,
    contracts: Sequence[Contract],
    options: RunOptions,
    cache_dir: Path | None,
    specs: Sequence[ContractSpec],
    carried: _Carried,
    with_families: bool,
) -> CommitPoint:
    """Scan the checkout as it is at `commit`, check each contract, analyze the families;
    what the previous commits' analysis still holds is reused (`carried`)."""
    commit_root = checkout.root
    where = f"the tree of {commit.short_sha}"
    # Only Python files are checked out: a commit without any has no folder, and the scan
    # below says what is missing (the root package) rather than a folder nobody asked about.
    commit_root.mkdir(parents=True, exist_ok=True)
    try:
        scan_opts, _notes = scan_options(commit_root, config, options)
        scan_opts = dataclasses.replace(scan_opts, cache_dir=cache_dir)
        outcome = scan(commit_root, scan_opts, carried.scan)
        results = [carried.result(index, c, outcome.model) for index, c in enumerate(contracts)]
        families: tuple[FamilyPoint, ...] = ()
        if with_families:
            families = carried.families_of(outcome.model)
    except ArchgraphError as error:  # e.g. the root package does not exist yet
        message = str(error)
        for shown in {str(commit_root.resolve()), str(commit_root)}:  # /tmp may be a symlink
            message = message.replace(shown, where)
        return unavailable_point(commit, specs, message)
    return CommitPoint(
        commit=commit,
        modules=len(outcome.model.internal_modules),
        contracts=tuple(contract_point(result) for result in results),
        families=families,
        scan_problems=scan_problem_count(outcome.diagnostics),
    )


class _Carried:
    """What one commit's analysis leaves for the next: the scan's memory (file facts, the import
    graph, the last walk), the contracts' results, the last class model and families. Many
    commits change no import between modules, and then the contracts that read only the module
    graph give the same numbers; most change no class, and then the families are the same too
    (the class model's identity says so)."""

    def __init__(self) -> None:
        self.scan = ScanMemory(edited=set())  # the checkout reports each file it touches
        self.results: dict[int, tuple[object, ContractResult]] = {}  # by the contract's index
        self.build: ClassModelBuild | None = None
        self.families: tuple[FamilyPoint, ...] = ()

    def result(self, index: int, contract: Contract, model: ArchModel) -> ContractResult:
        version = model.graph.imports_version
        kept = self.results.get(index)
        if kept is not None and kept[0] is version and contract.reads_module_graph_only:
            return kept[1]
        result = _check(contract, model)
        self.results[index] = (version, result)
        return result

    def families_of(self, model: ArchModel) -> tuple[FamilyPoint, ...]:
        before = self.build.model if self.build is not None else None
        self.build = update_class_model(self.build, model.facts(), model.files)
        if self.build.model is not before:
            self.families = family_points(analyze_families(self.build.model, FamiliesQuery()))
        return self.families

    def edited(self, paths: Iterable[Path]) -> None:
        """The checkout rewrote or removed these files since the last scan."""
        if self.scan.edited is not None:
            self.scan.edited.update(paths)


def _check(contract: Contract, model: ArchModel) -> ContractResult:
    """A contract's result; one that raises at an old commit is n/a there, not a crash."""
    try:
        return contract.check(model)
    except ArchgraphError as error:
        return contract.result(diagnostics=[Diagnostic("AG310", Severity.ERROR, str(error))])


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
    return dataclasses.replace(config, settings=settings)

