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
import re
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from archgraph.diagnostics import ArchgraphError
from archgraph.trend.entries import MAX_LINK_TARGET, SYMLINK_MODE, TreeEntries, TreeEntry, shown
from archgraph.trend.folder import CheckoutFolder, holds_blob
from archgraph.trend.points import CommitInfo

# The files whose content or place can change what the scan sees: modules, and symlinks, which
# can bring whole directories of modules in or out.
_ANALYZED_SUFFIXES = (b".py",)
_REGULAR_MODES = ("100644", "100755")
# Variables that would point git at another repository, index or working tree than ours.
_REDIRECTING_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
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

    def asked(option: str) -> str:
        # One question a run: an answer is a path, which may hold any character but NUL, so
        # only the one newline git ends it with is taken off (never split on line breaks).
        return os.fsdecode(_git_bytes(["rev-parse", option], path).removesuffix(b"\n"))

    try:
        toplevel = asked("--show-toplevel")
    except ArchgraphError as error:
        raise ArchgraphError(f"{path} is not inside a git repository ({error})") from None
    if not toplevel:
        raise ArchgraphError(f"{path} is not inside a git working tree (a bare repository?)")
    return Repository(Path(toplevel), Path(asked("--absolute-git-dir")), asked("--show-prefix").strip("/"))


def commits(repository: Repository, revisions: str, first_parent: bool = False) -> tuple[CommitInfo, ...]:
    """The commits of `revisions` (`git rev-list --reverse`), oldest first."""
    # Fields end with NUL, the one character a subject cannot hold: a subject with U+2028 or
    # \x1c-\x1e (line breaks to str.splitlines) must not split a commit in two.
    arguments = ["rev-list", "--reverse", "--no-commit-header", "--format=%H%x00%cI%x00%s%x00"]
    if first_parent:
        arguments.append("--first-parent")
    # --end-of-options: a range that starts with '-' is a revision, never an option.
    output = _git_bytes([*arguments, "--end-of-options", revisions, "--"], repository.toplevel)
    *records, rest = output.split(b"\0")
    if rest.strip() or len(records) % 3:
        raise ArchgraphError(f"git rev-list gave output trend cannot read: {output[-80:]!r}")
    found = []
    for sha, date, subject in zip(records[0::3], records[1::3], records[2::3], strict=True):
        sha_text = sha.decode("ascii", "replace").strip()  # each record after the first starts with a newline
        if not _OBJECT_ID.fullmatch(sha_text):
            raise ArchgraphError(f"git rev-list gave output trend cannot read: {sha[:80]!r}")
        found.append(CommitInfo(sha_text, date.decode("ascii", "replace"), subject.decode("utf-8", "replace")))
    return tuple(found)


def _analyzed(mode: str, path: bytes) -> bool:
    """A file the scan reads: a Python file, or a symlink (it may lead to a package)."""
    if mode == SYMLINK_MODE:
        return True
    return mode.startswith("100") and path.endswith(_ANALYZED_SUFFIXES)


