"""Files changed in a git repository since a revision: the input of `check --affected REV`.

Runs `git diff --name-only REV` (committed, staged and unstaged changes against REV) and
`git ls-files --others --exclude-standard` (new files git does not track yet) in the
repository that holds PATH. Only reads the repository; never changes it.

`worktree_view` tells, besides, how the working tree differs from the HEAD commit (the files
git would show as changed, new or ignored): what `check --affected` needs to know whether a
result recorded at an earlier run still holds without looking at every file.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import ArchgraphError

# Variables that would point git at another repository, index or working tree than the one
# holding PATH, or make it read pathspecs other than literally.
_REDIRECTING_VARIABLES = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
    "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_LITERAL_PATHSPECS",
)
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ChangedFiles:
    """Absolute paths of the files changed since `since` (deleted ones included)."""

    since: str
    paths: frozenset[Path]


@dataclass(frozen=True, slots=True)
class WorktreeView:
    """How the working tree differs from its HEAD commit, in repository-relative names.

    A file in none of these sets has the content it has in `head` (as far as git's index,
    which compares each file's stat data and, when in doubt, its content, can tell).
    """

    top: Path  # the repository's working tree (resolved)
    head: str  # the HEAD commit's id
    changed: frozenset[str]  # tracked files whose content differs from HEAD (or that are gone)
    untracked: frozenset[str]  # files git does not track, ignored or not


@dataclass(frozen=True, slots=True)
class GitChanges:
    """The files changed since a revision, and the working tree against HEAD (None when the
    repository has no commit yet)."""

    since_revision: ChangedFiles
    worktree: WorktreeView | None


def changed_files(root: Path, since: str) -> ChangedFiles:
    """The files changed since the revision `since` in the git repository holding `root`.

    Raises:
        ArchgraphError: git is missing, `root` is not in a repository, or `since` is unknown.
    """
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    _check_revision(since)
    return _changed_since(top.resolve(), since, *_diffed(root, since))


def git_changes(root: Path, since: str, folders: Sequence[Path]) -> GitChanges:
    """`changed_files(root, since)`, and the working tree against HEAD; the untracked files
    of the view include the ignored ones under `folders` (absolute paths), where the
    analyzed code is. One `git diff` serves both when `since` is the HEAD commit; the
    commands run side by side (each looks at every file of the tree)."""
    _check_revision(since)
    top_found, head, since_commit = _git_all(
        root,
        [
            ("rev-parse", "--show-toplevel"),
            _commit_query("HEAD"),
            _commit_query(since),
        ],
        may_fail={1, 2},
    )
    top = Path(top_found.strip()).resolve()
    head_id, since_id = _object_id(head), _object_id(since_commit)
    inside = [os.path.relpath(folder, top) for folder in folders]
    viewed = head_id is not None and not any(n == ".." or n.startswith("../") for n in inside)
    commands = [_diff_arguments(since), _UNTRACKED]
    if viewed:
        commands.append(
            ("ls-files", "--others", "--ignored", "--exclude-standard", "--full-name", "-z",
             "--", *_python_files_in(inside))
        )
        if since_id != head_id:
            commands.append(_diff_arguments("HEAD"))
    outputs = _git_all(root, commands)
    since_revision = _changed_since(top, since, outputs[0], outputs[1])
    if not viewed or head_id is None:
        return GitChanges(since_revision, None)  # no commit yet, or code outside the repository
    against_head = outputs[3] if len(outputs) > 3 else outputs[0]
    view = WorktreeView(
        top,
        head_id,
        frozenset(_names(against_head)),
        frozenset(_names(outputs[1])) | frozenset(_names(outputs[2])),
    )
    return GitChanges(since_revision, view)


def tracked_files(top: Path) -> frozenset[str]:
    """The files git's index holds, repository-relative."""
    return frozenset(_names(_git(top, "ls-files", "--cached", "--full-name", "-z")))


def _check_revision(since: str) -> None:
    if since.startswith("-") or "\0" in since:  # would be read as an option, not a revision
        raise ArchgraphError(f"--affected: '{since}' is not a git revision")


# The files of a tree that a scan looks at: modules, stubs, compiled modules, extension modules.
_SCANNED_SUFFIXES = ("py", "pyi", "pyc", "so", "pyd")


def _python_files_in(folders: Sequence[str]) -> list[str]:
    """Pathspecs of the files a scan looks at under the repository-relative folders (their
    names taken literally), but not the compiled files of `__pycache__` (Python's own)."""
    specs = []
    for folder in folders:
        literal = _GLOB_CHARACTERS.sub(r"\\\g<0>", Path(folder).as_posix())
        base = "" if literal == "." else literal + "/"
        specs += [f":(top,glob){base}**/*.{suffix}" for suffix in _SCANNED_SUFFIXES]
        specs.append(f":(top,exclude,glob){base}**/__pycache__/**")
    return specs


_GLOB_CHARACTERS = re.compile(r"[*?\[\]\\]")
_UNTRACKED = ("ls-files", "--others", "--exclude-standard", "--full-name", "-z")


def _diffed(root: Path, since: str) -> tuple[str, str]:
    """The names `git diff` and `git ls-files --others` give (changed since `since`, new)."""
    diffed, untracked = _git_all(root, [_diff_arguments(since), _UNTRACKED])
    return diffed, untracked


def _diff_arguments(since: str) -> tuple[str, ...]:
    # -z: names are NUL-separated and never quoted, whatever characters they contain.
    return ("diff", "--name-only", "--no-relative", "--no-renames", "-z", since, "--")


def _changed_since(top: Path, since: str, diffed: str, untracked: str) -> ChangedFiles:
    names = [*_names(diffed), *_names(untracked)]
    # The paths as the tree has them, links not followed: a symlinked module added by the
    # change is the link's path (resolving it led outside the tree, out of the scope).
    return ChangedFiles(since, frozenset(top / name for name in names))


def _names(output: str) -> list[str]:
    return [name for name in output.split("\0") if name]


def _commit_query(revision: str) -> tuple[str, ...]:
    return ("rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")


def _object_id(output: str | None) -> str | None:
    found = (output or "").strip()
    return found if _OBJECT_ID.fullmatch(found) else None


def _git(root: Path, *args: str) -> str:
    return _git_all(root, [args])[0]


def _git_all(
    root: Path, commands: Sequence[tuple[str, ...]], may_fail: Collection[int] = ()
) -> list[str]:
    """The output of each git command, run side by side in the repository holding `root`;
    a command of `may_fail` that fails gives an empty output, any other raises."""
    environment = {k: v for k, v in os.environ.items() if k not in _REDIRECTING_VARIABLES}
    started = []
    try:
        for args in commands:
            started.append(
                subprocess.Popen(
                    ["git", "-C", str(root), *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    stdin=subprocess.DEVNULL,
                    env=environment,
                )
            )
    except FileNotFoundError:
        for process in started:
            process.kill()
            process.wait()
        raise ArchgraphError("--affected needs git, which was not found on PATH") from None
    finished = [process.communicate() for process in started]
    outputs = []
    for index, (args, process, (stdout, stderr)) in enumerate(
        zip(commands, started, finished, strict=True)
    ):
        if process.returncode != 0:
            if index in may_fail:
                outputs.append("")
                continue
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            shown = args[:2]
            raise ArchgraphError(
                f"--affected: `git {' '.join(shown)}` failed in {root}: "
                + (detail[0] if detail else f"exit code {process.returncode}")
            )
        outputs.append(stdout.decode("utf-8", "surrogateescape"))
    return outputs
