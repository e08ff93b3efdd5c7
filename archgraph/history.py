"""Git access for `archgraph trend`: list the commits of a range and materialise their trees.

Each commit's tree is written into a private directory through a private index file
(`GIT_INDEX_FILE` + `--work-tree` + `git read-tree --reset -u`), so the user's working tree,
index, branches and worktree list are never touched. Moving that checkout from one commit to
the next rewrites only the files that differ: unchanged files keep their size and mtime, which
is what the scan caches (grimp's, archgraph's facts and class model) are keyed by, so each
further commit costs only its changes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import ArchgraphError
from archgraph.model.trend import CommitInfo

# The files whose content or place can change what the scan sees: modules, and symlinks, which
# can bring whole directories of modules in or out.
_ANALYZED_SUFFIXES = (".py",)
_SYMLINK_MODE = "120000"
# Variables that would point git at another repository, index or working tree than ours.
_REDIRECTING_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX")
_FIELD = "\x1f"


@dataclass(frozen=True, slots=True)
class Repository:
    """The git repository holding PATH, and where PATH sits inside it."""

    toplevel: Path
    git_dir: Path
    prefix: str  # PATH relative to the top level, '' or 'sub/dir' (posix)


def _environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in _REDIRECTING_VARIABLES}
    environment.update(extra or {})
    return environment


def _git(
    arguments: Sequence[str], cwd: Path, environment: Mapping[str, str] | None = None
) -> str:
    """Run git and return its standard output; a failure becomes an ArchgraphError."""
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            env=_environment(environment),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise ArchgraphError("git is not installed (archgraph trend reads the history with git)") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip() or f"exit code {completed.returncode}"
        raise ArchgraphError(f"git {arguments[0]} failed: {message}")
    return completed.stdout.decode("utf-8", "replace")


def locate(path: Path) -> Repository:
    """The repository that holds `path` (a directory)."""
    try:
        output = _git(["rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-prefix"], path)
    except ArchgraphError as error:
        raise ArchgraphError(f"{path} is not inside a git repository ({error})") from None
    toplevel, git_dir, prefix = (output.splitlines() + ["", "", ""])[:3]
    if not toplevel:
        raise ArchgraphError(f"{path} is not inside a git working tree (a bare repository?)")
    return Repository(Path(toplevel), Path(git_dir), prefix.strip("/"))


def commits(repository: Repository, revisions: str, first_parent: bool = False) -> tuple[CommitInfo, ...]:
    """The commits of `revisions` (`git rev-list --reverse`), oldest first."""
    arguments = ["rev-list", "--reverse", f"--format=%cI{_FIELD}%s"]
    if first_parent:
        arguments.append("--first-parent")
    # --end-of-options: a range that starts with '-' is a revision, never an option.
    output = _git([*arguments, "--end-of-options", revisions, "--"], repository.toplevel)
    found = []
    lines = iter(output.splitlines())
    for header in lines:
        if not header.startswith("commit "):
            continue
        date, _, subject = next(lines, "").partition(_FIELD)
        found.append(CommitInfo(header.removeprefix("commit ").strip(), date, subject))
    return tuple(found)


def python_changed(repository: Repository, old: str, new: str) -> bool:
    """Whether a Python file (or a symlink) differs between two commits."""
    output = _git(["diff-tree", "-r", "-z", "--no-renames", old, new], repository.toplevel)
    fields = output.split("\0")
    # Raw format, -z: ':old_mode new_mode old_sha new_sha status' NUL path NUL, repeated.
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        modes = status.lstrip(":").split(" ")[:2]
        if path.endswith(_ANALYZED_SUFFIXES) or _SYMLINK_MODE in modes:
            return True
    return False


class Checkout:
    """A commit's tree in a private directory, moved from commit to commit in place.

    Only this object writes there; archgraph's caches must live elsewhere, because untracked
    files in the directory are left alone but would be scanned.
    """

    def __init__(self, repository: Repository, directory: Path) -> None:
        self.repository = repository
        self.directory = directory / "tree"
        self._index = directory / "index"
        self.sha: str | None = None

    @property
    def root(self) -> Path:
        """Where PATH is in the checkout."""
        return self.directory / self.repository.prefix if self.repository.prefix else self.directory

    def switch(self, sha: str) -> None:
        """Make the directory hold the tree of `sha`, rewriting only what differs."""
        self.directory.mkdir(parents=True, exist_ok=True)
        _git(
            [
                f"--git-dir={self.repository.git_dir}",
                f"--work-tree={self.directory}",
                # The user's sparse-checkout and fsmonitor settings describe their own working
                # tree, not this one: every file of the commit is wanted here.
                "-c", "core.sparseCheckout=false",
                "-c", "core.fsmonitor=false",
                "read-tree", "--reset", "-u", sha,
            ],
            self.directory,
            {"GIT_INDEX_FILE": str(self._index)},
        )
        self.sha = sha