class Checkout:
    """The Python files of one commit in a private directory, moved from commit to commit.

    Only the files the scan reads are written: `.py` files and symlinks (which can bring whole
    directories in), under the given scope (repository-relative folders; empty: everything).
    Blobs come from one `git cat-file --batch` process, as stored (no filter, no line-ending
    conversion), for every commit alike. Moving to another commit compares the two trees and
    rewrites only the files that differ, so the others keep their size and mtime, which the
    scan caches are keyed by. Use it as a context manager.

    The trees are untrusted: only the entries `entries.admit` lets through are written, every
    write and removal checks that the folders on its way are folders this checkout made (never
    a link), and what was left out of the last commit is in `refused`.
    """

    def __init__(
        self, repository: Repository, directory: Path, scope: Sequence[str] = (), *, link: bool = True
    ) -> None:
        """`link`: the first commit's files that the working tree holds unchanged are linked
        to, not copied (see `_link_from_worktree`)."""
        self.repository = repository
        self.link = link
        self.directory = directory / "tree"
        self._folder = CheckoutFolder(self.directory)
        self.scope = tuple(scope)
        self.sha: str | None = None
        self._files: dict[str, TreeEntry] = {}  # what the checkout holds of the last commit
        self._failed: dict[str, str] = {}  # path -> why: admitted entries the last switch could not write
        self._targets: dict[str, bytes | None] = {}  # link blobs read so far, by object id
        parts = repository.prefix.split("/") if repository.prefix else []
        self._entries_of_tree = TreeEntries(
            {"/".join(parts[:count]) for count in range(1, len(parts) + 1)}, self._link_targets
        )
        self._reader: subprocess.Popen[bytes] | None = None
        self._clock = 0  # the mtime (ns) given to the files of the last switch after the first
        self._comparer: ThreadPoolExecutor | None = None
        self._ahead: tuple[tuple[str, str], Future[_Changes]] | None = None

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
        candidates = self._listing(sha) | set(self._failed)  # the paths whose file may differ
        wanted = self._entries_of_tree.admitted
        removed = [path for path in candidates if path in self._files and path not in wanted]
        changed = [path for path in candidates if path in wanted and self._files.get(path) != wanted[path]]
        for path in removed:
            self._folder.remove(path)
            del self._files[path]
        blocked = self._folder.make_folders({path.rpartition("/")[0] for path in changed})
        failed = {path: "its folder is not a folder in the checkout" for path in changed
                  if path.rpartition("/")[0] in blocked}
        changed_files = sorted(path for path in changed if path not in failed and wanted[path][0] != SYMLINK_MODE)
        written = changed_files
        if self.sha is None and self.link:
            linked = self._link_from_worktree(changed_files, wanted)
            written = [path for path in changed_files if path not in linked]
        if self.sha is not None:
            # The scan caches tell a file's versions apart by (size, mtime); the file system's
            # clock ticks every few milliseconds, and two commits can be measured within one
            # tick. Each commit's files get an mtime of their own, a millisecond or more apart.
            self._clock = max(time.time_ns(), self._clock + 1_000_000)
        failed.update(self._write_files(written, wanted))
        for path in changed:
            if path not in failed and wanted[path][0] == SYMLINK_MODE:
                problem = self._folder.write_link(path, self._entries_of_tree.link_targets[path])
                if problem is not None:
                    failed[path] = problem
        for path in changed:
            if path in failed:
                self._files.pop(path, None)
            else:
                self._files[path] = wanted[path]
        self._failed = failed
        self.sha = sha
        if then is not None:
            if self._comparer is None:
                self._comparer = ThreadPoolExecutor(max_workers=1)
            self._ahead = ((sha, then), self._comparer.submit(self._changes, sha, then))
        return tuple(sorted([*removed, *changed]))

    @property
    def refused(self) -> tuple[str, ...]:
        """'path: why' for each analyzed entry of the last commit that the checkout left out
        (the path escaped), sorted."""
        failed = [f"{shown(path.encode('utf-8'))}: {why}" for path, why in self._failed.items()]
        return tuple(sorted([*self._entries_of_tree.refused, *failed]))

    def _listing(self, sha: str) -> set[str]:
        """Bring `_entries_of_tree` to the commit's tree; the paths whose admission may differ.

        The last listing takes the changes git reports; the whole tree is listed again when
        there is no last listing, the last tree held a path twice, or the changes do not fit
        the last listing (only trees git itself would not write do that).
        """
        known = self._entries_of_tree
        if self.sha is None or known.duplicates:
            return known.replace(*self._entries(sha))
        ahead, self._ahead = self._ahead, None
        changes = ahead[1].result() if ahead is not None and ahead[0] == (self.sha, sha) else None
        if changes is None:
            changes = self._changes(self.sha, sha)
        applied: dict[bytes, TreeEntry | None] = {}
        for path, before, after in changes:
            if path in applied or known.listed.get(path) != before:
                return known.replace(*self._entries(sha))
            applied[path] = after
        return known.apply(applied)

    def _link_targets(self, object_ids: Sequence[str]) -> dict[str, bytes | None]:
        """The contents of link blobs by object id (None: too long to be a link's target)."""
        unread = [object_id for object_id in object_ids if object_id not in self._targets]
        self._targets.update(zip(unread, self._blobs(unread, limit=MAX_LINK_TARGET), strict=True))
        return {object_id: self._targets[object_id] for object_id in object_ids}

    def _write_files(self, paths: Sequence[str], wanted: Mapping[str, TreeEntry]) -> dict[str, str]:
        """Write the regular files from git's objects; why each that could not be written failed."""
        contents = self._blobs([wanted[path][1] for path in paths])
        # Only the first commit's files may keep the time they are written at, see `switch`.
        mtime = None if self.sha is None else self._clock

        def write(path: str, content: bytes | None) -> str | None:
            assert content is not None  # no limit was asked for
            return self._folder.write_file(path, content, mtime)

        if len(paths) < _PARALLEL_WRITES:
            problems = [write(path, content) for path, content in zip(paths, contents, strict=True)]
        else:
            # Creating a file waits on the file system (about 1 ms each on a busy disk); a few
            # threads overlap the waits. The first commit writes every file.
            with ThreadPoolExecutor(max_workers=4) as pool:
                writes = [pool.submit(write, path, content) for path, content in zip(paths, contents, strict=True)]
            problems = [done.result() for done in writes]
        return {path: problem for path, problem in zip(paths, problems, strict=True) if problem is not None}

    def _link_from_worktree(self, paths: Sequence[str], wanted: Mapping[str, TreeEntry]) -> set[str]:
        """Hard-link the files whose working-tree copy holds the very blob wanted instead of
        writing them: a link is one directory entry, a new file costs more (Home Assistant's
        8,800 files on a slow disk: 0.25 s against 3 s). The paths linked.

        git picks the candidates (in the index, not modified (`git status`), not marked
        assume-unchanged or skip-worktree), and each linked file is then hashed as git would
        hash it raw: a file that a clean/smudge filter (git-lfs, git-crypt), a line-ending
        conversion or a stale index makes differ from the blob is written from the blob,
        as every later commit's files are. Only files reached through real folders of the
        working tree are linked (a folder there that is a link may lead anywhere).

        A linked file is the user's file: nothing here writes into one (`_write` replaces a
        file, `_remove` unlinks it, and only written files get an mtime). Where linking fails
        (another file system), the files are written.
        """
        clean = self._clean_worktree_blobs()
        linked: set[str] = set()
        toplevel = self.repository.toplevel
        real_top = os.path.realpath(toplevel)
        real_folders: dict[str, bool] = {}
        for path in paths:
            mode, object_id = wanted[path]
            if mode not in _REGULAR_MODES or clean.get(path) != object_id:
                continue
            folder = path.rpartition("/")[0]
            if folder not in real_folders:
                expected = os.path.join(real_top, folder) if folder else real_top
                real_folders[folder] = os.path.realpath(toplevel / folder) == expected
            if not real_folders[folder]:
                continue
            target = self.directory / path
            try:
                os.link(toplevel / path, target, follow_symlinks=False)
            except FileExistsError:
                continue
            except OSError:
                break  # another file system, or links not allowed: write them all
            if holds_blob(target, object_id):
                linked.add(path)
            else:
                target.unlink()
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

    def _entries(self, sha: str) -> tuple[dict[bytes, TreeEntry], frozenset[bytes]]:
        """Every analyzed file of a commit (raw path -> entry), and the paths listed twice."""
        output = _git_bytes(
            ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", sha, "--", *self._pathspecs()],
            self.repository.toplevel,
        )
        entries: dict[bytes, TreeEntry] = {}
        duplicates = set()
        for record in output.split(b"\0"):
            if not record:
                continue
            info, _, path = record.partition(b"\t")
            mode, kind, object_id = info.decode("ascii").split(" ")
            if kind == "blob" and _analyzed(mode, path):
                if path in entries:
                    duplicates.add(path)
                entries[path] = (mode, object_id)
        return entries, frozenset(duplicates)

    def _changes(self, old: str, new: str) -> _Changes:
        """(raw path, analyzed entry at `old`, analyzed entry at `new`; None: not an analyzed
        file there) for each path that differs; a few lines of output instead of the whole tree."""
        output = _git_bytes(
            ["--literal-pathspecs", "diff-tree", "-r", "-z", "--no-renames", old, new, "--", *self._pathspecs()],
            self.repository.toplevel,
        )
        fields = output.split(b"\0")
        changes: _Changes = []
        # -z raw format: ':old_mode new_mode old_id new_id status' NUL path NUL, repeated.
        for status, path in zip(fields[0::2], fields[1::2], strict=False):
            old_mode, new_mode, old_id, new_id, _kind = status.decode("ascii").lstrip(":").split(" ")
            before = (old_mode, old_id) if old_id.strip("0") and _analyzed(old_mode, path) else None
            after = (new_mode, new_id) if new_id.strip("0") and _analyzed(new_mode, path) else None
            changes.append((path, before, after))
        return changes

    def _blobs(self, object_ids: Sequence[str], limit: int | None = None) -> Iterator[bytes | None]:
        """The contents of the objects, in order, from one long-lived `git cat-file --batch`;
        None for an object larger than `limit` bytes (not kept in memory).

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
                if len(header) != 3 or not header[2].isdigit():
                    raise ArchgraphError(
                        f"git cat-file cannot read object {object_id}: {' '.join(header)}"
                    )
                size = int(header[2])
                if limit is not None and size > limit:
                    while size > 0:  # read past it, a megabyte at a time
                        chunk = reader.stdout.read(min(size, 1 << 20))
                        if not chunk:
                            raise ArchgraphError(f"git cat-file stopped in the middle of object {object_id}")
                        size -= len(chunk)
                    content = None
                else:
                    content = reader.stdout.read(size)
                reader.stdout.read(1)  # the newline after each object
                yield content
        finally:
            writer.join()

_Changes = list[tuple[bytes, TreeEntry | None, TreeEntry | None]]


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
