"""Git access for `archgraph trend`: list the commits of a range and materialise their files.

Only reading commands run against the repository (`rev-list`, `ls-tree`, `cat-file`): the
user's working tree, index, branches and worktree list are never touched. A commit's Python
files are written into a private directory from the object database; moving that directory
from one commit to the next rewrites only the files that differ, so unchanged files keep their
size and mtime, which is what the scan caches (grimp's, archgraph's facts and class model) are
keyed by: each further commit costs only its changes.

Why not `git worktree add` or `read-tree -u` with a private index: the first registers a
worktree in the user's repository, and both write every file of the commit (Django: 3,700
files, 900 of them Python, in 2,400 folders, mostly translations) and re-hash "racily clean"
files at every move; writing only what the scan reads is several times cheaper.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from archgraph.diagnostics import ArchgraphError
from archgraph.trend.points import CommitInfo

# The files whose content or place can change what the scan sees: modules, and symlinks, which
# can bring whole directories of modules in or out.
_ANALYZED_SUFFIXES = (".py",)
_SYMLINK_MODE = "120000"
_REGULAR_MODES = ("100644", "100755")
# Variables that would point git at another repository, index or working tree than ours.
_REDIRECTING_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX")
_FIELD = "\x1f"
_PARALLEL_WRITES = 64  # from this many files on, write them from a few threads


@dataclass(frozen=True, slots=True)
class Repository:
    """The git repository holding PATH, and where PATH sits inside it."""

    toplevel: Path
    git_dir: Path
    prefix: str  # PATH relative to the top level, '' or 'sub/dir' (posix)


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _REDIRECTING_VARIABLES}


def _git(arguments: Sequence[str], cwd: Path) -> str:
    """Run git and return its standard output as text; a failure becomes an ArchgraphError."""
    return _git_bytes(arguments, cwd).decode("utf-8", "replace")


def _git_bytes(arguments: Sequence[str], cwd: Path) -> bytes:
    """Run git and return its standard output; a failure becomes an ArchgraphError."""
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            env=_environment(),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise ArchgraphError("git is not installed (archgraph trend reads the history with git)") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip() or f"exit code {completed.returncode}"
        command = next(a for a in arguments if not a.startswith("-"))
        raise ArchgraphError(f"git {command} failed: {message}")
    return completed.stdout


def locate(path: Path) -> Repository:
    """The repository that holds `path` (a directory)."""
    try:
        output = _git(["rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-prefix"], path)
    except ArchgraphError as error:
        raise ArchgraphError(f"{path} is not inside a git repository ({error})") from None
    toplevel, git_dir, prefix = ([*output.splitlines(), "", "", ""])[:3]
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


TreeEntry = tuple[str, str]  # (mode, object id)


def _analyzed(mode: str, path: str) -> bool:
    """A file the scan reads: a Python file, or a symlink (it may lead to a package)."""
    if mode == _SYMLINK_MODE:
        return True
    return mode.startswith("100") and path.endswith(_ANALYZED_SUFFIXES)


class Checkout:
    """The Python files of one commit in a private directory, moved from commit to commit.

    Only the files the scan reads are written: `.py` files and symlinks (which can bring whole
    directories in), under the given scope (repository-relative folders; empty: everything).
    Blobs come from one `git cat-file --batch` process. Moving to another commit compares the
    two trees and rewrites only the files that differ, so the others keep their size and mtime,
    which the scan caches are keyed by. Use it as a context manager.
    """

    def __init__(
        self, repository: Repository, directory: Path, scope: Sequence[str] = (), *, link: bool = True
    ) -> None:
        """`link`: the first commit's files that the working tree holds unchanged are linked
        to, not copied (see `_link_from_worktree`)."""
        self.repository = repository
        self.link = link
        self.directory = directory / "tree"
        self.scope = tuple(scope)
        self.sha: str | None = None
        self._files: dict[str, TreeEntry] = {}
        self._reader: subprocess.Popen[bytes] | None = None
        self._clock = 0  # the mtime (ns) given to the files of the last switch after the first
        self._comparer: ThreadPoolExecutor | None = None
        self._ahead: tuple[tuple[str, str], Future[list[tuple[str, TreeEntry | None]]]] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._comparer is not None:
            self._comparer.shutdown(wait=True, cancel_futures=True)
            self._comparer, self._ahead = None, None
        reader, self._reader = self._reader, None
        if reader is not None and reader.stdin is not None:
            reader.stdin.close()
            reader.wait()

    @property
    def root(self) -> Path:
        """Where PATH is in the checkout."""
        return self.directory / self.repository.prefix if self.repository.prefix else self.directory

    def object_of(self, path: Path) -> str | None:
        """git's object id of the file at `path` (relative to `root`) as the last switch wrote
        it: an id that names its bytes, wherever and whenever they occur. None for anything but
        a regular file: a symlink's id names the path it holds, not the bytes read through it."""
        relative = path.as_posix()
        if self.repository.prefix:
            relative = f"{self.repository.prefix}/{relative}"
        entry = self._files.get(relative)
        return entry[1] if entry is not None and entry[0] in _REGULAR_MODES else None

    def switch(self, sha: str, then: str | None = None) -> tuple[str, ...]:
        """Make the directory hold the analyzed files of `sha`; the files written or removed
        (repository-relative posix paths, sorted; empty when none changed).

        `then`: the commit the next switch will go to; git compares it with `sha` meanwhile
        (a process of its own: a few milliseconds a commit the caller need not wait for).
        """
        touched: Iterable[str]  # the paths that may differ from the last switch's
        if self.sha is None:
            wanted = touched = self._entries(sha)
        else:
            wanted = dict(self._files)
            ahead, self._ahead = self._ahead, None
            changes = ahead[1].result() if ahead is not None and ahead[0] == (self.sha, sha) else None
            if changes is None:
                changes = self._changes(self.sha, sha)
            for path, entry in changes:
                if entry is None:
                    wanted.pop(path, None)
                else:
                    wanted[path] = entry
            touched = [path for path, _entry in changes]
        removed = [path for path in touched if path in self._files and path not in wanted]
        changed = [path for path in touched if path in wanted and self._files.get(path) != wanted[path]]
        for path in removed:
            self._remove(path)
        for folder in sorted({(self.directory / path).parent for path in changed}):
            folder.mkdir(parents=True, exist_ok=True)
        written = changed
        if self.sha is None and self.link:
            linked = self._link_from_worktree(changed, wanted)
            written = [path for path in changed if path not in linked]
        contents = self._blobs([wanted[path][1] for path in written])
        if self.sha is not None:
            # The scan caches tell a file's versions apart by (size, mtime); the file system's
            # clock ticks every few milliseconds, and two commits can be measured within one
            # tick. Each commit's files get an mtime of their own, a millisecond or more apart.
            self._clock = max(time.time_ns(), self._clock + 1_000_000)
        if len(written) < _PARALLEL_WRITES:
            for path, content in zip(written, contents, strict=True):
                self._write(path, wanted[path][0], content)
        else:
            # Creating a file waits on the file system (about 1 ms each on a busy disk); a few
            # threads overlap the waits. The first commit writes every file.
            with ThreadPoolExecutor(max_workers=4) as pool:
                writes = [
                    pool.submit(self._write, path, wanted[path][0], content)
                    for path, content in zip(written, contents, strict=True)
                ]
            for write in writes:
                write.result()
        self._files = wanted
        self.sha = sha
        if then is not None:
            if self._comparer is None:
                self._comparer = ThreadPoolExecutor(max_workers=1)
            self._ahead = ((sha, then), self._comparer.submit(self._changes, sha, then))
        return tuple(sorted([*removed, *changed]))

    def _link_from_worktree(self, paths: Sequence[str], wanted: Mapping[str, TreeEntry]) -> set[str]:
        """Hard-link the files whose working-tree copy holds the very blob wanted (git says so:
        in the index, not modified (`git status`), not marked assume-unchanged or skip-worktree) instead of
        writing them: a link is one directory entry, a new file costs more (Home Assistant's
        8,800 files on a slow disk: 0.25 s against 3 s). The paths linked.

        A linked file is the user's file: nothing here writes into one (`_write` replaces a
        file, `_remove` unlinks it, and only written files get an mtime). Where linking fails
        (another file system), the files are written.
        """
        clean = self._clean_worktree_blobs()
        linked: set[str] = set()
        toplevel = self.repository.toplevel
        for path in paths:
            mode, object_id = wanted[path]
            if mode not in _REGULAR_MODES or clean.get(path) != object_id:
                continue
            try:
                os.link(toplevel / path, self.directory / path, follow_symlinks=False)
            except FileExistsError:
                continue
            except OSError:
                break  # another file system, or links not allowed: write them all
            linked.add(path)
        return linked

    def _clean_worktree_blobs(self) -> dict[str, str]:
        """path -> blob id of the working tree's files that hold their index version."""
        pathspecs = ["--", *self._pathspecs()]
        toplevel = self.repository.toplevel
        try:
            listed = _git_bytes(["--literal-pathspecs", "ls-files", "-s", "-v", "-z", *pathspecs], toplevel)
            # status, not diff-files: a file whose stat data the index has not caught up with
            # (after a checkout or a build) is compared by content, in memory: the index is
            # not written (--no-optional-locks).
            status = _git_bytes(
                ["--no-optional-locks", "--literal-pathspecs", "status", "--porcelain=v1", "-z",
                 "--untracked-files=no", "--ignore-submodules=all", *pathspecs],
                toplevel,
            )
        except ArchgraphError:  # a bare repository, a broken index: nothing to link
            return {}
        modified = _status_paths(status)
        clean = {}
        # -s -v: 'TAG MODE OBJECT STAGE<TAB>PATH'; tag H: tracked, neither assume-unchanged
        # (lowercase) nor skip-worktree (S); stage 0: no merge conflict.
        for record in listed.split(b"\0"):
            info, _, raw_path = record.partition(b"\t")
            fields = info.decode("ascii", "replace").split(" ")
            if len(fields) != 4 or fields[0] != "H" or fields[3] != "0":
                continue
            path = os.fsdecode(raw_path)
            if path not in modified:
                clean[path] = fields[2]
        return clean

    def _pathspecs(self) -> list[str]:
        pathspecs = [f"{folder}/" for folder in self.scope if folder]
        return [] if len(pathspecs) < len(self.scope) else pathspecs  # '' = the whole repository

    def _entries(self, sha: str) -> dict[str, TreeEntry]:
        """Every analyzed file of a commit."""
        output = _git_bytes(
            ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", sha, "--", *self._pathspecs()],
            self.repository.toplevel,
        )
        entries = {}
        for record in output.split(b"\0"):
            if not record:
                continue
            info, _, raw_path = record.partition(b"\t")
            mode, kind, object_id = info.decode("ascii").split(" ")
            path = os.fsdecode(raw_path)
            if kind == "blob" and _analyzed(mode, path):
                entries[path] = (mode, object_id)
        return entries

    def _changes(self, old: str, new: str) -> list[tuple[str, TreeEntry | None]]:
        """(path, entry at `new`, or None: not an analyzed file there) for each path that differs;
        a few lines of output instead of the whole tree."""
        output = _git_bytes(
            ["--literal-pathspecs", "diff-tree", "-r", "-z", "--no-renames", old, new, "--", *self._pathspecs()],
            self.repository.toplevel,
        )
        fields = output.split(b"\0")
        changes: list[tuple[str, TreeEntry | None]] = []
        # -z raw format: ':old_mode new_mode old_id new_id status' NUL path NUL, repeated.
        for status, raw_path in zip(fields[0::2], fields[1::2], strict=False):
            _old_mode, new_mode, _old_id, new_id, _kind = status.decode("ascii").lstrip(":").split(" ")
            path = os.fsdecode(raw_path)
            analyzed = new_id.strip("0") and _analyzed(new_mode, path)
            changes.append((path, (new_mode, new_id) if analyzed else None))
        return changes

    def _blobs(self, object_ids: Sequence[str]) -> Iterator[bytes]:
        """The contents of the objects, in order, from one long-lived `git cat-file --batch`.

        The questions are written by a thread while the answers are read here: one round trip
        per object cost a millisecond each (900 files: a second) on a busy machine, and writing
        everything first could fill the pipe of answers nobody reads yet.
        """
        if not object_ids:
            return
        if self._reader is None:
            self._reader = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self.repository.toplevel,
                env=_environment(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        reader = self._reader
        assert reader.stdin is not None and reader.stdout is not None
        questions = "".join(f"{object_id}\n" for object_id in object_ids).encode("ascii")
        writer = threading.Thread(target=_ask, args=(reader.stdin, questions), daemon=True)
        writer.start()
        try:
            for object_id in object_ids:
                header = reader.stdout.readline().decode("ascii", "replace").split()
                if len(header) != 3:
                    raise ArchgraphError(
                        f"git cat-file cannot read object {object_id}: {' '.join(header)}"
                    )
                content = reader.stdout.read(int(header[2]))
                reader.stdout.read(1)  # the newline after each object
                yield content
        finally:
            writer.join()

    def _write(self, path: str, mode: str, content: bytes) -> None:
        """Write one file, as a new file (what was there may be a link to the user's file, see
        `_link_from_worktree`: never written into); its folder exists already."""
        target = self.directory / path
        target.unlink(missing_ok=True)
        if mode == _SYMLINK_MODE:
            target.symlink_to(os.fsdecode(content))
        else:
            target.write_bytes(content)
            if self.sha is not None:
                os.utime(target, ns=(self._clock, self._clock))

    def _remove(self, path: str) -> None:
        """Delete the file and the folders it leaves empty (git has no empty folders)."""
        target = self.directory / path
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != self.directory and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _status_paths(status: bytes) -> set[str]:
    """Every path `git status --porcelain=v1 -z` names: 'XY PATH', and after a rename or copy
    ('R' or 'C' in X or Y) the original path as a field of its own."""
    fields = iter(status.split(b"\0"))
    paths = set()
    for field in fields:
        if len(field) < 4:
            continue
        paths.add(os.fsdecode(field[3:]))
        if b"R" in field[:2] or b"C" in field[:2]:
            paths.add(os.fsdecode(next(fields, b"")))
    return paths


def _ask(stream: IO[bytes], questions: bytes) -> None:
    """Write the questions and flush; a reader that died makes `_blobs` fail, not this thread."""
    try:
        stream.write(questions)
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass
