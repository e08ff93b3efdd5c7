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
    return PendingChanges(root, since, None).result().since_revision


class PendingChanges:
    """`changed_files(root, since)` and, given `folders` (absolute paths: where the analyzed
    code is), the working tree against HEAD, whose untracked files include the ignored ones
    the scan would look at under `folders`.

    The git commands start at once, side by side (each looks at every file of the tree), and
    run while the caller does other work; `result()` waits for them. One `git diff` serves
    both when `since` names HEAD.
    """

    def __init__(self, root: Path, since: str, folders: Sequence[Path] | None) -> None:
        _check_revision(since)
        self.root, self.since = root, since
        self.viewed = bool(folders) and all(_within(folder, root) for folder in folders or ())
        inside = [os.path.relpath(folder, root) for folder in folders or ()]
        commands = [
            _diff_arguments(since),
            _UNTRACKED,
            # The working tree, and the commits HEAD and `since` name (one process for all).
            ("rev-parse", "--show-toplevel", "HEAD^{commit}", f"{since}^{{commit}}"),
        ]
        if self.viewed:
            commands.append(
                ("ls-files", "--others", "--ignored", "--exclude-standard", "--full-name", "-z",
                 "--", *_python_files_in(inside))
            )
            if since != "HEAD":
                commands.append(_diff_arguments("HEAD"))
        self._running = _GitCommands(root, commands, may_fail={2})

    def result(self) -> GitChanges:
        """The changes (waits for git).

        Raises:
            ArchgraphError: git is missing, `root` is not in a repository, or `since` is unknown.
        """
        outputs = self._running.outputs()
        top, head_id, since_id = self._where(outputs[2])
        since_revision = _changed_since(top, self.since, outputs[0], outputs[1])
        if not self.viewed or head_id is None:
            return GitChanges(since_revision, None)  # code outside `root`, or no commit yet
        if since_id == head_id:
            against_head = outputs[0]
        elif len(outputs) > 4:
            against_head = outputs[4]
        else:  # `since` spells HEAD, which another commit replaced meanwhile
            against_head = _git(self.root, *_diff_arguments("HEAD"))
        view = WorktreeView(
            top,
            head_id,
            frozenset(_names(against_head)),
            frozenset(_names(outputs[1])) | frozenset(_names(outputs[3])),
        )
        return GitChanges(since_revision, view)

    def _where(self, parsed: str) -> tuple[Path, str | None, str | None]:
        """The working tree and the ids of HEAD and `since`, from `git rev-parse` (asked
        again one by one when it failed: a repository without commits, a revision that names
        no commit)."""
        lines = parsed.split("\n")
        if len(lines) == 4 and lines[3] == "":
            return Path(lines[0]).resolve(), _object_id(lines[1]), _object_id(lines[2])
        top = Path(_git(self.root, "rev-parse", "--show-toplevel").strip()).resolve()
        ids = _GitCommands(self.root, [_commit_query("HEAD"), _commit_query(self.since)], {0, 1})
        head, since = ids.outputs()
        return top, _object_id(head), _object_id(since)


def _within(folder: Path, root: Path) -> bool:
    """The folder lies under `root` (pathspecs of git run in `root` cannot leave it)."""
    return not os.path.relpath(folder, root).startswith("..")


def tracked_files(top: Path) -> frozenset[str]:
    """The files git's index holds, repository-relative."""
    return frozenset(_names(_git(top, "ls-files", "--cached", "--full-name", "-z")))


def _check_revision(since: str) -> None:
    if since.startswith("-") or "\0" in since:  # would be read as an option, not a revision
        raise ArchgraphError(f"--affected: '{since}' is not a git revision")


# The files of a tree that a scan looks at: modules, stubs, compiled modules, extension modules.
_SCANNED_SUFFIXES = ("py", "pyi", "pyc", "so", "pyd")


def _python_files_in(folders: Sequence[str]) -> list[str]:
    """Pathspecs of the files a scan looks at under the folders (relative to where git runs,
    their names taken literally)."""
    specs = []
    for folder in folders:
        literal = _GLOB_CHARACTERS.sub(r"\\\g<0>", Path(folder).as_posix())
        base = "" if literal == "." else literal + "/"
        specs += [f":(glob){base}**/*.{suffix}" for suffix in _SCANNED_SUFFIXES]
        # Python's own compiled files (`m.cpython-312.pyc`): the walk names no module after
        # them, and a tree that was run holds one per module.
        specs.append(f":(exclude,glob){base}**/__pycache__/*.*.pyc")
    return specs


_GLOB_CHARACTERS = re.compile(r"[*?\[\]\\]")
_UNTRACKED = ("ls-files", "--others", "--exclude-standard", "--full-name", "-z")


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
    return _GitCommands(root, [args]).outputs()[0]


class _GitCommands:
    """Git commands running side by side in the repository holding `root`."""

    def __init__(
        self, root: Path, commands: Sequence[tuple[str, ...]], may_fail: Collection[int] = ()
    ) -> None:
        """`may_fail`: the positions of commands whose failure gives an empty output (any
        other's failure raises, see `outputs`)."""
        self.root, self.commands, self.may_fail = root, list(commands), may_fail
        environment = {k: v for k, v in os.environ.items() if k not in _REDIRECTING_VARIABLES}
        self.started: list[subprocess.Popen[bytes]] = []
        try:
            for args in self.commands:
                self.started.append(
                    subprocess.Popen(
                        ["git", "-C", str(root), *args],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        stdin=subprocess.DEVNULL,
                        env=environment,
                    )
                )
        except FileNotFoundError:
            self._reap()
            raise ArchgraphError("--affected needs git, which was not found on PATH") from None
        except BaseException:
            self._reap()
            raise

    def _reap(self) -> None:
        for process in self.started:
            process.kill()
            process.communicate()

    def outputs(self) -> list[str]:
        """Each command's output, once all have finished.

        Raises:
            ArchgraphError: a command not allowed to fail failed.
        """
        try:
            finished = [process.communicate() for process in self.started]
        except BaseException:
            self._reap()
            raise
        outputs = []
        for index, (args, process, (stdout, stderr)) in enumerate(
            zip(self.commands, self.started, finished, strict=True)
        ):
            if process.returncode != 0:
                if index in self.may_fail:
                    outputs.append("")
                    continue
                detail = stderr.decode("utf-8", "replace").strip().splitlines()
                raise ArchgraphError(
                    f"--affected: `git {' '.join(args[:2])}` failed in {self.root}: "
                    + (detail[0] if detail else f"exit code {process.returncode}")
                )
            outputs.append(stdout.decode("utf-8", "surrogateescape"))
        return outputs
