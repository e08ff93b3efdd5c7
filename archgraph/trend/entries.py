"""Which entries of a commit's tree the checkout writes, and why it leaves the others out.

A commit's tree is input from whoever pushed it. `git mktree` and `git hash-object -t tree
--literally` store entries that git itself never checks out: a name `..`, `.`, `.git` or empty, a
name holding `/` (after `ls-tree -r`, a path that starts with `/` or climbs with `..`), the same
name twice (a link `x` to a folder outside and a folder `x`), names that are not UTF-8, links to
anywhere. Written as they come, such entries put, replace and delete files outside the checkout.

So the checkout writes an entry only when its path is one git would check out, no other entry
needs that place as a folder, and, for a link, following it never steps out of the checkout
(decided here from the tree itself, the way the kernel would follow it, before anything is
written). Everything left out is reported, so a trend that skipped part of a tree says so.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence

from archgraph.diagnostics import visible

TreeEntry = tuple[str, str]  # (mode, object id)
SYMLINK_MODE = "120000"
# Longer link targets than the kernel takes (PATH_MAX) are not read: a link blob can be any size.
MAX_LINK_TARGET = 4095
_LINK_HOPS = 40  # the kernel's limit too: beyond it, following fails (ELOOP) and leads nowhere


def shown(raw_path: bytes) -> str:
    """A path from git as a log or report may show it: undecodable bytes and control characters
    written as escapes."""
    return visible(raw_path.decode("utf-8", "backslashreplace"))


def path_problem(raw_path: bytes) -> str | None:
    """Why a repository-relative path from a tree cannot be checked out as it is, or None."""
    try:
        path = raw_path.decode("utf-8")
    except UnicodeDecodeError:
        return "the name is not valid UTF-8"
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return (f"a '{part}' entry would step out of its folder" if part == ".." else
                    f"a '{part}' entry names its own folder" if part == "." else
                    "an entry has an empty name or one holding '/'")
        if part.lower() == ".git":
            return "git never checks out an entry named '.git'"
        if "\0" in part:
            return "the name holds a NUL character"
    return None


class TreeEntries:
    """A commit's analyzed entries as git lists them, and those the checkout writes (`admitted`),
    kept from commit to commit: a change costs its own paths, not the tree's size.

    `reserved`: folders the checkout needs (where PATH is), which no file or link may take.
    `read_targets`: the contents of link blobs by object id (None: longer than MAX_LINK_TARGET).
    """

    def __init__(
        self, reserved: Collection[str], read_targets: Callable[[Sequence[str]], Mapping[str, bytes | None]]
    ) -> None:
        self._reserved = frozenset(reserved)
        self._read_targets = read_targets
        self._clear()

    def _clear(self) -> None:
        self.listed: dict[bytes, TreeEntry] = {}  # raw path -> entry, every analyzed entry
        self.duplicates: frozenset[bytes] = frozenset()  # paths the tree holds more than once
        self.admitted: dict[str, TreeEntry] = {}  # path -> entry, what the checkout writes
        self.link_targets: dict[str, str] = {}  # path -> target of each admitted link
        self._bad_paths: dict[bytes, str] = {}  # raw path -> why git would not check it out
        self._valid: dict[str, TreeEntry] = {}  # the other listed entries, by path
        self._uses: Counter[str] = Counter()  # folder -> valid entries under it
        self._conflicts: dict[str, str] = {}  # path -> why: a file or link where a folder is
        self._links: set[str] = set()  # valid links no folder needs the place of
        self._link_refusals: dict[str, str] = {}  # path -> why, for links judged by their target

    @property
    def refused(self) -> tuple[str, ...]:
        """'path: why' for each entry left out, the path escaped, sorted."""
        found = [f"{shown(raw_path)}: {why}" for raw_path, why in self._bad_paths.items()]
        found += [f"{visible(path)}: {why}" for path, why in (*self._conflicts.items(), *self._link_refusals.items())]
        return tuple(sorted(found))

    def replace(self, listed: Mapping[bytes, TreeEntry], duplicates: Collection[bytes]) -> set[str]:
        """Take a whole new listing; the paths whose admission may have changed."""
        before = set(self.admitted)
        self._clear()
        self.duplicates = frozenset(duplicates)
        return before | self.apply(listed)

    def apply(self, changes: Mapping[bytes, TreeEntry | None]) -> set[str]:
        """Take the changes of the listing (raw path -> new entry, None: gone); the paths whose
        admission may have changed."""
        touched: set[str] = set()
        for raw_path, entry in changes.items():
            self._forget(raw_path, touched)
            if entry is not None:
                self._take(raw_path, entry, touched)
        for path in touched:
            self._judge(path)
        return touched | self._judge_links()

    def _forget(self, raw_path: bytes, touched: set[str]) -> None:
        if self.listed.pop(raw_path, None) is None:
            return
        if self._bad_paths.pop(raw_path, None) is not None:
            return
        path = raw_path.decode("utf-8")
        del self._valid[path]
        touched.add(path)
        for folder in _folders_above(path):
            self._uses[folder] -= 1
            if not self._uses[folder]:
                del self._uses[folder]
                touched.add(folder)  # a file or link of that name may be written now

    def _take(self, raw_path: bytes, entry: TreeEntry, touched: set[str]) -> None:
        self.listed[raw_path] = entry
        problem = "the tree holds this path more than once" if raw_path in self.duplicates else path_problem(raw_path)
        if problem is not None:
            self._bad_paths[raw_path] = problem
            return
        path = raw_path.decode("utf-8")
        self._valid[path] = entry
        touched.add(path)
        for folder in _folders_above(path):
            self._uses[folder] += 1
            if self._uses[folder] == 1:
                touched.add(folder)  # a file or link of that name is no longer written

    def _judge(self, path: str) -> None:
        """Admit the valid entry at `path` unless a folder needs its place (links: see `_judge_links`)."""
        self.admitted.pop(path, None)
        self.link_targets.pop(path, None)
        self._links.discard(path)
        self._link_refusals.pop(path, None)
        self._conflicts.pop(path, None)
        if path not in self._valid:
            return
        mode = self._valid[path][0]
        if self._is_folder(path):
            kind = "a link" if mode == SYMLINK_MODE else "a file"
            self._conflicts[path] = f"{kind} where the tree also has a folder of that name"
        elif mode == SYMLINK_MODE:
            self._links.add(path)
        else:
            self.admitted[path] = self._valid[path]

    def _is_folder(self, path: str) -> bool:
        return path in self._uses or path in self._reserved

    def _judge_links(self) -> set[str]:
        """Admit the links whose target the kernel takes and that never lead out of the
        checkout; every link is judged again (a change elsewhere can redirect one), with all
        the others in place, so one that leads through a link that leaves is left out too.
        The paths of the links judged now or before."""
        judged = set(self.link_targets) | set(self._link_refusals) | self._links
        for path in self.link_targets:
            self.admitted.pop(path, None)
        self.link_targets, self._link_refusals = {}, {}
        contents = self._read_targets(sorted({self._valid[path][1] for path in self._links}))
        targets = {}
        for path in self._links:
            target, problem = _link_target(contents.get(self._valid[path][1]))
            if target is not None:
                targets[path] = target
            else:
                self._link_refusals[path] = problem
        for path, target in targets.items():
            if _leaves_checkout(path, targets, self._is_folder):
                self._link_refusals[path] = f"a link that leads out of the checkout (to '{visible(target)}')"
        for path, target in targets.items():
            if path not in self._link_refusals:
                self.admitted[path], self.link_targets[path] = self._valid[path], target
        return judged


def _folders_above(path: str) -> Iterator[str]:
    folder = path.rpartition("/")[0]
    while folder:
        yield folder
        folder = folder.rpartition("/")[0]


def _link_target(content: bytes | None) -> tuple[str | None, str]:
    """A link blob's content as a target the kernel takes, or None and why not."""
    if content is None:
        return None, f"a link whose target is longer than {MAX_LINK_TARGET} bytes"
    if not content:
        return None, "a link with an empty target"
    if b"\0" in content:
        return None, "a link whose target holds a NUL character"
    try:
        return content.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "a link whose target is not valid UTF-8"


def _leaves_checkout(link: str, targets: Mapping[str, str], is_folder: Callable[[str], bool]) -> bool:
    """Whether following the link at `link` steps out of the checkout at any point: an absolute
    target, or '..' above the checkout's top, through any number of links, as the kernel
    follows them in a checkout that holds exactly these links and folders. A path that stops
    at a missing entry or a file, or loops, leads nowhere: the kernel fails there."""
    position = link.split("/")[:-1]  # the folder the link is in
    pending: deque[str] = deque([link.rpartition("/")[2]])
    hops = 0
    while pending:
        part = pending.popleft()
        if part in ("", "."):
            continue
        if part == "..":
            if not position:
                return True
            position.pop()
            continue
        here = "/".join([*position, part])
        if here in targets:
            hops += 1
            if hops > _LINK_HOPS:
                return False
            target = targets[here]
            if target.startswith("/"):
                return True
            pending.extendleft(reversed(target.split("/")))
        elif is_folder(here):
            position.append(part)
        else:
            return False
    return False
