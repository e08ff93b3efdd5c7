"""Files changed in a git repository since a revision: the input of `check --affected REV`.

Runs `git diff --name-only REV` (committed, staged and unstaged changes against REV) and
`git ls-files --others --exclude-standard` (new files git does not track yet) in the
repository that holds PATH. Only reads the repository; never changes it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import ArchgraphError


@dataclass(frozen=True, slots=True)
class ChangedFiles:
    """Absolute paths of the files changed since `since` (deleted ones included)."""

    since: str
    paths: frozenset[Path]


def changed_files(root: Path, since: str) -> ChangedFiles:
    """The files changed since the revision `since` in the git repository holding `root`.

    Raises:
        ArchgraphError: git is missing, `root` is not in a repository, or `since` is unknown.
    """
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    if since.startswith("-"):  # would be read as an option, not a revision
        raise ArchgraphError(f"--affected: '{since}' is not a git revision")
    # -z: names are NUL-separated and never quoted, whatever characters they contain.
    diffed = _git(root, "diff", "--name-only", "--no-renames", "-z", since, "--")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--full-name", "-z")
    names = [name for name in (diffed + untracked).split("\0") if name]
    # The paths as the tree has them, links not followed: a symlinked module added by the
    # change is the link's path (resolving it led outside the tree, out of the scope).
    return ChangedFiles(since, frozenset(top.resolve() / name for name in names))


def _git(root: Path, *args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except FileNotFoundError:
        raise ArchgraphError("--affected needs git, which was not found on PATH") from None
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()
        raise ArchgraphError(
            f"--affected: `git {' '.join(args[:2])}` failed in {root}: "
            + (detail[0] if detail else f"exit code {completed.returncode}")
        )
    return completed.stdout
